package org.layerwise.runner;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.layerwise.core.Tensor;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;

/**
 * Reads what a run wrote (docs/file-formats.md), for the explorer and views, the reports and the batch
 * commands alike: run.json with the pipeline's stages, metrics.json with the analyzers' scalars,
 * the training curves, the analyzers' tables and the npz archives. Nothing here computes; a file
 * the run did not write reads as empty (a cancelled or partial run has fewer files, never torn ones).
 */
public final class RunDirectory {

    private final Path dir;
    private final Map<String, Object> run;
    private final Map<String, Object> metrics;
    private final Map<String, Map<String, Tensor>> archives = new HashMap<>();

    private RunDirectory(Path dir, Map<String, Object> run, Map<String, Object> metrics) {
        this.dir = dir;
        this.run = run;
        this.metrics = metrics;
    }

    /** Reads run.json (required) and metrics.json (when written). */
    public static RunDirectory open(Path dir) throws IOException {
        Map<String, Object> run = Json.readMap(dir.resolve("run.json"));
        Path m = dir.resolve("metrics.json");
        return new RunDirectory(dir, run, Files.isRegularFile(m) ? Json.readMap(m) : Map.of());
    }

    /** True when the folder holds a run.json. */
    public static boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve("run.json"));
    }

    /**
     * The run's status: the terminal one run.json records, RUNNING while its process lives, and
     * INTERRUPTED when run.json still says RUNNING but the process is gone; null when the file
     * is missing or unreadable (run.json is written atomically, never half a file).
     */
    public static RunStatus status(Path dir) {
        try {
            return open(dir).status();
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    public Path path() {
        return dir;
    }

    /** The run's id: its folder's name. */
    public String id() {
        return dir.getFileName().toString();
    }

    /** The status, with a RUNNING run whose process is gone read as INTERRUPTED (see {@link #alive()}). */
    public RunStatus status() {
        RunStatus recorded = recordedStatus();
        return recorded == RunStatus.RUNNING && !alive() ? RunStatus.INTERRUPTED : recorded;
    }

    /** The status as run.json records it. */
    public RunStatus recordedStatus() {
        return RunStatus.valueOf(String.valueOf(run.get("status")));
    }

    /**
     * Whether the process that writes this run still lives. On the host that runs it, the OS
     * lock on the run's lock file answers (held exactly as long as the process lives), else
     * whether its process id still names the process that started it. From another host
     * (a cluster's shared disk) only the heartbeat tells: a run whose run.json was not
     * rewritten for four heartbeats and a minute is taken for dead.
     */
    public boolean alive() {
        if (RunRecord.active(dir) != null) {
            return true;
        }
        Map<?, ?> process = run.get("process") instanceof Map<?, ?> m ? m : Map.of();
        Object host = process.get("host");
        if (host != null && host.equals(hostName())) {
            Boolean locked = process.get("lock") instanceof String l ? locked(dir.resolve(l)) : null;
            if (locked != null) {
                return locked;
            }
            if (process.get("pid") instanceof Number pid) {
                return ProcessHandle.of(pid.longValue())
                        .filter(h -> h.isAlive() && String.valueOf(process.get("started"))
                                .equals(h.info().startInstant().map(Object::toString).orElse("?")))
                        .isPresent();
            }
        }
        long beat = process.get("heartbeat_seconds") instanceof Number n ? n.longValue() : RunRecord.HEARTBEAT_SECONDS;
        try {
            Instant updated = Instant.parse(String.valueOf(run.get("updated")));
            return updated.plusSeconds(4 * beat + 60).isAfter(Instant.now());
        } catch (java.time.format.DateTimeParseException e) {
            return false;
        }
    }

    /** True when another process holds the lock, false when nobody does, null when it cannot be told. */
    private static Boolean locked(Path lock) {
        if (!Files.exists(lock)) {
            return false; // taken before the first RUNNING was written, removed only after the terminal status
        }
        try (FileChannel ch = FileChannel.open(lock, StandardOpenOption.READ)) {
            FileLock l = ch.tryLock(0, Long.MAX_VALUE, true);
            if (l == null) {
                return true;
            }
            l.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // held in this JVM
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** This machine's host name as run.json records it (from the kernel: no name service is asked). */
    public static String hostName() {
        return HostName.VALUE;
    }

    /** Read once: every run.json write and every liveness check asks for it. */
    private static final class HostName {
        static final String VALUE = read();
    }

    private static String read() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "localhost";
        }
    }

    /** run.json as read. */
    public Map<String, Object> run() {
        return run;
    }

    /** metrics.json as read (empty when the run ended before writing it). */
    public Map<String, Object> metrics() {
        return metrics;
    }

    /** A top-level number of metrics.json, or NaN. */
    public double metric(String name) {
        return metrics.get(name) instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    /** A top-level number of metrics.json (accuracy, chance, asymmetry, ...); empty when absent or NaN. */
    public Optional<Double> findMetric(String name) {
        return number(metric(name));
    }

    /** A scalar an analyzer reported (metrics.json "analyzers".analyzer.key); empty when absent or NaN. */
    public Optional<Double> scalar(String analyzer, String key) {
        Double v = scalars(analyzer).get(key);
        return v == null ? Optional.empty() : number(v);
    }

    private static Optional<Double> number(double v) {
        return Double.isNaN(v) ? Optional.empty() : Optional.of(v);
    }

    /** The settings of the stage with this role (task, backend, enforcer) as run.json records them. */
    @SuppressWarnings("unchecked")
    public Optional<Stage> stage(String role) {
        if (!(run.get("pipeline") instanceof Map<?, ?> p) || !(p.get("stages") instanceof List<?> stages)) {
            return Optional.empty();
        }
        for (Object s : stages) {
            if (s instanceof Map<?, ?> m && role.equals(m.get("role"))) {
                Map<String, Object> settings = m.get("settings") instanceof Map<?, ?> st ? (Map<String, Object>) st : Map.of();
                return Optional.of(new Stage(String.valueOf(m.get("id")), settings));
            }
        }
        return Optional.empty();
    }

    /** A stage of the pipeline as run: contribution id and every setting. */
    public record Stage(String id, Map<String, Object> settings) {
    }

    /** The scalars one analyzer reported (metrics.json "analyzers"), empty when it did not run. */
    public Map<String, Double> scalars(String analyzer) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (metrics.get("analyzers") instanceof Map<?, ?> all && all.get(analyzer) instanceof Map<?, ?> s) {
            s.forEach((k, v) -> out.put(String.valueOf(k), v instanceof Number n ? n.doubleValue() : Double.NaN));
        }
        return out;
    }

    /**
     * training.npz: "loss" and "accuracy" per training step, 1-D and of equal length (accuracy
     * NaN where undefined, and all NaN in runs written before it was recorded); empty when the
     * run did not train (a loaded model, or it ended before training finished).
     */
    public Map<String, double[]> training() throws IOException {
        Path f = dir.resolve("training.npz");
        if (!Files.isRegularFile(f)) {
            return Map.of();
        }
        Map<String, Tensor> arrays = Npz.read(f);
        Tensor lossArray = arrays.get("loss");
        if (lossArray == null) {
            throw new IOException(f + " has no array 'loss'");
        }
        double[] loss = lossArray.toDoubles();
        double[] accuracy;
        if (arrays.get("accuracy") != null) {
            accuracy = arrays.get("accuracy").toDoubles();
            if (accuracy.length != loss.length) {
                throw new IOException(f + ": 'accuracy' has " + accuracy.length + " steps, 'loss' " + loss.length);
            }
        } else {
            accuracy = new double[loss.length];
            Arrays.fill(accuracy, Double.NaN);
        }
        Map<String, double[]> out = new LinkedHashMap<>();
        out.put("loss", loss);
        out.put("accuracy", accuracy);
        return out;
    }

    /** An analyzer's table (its NAME.csv), or null when the run has none of that name. */
    public Csv.Table table(String name) throws IOException {
        Path f = dir.resolve(name + ".csv");
        return Files.isRegularFile(f) ? Csv.read(f) : null;
    }

    /** NAME.npz of the run (training, eval, an analyzer's tensors), read once; empty when the run has none. */
    public synchronized Optional<Map<String, Tensor>> archive(String name) throws IOException {
        Map<String, Tensor> a = archives.get(name);
        if (a == null) {
            Path f = dir.resolve(name + ".npz");
            if (!Files.isRegularFile(f)) {
                return Optional.empty();
            }
            a = Npz.read(f);
            archives.put(name, a);
        }
        return Optional.of(a);
    }
}
