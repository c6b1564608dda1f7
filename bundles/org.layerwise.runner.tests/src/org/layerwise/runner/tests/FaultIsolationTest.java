package org.layerwise.runner.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.io.Json;
import org.layerwise.runner.ExitCode;
import org.layerwise.runner.PipelineException;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.RunListener;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;
import org.layerwise.runner.ValidatedPipeline;

/** A broken contribution never stops the rest, and its run says what happened. */
class FaultIsolationTest {

    @TempDir
    Path dir;

    private static PipelineSpec.Stage stage(Role role, String id, Map<String, String> settings) {
        return new PipelineSpec.Stage(role, id, settings, 0);
    }

    private RunResult run(List<PipelineSpec.Stage> stages) throws Exception {
        PipelineSpec spec = new PipelineSpec("faults", 5, stages, null);
        ValidatedPipeline p = new PipelineValidator(ContributionRegistry.load()).validate(spec);
        RunOptions options = new RunOptions(dir, 32);
        return PipelineRunner.run(p, options, PipelineRunner.createRunDirectory(options, spec), RunListener.SILENT);
    }

    private static final PipelineSpec.Stage TASK = stage(Role.TASK, "linear", Map.of("d", "3", "C", "2", "N", "4"));
    private static final PipelineSpec.Stage BACKEND = stage(Role.BACKEND, "softmax-attention",
            Map.of("layers", "1", "steps", "3", "batch", "8"));

    @Test
    void a_sequence_task_from_a_generator_without_a_dataset_is_refused_with_exit_code_6() {
        PipelineSpec spec = new PipelineSpec("impostor", 5, List.of(stage(Role.TASK, "test-sequence-impostor", Map.of()), BACKEND), null);
        PipelineException e = assertThrows(PipelineException.class, () -> new PipelineValidator(ContributionRegistry.load()).validate(spec));
        assertEquals(ExitCode.INCOMPATIBLE_STAGES, e.exitCode());
        assertTrue(e.problems().get(0).message().contains("id 'test-sequence-impostor': declares a task of kind 'sequence' but is no "
                + "SequenceTaskGenerator"), e.problems().toString());
    }

    @Test
    void failing_analyzers_make_the_run_partial_and_the_others_still_write() throws Exception {
        RunResult r = run(List.of(TASK, BACKEND, stage(Role.ANALYZER, "test-throws", Map.of()),
                stage(Role.ANALYZER, "test-out-of-memory", Map.of()), stage(Role.ANALYZER, "test-stack-overflow", Map.of()),
                stage(Role.ANALYZER, "test-internal-error", Map.of()), stage(Role.ANALYZER, "test-undeclared", Map.of()),
                stage(Role.ANALYZER, "test-nan", Map.of()), stage(Role.ANALYZER, "test-undefined", Map.of()),
                stage(Role.ANALYZER, "weight-abstraction", Map.of())));
        assertEquals(RunStatus.PARTIAL, r.status());
        assertEquals(ExitCode.PARTIAL, r.exitCode());
        assertTrue(r.cause().contains("bundle org.layerwise.runner, extension point org.layerwise.core.recursionAnalyzers, "
                + "id 'test-throws': analyze failed: deliberate failure"), r.cause());
        assertTrue(r.cause().contains("id 'test-out-of-memory': analyze failed: out of memory (Java heap space) with a heap limit of "),
                r.cause());
        assertTrue(r.cause().contains("id 'test-stack-overflow': analyze failed: StackOverflowError"), r.cause());
        assertTrue(r.cause().contains("id 'test-internal-error': analyze failed: deliberate internal error"), r.cause());
        assertTrue(r.cause().contains("id 'test-undeclared': returned table 'surprise' that its plugin.xml does not declare"),
                r.cause());
        assertTrue(r.cause().contains("bundle org.layerwise.runner, extension point org.layerwise.core.recursionAnalyzers, "
                + "id 'test-nan': scalar 'score' is NaN, but no <output kind=\"scalars\"> of its plugin.xml declares it undefined"),
                r.cause());
        assertTrue(!r.cause().contains("'coverage'") && !r.cause().contains("test-undefined"), "NaN where declared undefined is fine");
        assertTrue(Files.isRegularFile(r.directory().resolve("abstraction.csv")), "the healthy analyzer still wrote");
        Map<?, ?> analyzers = (Map<?, ?>) Json.readMap(r.directory().resolve("metrics.json")).get("analyzers");
        assertEquals(1.0, ((Number) ((Map<?, ?>) analyzers.get("test-undefined")).get("fine")).doubleValue());
        assertTrue(analyzers.get("test-nan") == null, "nothing of the failed analyzer is recorded");
        assertTrue(Files.notExists(r.directory().resolve("surprise.csv")), "nothing undeclared is written");
        Map<String, Object> runJson = Json.readMap(r.directory().resolve("run.json"));
        assertEquals("PARTIAL", runJson.get("status"));
        // each failure with its bundle, version and the first lines of what it threw
        List<?> failures = (List<?>) runJson.get("failures");
        assertEquals(6, failures.size(), String.valueOf(failures));
        Map<?, ?> thrown = (Map<?, ?>) failures.get(0);
        assertEquals("test-throws", thrown.get("id"));
        assertEquals("org.layerwise.runner", thrown.get("bundle"));
        assertEquals(runnerVersion(), thrown.get("bundle_version"));
        assertEquals("org.layerwise.core.recursionAnalyzers", thrown.get("extension_point"));
        List<?> trace = (List<?>) thrown.get("trace");
        assertEquals("java.lang.ArithmeticException: deliberate failure", trace.get(0));
        assertTrue(String.valueOf(trace.get(1)).contains("FaultyContributions$Throws.analyze"), String.valueOf(trace));
        Map<?, ?> overflow = (Map<?, ?>) failures.get(2);
        assertEquals("test-stack-overflow", overflow.get("id"));
        List<?> deep = (List<?>) overflow.get("trace");
        assertEquals("java.lang.StackOverflowError", deep.get(0));
        assertEquals(12, deep.size(), "only the first lines of a deep trace");
        assertTrue(Boolean.TRUE.equals(runJson.get("complete")));
    }

    private static String runnerVersion() {
        return org.osgi.framework.FrameworkUtil.getBundle(PipelineRunner.class).getVersion().toString();
    }

    @Test
    void run_json_records_every_contributing_bundle_with_its_version() throws Exception {
        RunResult r = run(List.of(TASK, BACKEND, stage(Role.ENFORCER, "random-conjugation", Map.of()),
                stage(Role.ANALYZER, "weight-abstraction", Map.of("draws", "2"))));
        assertEquals(RunStatus.OK, r.status(), String.valueOf(r.cause()));
        Map<String, Object> runJson = Json.readMap(r.directory().resolve("run.json"));
        Map<?, ?> bundles = (Map<?, ?>) ((Map<?, ?>) runJson.get("versions")).get("bundles");
        for (String b : List.of("org.layerwise.tasks", "org.layerwise.backend.softmax", "org.layerwise.symmetry",
                "org.layerwise.analysis")) {
            assertEquals(org.eclipse.core.runtime.Platform.getBundle(b).getVersion().toString(), bundles.get(b), b);
        }
        assertEquals(4, bundles.size(), String.valueOf(bundles));
        for (Object st : (List<?>) ((Map<?, ?>) runJson.get("pipeline")).get("stages")) {
            Map<?, ?> stage = (Map<?, ?>) st;
            assertEquals(bundles.get(stage.get("bundle")), stage.get("bundle_version"), String.valueOf(stage));
        }
        assertTrue(runJson.get("failures") == null, "no failures recorded for an OK run");
    }

    @Test
    void a_task_returning_invalid_prompts_fails_the_run_naming_it() throws Exception {
        RunResult r = run(List.of(stage(Role.TASK, "test-short-task", Map.of()), BACKEND));
        assertEquals(RunStatus.FAILED, r.status());
        assertTrue(r.cause().contains("id 'test-short-task': generate returned 31 prompts, 32 were asked for"), r.cause());
        Map<String, Object> runJson = Json.readMap(r.directory().resolve("run.json"));
        assertEquals("FAILED", runJson.get("status"));
        assertTrue(Files.notExists(r.directory().resolve("model.safetensors")));
    }
}
