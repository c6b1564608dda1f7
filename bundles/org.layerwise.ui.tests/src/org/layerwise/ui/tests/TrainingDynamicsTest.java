package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Event;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.layerwise.core.Tensor;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.ui.charts.ChartExport;
import org.layerwise.ui.charts.LineChart;
import org.layerwise.ui.charts.Series;
import org.layerwise.ui.results.Focus;
import org.layerwise.analysis.learning.ui.TrainingDynamicsPanel;

/**
 * The Training Dynamics view on Paper B's staged-learning run (examples/paper-b, run through the
 * runner: it trains in a fraction of a second): every number it draws is the run's files'.
 */
class TrainingDynamicsTest extends CompletedRunTest {

    @BeforeAll
    static void completedRun() throws Exception {
        run = Ui.completedRun("examples/paper-b/staged-learning.layerwise", 64, doc -> {
        });
    }

    private TrainingDynamicsPanel open() {
        shell = Ui.shell("Training Dynamics");
        return showIn(shell, run);
    }

    /** A Training Dynamics panel in the shell, opened, showing the run in dir. */
    static TrainingDynamicsPanel showIn(org.eclipse.swt.widgets.Shell shell, Path dir) {
        TrainingDynamicsPanel panel = new TrainingDynamicsPanel(shell);
        shell.open();
        panel.show(dir);
        Ui.flush();
        return panel;
    }

    @Test
    void drawsTheLossTheModesTheConservedQuantityAndTheSpectraFromTheRunsFiles() throws Exception {
        TrainingDynamicsPanel panel = open();
        assertEquals(List.of("", "", "", "", "", ""), panel.notes());
        assertFalse(panel.accuracyChart().control().getParent().getVisible(), "no evaluated grid: no accuracy chart");
        assertFalse(panel.fourierChart().control().getParent().getVisible(), "fourier does not read attention-only models");
        assertEquals(List.of("loss", "loss_closed"), panel.lossChart().series().stream().map(Series::id).toList());
        assertFalse(panel.lossChart().control().getAxisSet().getYAxis(0).isLogScaleEnabled());

        // (a) training loss: loss[t] at step t >= 1; closed form at the checkpoints, dashed
        double[] loss = Npz.read(run.resolve("training.npz")).get("loss").toDoubles();
        Series training = series(panel.lossChart(), "loss");
        assertEquals(loss.length - 1, training.x().length);
        for (int t = 1; t < loss.length; t++) {
            assertEquals(t, training.x()[t - 1], 0);
            assertEquals(loss[t], training.y()[t - 1], 0, "loss at step " + t);
        }
        assertFalse(training.dashed());
        Map<String, Tensor> npz = Npz.read(run.resolve("learning-dynamics.npz"));
        double[] steps = npz.get("steps").toDoubles();
        double[] closedLoss = npz.get("loss_closed").toDoubles();
        Series closed = series(panel.lossChart(), "loss_closed");
        assertTrue(closed.dashed());
        List<Double> expectedX = new ArrayList<>();
        List<Double> expectedY = new ArrayList<>();
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] > 0) {
                expectedX.add(steps[i]);
                expectedY.add(closedLoss[i]);
            }
        }
        assertEquals(expectedX, boxed(closed.x()));
        assertEquals(expectedY, boxed(closed.y()));
        assertTrue(panel.lossChart().control().getAxisSet().getXAxis(0).isLogScaleEnabled());

        // (b) a / a_inf per mode, (c) c per mode
        Csv.Table perStep = Csv.read(run.resolve("learning-dynamics.csv"));
        Csv.Table modes = Csv.read(run.resolve("learning-dynamics-modes.csv"));
        assertEquals(4, modes.size());
        for (int m = 0; m < modes.size(); m++) {
            String mode = modes.get(m, "mode");
            double aInf = Csv.parseDouble(modes.get(m, "a_inf"));
            Series sim = series(panel.modesChart(), "mode" + mode + "_simulated");
            Series cf = series(panel.modesChart(), "mode" + mode + "_closed");
            Series c = series(panel.conservedChart(), "mode" + mode + "_c");
            assertFalse(sim.dashed());
            assertTrue(cf.dashed());
            assertEquals(sim.colour(), cf.colour(), "one colour per mode");
            assertEquals(sim.colour(), c.colour());
            int k = 0;
            for (int r = 0; r < perStep.size(); r++) {
                if (perStep.get(r, "mode").equals(mode) && Csv.parseDouble(perStep.get(r, "step")) > 0) {
                    assertEquals(Csv.parseDouble(perStep.get(r, "step")), sim.x()[k], 0);
                    assertEquals(Csv.parseDouble(perStep.get(r, "a_simulated")) / aInf, sim.y()[k], 0);
                    assertEquals(Csv.parseDouble(perStep.get(r, "a_closed")) / aInf, cf.y()[k], 0);
                    assertEquals(Csv.parseDouble(perStep.get(r, "c")), c.y()[k], 0);
                    k++;
                }
            }
            assertEquals(k, sim.x().length, "mode " + mode);
            assertTrue(k > 40, "checkpoints of mode " + mode + ": " + k);
        }

        // (d) spectral measures of a chosen matrix, layer and head
        Csv.Table spectral = Csv.read(run.resolve("spectral-dynamics.csv"));
        select(panel.matrixCombo(), "OV");
        assertEquals("0", panel.layerCombo().getText());
        assertEquals("0", panel.headCombo().getText());
        Series rank = series(panel.spectralChart(), "effective_rank");
        Series distance = series(panel.spectralChart(), "subspace_distance");
        int k = 0;
        for (int r = 0; r < spectral.size(); r++) {
            if (spectral.get(r, "matrix").equals("OV") && spectral.get(r, "layer").equals("0") && spectral.get(r, "head").equals("0")
                    && Csv.parseDouble(spectral.get(r, "step")) > 0) {
                assertEquals(Csv.parseDouble(spectral.get(r, "step")), rank.x()[k], 0);
                assertEquals(Csv.parseDouble(spectral.get(r, "effective_rank")), rank.y()[k], 0);
                assertEquals(Csv.parseDouble(spectral.get(r, "subspace_distance")), distance.y()[k], 0);
                k++;
            }
        }
        assertEquals(k, rank.x().length);
        assertTrue(panel.spectralChart().title().contains("OV"), panel.spectralChart().title());

        // exports: the CSV holds every drawn point
        Path csv = Path.of(System.getProperty("layerwise.screenshots", "target/screenshots")).resolveSibling("exports")
                .resolve("training-dynamics-modes.csv");
        ChartExport.write(panel.modesChart(), csv, ChartExport.Format.CSV);
        assertEquals(panel.modesChart().series().stream().mapToInt(s -> s.x().length).sum(), Csv.read(csv).size());
        for (LineChart c : charts(panel)) {
            assertTrue(c.control().getVisible(), c.title());
            assertTrue(ChartExport.svg(c).contains("<svg"), c.title());
        }
        Path png = csv.resolveSibling("training-dynamics-loss.png");
        ChartExport.write(panel.lossChart(), png, ChartExport.Format.PNG);
        assertTrue(Files.size(png) > 1000);

        Focus.step(2000, "another view");
        Ui.flush();
        Ui.screenshot(shell, "training-dynamics");
    }

    @Test
    void theStepCursorIsTheRunsCheckpointsAndFocusesTheStep() throws Exception {
        TrainingDynamicsPanel panel = open();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> checkpoints = (List<Map<String, Object>>) Json.readMap(run.resolve("run.json")).get("checkpoints");
        int[] expected = checkpoints.stream().mapToInt(c -> ((Number) c.get("step")).intValue()).sorted().toArray();
        assertArrayEquals(expected, panel.steps());
        assertEquals(0, panel.cursor().getSelection());
        assertEquals(expected.length - 1, panel.cursor().getMaximum());

        int i = expected.length / 2;
        panel.cursor().setSelection(i);
        panel.cursor().notifyListeners(SWT.Selection, new Event());
        Ui.flush();
        assertEquals(expected[i], Focus.get().step());
        for (LineChart c : charts(panel)) {
            assertEquals(expected[i], c.marker(), 0, c.title());
        }
        assertTrue(panel.cursorText().startsWith("step " + expected[i] + " "), panel.cursorText());

        // another view's step: the cursor goes to the first checkpoint at or after it
        Focus.step(expected[i] + 1, "another view");
        assertEquals(i + 1, panel.cursor().getSelection());
        assertEquals(expected[i + 1], panel.modesChart().marker(), 0);

        // a click in a chart focuses the checkpoint nearest to it
        int target = expected[expected.length - 3];
        Event click = new Event();
        click.button = 1;
        click.x = panel.conservedChart().pixelOf(target);
        click.y = 10;
        panel.conservedChart().plotArea().notifyListeners(SWT.MouseUp, click);
        Ui.flush();
        assertEquals(target, Focus.get().step());
        assertEquals(target, panel.lossChart().marker(), 0);
    }

    @Test
    void aRunWithoutTheAnalyzersSaysSoInEveryPart() throws Exception {
        Path bare = Files.createTempDirectory(run.getParent(), "bare");
        for (String f : List.of("run.json", "metrics.json", "training.npz")) {
            Files.copy(run.resolve(f), bare.resolve(f));
        }
        shell = Ui.shell("Training Dynamics without analyzers");
        TrainingDynamicsPanel panel = showIn(shell, bare);
        List<String> notes = panel.notes();
        assertTrue(notes.get(0).contains("No closed-form loss"), notes.get(0));
        assertEquals("", notes.get(1));
        assertTrue(notes.get(2).startsWith("No learning-dynamics output in this run"), notes.get(2));
        assertTrue(notes.get(3).startsWith("No learning-dynamics output in this run"), notes.get(3));
        assertTrue(notes.get(4).startsWith("No spectral-dynamics output in this run"), notes.get(4));
        assertEquals(List.of("loss"), panel.lossChart().series().stream().map(Series::id).toList());
        for (LineChart c : List.of(panel.modesChart(), panel.conservedChart(), panel.spectralChart())) {
            assertTrue(c.series().isEmpty(), c.title());
            assertTrue(c.title().contains("no "), c.title());
            assertFalse(c.control().getVisible(), "an empty chart is hidden behind its note: " + c.title());
        }
        assertTrue(panel.lossChart().control().getVisible());
        assertFalse(panel.matrixCombo().getParent().getVisible());
        Ui.screenshot(shell, "training-dynamics-missing");
    }

    private static List<LineChart> charts(TrainingDynamicsPanel panel) {
        return List.of(panel.lossChart(), panel.modesChart(), panel.conservedChart(), panel.spectralChart());
    }

    static void select(Combo combo, String item) {
        combo.select(List.of(combo.getItems()).indexOf(item));
        combo.notifyListeners(SWT.Selection, new Event());
        Ui.flush();
    }

    private static List<Double> boxed(double[] v) {
        List<Double> out = new ArrayList<>();
        for (double d : v) {
            out.add(d);
        }
        return out;
    }

    static Series series(LineChart chart, String id) {
        return chart.series().stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + id + " in " + chart.title() + ": " + chart.series()));
    }
}
