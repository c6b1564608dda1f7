package org.layerwise.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

import org.layerwise.core.Tensor;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;

/**
 * Reads what a run wrote (FORMATS.md) for explorers and views: run.json, metrics.json with the
 * analyzers' scalars, the training curves, and the analyzers' tables. Nothing here computes; a file the run did not
 * write reads as empty (a cancelled or partial run has fewer files, never torn ones).
 */
public final class RunDirectory {

    private final Path dir;
    private final Map<String, Object> run;
    private final Map<String, Object> metrics;

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
     * The status recorded in run.json; null when the file is missing or unreadable (a run
     * being written is RUNNING, never half a file: run.json is written atomically).
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

    public RunStatus status() {
        return RunStatus.valueOf(String.valueOf(run.get("status")));
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
}
