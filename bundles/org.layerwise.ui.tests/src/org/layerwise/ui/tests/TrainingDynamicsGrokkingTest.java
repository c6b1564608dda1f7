package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.layerwise.ui.tests.TrainingDynamicsTest.select;
import static org.layerwise.ui.tests.TrainingDynamicsTest.series;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Event;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.analysis.learning.ui.TrainingDynamicsPanel;
import org.layerwise.core.Tensor;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.ui.charts.ChartExport;
import org.layerwise.ui.charts.LineChart;
import org.layerwise.ui.charts.Series;
import org.layerwise.ui.results.Focus;

/**
 * The Training Dynamics view on a transformer run of modular arithmetic, written here by hand
 * (training.npz with the evaluated grid, the generalization analyzer's scalars in metrics.json,
 * a spectral-dynamics table with the transformer's matrix kinds, a fourier table): the curves of
 * both splits, the memorisation and generalisation steps as marks, a matrix choice that offers a
 * block and a head only where the matrix kind has one, and the top-K Fourier shares, all on one
 * step axis.
 */
class TrainingDynamicsGrokkingTest extends ShellTest {

    private static final int STEPS = 2000;
    private static final int EVERY = 10;
    private static final int[] CHECKPOINTS = {0, 1, 10, 100, 1000, 2000};
    /** The fourier analyzer's K as the run records it (not its default 5, so the view must read it). */
    private static final int K = 2;
    /** 2K/p at p = 7. */
    private static final double UNIFORM_TOP_K = 4.0 / 7;

    @TempDir
    Path run;

    @BeforeEach
    void resetFocus() {
        Focus.set(new Focus.State(0, 0, 0), null);
    }

    /** A finished transformer run; generalization's scalars as given (null: the analyzer did not run). */
    private void writeRun(Map<String, Object> generalization) throws Exception {
        Json.write(run.resolve("run.json"), Map.of("format", "layerwise-run", "version", 1, "status", "OK", "complete", true,
                "checkpoints", java.util.Arrays.stream(CHECKPOINTS).mapToObj(s -> Map.of("step", s)).toList(),
                "pipeline", Map.of("stages", List.of(Map.of("role", "analyzer", "id", "generalization", "settings", Map.of("level", 0.99)),
                        Map.of("role", "analyzer", "id", "fourier", "settings", Map.of("k", K, "coverage", 0.8))))));
        Json.write(run.resolve("config.json"), Map.of("format", "layerwise-transformer", "version", 1, "architecture", "transformer"));
        Map<String, Object> analyzers = new LinkedHashMap<>();
        analyzers.put("fourier", Map.of("uniform_top_k", UNIFORM_TOP_K));
        if (generalization != null) {
            analyzers.put("generalization", generalization);
        }
        Json.write(run.resolve("metrics.json"), Map.of("steps", STEPS, "analyzers", analyzers));

        double[] loss = new double[STEPS + 1];
        double[] accuracy = new double[STEPS + 1];
        for (int t = 0; t <= STEPS; t++) {
            loss[t] = 4.0 / (1 + t);
            accuracy[t] = Math.min(1, t / 150.0);
        }
        int n = STEPS / EVERY + 1;
        long[] grid = LongStream.range(0, n).map(j -> j * EVERY).toArray();
        Map<String, Tensor> npz = new LinkedHashMap<>();
        npz.put("loss", Tensor.of(loss, STEPS + 1));
        npz.put("accuracy", Tensor.of(accuracy, STEPS + 1));
        npz.put("step", Tensor.of(grid, n));
        npz.put("train_loss", Tensor.of(curve(grid, s -> 4.5 * Math.exp(-s / 40.0) + 1e-6), n));
        npz.put("test_loss", Tensor.of(curve(grid, s -> s < 1000 ? 4.7 + s / 1000.0 : 5.7 * Math.exp(-(s - 1000) / 100.0) + 1e-3), n));
        npz.put("train_accuracy", Tensor.of(curve(grid, s -> Math.min(1, s / 100.0)), n));
        npz.put("test_accuracy", Tensor.of(curve(grid, s -> s < 900 ? 0.01 : Math.min(1, 0.01 + (s - 900) / 100.0)), n));
        Npz.write(run.resolve("training.npz"), npz);

        // the kinds in the analyzer's row order: W_E; per head QK, OV; the block's W_in, W_out; W_U
        List<String> header = List.of("step", "layer", "head", "matrix", "effective_rank", "marginal_effective_rank", "subspace_distance",
                "r", "numerical_rank", "sigma_1");
        List<List<Object>> rows = new ArrayList<>();
        for (int step : CHECKPOINTS) {
            rows.add(row(step, -1, -1, "W_E", 40));
            for (int h = 0; h < 2; h++) {
                rows.add(row(step, 0, h, "QK", 10 + h));
                rows.add(row(step, 0, h, "OV", 20 + h));
            }
            rows.add(row(step, 0, -1, "W_in", 30));
            rows.add(row(step, 0, -1, "W_out", 35));
            rows.add(row(step, -1, -1, "W_U", 50));
        }
        Csv.write(run.resolve("spectral-dynamics.csv"), header, rows);

        // p = 7: frequencies 0..3; W_E's energy gathers in frequency 2 over training, the logits' in 3
        List<List<Object>> fourier = new ArrayList<>();
        for (int step : CHECKPOINTS) {
            double f = step / (double) STEPS;
            for (String matrix : List.of("W_E", "logits")) {
                double[] share = matrix.equals("W_E") ? new double[] {0.1, 0.3 - 0.2 * f, 0.3 + 0.5 * f, 0.3 - 0.3 * f}
                        : new double[] {0, 0.35 - 0.3 * f, 0.3 - 0.25 * f, 0.35 + 0.55 * f};
                for (int k = 0; k < share.length; k++) {
                    fourier.add(List.of(step, matrix, k, share[k]));
                }
            }
        }
        Csv.write(run.resolve("fourier.csv"), List.of("step", "matrix", "frequency", "share"), fourier);
    }

    /** A row whose effective rank tells the matrix (base) and the step apart. */
    private static List<Object> row(int step, int layer, int head, String matrix, double base) {
        return List.of(step, layer, head, matrix, base + step / 1000.0, base / 2, 1.0 / (1 + step), 1, 5, 2.0);
    }

    private static double[] curve(long[] grid, java.util.function.LongToDoubleFunction f) {
        return LongStream.of(grid).mapToDouble(f).toArray();
    }

    private TrainingDynamicsPanel open(String title) {
        shell = Ui.shell(title);
        return TrainingDynamicsTest.showIn(shell, run);
    }

    @Test
    void drawsBothSplitsOnTheStepAxisAndMarksMemorisationAndGeneralisation() throws Exception {
        writeRun(Map.of("memorisation_step", 100, "generalisation_step", 1000, "ratio", 10, "grid", EVERY));
        TrainingDynamicsPanel panel = open("Training Dynamics of a grokking run");
        assertEquals(run.getFileName() + "  [OK]", panel.heading());

        Map<String, Tensor> npz = Npz.read(run.resolve("training.npz"));
        double[] grid = npz.get("step").toDoubles();
        for (String[] chartAndCurves : new String[][] {{"loss", "train_loss", "test_loss"}, {"accuracy", "train_accuracy", "test_accuracy"}}) {
            LineChart chart = chartAndCurves[0].equals("loss") ? panel.lossChart() : panel.accuracyChart();
            for (int c = 1; c < 3; c++) {
                double[] values = npz.get(chartAndCurves[c]).toDoubles();
                Series s = series(chart, chartAndCurves[c]);
                assertEquals(grid.length - 1, s.x().length, "every grid step but 0: " + chartAndCurves[c]);
                for (int j = 1; j < grid.length; j++) {
                    assertEquals(grid[j], s.x()[j - 1], 0, chartAndCurves[c]);
                    assertEquals(values[j], s.y()[j - 1], 0, chartAndCurves[c] + " at step " + grid[j]);
                }
            }
            assertTrue(chart.control().getAxisSet().getXAxis(0).isLogScaleEnabled(), chart.title());
            assertTrue(chart.control().getVisible(), chart.title());
        }
        assertEquals(series(panel.lossChart(), "train_loss").colour(), series(panel.accuracyChart(), "train_accuracy").colour());
        assertEquals(series(panel.lossChart(), "test_loss").colour(), series(panel.accuracyChart(), "test_accuracy").colour());
        assertFalse(series(panel.lossChart(), "train_loss").colour().equals(series(panel.lossChart(), "test_loss").colour()));
        assertEquals(STEPS, series(panel.lossChart(), "loss").x().length, "the per-step loss is still drawn");
        assertTrue(panel.lossChart().control().getAxisSet().getYAxis(0).isLogScaleEnabled(), "the loss spans orders of magnitude");

        // the generalization analyzer's steps, marked in every chart of the step axis
        for (LineChart c : List.of(panel.lossChart(), panel.accuracyChart(), panel.spectralChart())) {
            assertEquals(List.of(100.0, 1000.0), c.marks().stream().map(LineChart.Mark::x).toList(), c.title());
            assertEquals(List.of("memorised (step 100)", "generalised (step 1000)"), c.marks().stream().map(LineChart.Mark::label).toList());
        }
        assertEquals(series(panel.accuracyChart(), "test_accuracy").colour(), panel.accuracyChart().marks().get(1).colour(),
                "generalisation is marked in the test split's colour");
        List<String> svgTexts = SvgFigure.parse(ChartExport.svg(panel.accuracyChart())).texts();
        assertTrue(svgTexts.contains("generalised (step 1000)"), "the marks are exported: " + svgTexts);
        assertEquals("", panel.notes().get(1), "both steps exist: nothing to remark");

        // the top-K shares (K = 2 from run.json) of W_E and of the logits at the checkpoints after 0, beside 2K/p
        Csv.Table shares = Csv.read(run.resolve("fourier.csv"));
        for (String matrix : List.of("W_E", "logits")) {
            Series topK = series(panel.fourierChart(), matrix + "_top_k");
            assertEquals(List.of(1.0, 10.0, 100.0, 1000.0, 2000.0), java.util.Arrays.stream(topK.x()).boxed().toList(), matrix);
            for (int i = 0; i < topK.x().length; i++) {
                List<Double> atStep = new ArrayList<>();
                for (int r = 0; r < shares.size(); r++) {
                    if (shares.get(r, "matrix").equals(matrix) && Csv.parseDouble(shares.get(r, "step")) == topK.x()[i]
                            && !shares.get(r, "frequency").equals("0")) {
                        atStep.add(Csv.parseDouble(shares.get(r, "share")));
                    }
                }
                atStep.sort(java.util.Comparator.reverseOrder());
                assertEquals(atStep.get(0) + atStep.get(1), topK.y()[i], 1e-15, matrix + " at step " + topK.x()[i]);
            }
        }
        Series uniform = series(panel.fourierChart(), "uniform_top_k");
        assertTrue(uniform.dashed());
        assertEquals(List.of(UNIFORM_TOP_K, UNIFORM_TOP_K), java.util.Arrays.stream(uniform.y()).boxed().toList());
        assertTrue(panel.fourierChart().title().contains("top 2 "), panel.fourierChart().title());

        // one step axis: every chart spans the same steps, and the marks are in each
        var range = panel.lossChart().control().getAxisSet().getXAxis(0).getRange();
        assertTrue(range.lower > 0 && range.lower < 1 && range.upper > STEPS, range.toString());
        for (LineChart c : List.of(panel.accuracyChart(), panel.spectralChart(), panel.fourierChart())) {
            var r = c.control().getAxisSet().getXAxis(0).getRange();
            assertEquals(range.lower, r.lower, 1e-9, c.title());
            assertEquals(range.upper, r.upper, 1e-9, c.title());
            assertEquals(2, c.marks().size(), c.title());
        }

        // learning-dynamics reads attention-only models: its two charts are left out, not shown empty
        assertFalse(panel.modesChart().control().getParent().getVisible());
        assertFalse(panel.conservedChart().control().getParent().getVisible());
        assertTrue(panel.accuracyChart().control().getParent().getVisible());

        // the cursor moves over the checkpoints and is drawn in the curves' charts too
        assertArrayEquals(CHECKPOINTS, panel.steps());
        panel.cursor().setSelection(4);
        panel.cursor().notifyListeners(SWT.Selection, new Event());
        Ui.flush();
        assertEquals(1000, Focus.get().step());
        assertEquals(1000, panel.accuracyChart().marker(), 0);
        assertEquals(1000, panel.spectralChart().marker(), 0);
        Ui.screenshot(shell, "training-dynamics-grokking");
    }

    @Test
    void theMatrixChoiceOffersABlockAndAHeadOnlyWhereTheKindHasThem() throws Exception {
        writeRun(Map.of("memorisation_step", 100, "generalisation_step", 1000, "ratio", 10, "grid", EVERY));
        Focus.set(new Focus.State(0, 0, 1), null);
        TrainingDynamicsPanel panel = open("Training Dynamics: transformer matrices");
        assertEquals(List.of("W_E", "QK", "OV", "W_in", "W_out", "W_U"), List.of(panel.matrixCombo().getItems()));

        // W_E and W_U belong to the whole model: no block, no head
        for (String kind : List.of("W_E", "W_U")) {
            select(panel.matrixCombo(), kind);
            assertFalse(panel.layerCombo().isEnabled(), kind);
            assertFalse(panel.headCombo().isEnabled(), kind);
            assertEquals(0, panel.layerCombo().getItemCount(), kind);
            assertSpectral(panel, kind, "-1", "-1");
        }
        // W_in and W_out belong to a block: a block, no head
        select(panel.matrixCombo(), "W_out");
        assertTrue(panel.layerCombo().isEnabled());
        assertEquals(List.of("0"), List.of(panel.layerCombo().getItems()));
        assertFalse(panel.headCombo().isEnabled());
        assertSpectral(panel, "W_out", "0", "-1");
        // a head's QK: both, and the focused head (1) is chosen; it stays when the kind changes to OV
        select(panel.matrixCombo(), "QK");
        assertTrue(panel.headCombo().isEnabled());
        assertEquals(List.of("0", "1"), List.of(panel.headCombo().getItems()));
        assertEquals("1", panel.headCombo().getText());
        assertSpectral(panel, "QK", "0", "1");
        select(panel.matrixCombo(), "OV");
        assertEquals("1", panel.headCombo().getText());
        assertSpectral(panel, "OV", "0", "1");
        select(panel.headCombo(), "0");
        assertEquals(0, Focus.get().head(), "the head chosen here is Focus's");
        assertSpectral(panel, "OV", "0", "0");
    }

    @Test
    void aRunWithoutAGeneralisationSaysSoBesideItsCurves() throws Exception {
        Map<String, Object> never = new LinkedHashMap<>();
        never.put("memorisation_step", 100);
        never.put("generalisation_step", null);
        writeRun(never);
        TrainingDynamicsPanel panel = open("Training Dynamics: no generalisation");
        assertEquals(List.of(100.0), panel.accuracyChart().marks().stream().map(LineChart.Mark::x).toList());
        assertTrue(panel.notes().get(1).contains("test accuracy never reached 0.99"), panel.notes().get(1));

        writeRun(null);
        java.nio.file.Files.delete(run.resolve("fourier.csv"));
        panel.show(run);
        Ui.flush();
        assertTrue(panel.accuracyChart().marks().isEmpty());
        assertTrue(panel.notes().get(1).startsWith("No memorisation or generalisation step"), panel.notes().get(1));
        assertEquals(List.of("train_accuracy", "test_accuracy"), panel.accuracyChart().series().stream().map(Series::id).toList(),
                "the curves are drawn without the analyzer");
        assertTrue(panel.notes().get(5).startsWith("No fourier output in this run (fourier.csv is missing)"), panel.notes().get(5));
        assertTrue(panel.fourierChart().series().isEmpty());
        assertFalse(panel.fourierChart().control().getVisible(), "an empty chart is hidden behind its note");
    }

    /** The spectral chart draws the chosen rows of the table, at every checkpoint after 0. */
    private void assertSpectral(TrainingDynamicsPanel panel, String matrix, String layer, String head) throws Exception {
        Csv.Table t = Csv.read(run.resolve("spectral-dynamics.csv"));
        List<Double> expected = new ArrayList<>();
        for (int r = 0; r < t.size(); r++) {
            if (t.get(r, "matrix").equals(matrix) && t.get(r, "layer").equals(layer) && t.get(r, "head").equals(head)
                    && Csv.parseDouble(t.get(r, "step")) > 0) {
                expected.add(Csv.parseDouble(t.get(r, "effective_rank")));
            }
        }
        assertEquals(CHECKPOINTS.length - 1, expected.size(), matrix);
        Series rank = series(panel.spectralChart(), "effective_rank");
        assertEquals(expected, java.util.Arrays.stream(rank.y()).boxed().toList(), matrix + " " + layer + " " + head);
        assertTrue(panel.spectralChart().title().contains(matrix), panel.spectralChart().title());
    }
}
