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
import org.layerwise.io.Npz;

/**
 * One run directory of FORMATS.md as a report reads it: the runner's reading of run.json,
 * metrics.json and the analyzers' tables, plus the pipeline's stages and the npz archives.
 * Nothing is recomputed; a file or number the run did not write is an empty Optional.
 */
public final class RunDirectory {

    private final org.layerwise.runner.RunDirectory run;
    private final Map<String, Optional<Csv.Table>> tables = new HashMap<>();
    private final Map<String, Map<String, Tensor>> archives = new HashMap<>();

    private RunDirectory(org.layerwise.runner.RunDirectory run) {
        this.run = run;
    }

    /** Reads run.json (required) and metrics.json (absent when the run ended before writing it). */
    public static RunDirectory open(Path dir) throws IOException {
        return new RunDirectory(org.layerwise.runner.RunDirectory.open(dir));
    }

    public Path path() {
        return run.path();
    }

    public String id() {
        return run.path().getFileName().toString();
    }

    /** OK, FAILED, CANCELLED, PARTIAL, DIVERGED or RUNNING, as run.json records it. */
    public String status() {
        return String.valueOf(run.run().get("status"));
    }

    public Map<String, Object> runJson() {
        return run.run();
    }

    /** The settings of the stage with this role (task, backend, enforcer) as run.json records them. */
    @SuppressWarnings("unchecked")
    public Optional<Stage> stage(String role) {
        if (!(run.run().get("pipeline") instanceof Map<?, ?> p) || !(p.get("stages") instanceof List<?> stages)) {
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
        return number(run.metric(key));
    }

    /** A scalar an analyzer reported (metrics.json "analyzers".analyzer.key). */
    public Optional<Double> scalar(String analyzer, String key) {
        Double v = run.scalars(analyzer).get(key);
        return v == null ? Optional.empty() : number(v);
    }

    /** Every scalar an analyzer reported (metrics.json "analyzers".analyzer); empty when none. */
    public Map<String, Double> scalars(String analyzer) {
        return run.scalars(analyzer);
    }

    /** name.csv of the run directory, read once. */
    public Optional<Csv.Table> table(String name) throws IOException {
        Optional<Csv.Table> t = tables.get(name);
        if (t == null) {
            t = Optional.ofNullable(run.table(name));
            tables.put(name, t);
        }
        return t;
    }

    /** name.npz of the run directory, read once. */
    public Optional<Map<String, Tensor>> archive(String name) throws IOException {
        Map<String, Tensor> a = archives.get(name);
        if (a == null) {
            Path f = run.path().resolve(name + ".npz");
            if (!Files.isRegularFile(f)) {
                return Optional.empty();
            }
            a = Npz.read(f);
            archives.put(name, a);
        }
        return Optional.of(a);
    }

    private static Optional<Double> number(double v) {
        return Double.isNaN(v) ? Optional.empty() : Optional.of(v);
    }
}
