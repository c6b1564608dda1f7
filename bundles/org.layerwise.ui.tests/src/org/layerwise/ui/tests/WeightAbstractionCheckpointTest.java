package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.Map;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Event;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.layerwise.core.Tensor;
import org.layerwise.core.symmetry.Commutant;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.io.Safetensors;
import org.layerwise.ui.results.Focus;
import org.layerwise.analysis.ui.WeightAbstractionPanel;

/**
 * The Weight Abstraction view on a run that kept a checkpoint series (every:100 of 250 steps:
 * steps 0, 100, 200, 250): Focus's step chooses the checkpoint whose matrices the heatmaps show,
 * read independently here from its safetensors; past the last checkpoint, the final model.
 */
class WeightAbstractionCheckpointTest extends CompletedRunTest {

    private static final int LAYERS = 2;
    private static final int HEADS = 2;
    private static int n;
    private static int dx;
    private static int dy;

    @BeforeAll
    static void completedRun() throws Exception {
        run = Ui.completedRun(32, doc -> {
            var backend = doc.pipeline().getStages().get(1);
            doc.setSetting(backend, "steps", "250");
            doc.setSetting(backend, "batch", "32");
            doc.setSetting(backend, "layers", Integer.toString(LAYERS));
            doc.setSetting(backend, "heads", Integer.toString(HEADS));
            doc.setSetting(backend, "checkpoints", "every:100");
        });
        Map<String, Object> config = Json.readMap(run.resolve("config.json"));
        dx = ((Number) config.get("d_x")).intValue();
        dy = ((Number) config.get("d_y")).intValue();
        n = dx + dy;
    }

    /** QK[h] of block l in a safetensors file with merged weights. */
    private static double[] qk(String file, int l, int h) throws Exception {
        Map<String, Tensor> w = Safetensors.read(run.resolve(file)).tensors();
        double[] all = w.get("blocks." + l + ".attn.QK").toDoubles();
        double[] out = new double[n * n];
        System.arraycopy(all, h * n * n, out, 0, n * n);
        return out;
    }

    private static void assertShows(WeightAbstractionPanel panel, double[] expected, String what) {
        double[] m = panel.matrixChart().values();
        assertEquals(expected.length, m.length, what);
        for (int i = 0; i < m.length; i++) {
            assertEquals(expected[i], m[i], 1e-12 * (1 + Math.abs(expected[i])), what + " entry " + i);
        }
        double[] p = panel.projectionChart().values();
        assertArrayEquals(Commutant.reynolds(m, dx, dy), p, 0, what + ": R(M)");
        double[] d = panel.residualChart().values();
        for (int i = 0; i < m.length; i++) {
            assertEquals(m[i] - p[i], d[i], 0, what + ": residual");
        }
    }

    @Test
    void focusStepShowsTheCheckpointAtOrBeforeItAndPastTheLastTheFinalModel() throws Exception {
        assertTrue(Files.isRegularFile(run.resolve("ckpt/step_00000100.safetensors")));
        shell = Ui.shell("Weight abstraction at a checkpoint");
        WeightAbstractionPanel panel = new WeightAbstractionPanel(shell);
        shell.open();
        panel.show(run);
        Ui.flush();
        assertEquals(List.of(0, 100, 200, 250), panel.checkpointSeries().stream().map(WeightAbstractionPanel.Checkpoint::step).toList());
        // Focus step 0 has not been chosen: the final model, as before.
        assertNull(panel.shownCheckpoint());
        assertTrue(panel.stepLabel().startsWith("final model"), panel.stepLabel());
        double[] last = qk("model.safetensors", 1, 1);

        panel.selectAndNotify(1, 1, "Q");
        assertShows(panel, last, "final model");

        // Training Dynamics' cursor sets step 100: checkpoint 100.
        Focus.step(100, this);
        Ui.flush();
        assertNotNull(panel.shownCheckpoint());
        assertEquals(100, panel.shownCheckpoint().step());
        assertEquals("ckpt/step_00000100.safetensors", panel.shownCheckpoint().file());
        assertTrue(panel.stepLabel().startsWith("checkpoint step 100 of 250 (from ckpt/step_00000100.safetensors"), panel.stepLabel());
        double[] at100 = qk("ckpt/step_00000100.safetensors", 1, 1);
        assertShows(panel, at100, "step 100");
        assertFalse(java.util.Arrays.equals(at100, last), "the checkpoint differs from the final model");
        assertTrue(panel.matrixChart().title().endsWith("(step 100)"), panel.matrixChart().title());
        assertTrue(panel.caption().contains("checkpoint step 100"), panel.caption());
        assertTrue(panel.finalModelButton().isEnabled());
        WeightAbstractionPanel.Row row = panel.selectedRow();
        assertEquals(List.of(1, 1, "Q"), List.of(row.layer(), row.head(), row.matrix()), "the row is kept");
        assertArrayEquals(Commutant.scalars(at100, dx, dy).toArray(), row.scalars(), 0, "the checkpoint's own scalars");
        assertEquals(Commutant.asymmetry(at100, dx, dy), row.asymmetry(), 0);
        assertEquals(Commutant.asymmetry(at100, dx, dy), panel.shownAsymmetry(), 1e-12);

        // V follows too, and a step between checkpoints shows the latest at or before it.
        panel.selectAndNotify(0, 1, "V");
        Focus.step(199, this);
        Ui.flush();
        assertEquals(100, panel.shownCheckpoint().step());
        panel.selectAndNotify(0, 0, "Q");
        Focus.step(200, this);
        Ui.flush();
        assertEquals(200, panel.shownCheckpoint().step());
        assertShows(panel, qk("ckpt/step_00000200.safetensors", 0, 0), "step 200");
        Ui.screenshot(shell, "view-weight-abstraction-checkpoint");

        // The "Final model" button goes back to model.safetensors and abstraction.csv.
        panel.finalModelButton().notifyListeners(SWT.Selection, new Event());
        Ui.flush();
        assertNull(panel.shownCheckpoint());
        assertShows(panel, qk("model.safetensors", 0, 0), "final model by the button");
        Csv.Table csv = Csv.read(run.resolve("abstraction.csv"));
        assertEquals(Csv.parseDouble(csv.get(0, "asymmetry")), panel.rows().get(0).asymmetry(), 0, "abstraction.csv again");
        assertFalse(panel.finalModelButton().isEnabled());

        // A step past the last checkpoint: the final model.
        Focus.step(100, this);
        Ui.flush();
        assertEquals(100, panel.shownCheckpoint().step());
        Focus.step(251, this);
        Ui.flush();
        assertNull(panel.shownCheckpoint());
        assertTrue(panel.stepLabel().startsWith("final model (Focus step 251 is past the last checkpoint, step 250)"), panel.stepLabel());
        assertShows(panel, qk("model.safetensors", 0, 0), "past the last checkpoint");
        Ui.screenshot(shell, "view-weight-abstraction-final");
    }
}
