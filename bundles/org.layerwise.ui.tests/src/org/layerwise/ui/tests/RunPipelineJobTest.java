package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.core.runtime.IStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.io.Npz;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunStatus;
import org.layerwise.io.Csv;
import org.layerwise.ui.charts.ChartExport;
import org.layerwise.ui.charts.Series;
import org.layerwise.ui.editor.PipelineDocument;
import org.layerwise.ui.runs.RunEvents;
import org.layerwise.ui.runs.RunPipelineJob;
import org.layerwise.ui.runs.TrainingPanel;

/** Runs from the workbench: a Job with progress, live loss and accuracy curves, cancel, terminal status on disk. */
class RunPipelineJobTest extends ShellTest {

    private RunEvents.Listener canceller;

    @AfterEach
    void removeCanceller() {
        if (canceller != null) {
            RunEvents.remove(canceller);
        }
    }

    private PipelineSpec quickstart(String steps) throws Exception {
        PipelineDocument doc = PipelineDocument.open(Ui.home().resolve("examples/quickstart.layerwise"), ContributionRegistry.load());
        doc.setSetting(doc.pipeline().getStages().get(1), "steps", steps);
        doc.setSetting(doc.pipeline().getStages().get(1), "batch", "32");
        return doc.spec();
    }

    @Test
    void aCompletedRunIsOkAndItsLossAndAccuracyCurvesWereDrawnLive(@TempDir Path out) throws Exception {
        shell = Ui.shell("Training");
        TrainingPanel panel = new TrainingPanel(shell);
        shell.open();
        RunPipelineJob job = new RunPipelineJob(quickstart("40"), new RunOptions(out, 64));
        job.schedule();
        Ui.waitUntil("the run to finish", 180_000, () -> job.getResult() != null);
        Ui.waitUntil("the panel to show the end", 10_000, () -> panel.statusText().contains("OK"));

        assertEquals(IStatus.OK, job.getResult().getSeverity(), job.getResult().getMessage());
        assertEquals(RunStatus.OK, RunDirectory.status(job.directory()));
        var training = Npz.read(job.directory().resolve("training.npz"));
        double[] loss = training.get("loss").toDoubles();
        Series shown = panel.chart().series().get(0);
        assertEquals(40, shown.y().length);
        for (int i = 0; i < loss.length; i++) {
            assertEquals(loss[i], shown.y()[i], 0, "loss at step " + (i + 1));
        }
        assertEquals("training step", panel.chart().xTitle());
        assertEquals("loss (nats)", panel.chart().yTitle());

        // The accuracy chart shows training.npz's accuracy exactly, in percent, and its moving average.
        double[] accuracy = training.get("accuracy").toDoubles();
        assertEquals(40, accuracy.length);
        Series acc = find(panel.accuracyChart(), "accuracy");
        Series ema = find(panel.accuracyChart(), "accuracy_ema");
        assertEquals(40, acc.y().length);
        double average = 0;
        for (int i = 0; i < accuracy.length; i++) {
            assertEquals(i + 1, acc.x()[i], 0);
            assertEquals(100 * accuracy[i], acc.y()[i], 0, "accuracy at step " + (i + 1));
            average = (1 - TrainingPanel.EMA_WEIGHT) * average + TrainingPanel.EMA_WEIGHT * 100 * accuracy[i];
            assertEquals(average / (1 - Math.pow(1 - TrainingPanel.EMA_WEIGHT, i + 1)), ema.y()[i], 1e-9, "moving average at step " + (i + 1));
        }
        assertEquals("accuracy (%)", panel.accuracyChart().yTitle());
        assertEquals("training step", panel.accuracyChart().xTitle());
        Path csv = out.resolve("training-accuracy.csv");
        ChartExport.write(panel.accuracyChart(), csv, ChartExport.Format.CSV);
        assertEquals(80, Csv.read(csv).size());
        Ui.screenshot(shell, "training-complete");
    }

    private static Series find(org.layerwise.ui.charts.LineChart chart, String id) {
        return chart.series().stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + id + " in " + chart.series()));
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
                .filter(n -> n.endsWith(".partial")).toList());
        Ui.screenshot(shell, "training-cancelled");
    }
}
