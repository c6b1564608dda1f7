package org.layerwise.runner.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.io.Json;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.RunListener;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;
import org.layerwise.runner.ValidatedPipeline;

/** The summary lines and metrics.json's promoted figures come from what analyzers declare, a third party's as a built-in's. */
class DeclaredHeadlinesTest {

    @TempDir
    Path dir;

    @Test
    @SuppressWarnings("unchecked")
    void a_third_partys_headlines_reach_the_summary_and_metrics_json() throws Exception {
        List<PipelineSpec.Stage> stages = List.of(
                new PipelineSpec.Stage(Role.TASK, "linear", Map.of("d", "3", "C", "2", "N", "4"), 0),
                new PipelineSpec.Stage(Role.BACKEND, "softmax-attention", Map.of("layers", "1", "steps", "3", "batch", "8"), 0),
                new PipelineSpec.Stage(Role.ANALYZER, "weight-abstraction", Map.of("prompts", "8", "draws", "1"), 0),
                new PipelineSpec.Stage(Role.ANALYZER, "test-widget", Map.of(), 0));
        PipelineSpec spec = new PipelineSpec("headlines", 5, stages, null);
        ValidatedPipeline p = new PipelineValidator(ContributionRegistry.load()).validate(spec);
        RunOptions options = new RunOptions(dir, 32);
        RunResult r = PipelineRunner.run(p, options, PipelineRunner.createRunDirectory(options, spec), RunListener.SILENT);
        assertEquals(RunStatus.OK, r.status(), r.cause());

        List<String> summary = r.summary();
        assertTrue(summary.get(0).matches("Accuracy on 32 evaluation prompts: [0-9.]+% \\[12\\.5%, 37\\.5%\\] \\(chance 50\\.0%, .*"),
                "the interval of the headline that is the same as the run's accuracy: " + summary.get(0));
        int widget = summary.indexOf("Widget probe: widget score 42.0% [40.0%, 44.0%] (spread 1.50)");
        assertTrue(widget > 0, summary.toString());
        assertTrue(summary.stream().noneMatch(l -> l.contains("accuracy again") || l.contains("never written")), summary.toString());

        Map<String, Object> metrics = Json.readMap(r.directory().resolve("metrics.json"));
        Map<String, Map<String, Object>> analyzers = (Map<String, Map<String, Object>>) metrics.get("analyzers");
        Map<String, Object> wa = analyzers.get("weight-abstraction");
        String weights = summary.stream().filter(l -> l.startsWith("Weight abstraction: asymmetry (mean) ")).findFirst().orElseThrow();
        assertTrue(summary.indexOf(weights) > widget, "by declared order: the widget's 1 before the weight abstraction's 50");
        assertTrue(weights.contains("; equivariance error "), weights);

        assertEquals(0.42, metrics.get("widget_score"), "a third party's declared promotion");
        assertEquals(wa.get("asymmetry_mean"), metrics.get("asymmetry"), "metrics.json's keys stay as they were");
        assertEquals(wa.get("equivariance_error"), metrics.get("equivariance_error"));
        List<String> keys = List.copyOf(metrics.keySet());
        assertEquals(keys.size() - 1, keys.indexOf("analyzers"), "the promoted figures come before analyzers: " + keys);
    }
}
