package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.jface.viewers.StructuredSelection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.io.Npz;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunStatus;
import org.layerwise.ui.editor.PipelineDocument;
import org.layerwise.ui.handlers.ResumeRunHandler;
import org.layerwise.ui.runs.RunEvents;
import org.layerwise.ui.runs.RunPipelineJob;
import org.layerwise.ui.runs.TrainingPanel;

/**
 * Resume from the workbench: a run cancelled mid-training through its Job, resumed through the
 * resume Job (cancelled once more and resumed again), ends OK with the very model bytes of an
 * uninterrupted run of the same pipeline and seed; the Training view follows the resumed run.
 */
class ResumeRunJobTest extends ShellTest {

    private static final int STEPS = 120;

    private final List<RunEvents.Listener> listeners = new CopyOnWriteArrayList<>();

    @AfterEach
    void removeListeners() {
        listeners.forEach(RunEvents::remove);
    }

    private static PipelineSpec quickstart() throws Exception {
        PipelineDocument doc = PipelineDocument.open(Ui.home().resolve("examples/quickstart.layerwise"), ContributionRegistry.load());
        doc.setSetting(doc.pipeline().getStages().get(1), "steps", String.valueOf(STEPS));
        doc.setSetting(doc.pipeline().getStages().get(1), "batch", "32");
        return doc.spec();
    }

    /** The training steps the job reports, in order; cancels it once it has reported cancelAfter (0: never). */
    private List<Integer> follow(RunPipelineJob job, int cancelAfter) {
        List<Integer> steps = new CopyOnWriteArrayList<>();
        RunEvents.Listener l = new RunEvents.Listener() {
            @Override
            public void trainingStep(RunPipelineJob j, int step, int total, double loss) {
                if (j == job) {
                    steps.add(step);
                    if (steps.size() == cancelAfter) {
                        j.cancel();
                    }
                }
            }
        };
        listeners.add(l);
        RunEvents.add(l);
        return steps;
    }

    private static void finish(RunPipelineJob job) {
        job.schedule();
        Ui.waitUntil(job.getName() + " to end", 180_000, () -> job.getResult() != null);
    }

    /** The step of checkpoint.npz, or -1 when the backend saved none (before checkpointing lands). */
    private static long savedStep(Path run) throws Exception {
        Path checkpoint = run.resolve("checkpoint.npz");
        return Files.isRegularFile(checkpoint) ? Npz.read(checkpoint).get("__step__").toLongs()[0] : -1;
    }

    @Test
    void aCancelledRunResumedFromTheWorkbenchEndsWithTheModelOfAnUninterruptedRun(@TempDir Path out) throws Exception {
        shell = Ui.shell("Training");
        TrainingPanel panel = new TrainingPanel(shell);
        shell.open();
        PipelineSpec spec = quickstart();

        RunPipelineJob whole = new RunPipelineJob(spec, new RunOptions(out.resolve("whole"), 64));
        finish(whole);
        assertEquals(IStatus.OK, whole.getResult().getSeverity(), whole.getResult().getMessage());

        RunPipelineJob cut = new RunPipelineJob(spec, new RunOptions(out.resolve("cut"), 64));
        List<Integer> before = follow(cut, STEPS / 2);
        finish(cut);
        Path run = cut.directory();
        assertEquals(IStatus.CANCEL, cut.getResult().getSeverity());
        assertEquals(RunStatus.CANCELLED, RunDirectory.status(run));
        assertTrue(before.size() < STEPS, "cancelled before the end of training: " + before.size() + " steps");
        assertEquals(run, ResumeRunHandler.resumable(new StructuredSelection(run)));

        // Resumed, then cancelled again at once: CANCELLED again, and resumable again.
        RunPipelineJob again = RunPipelineJob.resume(run);
        assertEquals(run, again.directory());
        follow(again, 1);
        finish(again);
        assertEquals(IStatus.CANCEL, again.getResult().getSeverity());
        assertEquals(RunStatus.CANCELLED, RunDirectory.status(run));
        assertEquals(run, again.result().directory(), "resumed in its own directory");

        long saved = savedStep(run);
        RunPipelineJob resumed = RunPipelineJob.resume(run);
        List<Integer> steps = follow(resumed, 0);
        finish(resumed);
        Ui.waitUntil("the panel to show the end", 10_000, () -> panel.statusText().contains(run.getFileName() + ": OK"));

        assertEquals(IStatus.OK, resumed.getResult().getSeverity(), resumed.getResult().getMessage());
        assertEquals(RunStatus.OK, RunDirectory.status(run));
        assertEquals(RunStatus.OK, resumed.result().status());
        assertTrue(resumed.resuming());
        assertArrayEquals(Files.readAllBytes(whole.directory().resolve("model.safetensors")),
                Files.readAllBytes(run.resolve("model.safetensors")), "the resumed model is the uninterrupted one, byte for byte");
        assertEquals(STEPS, steps.get(steps.size() - 1), "trained to the last step");
        if (saved > 0) {
            assertEquals(saved + 1, (long) steps.get(0), "training goes on after the saved state, step 0 is not trained again");
        }
        // else: the backend saves no training state yet (checkpointing is being added to it), so a
        // resumed run trains again from its first step; the bytes above are equal either way.
        var shown = panel.chart().series().get(0);
        assertEquals(steps.size(), shown.y().length, "the Training view drew the resumed steps");
        assertEquals(STEPS, shown.x()[shown.x().length - 1], 0);
        Ui.screenshot(shell, "training-resumed");
    }

    @Test
    void aRunThatCannotBeResumedEndsTheJobWithAnErrorThatSaysWhy(@TempDir Path out) throws Exception {
        Path ok = ExplorerStatusTest.fabricatedRun(out, "done", "OK");
        RunPipelineJob job = RunPipelineJob.resume(ok);
        finish(job);
        assertEquals(IStatus.ERROR, job.getResult().getSeverity());
        assertTrue(job.getResult().getMessage().contains("there is nothing to resume"), job.getResult().getMessage());
        assertEquals(null, job.result());
        assertEquals(RunStatus.OK, RunDirectory.status(ok), "run.json untouched");
    }
}
