package org.layerwise.sweep.aggregate.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.layerwise.io.Json;
import org.layerwise.runner.RunDirectory;

/**
 * Writes a sweep directory the way the sweep command and the runs write one
 * (docs/design/sweeps.md, docs/file-formats.md): sweep.json, and run.json + metrics.json per point.
 */
final class SweepFixture {

    final Path dir;
    private final List<Map<String, Object>> axes = new ArrayList<>();
    private final List<Map<String, Object>> points = new ArrayList<>();
    private List<Long> seeds = List.of();
    private List<String> metrics = List.of();

    SweepFixture(Path dir) {
        this.dir = dir;
    }

    SweepFixture axis(String setting, String... values) {
        axes.add(Map.of("setting", setting, "values", List.of(values)));
        return this;
    }

    SweepFixture seeds(Long... s) {
        seeds = List.of(s);
        return this;
    }

    SweepFixture metrics(String... m) {
        metrics = List.of(m);
        return this;
    }

    /** Adds a point (sweep.json says PENDING) and returns its run directory, not created. */
    Path point(long seed, String... coordinates) {
        String id = String.format("p%04d", points.size());
        Map<String, String> c = new LinkedHashMap<>();
        for (int i = 0; i < coordinates.length; i++) {
            c.put(String.valueOf(axes.get(i).get("setting")), coordinates[i]);
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("id", id);
        p.put("index", points.size());
        p.put("coordinates", c);
        p.put("seed", seed);
        p.put("run", "points/" + id);
        p.put("status", "PENDING");
        p.put("attempts", 0);
        points.add(p);
        return dir.resolve("points").resolve(id);
    }

    void write() throws IOException {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("format", "layerwise-sweep");
        s.put("version", 1);
        s.put("name", "fixture");
        s.put("sweep_file", dir.resolve("input/fixture.sweep").toString());
        s.put("pipeline_file", dir.resolve("input/quickstart.layerwise").toString());
        s.put("combination", "grid");
        s.put("axes", axes);
        s.put("seeds", seeds);
        s.put("metrics", metrics);
        s.put("created", "2026-12-06T17:00:00Z");
        s.put("updated", "2026-12-06T17:05:00Z");
        s.put("versions", Map.of("layerwise", "0.1.0", "java", "25"));
        s.put("executor", Map.of("kind", "local", "max_parallel", 2));
        s.put("points", points);
        Files.createDirectories(dir);
        Json.write(dir.resolve("sweep.json"), s);
    }

    /**
     * Writes run.json with this status (RUNNING: a process of this host that holds no lock, so
     * dead) and, when metrics is not null, metrics.json.
     */
    static void run(Path runDir, String status, Map<String, Object> metrics) throws IOException {
        Files.createDirectories(runDir);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("format", "layerwise-run");
        r.put("version", 1);
        r.put("run_id", runDir.getFileName().toString());
        r.put("status", status);
        if (status.equals("FAILED")) {
            r.put("cause", "training: the backend threw");
        }
        r.put("complete", !status.equals("RUNNING"));
        if (status.equals("RUNNING")) {
            r.put("stage", "training");
        }
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("pid", Integer.MAX_VALUE - 7);
        process.put("host", RunDirectory.hostName());
        process.put("started", "2026-12-06T17:00:00Z");
        process.put("lock", ".run.lock");
        process.put("heartbeat_seconds", 30);
        r.put("process", process);
        r.put("pipeline", Map.of("name", "quickstart", "seed", 1, "overrides", List.of(), "stages", List.of(
                Map.of("role", "task", "id", "linear", "bundle", "org.layerwise.tasks", "bundle_version", "0.1.0",
                        "settings", Map.of("N", 32)))));
        r.put("eval_prompts", 256);
        r.put("seeds", Map.of("master", 1));
        r.put("versions", Map.of("layerwise", "0.1.0"));
        r.put("engine", Map.of());
        r.put("start", "2026-12-06T17:00:00Z");
        r.put(status.equals("RUNNING") ? "updated" : "end", Instant.now().toString());
        r.put("wall_seconds", 1.5);
        r.put("stage_seconds", Map.of());
        Json.write(runDir.resolve("run.json"), r);
        if (metrics != null) {
            Json.write(runDir.resolve("metrics.json"), metrics);
        }
    }

    /** metrics.json as a softmax run with the weight-abstraction analyzer writes it. */
    static Map<String, Object> metrics(double accuracy, double asymmetry) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("steps", 500);
        m.put("accuracy", accuracy);
        m.put("chance", 0.25);
        m.put("asymmetry", asymmetry);
        Map<String, Object> wa = new LinkedHashMap<>();
        wa.put("asymmetry_mean", asymmetry);
        wa.put("equivariance_error", 1e-9);
        m.put("analyzers", new LinkedHashMap<>(Map.of("weight-abstraction", wa)));
        return m;
    }

    static Map<String, Object> accuracy(double accuracy) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("accuracy", accuracy);
        return m;
    }
}
