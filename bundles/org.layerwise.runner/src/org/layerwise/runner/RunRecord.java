package org.layerwise.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.layerwise.core.Settings;
import org.layerwise.io.Json;
import org.layerwise.runner.ValidatedPipeline.Bound;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/** run.json: the pipeline as run, every seed, versions, timings and the status (FORMATS.md). */
final class RunRecord {

    private final ValidatedPipeline pipeline;
    private final RunOptions options;
    private final Path dir;
    private final Instant start = Instant.now();
    private final Map<String, Long> seeds = new LinkedHashMap<>();
    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private final Map<String, Object> facts = new LinkedHashMap<>();

    RunRecord(ValidatedPipeline pipeline, RunOptions options, Path dir) {
        this.pipeline = pipeline;
        this.options = options;
        this.dir = dir;
    }

    RunRecord seed(String name, long value) {
        seeds.put(name, value);
        return this;
    }

    void time(String stage, long startNanos) {
        seconds.put(stage, (System.nanoTime() - startNanos) / 1e9);
    }

    void facts(String stage, Map<String, Object> f) {
        if (f != null && !f.isEmpty()) {
            facts.put(stage, f);
        }
    }

    void write(RunStatus status, String cause) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "layerwise-run");
        m.put("version", 1);
        m.put("run_id", dir.getFileName().toString());
        m.put("status", status.name());
        if (cause != null) {
            m.put("cause", cause);
        }
        m.put("complete", status != RunStatus.RUNNING);
        m.put("pipeline", pipeline());
        m.put("eval_prompts", options.evalPrompts());
        m.put("seeds", seeds);
        m.put("versions", versions());
        m.put("engine", facts);
        m.put("start", start.toString());
        Instant now = Instant.now();
        m.put(status == RunStatus.RUNNING ? "updated" : "end", now.toString());
        m.put("wall_seconds", (now.toEpochMilli() - start.toEpochMilli()) / 1000.0);
        m.put("stage_seconds", seconds);
        Files.createDirectories(dir);
        Json.write(dir.resolve("run.json"), m);
    }

    private Map<String, Object> pipeline() {
        Map<String, Object> p = new LinkedHashMap<>();
        PipelineSpec spec = pipeline.spec();
        p.put("name", spec.name());
        p.put("file", spec.file() == null ? null : spec.file().toAbsolutePath().toString());
        p.put("seed", spec.seed());
        p.put("overrides", spec.overrides());
        List<Map<String, Object>> stages = new ArrayList<>();
        stage(stages, pipeline.task());
        stage(stages, pipeline.backend());
        if (pipeline.enforcer() != null) {
            stage(stages, pipeline.enforcer());
        }
        pipeline.analyzers().forEach(a -> stage(stages, a));
        p.put("stages", stages);
        return p;
    }

    private static void stage(List<Map<String, Object>> out, Bound<?> b) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("role", b.descriptor().role().key);
        s.put("id", b.descriptor().id());
        s.put("bundle", b.descriptor().bundle());
        Settings settings = b.settings();
        s.put("settings", settings.asMap());
        out.add(s);
    }

    static Map<String, Object> versions() {
        Map<String, Object> v = new LinkedHashMap<>();
        Bundle self = FrameworkUtil.getBundle(RunRecord.class);
        v.put("layerwise", self == null ? "unknown" : self.getVersion().toString());
        v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        v.put("cpu", cpu());
        v.put("cores", Runtime.getRuntime().availableProcessors());
        return v;
    }

    private static String cpu() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
