package org.layerwise.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.layerwise.core.Tensor;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;

/**
 * One run directory of FORMATS.md as a report reads it: run.json, metrics.json, the
 * analyzers' CSV tables and npz archives. Nothing is recomputed; a file the run did not
 * write is simply absent, and every accessor says so with an empty Optional.
 */
public final class RunDirectory {

    private final Path dir;
    private final Map<String, Object> run;
    private final Map<String, Object> metrics;
    private final Map<String, Csv.Table> tables = new HashMap<>();
    private final Map<String, Map<String, Tensor>> archives = new HashMap<>();

    private RunDirectory(Path dir, Map<String, Object> run, Map<String, Object> metrics) {
        this.dir = dir;
        this.run = run;
        this.metrics = metrics;
    }

    /** Reads run.json (required) and metrics.json (absent when the run ended before writing it). */
    public static RunDirectory open(Path dir) throws IOException {
        Map<String, Object> run = Json.readMap(dir.resolve("run.json"));
        Path m = dir.resolve("metrics.json");
        return new RunDirectory(dir, run, Files.isRegularFile(m) ? Json.readMap(m) : Map.of());
    }

    public Path path() {
        return dir;
    }

    public String id() {
        return dir.getFileName().toString();
    }

    /** OK, FAILED, CANCELLED, PARTIAL, DIVERGED or RUNNING, as run.json records it. */
    public String status() {
        return String.valueOf(run.get("status"));
    }

    public Map<String, Object> runJson() {
        return run;
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

    /** A top-level number of metrics.json (accuracy, chance, asymmetry, equivariance_error, ...). */
    public Optional<Double> metric(String key) {
        return number(metrics.get(key));
    }

    /** A scalar an analyzer reported (metrics.json "analyzers".analyzer.key). */
    public Optional<Double> scalar(String analyzer, String key) {
        if (metrics.get("analyzers") instanceof Map<?, ?> a && a.get(analyzer) instanceof Map<?, ?> s) {
            return number(s.get(key));
        }
        return Optional.empty();
    }

    /** name.csv of the run directory, read once. */
    public Optional<Csv.Table> table(String name) throws IOException {
        Csv.Table t = tables.get(name);
        if (t == null) {
            Path f = dir.resolve(name + ".csv");
            if (!Files.isRegularFile(f)) {
                return Optional.empty();
            }
            t = Csv.read(f);
            tables.put(name, t);
        }
        return Optional.of(t);
    }

    /** name.npz of the run directory, read once. */
    public Optional<Map<String, Tensor>> archive(String name) throws IOException {
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

    private static Optional<Double> number(Object o) {
        return o instanceof Number n && !Double.isNaN(n.doubleValue()) ? Optional.of(n.doubleValue()) : Optional.empty();
    }
}
