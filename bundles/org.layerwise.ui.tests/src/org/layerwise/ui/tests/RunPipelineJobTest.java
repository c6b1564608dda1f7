package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.core.runtime.IStatus;
import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.io.Npz;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunStatus;
import org.layerwise.ui.charts.Series;
import org.layerwise.ui.editor.PipelineDocument;
import org.layerwise.ui.runs.RunEvents;
import org.layerwise.ui.runs.RunPipelineJob;
import org.layerwise.ui.runs.TrainingPanel;

/** Runs from the workbench: a Job with progress, live loss curve, cancel, terminal status on disk. */
class RunPipelineJobTest {

    private Shell shell;
    private RunEvents.Listener canceller;

    @AfterEach
    void close() {
        if (canceller != null) {
            RunEvents.remove(canceller);
        }
        if (shell != null) {
            shell.dispose();
        }
    }

    private PipelineSpec quickstart(String steps) throws Exception {
        PipelineDocument doc = PipelineDocument.open(Ui.home().resolve("examples/quickstart.layerwise"), ContributionRegistry.load());
        doc.setSetting(doc.pipeline().getStages().get(1), "steps", steps);
        doc.setSetting(doc.pipeline().getStages().get(1), "batch", "32");
        return doc.spec();
    }

    @Test
    void aCompletedRunIsOkAndItsLossCurveWasDrawnLive(@TempDir Path out) throws Exception {
        shell = Ui.shell("Training");
        TrainingPanel panel = new TrainingPanel(shell);
        shell.open();
        RunPipelineJob job = new RunPipelineJob(quickstart("40"), new RunOptions(out, 64));
        job.schedule();
        Ui.waitUntil("the run to finish", 180_000, () -> job.getResult() != null);
        Ui.waitUntil("the panel to show the end", 10_000, () -> panel.statusText().contains("OK"));

        assertEquals(IStatus.OK, job.getResult().getSeverity(), job.getResult().getMessage());
        assertEquals(RunStatus.OK, RunDirectory.status(job.directory()));
        double[] loss = Npz.read(job.directory().resolve("training.npz")).get("loss").toDoubles();
        Series shown = panel.chart().series().get(0);
        assertEquals(40, shown.y().length);
        for (int i = 0; i < loss.length; i++) {
            assertEquals(loss[i], shown.y()[i], 1e-6, "loss at step " + (i + 1));
        }
        assertEquals("training step", panel.chart().xTitle());
        Ui.screenshot(shell, "training-complete");
    }

    @Test
    void aCancelledRunEndsCancelledInItsRunDirectory(@TempDir Path out) throws Exception {
        shell = Ui.shell("Training");
        TrainingPanel panel = new TrainingPanel(shell);
        shell.open();
        RunPipelineJob job = new RunPipelineJob(quickstart("1000000"), new RunOptions(out, 64));
        AtomicInteger seen = new AtomicInteger();
        canceller = new RunEvents.Listener() {
            @Override
            public void trainingStep(RunPipelineJob j, int step, int total, double loss) {
                if (j == job && seen.incrementAndGet() == 5) {
                    j.cancel();
                }
            }
        };
        RunEvents.add(canceller);
        job.schedule();
        Ui.waitUntil("the run to stop", 120_000, () -> job.getResult() != null);
        Ui.waitUntil("the panel to show the end", 10_000, () -> panel.statusText().contains("CANCELLED"));

        assertEquals(IStatus.CANCEL, job.getResult().getSeverity());
        assertEquals(RunStatus.CANCELLED, RunDirectory.status(job.directory()));
        assertEquals(RunStatus.CANCELLED, job.result().status());
        assertTrue(seen.get() < 1000, "stopped within a few steps of the request, not after " + seen.get());
        assertEquals(List.of(), List.of(job.directory().toFile().list()).stream()
                .filter(n -> n.endsWith(".tmp")).toList());
        Ui.screenshot(shell, "training-cancelled");
    }
}
