package org.layerwise.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.layerwise.io.Json;
import org.layerwise.runner.ExitCode;
import org.layerwise.runner.PipelineException;
import org.layerwise.runner.PipelineLoader;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunStatus;

/**
 * A sweep directory (docs/sweeps.md): sweep.json with the expanded points, copies of the sweep
 * and its pipeline under input/, and one run directory per point under points/. Only the
 * coordinating process writes sweep.json, always atomically; a point's process writes only its
 * own run directory.
 */
public final class SweepDirectory {

    public static final String FILE = "sweep.json";
    public static final String FORMAT = "layerwise-sweep";
    public static final int VERSION = 1;
    /** The status of a point whose run directory does not exist yet. */
    public static final String PENDING = "PENDING";

    private final Path dir;
    private final Map<String, Object> json;
    private final List<SweepPoint> points;
    private final Map<String, String> finished = new java.util.HashMap<>();

    private SweepDirectory(Path dir, Map<String, Object> json, List<SweepPoint> points) {
        this.dir = dir;
        this.json = json;
        this.points = List.copyOf(points);
    }

    public Path path() {
        return dir;
    }

    public String name() {
        return String.valueOf(json.get("name"));
    }

    public List<SweepPoint> points() {
        return points;
    }

    /** The metrics the sweep file chose, in order. */
    @SuppressWarnings("unchecked")
    public List<String> metrics() {
        return json.get("metrics") instanceof List<?> l ? (List<String>) l : List.of();
    }

    public int evalPrompts() {
        return json.get("eval_prompts") instanceof Number n ? n.intValue() : org.layerwise.runner.RunOptions.DEFAULT_EVAL_PROMPTS;
    }

    public SweepPoint point(String id) throws PipelineException {
        for (SweepPoint p : points) {
            if (p.id().equals(id)) {
                return p;
            }
        }
        throw new PipelineException(ExitCode.USAGE, dir.resolve(FILE) + " has no point '" + id + "' (points "
                + points.get(0).id() + " to " + points.get(points.size() - 1).id() + ")");
    }

    public Path runDirectory(SweepPoint p) {
        return dir.resolve(p.run());
    }

    /** The copy of the sweep's pipeline the points run. */
    public Path pipelineFile() {
        return dir.resolve(String.valueOf(json.get("pipeline_copy")));
    }

    /** The sweep file's name, as messages call the sweep. */
    public String origin() {
        Object f = json.get("sweep_file");
        return f == null ? FILE : Path.of(String.valueOf(f)).getFileName().toString();
    }

    /** The point's pipeline: the copied pipeline with the point's coordinates and seed. */
    public PipelineSpec pipeline(SweepPoint p) throws PipelineException {
        return PointPipelines.apply(PipelineLoader.load(pipelineFile()), p, origin());
    }

    /**
     * The point's status now, read from its run directory: {@link #PENDING} when it has none,
     * INTERRUPTED for a RUNNING run whose process is gone, "UNREADABLE" when run.json cannot be read.
     */
    public String status(SweepPoint p) {
        Path run = runDirectory(p);
        if (!RunDirectory.isRun(run)) {
            return PENDING;
        }
        RunStatus s = RunDirectory.status(run);
        return s == null ? "UNREADABLE" : s.name();
    }

    /**
     * Every point's status now, in point order. A status that cannot change any more (OK,
     * PARTIAL, DIVERGED) is read once per process: a refresh of a big sweep on a shared file
     * system reads only the run.json of the points still open.
     */
    public Map<String, String> statuses() {
        Map<String, String> out = new LinkedHashMap<>();
        for (SweepPoint p : points) {
            String known = finished.get(p.id());
            String s = known != null ? known : status(p);
            if (known == null && PointRuns.FINISHED.contains(s)) {
                finished.put(p.id(), s);
            }
            out.put(p.id(), s);
        }
        return out;
    }

    /** Reads sweep.json; a missing, unreadable or foreign file is exit code SWEEP_MISMATCH with the file and field named. */
    public static SweepDirectory open(Path dir) throws PipelineException {
        Path file = dir.resolve(FILE);
        if (!Files.isRegularFile(file)) {
            throw mismatch(file + " not found: " + dir + " is not a sweep directory (the sweep command makes one)");
        }
        Map<String, Object> json;
        try {
            json = Json.readMap(file);
        } catch (IOException | RuntimeException e) {
            throw mismatch(file + " cannot be read: " + e.getMessage());
        }
        if (!FORMAT.equals(json.get("format"))) {
            throw mismatch(file + ": field 'format' is " + json.get("format") + ", expected \"" + FORMAT + "\"");
        }
        if (!(json.get("version") instanceof Number v) || v.intValue() != VERSION) {
            throw mismatch(file + ": field 'version' is " + json.get("version") + ", this Layerwise reads version " + VERSION);
        }
        if (!(json.get("points") instanceof List<?> list) || list.isEmpty()) {
            throw mismatch(file + ": field 'points' is missing or empty");
        }
        List<SweepPoint> points = new ArrayList<>();
        for (Object o : list) {
            int i = points.size();
            if (!(o instanceof Map<?, ?> m) || !(m.get("id") instanceof String id) || !id.matches("p\\d+")
                    || !(m.get("seed") instanceof Number seed) || !(m.get("coordinates") instanceof Map<?, ?> c)) {
                throw mismatch(file + ": points[" + i + "] needs 'id' (p0, p1, ...), 'seed' (a whole number) and 'coordinates'");
            }
            Map<String, String> coordinates = new LinkedHashMap<>();
            c.forEach((key, value) -> coordinates.put(String.valueOf(key), String.valueOf(value)));
            points.add(new SweepPoint(id, i, coordinates, seed.longValue()));
        }
        return new SweepDirectory(dir, json, points);
    }

    /**
     * Creates the sweep directory for these points, or opens it when it holds this very sweep
     * (the same points, coordinates, seeds and pipeline): a rerun of the same command resumes.
     * A directory holding another sweep is refused; nothing in it is touched.
     */
    public static SweepDirectory prepare(Path dir, SweepSpec spec, List<SweepPoint> points, int evalPrompts)
            throws PipelineException {
        Path file = dir.resolve(FILE);
        String pipelineText;
        try {
            pipelineText = Files.readString(spec.pipelineFile());
        } catch (IOException e) {
            throw new PipelineException(ExitCode.MALFORMED_PIPELINE, spec.pipelineFile() + " cannot be read: " + e.getMessage());
        }
        if (Files.exists(file)) {
            SweepDirectory existing = open(dir);
            existing.checkSame(spec, points, pipelineText, evalPrompts);
            return existing;
        }
        try {
            if (Files.isDirectory(dir)) {
                try (var entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) {
                        throw mismatch(dir + " exists and is not a sweep directory (it has no " + FILE
                                + "); choose an empty or new folder with --out");
                    }
                }
            }
            Files.createDirectories(dir.resolve("input"));
            Files.createDirectories(dir.resolve("points"));
            String pipelineCopy = "input/" + spec.pipelineFile().getFileName();
            org.layerwise.core.AtomicFiles.writeString(dir.resolve(pipelineCopy), pipelineText);
            org.layerwise.core.AtomicFiles.writeString(dir.resolve("input/" + spec.file().getFileName()), Files.readString(spec.file()));
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("format", FORMAT);
            json.put("version", VERSION);
            json.put("name", spec.name());
            json.put("description", spec.description());
            json.put("sweep_file", spec.file().toString());
            json.put("pipeline_file", spec.pipelineFile().toString());
            json.put("pipeline_copy", pipelineCopy);
            json.put("combination", spec.zip() ? "zip" : "grid");
            List<Map<String, Object>> axes = new ArrayList<>();
            for (SweepSpec.AxisSpec a : spec.axes()) {
                axes.add(Map.of("setting", a.setting(), "values", a.values()));
            }
            json.put("axes", axes);
            json.put("seeds", points.stream().map(SweepPoint::seed).distinct().toList());
            json.put("metrics", spec.metrics());
            json.put("eval_prompts", evalPrompts);
            String now = Instant.now().toString();
            json.put("created", now);
            json.put("updated", now);
            json.put("versions", org.layerwise.runner.PipelineRunner.versions());
            List<Map<String, Object>> list = new ArrayList<>();
            for (SweepPoint p : points) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", p.id());
                m.put("index", p.index());
                m.put("coordinates", p.coordinates());
                m.put("seed", p.seed());
                m.put("run", p.run());
                m.put("status", PENDING);
                m.put("attempts", 0);
                list.add(m);
            }
            json.put("points", list);
            SweepDirectory created = new SweepDirectory(dir, json, points);
            created.write();
            return created;
        } catch (IOException | SecurityException e) {
            throw new PipelineException(ExitCode.OUTPUT_NOT_WRITABLE, "sweep directory " + dir + " cannot be written: "
                    + e.getMessage() + "; choose another with --out DIR");
        }
    }

    private void checkSame(SweepSpec spec, List<SweepPoint> expanded, String pipelineText, int evalPrompts)
            throws PipelineException {
        String again = "; run it into another folder with --out, or remove " + dir;
        Path file = dir.resolve(FILE);
        if (expanded.size() != points.size()) {
            throw mismatch(file + " holds a sweep of " + points.size() + " points; " + spec.file().getFileName() + " now expands to "
                    + expanded.size() + again);
        }
        for (int i = 0; i < points.size(); i++) {
            SweepPoint was = points.get(i);
            SweepPoint now = expanded.get(i);
            if (!was.id().equals(now.id()) || was.seed() != now.seed() || !was.coordinates().equals(now.coordinates())) {
                throw mismatch(file + ": point " + was.id() + " was (" + was.describe() + "), " + spec.file().getFileName()
                        + " now makes it (" + now.describe() + ")" + again);
            }
        }
        try {
            if (!Files.readString(pipelineFile()).equals(pipelineText)) {
                throw mismatch(spec.pipelineFile() + " changed since " + dir + " was made (its copy is " + pipelineFile() + ")" + again);
            }
        } catch (IOException e) {
            throw mismatch(pipelineFile() + " cannot be read: " + e.getMessage());
        }
        if (evalPrompts != evalPrompts()) {
            throw mismatch(dir + " was made with --eval-prompts " + evalPrompts() + ", not " + evalPrompts + again);
        }
    }

    /**
     * Makes room for a fresh run of the point: a run directory that cannot be resumed (run.json
     * unreadable, or files but no run.json) is moved to attempts/ID-N, never deleted.
     *
     * @return where it went, or null when there was nothing to move
     */
    public Path setAside(SweepPoint p) throws IOException {
        Path run = runDirectory(p);
        if (!Files.exists(run)) {
            return null;
        }
        try (var entries = Files.list(run)) {
            if (entries.findAny().isEmpty()) {
                Files.delete(run);
                return null;
            }
        }
        Files.createDirectories(dir.resolve("attempts"));
        for (int n = 1;; n++) {
            Path to = dir.resolve("attempts").resolve(p.id() + "-" + n);
            if (!Files.exists(to)) {
                return Files.move(run, to, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        }
    }

    /** Counts one more start of the point's process; returns the count. */
    public int countAttempt(SweepPoint p) {
        Map<String, Object> m = entry(p);
        int n = (m.get("attempts") instanceof Number a ? a.intValue() : 0) + 1;
        m.put("attempts", n);
        return n;
    }

    /** Records how the point's last process ended ("exit" in its sweep.json entry). */
    public void recordExit(SweepPoint p, int exitCode) {
        entry(p).put("exit", exitCode);
    }

    /**
     * The status with what the last process said when it left no run directory behind:
     * "PENDING (exit 3)" for a point whose process ended before its run began.
     */
    public String describeStatus(SweepPoint p, String status) {
        Object exit = entry(p).get("exit");
        return PENDING.equals(status) && exit instanceof Number n && n.intValue() != 0 ? status + " (exit " + n + ")" : status;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> entry(SweepPoint p) {
        return (Map<String, Object>) ((List<Object>) json.get("points")).get(p.index());
    }

    /** Sets a top-level key of sweep.json (the executor's record, "executor" or "slurm"); written by {@link #write}. */
    public void put(String key, Object value) {
        json.put(Objects.requireNonNull(key), value);
    }

    public Object get(String key) {
        return json.get(key);
    }

    /** Refreshes every point's status from its run directory and writes sweep.json atomically. */
    @SuppressWarnings("unchecked")
    public Map<String, String> write() throws IOException {
        Map<String, String> statuses = statuses();
        for (Object o : (List<Object>) json.get("points")) {
            Map<String, Object> m = (Map<String, Object>) o;
            m.put("status", statuses.get(String.valueOf(m.get("id"))));
        }
        json.put("updated", Instant.now().toString());
        Json.write(dir.resolve(FILE), json);
        return statuses;
    }

    private static PipelineException mismatch(String message) {
        return new PipelineException(ExitCode.SWEEP_MISMATCH, message);
    }
}
