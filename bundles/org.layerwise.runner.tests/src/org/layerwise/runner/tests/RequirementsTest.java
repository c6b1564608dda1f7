package org.layerwise.runner.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.io.Csv;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunListener;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;
import org.layerwise.runner.ValidatedPipeline;

/** Shared results between analyzers go through declarations: provided, required, checked by the registry. */
class RequirementsTest {

    private static final String ORIGIN = "bundle org.layerwise.runner, extension point org.layerwise.core.recursionAnalyzers, ";

    @TempDir
    Path dir;

    private RunResult run(String... analyzers) throws Exception {
        List<PipelineSpec.Stage> stages = new ArrayList<>(List.of(
                new PipelineSpec.Stage(Role.TASK, "linear", Map.of("d", "3", "C", "2", "N", "4"), 0),
                new PipelineSpec.Stage(Role.BACKEND, "softmax-attention", Map.of("layers", "2", "steps", "3", "batch", "8"), 0)));
        for (String a : analyzers) {
            stages.add(new PipelineSpec.Stage(Role.ANALYZER, a, Map.of(), 0));
        }
        PipelineSpec spec = new PipelineSpec("requirements", 5, stages, null);
        ValidatedPipeline p = new PipelineValidator(ContributionRegistry.load()).validate(spec);
        RunOptions options = new RunOptions(dir, 32);
        return PipelineRunner.run(p, options, PipelineRunner.createRunDirectory(options, spec), RunListener.SILENT);
    }

    @Test
    void a_required_result_is_provided_once_per_run_through_its_own_requirement_without_its_analyzer_in_the_pipeline()
            throws Exception {
        int before = SharedAnswers.COMPUTED.get();
        RunResult r = run("test-answer-reader");
        assertEquals(RunStatus.OK, r.status(), String.valueOf(r.cause()));
        RunDirectory d = RunDirectory.open(r.directory());
        // test.doubled requires test.answer = 32 evaluation prompts + 0.5, the provider's context has no settings
        assertEquals(65.0, d.scalar("test-answer-reader", "doubled").orElseThrow());
        assertEquals(before + 1, SharedAnswers.COMPUTED.get());

        before = SharedAnswers.COMPUTED.get();
        r = run("test-answer-provider", "test-answer-reader");
        assertEquals(RunStatus.OK, r.status(), String.valueOf(r.cause()));
        d = RunDirectory.open(r.directory());
        assertEquals(32.5, d.scalar("test-answer-provider", "answer").orElseThrow());
        assertEquals(before + 1, SharedAnswers.COMPUTED.get(), "computed for the first analyzer, reused by the second");
    }

    @Test
    void an_analyzer_that_reads_a_result_it_did_not_declare_fails_naming_it_and_the_others_complete() throws Exception {
        RunResult r = run("test-answer-peeker", "test-answer-reader");
        assertEquals(RunStatus.PARTIAL, r.status());
        assertTrue(r.cause().contains(ORIGIN + "id 'test-answer-peeker': asks for shared result 'test.answer' without declaring "
                + "<requires result=\"test.answer\"/>"), r.cause());
        assertTrue(RunDirectory.open(r.directory()).scalar("test-answer-reader", "doubled").isPresent());
    }

    @Test
    void a_requirement_no_contribution_provides_is_reported_and_its_analyzer_skipped() {
        ContributionRegistry registry = ContributionRegistry.load();
        assertNull(registry.find(Role.ANALYZER, "test-requires-nowhere"));
        assertTrue(registry.problems().contains(ORIGIN + "id 'test-requires-nowhere': requires shared result 'test.nowhere', "
                + "which no installed contribution provides; contribution skipped"), registry.problems().toString());
    }

    @Test
    void providers_whose_requirements_form_a_cycle_are_refused_and_so_is_an_analyzer_requiring_them() {
        ContributionRegistry registry = ContributionRegistry.load();
        assertNull(registry.provider("test.cycle-a"));
        assertNull(registry.provider("test.cycle-b"));
        assertNotNull(registry.provider("test.doubled"));
        assertNotNull(registry.find(Role.ANALYZER, "test-cycle"), "the analyzer itself needs nothing");
        assertNull(registry.find(Role.ANALYZER, "test-requires-cycle"));
        String cycle = "its requirements form a cycle: test.cycle-a -> test.cycle-b -> test.cycle-a";
        assertTrue(registry.problems().contains(ORIGIN + "id 'test-cycle', shared result 'test.cycle-a': " + cycle + "; ignored"),
                registry.problems().toString());
        assertTrue(registry.problems().contains(ORIGIN + "id 'test-requires-cycle': requires shared result 'test.cycle-a', which "
                + "cannot be provided (" + cycle + "); contribution skipped"), registry.problems().toString());
    }

    @Test
    void layer_dynamics_alone_gets_the_recursion_from_the_coupled_mean_shift_provider() throws Exception {
        RunResult r = run("layer-dynamics");
        assertEquals(RunStatus.OK, r.status(), String.valueOf(r.cause()));
        Csv.Table t = Csv.read(r.directory().resolve("layer-dynamics.csv"));
        assertTrue(t.rows().stream().anyMatch(row -> row.get(0).equals("recursion")), "recursion rows from the shared trajectories");
        assertTrue(!r.directory().resolve("coupled-mean-shift.json").toFile().exists(), "the provider ran, not the analyzer");
    }
}
