package org.layerwise.runner.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.io.Npz;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.Resumption;
import org.layerwise.runner.RunListener;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;
import org.layerwise.runner.ValidatedPipeline;

/** A cancelled run resumed from its saved training state ends with the files of a run never stopped. */
class ResumeTest {

    @TempDir
    Path dir;

    private static final List<String> SAME = List.of("model.safetensors", "training.npz", "eval.npz", "metrics.json",
            "abstraction.csv", "weight-abstraction.json");

    private static ValidatedPipeline pipeline() throws Exception {
        List<PipelineSpec.Stage> stages = List.of(
                new PipelineSpec.Stage(Role.TASK, "linear", Map.of("d", "4", "C", "3", "N", "8"), 0),
                new PipelineSpec.Stage(Role.BACKEND, "softmax-attention",
                        Map.of("layers", "2", "steps", "80", "batch", "16", "threads", "2"), 0),
                new PipelineSpec.Stage(Role.ENFORCER, "random-conjugation", Map.of(), 0),
                new PipelineSpec.Stage(Role.ANALYZER, "weight-abstraction", Map.of("draws", "2"), 0));
        return new PipelineValidator(ContributionRegistry.load()).validate(new PipelineSpec("resume", 11, stages, null));
    }

    /** Records training steps and cancels when {@code cancelAt} says so (a step number, or a stage name prefix). */
    private static final class Recorder implements RunListener {
        final List<Integer> steps = new ArrayList<>();
        final int cancelAtStep;
        final String cancelAtStage;
        volatile boolean cancelled;

        Recorder(int cancelAtStep, String cancelAtStage) {
            this.cancelAtStep = cancelAtStep;
            this.cancelAtStage = cancelAtStage;
        }

        @Override
        public void stage(String name) {
            if (cancelAtStage != null && name.startsWith(cancelAtStage)) {
                cancelled = true;
            }
        }

        @Override
        public void trainingStep(int step, int total, double loss, double accuracy) {
            steps.add(step);
            if (step == cancelAtStep) {
                cancelled = true;
            }
        }

        @Override
        public boolean isCanceled() {
            return cancelled;
        }
    }

    private Path run(String out, Recorder listener, RunStatus expected) throws Exception {
        ValidatedPipeline p = pipeline();
        RunOptions options = new RunOptions(dir.resolve(out), 24);
        Path run = PipelineRunner.createRunDirectory(options, p.spec());
        RunResult r = PipelineRunner.run(p, options, run, listener);
        assertEquals(expected, r.status(), r.cause());
        return run;
    }

    private static void assertSameFiles(Path expected, Path actual) throws Exception {
        for (String f : SAME) {
            assertArrayEquals(Files.readAllBytes(expected.resolve(f)), Files.readAllBytes(actual.resolve(f)), f);
        }
    }

    @Test
    void training_cancelled_at_step_30_resumes_at_step_31_and_ends_bit_identical() throws Exception {
        Path whole = run("whole", new Recorder(-1, null), RunStatus.OK);
        Path cut = run("cut", new Recorder(30, null), RunStatus.CANCELLED);
        long saved = Npz.read(cut.resolve("checkpoint.npz")).get("__step__").toLongs()[0];
        assertEquals(30, saved, "the state after the last completed step is saved on cancel");

        Resumption resumption = Resumption.of(cut, ContributionRegistry.load());
        assertEquals(RunStatus.CANCELLED, resumption.status());
        Recorder again = new Recorder(-1, null);
        RunResult r = PipelineRunner.resume(resumption, again);
        assertEquals(RunStatus.OK, r.status(), r.cause());
        assertEquals(31, again.steps.get(0), "training went on where it stopped");
        assertEquals(80, again.steps.get(again.steps.size() - 1));
        assertSameFiles(whole, cut);
    }

    @Test
    void a_run_stopped_after_its_training_is_evaluated_and_analysed_again_without_training() throws Exception {
        Path whole = run("whole", new Recorder(-1, null), RunStatus.OK);
        Path cut = run("cut", new Recorder(-1, "evaluating"), RunStatus.CANCELLED);
        Recorder again = new Recorder(-1, null);
        RunResult r = PipelineRunner.resume(Resumption.of(cut, ContributionRegistry.load()), again);
        assertEquals(RunStatus.OK, r.status(), r.cause());
        assertEquals(List.of(), again.steps, "no training step was computed again");
        assertSameFiles(whole, cut);
        assertTrue(String.valueOf(org.layerwise.io.Json.readMap(cut.resolve("run.json")).get("engine")).contains("resumed_from_step=80"));
    }
}
