package org.layerwise.sweep.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.layerwise.io.Json;

/**
 * A sweep directory written as the sweep command and its points write one (docs/design/sweeps.md,
 * docs/file-formats.md): backend.steps = 500 (an axis of one value, a constant), task.N in {8, 16, 32}
 * by enforcer in {none, random-conjugation}, seeds 1..3, eighteen points; each point's run directory has run.json and metrics.json with values given by
 * {@link #accuracy} and {@link #asymmetry}. Point {@link #FAILED} failed (no metrics.json) and
 * point {@link #PENDING} has not started (no run directory).
 */
final class FabricatedSweep {

    static final List<String> N = List.of("8", "16", "32");
    static final List<String> ENFORCERS = List.of("none", "random-conjugation");
    static final List<Long> SEEDS = List.of(1L, 2L, 3L);
    /** N = 16, none, seed 2. */
    static final String FAILED = point("16", "none", 2);
    /** N = 32, random-conjugation, seed 3. */
    static final String PENDING = point("32", "random-conjugation", 3);

    private FabricatedSweep() {
    }

    static double accuracy(String n, String enforcer, long seed) {
        return 0.4 + 0.1 * (Math.log(Double.parseDouble(n) / 8) / Math.log(2)) + (enforcer.equals("none") ? 0 : 0.07) + 0.013 * seed * seed;
    }

    static double asymmetry(String n, String enforcer, long seed) {
        return (enforcer.equals("none") ? 0.6 : 0.02) + 0.05 * seed / Double.parseDouble(n);
    }

    /** The point id of (n, enforcer, seed): task.N slowest, seeds fastest. */
    static String point(String n, String enforcer, long seed) {
        return point(N, n, enforcer, seed);
    }

    private static String point(List<String> ns, String n, String enforcer, long seed) {
        return String.format("p%04d", (ns.indexOf(n) * ENFORCERS.size() + ENFORCERS.indexOf(enforcer)) * SEEDS.size() + SEEDS.indexOf(seed));
    }

    static Path write(Path dir) throws IOException {
        return write(dir, N);
    }

    /** The same sweep over other values of task.N; only with {@link #N} do {@link #FAILED} and {@link #PENDING} fail and wait. */
    static Path write(Path dir, List<String> ns) throws IOException {
        Files.createDirectories(dir);
        List<Map<String, Object>> points = new ArrayList<>();
        for (String n : ns) {
            for (String e : ENFORCERS) {
                for (long seed : SEEDS) {
                    String id = point(ns, n, e, seed);
                    boolean usual = ns.equals(N);
                    String status = usual && id.equals(FAILED) ? "FAILED" : usual && id.equals(PENDING) ? "PENDING" : "OK";
                    Map<String, Object> p = new LinkedHashMap<>();
                    p.put("id", id);
                    p.put("index", points.size());
                    p.put("coordinates", Map.of("backend.steps", "500", "task.N", n, "enforcer", e));
                    p.put("seed", seed);
                    p.put("run", "points/" + id);
                    p.put("status", status);
                    p.put("attempts", status.equals("PENDING") ? 0 : 1);
                    points.add(p);
                    if (!status.equals("PENDING")) {
                        writeRun(dir.resolve("points").resolve(id), status, n, e, seed);
                    }
                }
            }
        }
        Map<String, Object> sweep = new LinkedHashMap<>();
        sweep.put("format", "layerwise-sweep");
        sweep.put("version", 1);
        sweep.put("name", "context-by-enforcer");
        sweep.put("sweep_file", dir.resolve("input/context-by-enforcer.sweep").toString());
        sweep.put("pipeline_file", dir.resolve("input/quickstart.layerwise").toString());
        sweep.put("combination", "grid");
        sweep.put("axes", List.of(Map.of("setting", "backend.steps", "values", List.of("500")), Map.of("setting", "task.N", "values", ns),
                Map.of("setting", "enforcer", "values", ENFORCERS)));
        sweep.put("seeds", SEEDS);
        sweep.put("metrics", List.of("accuracy", "weight-abstraction.asymmetry"));
        sweep.put("created", "2026-12-06T17:00:00Z");
        sweep.put("updated", "2026-12-06T17:05:00Z");
        sweep.put("versions", Map.of("layerwise", "0.1.0", "java", "25"));
        sweep.put("executor", Map.of("kind", "local", "max_parallel", 2));
        sweep.put("points", points);
        Json.write(dir.resolve("sweep.json"), sweep);
        return dir;
    }

    private static void writeRun(Path run, String status, String n, String enforcer, long seed) throws IOException {
        Files.createDirectories(run);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("format", "layerwise-run");
        record.put("version", 1);
        record.put("run_id", run.getFileName().toString());
        record.put("status", status);
        if (status.equals("FAILED")) {
            record.put("cause", "backend softmax-attention: the loss became NaN at step 12");
        }
        record.put("complete", true);
        record.put("pipeline", Map.of("name", "quickstart", "file", "input/quickstart.layerwise", "seed", seed, "overrides",
                Map.of("backend.steps", "500", "task.N", n, "enforcer", enforcer)));
        record.put("eval_prompts", 256);
        record.put("seeds", Map.of("master", seed));
        record.put("start", "2026-12-06T17:00:00Z");
        record.put("end", "2026-12-06T17:01:00Z");
        Json.write(run.resolve("run.json"), record);
        if (status.equals("OK")) {
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("steps", 500);
            metrics.put("eval_prompts", 256);
            metrics.put("accuracy", accuracy(n, enforcer, seed));
            metrics.put("chance", 0.25);
            metrics.put("final_train_loss", 1.0 / accuracy(n, enforcer, seed));
            metrics.put("analyzers", Map.of("weight-abstraction", Map.of("asymmetry", asymmetry(n, enforcer, seed))));
            Json.write(run.resolve("metrics.json"), metrics);
        }
    }
}
