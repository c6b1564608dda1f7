package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Event;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.core.Tensor;
import org.layerwise.core.stats.PrincipalAxes;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.report.Studies;
import org.layerwise.ui.charts.ChartExport;
import org.layerwise.ui.charts.LineChart;
import org.layerwise.ui.charts.Series;
import org.layerwise.ui.results.Focus;
import org.layerwise.ui.results.ResultsPanel;
import org.layerwise.ui.results.SummaryPanel;
import org.layerwise.analysis.recursion.ui.TrajectoriesPanel;

/**
 * The Trajectories and Results views on one completed run (with the recursion's states and a
 * third-party analyzer, my-probe, contributed by this fragment): what they plot is recomputed
 * here from the run's files.
 */
class TrajectoriesAndResultsTest extends CompletedRunTest {

    private static Map<String, Tensor> eval;
    private static Map<String, Tensor> recursion;
    private static int layers;

    @BeforeAll
    static void completedRun() throws Exception {
        assertNotNull(ContributionRegistry.load().find(Role.ANALYZER, "my-probe"), "the fragment's test analyzer is registered");
        run = Ui.completedRun(64, doc -> {
            doc.setSetting(doc.pipeline().getStages().get(1), "steps", "60");
            doc.setSetting(doc.pipeline().getStages().get(1), "batch", "32");
            for (String analyzer : List.of("coupled-mean-shift", "layer-dynamics", "my-probe")) {
                doc.addStage(Role.ANALYZER, analyzer);
            }
            doc.setSetting(doc.pipeline().getStages().get(5), "resamples", "50");
        });
        eval = Npz.read(run.resolve("eval.npz"));
        recursion = Npz.read(run.resolve("coupled-mean-shift.npz"));
        layers = 4;
        assertTrue(eval.containsKey("blocks.3.hook_resid_post") && !eval.containsKey("blocks.4.hook_resid_post"));
    }

    // ------------------------------------------------------------------ Trajectories

    @Test
    void trajectoriesPlotEachLayersStatesAndTheRecursionOnOneFixedPcaBasisOfThePrompt() throws Exception {
        shell = Ui.shell("Trajectories");
        TrajectoriesPanel panel = new TrajectoriesPanel(shell);
        shell.open();
        panel.show(run);
        Ui.flush();
        assertEquals(List.of("full", "reduced", "none"), List.of(panel.recursionCombo().getItems()));
        assertEquals(layers, panel.layerScale().getMaximum());

        int p = 3;
        panel.promptSpinner().setSelection(p);
        panel.promptSpinner().notifyListeners(SWT.Selection, new Event());
        Ui.flush();
        assertEquals(p, Focus.get().prompt(), "choosing a prompt sets Focus");

        // The basis, checked against the pooled states recomputed here.
        int tokens = (int) eval.get("Z").dim(1);
        int dim = (int) eval.get("Z").dim(2);
        List<double[]> pooled = new ArrayList<>();
        for (int t = 0; t <= layers; t++) {
            for (int i = 0; i < tokens; i++) {
                pooled.add(token(network(t), p, i, tokens, dim));
            }
        }
        double[] mean = new double[dim];
        pooled.forEach(z -> {
            for (int k = 0; k < dim; k++) {
                mean[k] += z[k] / pooled.size();
            }
        });
        double[][] cov = new double[dim][dim];
        for (double[] z : pooled) {
            for (int a = 0; a < dim; a++) {
                for (int b = 0; b < dim; b++) {
                    cov[a][b] += (z[a] - mean[a]) * (z[b] - mean[b]) / pooled.size();
                }
            }
        }
        PrincipalAxes basis = panel.projection();
        assertArrayEquals(mean, basis.centre(), 1e-9, "the centre is the mean of the pooled states");
        double[] u = basis.axis(0);
        double[] v = basis.axis(1);
        assertEquals(1, dot(u, u), 1e-12);
        assertEquals(1, dot(v, v), 1e-12);
        assertEquals(0, dot(u, v), 1e-12);
        double l0 = dot(u, times(cov, u));
        double l1 = dot(v, times(cov, v));
        double trace = 0;
        for (int k = 0; k < dim; k++) {
            trace += cov[k][k];
        }
        for (double[] axis : List.of(u, v)) {
            double lambda = dot(axis, times(cov, axis));
            double[] residual = times(cov, axis);
            for (int k = 0; k < dim; k++) {
                residual[k] -= lambda * axis[k];
            }
            assertEquals(0, Math.sqrt(dot(residual, residual)), 1e-9 * trace, "each axis is an eigenvector of the covariance");
        }
        assertTrue(l0 >= l1, l0 + " < " + l1);
        double[][] rest = new double[dim][dim];
        for (int a = 0; a < dim; a++) {
            for (int b = 0; b < dim; b++) {
                rest[a][b] = cov[a][b] - l0 * u[a] * u[b] - l1 * v[a] * v[b];
            }
        }
        assertTrue(largestEigenvalue(rest) <= l1 * (1 + 1e-6) + 1e-12, "no third direction has more variance than PC2");
        assertEquals(String.format(Locale.ROOT, "PC1 (%.1f%% of variance)", 100 * l0 / trace), panel.chart().xTitle());
        assertEquals(String.format(Locale.ROOT, "PC2 (%.1f%%)", 100 * l1 / trace), panel.chart().yTitle());

        long[] labels = eval.get("context_labels").toLongs();
        double[] frameX = panel.chart().xRange();
        double[] frameY = panel.chart().yRange();
        double[][] previous = null;
        for (int t = 0; t <= layers; t++) {
            panel.layerScale().setSelection(t);
            panel.layerScale().notifyListeners(SWT.Selection, new Event());
            Ui.flush();
            assertEquals(t, Focus.get().layer(), "choosing a layer sets Focus");
            assertArrayEquals(frameX, panel.chart().xRange(), 0, "the frame stays put across layers");
            assertArrayEquals(frameY, panel.chart().yRange(), 0);
            double[][] expected = project(network(t), p, tokens, dim, mean, u, v);
            assertTokens(panel.chart(), "network", expected, labels, p, tokens, "layer " + t);
            for (double[] q : expected) {
                assertTrue(q[0] >= frameX[0] && q[0] <= frameX[1] && q[1] >= frameY[0] && q[1] <= frameY[1], "inside the frame");
            }
            if (previous != null) {
                double moved = 0;
                for (int i = 0; i < tokens; i++) {
                    moved = Math.max(moved, Math.hypot(expected[i][0] - previous[i][0], expected[i][1] - previous[i][1]));
                }
                assertTrue(moved > 1e-6, "layer " + t + " shows other states than layer " + (t - 1));
            }
            previous = expected;
            Tensor rec = t == 0 ? eval.get("Z") : recursion.get("full.blocks." + (t - 1) + ".hook_resid_post");
            assertTokens(panel.chart(), "recursion", project(rec, p, tokens, dim, mean, u, v), labels, p, tokens,
                    "full recursion, layer " + t);
            assertTrue(find(panel.chart(), "recursion.probe").label().endsWith("full recursion"));
        }
        Series path = find(panel.chart(), "probe.path");
        assertEquals(layers + 1, path.x().length);
        for (int t = 0; t <= layers; t++) {
            double[] q = project(network(t), p, tokens, dim, mean, u, v)[tokens - 1];
            assertEquals(q[0], path.x()[t], 1e-9);
            assertEquals(q[1], path.y()[t], 1e-9);
        }
        assertEquals(new org.eclipse.swt.graphics.RGB(0, 0, 0), find(panel.chart(), "network.probe").colour());
        assertEquals(org.layerwise.ui.charts.Palette.categorical(1), find(panel.chart(), "network.class.1").colour());
        assertEquals(find(panel.chart(), "network.class.1").colour(), find(panel.chart(), "recursion.class.1").colour());
        assertEquals(Series.Shape.CROSS, find(panel.chart(), "recursion.class.1").marker().shape());

        Ui.screenshot(shell, "view-trajectories");
        Path dir = Path.of(System.getProperty("layerwise.screenshots", "target/screenshots")).resolveSibling("exports");
        ChartExport.write(panel.chart(), dir.resolve("trajectories.svg"), ChartExport.Format.SVG);
        ChartExport.write(panel.chart(), dir.resolve("trajectories.csv"), ChartExport.Format.CSV);
        ChartExport.write(panel.chart(), dir.resolve("trajectories.png"), ChartExport.Format.PNG);
        SvgFigure svg = SvgFigure.parse(Files.readString(dir.resolve("trajectories.svg")));
        for (Series s : panel.chart().series()) {
            if (s.scatter()) {
                assertEquals(s.x().length, SvgFigure.shapes(svg.series("series-symbols", s.id())), "a marker per point of " + s.id());
            }
        }
        assertEquals(panel.chart().series().stream().mapToInt(s -> s.x().length).sum(),
                Csv.read(dir.resolve("trajectories.csv")).size());

        // The reduced recursion, same basis.
        panel.recursionCombo().select(1);
        panel.recursionCombo().notifyListeners(SWT.Selection, new Event());
        Ui.flush();
        assertTokens(panel.chart(), "recursion", project(recursion.get("reduced.blocks." + (layers - 1) + ".hook_resid_post"), p,
                tokens, dim, mean, u, v), labels, p, tokens, "reduced recursion, last layer");
        panel.recursionCombo().select(2);
        panel.recursionCombo().notifyListeners(SWT.Selection, new Event());
        Ui.flush();
        assertTrue(panel.chart().series().stream().noneMatch(s -> s.id().startsWith("recursion.")), "none: no overlay");
    }

    @Test
    void theReportsTokenTrajectoriesAndTheWorkbenchProjectOnTheSameAxes() throws Exception {
        // Paper A's report draws prompt 0's feature blocks on the principal axes of the network's states;
        // Trajectories with "PCA of" = feature block x fits the same points: one PCA, so the same numbers,
        // on this run and on a copy whose two leading variances nearly tie (where an iterative fit that
        // stops early, as the report's own did, turns its axes away from the exact ones).
        assertSameAxesInReportAndView(run);
        Path tied = copyRun("tied");
        try {
            nearlyTiedFeatures(tied);
            assertSameAxesInReportAndView(tied);
        } finally {
            Ui.delete(tied);
        }
    }

    private void assertSameAxesInReportAndView(Path dir) throws Exception {
        Path out = Files.createTempDirectory("layerwise-report");
        try {
            Studies.named("paper-a").orElseThrow().reporter().write(out,
                    Map.of("symmetrized", org.layerwise.runner.RunDirectory.open(dir)), true);
            Csv.Table figure = Csv.read(out.resolve("figures/token-trajectories.csv"));

            if (shell != null) {
                shell.dispose();
            }
            shell = Ui.shell("Trajectories, feature block x");
            TrajectoriesPanel panel = new TrajectoriesPanel(shell);
            shell.open();
            panel.show(dir);
            panel.coordinatesCombo().select(TrajectoriesPanel.Coordinates.FEATURES.ordinal());
            panel.coordinatesCombo().notifyListeners(SWT.Selection, new Event());
            Ui.flush();
            assertEquals(0, panel.promptSpinner().getSelection());
            int rows = 0;
            for (int r = 0; r < figure.size(); r++) {
                if (!figure.get(r, "source").equals("network")) {
                    continue;
                }
                double[] shown = panel.projected(0, Integer.parseInt(figure.get(r, "layer")))[Integer.parseInt(figure.get(r, "token"))];
                double[] drawn = {Double.parseDouble(figure.get(r, "pc1")), Double.parseDouble(figure.get(r, "pc2"))};
                assertArrayEquals(drawn, shown, 1e-9 * (1 + Math.abs(drawn[0]) + Math.abs(drawn[1])),
                        dir.getFileName() + ", row " + r + " of the figure's data");
                rows++;
            }
            assertEquals((layers + 1) * (int) eval.get("Z").dim(1), rows, "every token at every layer");
        } finally {
            try (Stream<Path> files = Files.walk(out)) {
                for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }

    /**
     * Rewrites prompt 0's feature blocks in the copy's eval.npz, at every layer, as points on an
     * ellipse in a random plane: sample variances 1/2 and 0.9995/2 along its axes, exactly.
     */
    private static void nearlyTiedFeatures(Path copy) throws Exception {
        Map<String, Tensor> arrays = new LinkedHashMap<>(Npz.read(copy.resolve("eval.npz")));
        int tokens = (int) eval.get("Z").dim(1);
        int width = (int) eval.get("Z").dim(2);
        int features = width - (int) eval.get("logits").dim(1);
        java.util.Random rng = new java.util.Random(4);
        double[] u = new double[features];
        double[] v = new double[features];
        for (int j = 0; j < features; j++) {
            u[j] = rng.nextGaussian();
            v[j] = rng.nextGaussian();
        }
        double uu = Math.sqrt(Arrays.stream(u).map(x -> x * x).sum());
        double uv = 0;
        for (int j = 0; j < features; j++) {
            u[j] /= uu;
            uv += u[j] * v[j];
        }
        for (int j = 0; j < features; j++) {
            v[j] -= uv * u[j];
        }
        double vv = Math.sqrt(Arrays.stream(v).map(x -> x * x).sum());
        int points = (layers + 1) * tokens;
        for (int t = 0; t <= layers; t++) {
            String name = t == 0 ? "Z" : "blocks." + (t - 1) + ".hook_resid_post";
            Tensor old = arrays.get(name);
            double[] all = old.toDoubles();
            for (int i = 0; i < tokens; i++) {
                double theta = 2 * Math.PI * (t * tokens + i) / points;
                for (int j = 0; j < features; j++) {
                    all[i * width + j] = Math.cos(theta) * u[j] + Math.sqrt(0.9995) * Math.sin(theta) * v[j] / vv;
                }
            }
            float[] f = new float[all.length];
            for (int k = 0; k < all.length; k++) {
                f[k] = (float) all[k];
            }
            arrays.put(name, Tensor.of(f, old.shape()));
        }
        Npz.write(copy.resolve("eval.npz"), arrays);
    }

    @Test
    void trajectoriesFollowAFocusSetElsewhere() throws Exception {
        shell = Ui.shell("Trajectories follow Focus");
        TrajectoriesPanel panel = new TrajectoriesPanel(shell);
        shell.open();
        panel.show(run);
        Ui.flush();
        Focus.set(new Focus.State(2, 5, 0), "another view");
        Ui.flush();
        assertEquals(5, panel.promptSpinner().getSelection());
        assertEquals(2, panel.layerScale().getSelection());
        assertTrue(panel.chart().title().startsWith("Prompt 5, layer 2:"), panel.chart().title());
        int tokens = (int) eval.get("Z").dim(1);
        int dim = (int) eval.get("Z").dim(2);
        double[] probe = panel.projection().apply(token(network(2), 5, tokens - 1, tokens, dim));
        Series shown = find(panel.chart(), "network.probe");
        assertEquals(probe[0], shown.x()[0], 1e-12);
        assertEquals(probe[1], shown.y()[0], 1e-12);
        Focus.set(new Focus.State(99, 5, 0), "another view");
        Ui.flush();
        assertEquals(layers, panel.layerScale().getSelection(), "a layer beyond this run's depth shows its last layer");
    }

    @Test
    void trajectoriesWithoutTheRecursionsStatesShowTheNetworkAndSayWhy() throws Exception {
        Path copy = copyRun("no-recursion");
        Files.delete(copy.resolve("coupled-mean-shift.npz"));
        shell = Ui.shell("Trajectories, network only");
        TrajectoriesPanel panel = new TrajectoriesPanel(shell);
        shell.open();
        panel.show(copy);
        Ui.flush();
        assertEquals(List.of("none"), List.of(panel.recursionCombo().getItems()));
        assertFalse(panel.recursionCombo().isEnabled());
        assertTrue(panel.note().contains("coupled-mean-shift.npz"), panel.note());
        assertTrue(panel.chart().series().stream().noneMatch(s -> s.id().startsWith("recursion.")));
        assertTrue(panel.chart().series().stream().anyMatch(s -> s.id().equals("network.probe")));
        Ui.screenshot(shell, "view-trajectories-network-only");
    }

    // ------------------------------------------------------------------ Results

    @Test
    @SuppressWarnings("unchecked")
    void resultsShowAThirdPartyAnalyzersScalarsTableChartAndTensorsAndItsLayersSetFocus() throws Exception {
        Path copy = copyRun("stray-csv");
        // A CSV that my-probe does not declare must not be shown as its table.
        Files.writeString(copy.resolve("my-probe-stray.csv"), "layer,value\n0,1.0\n");
        shell = Ui.shell("Results");
        ResultsPanel panel = new ResultsPanel(shell);
        shell.open();
        panel.show(copy);
        Ui.flush();
        assertEquals(List.of("weight-abstraction", "coupled-mean-shift", "layer-dynamics", "my-probe"), panel.analyzerIds());
        panel.selectAnalyzer("my-probe");
        Ui.flush();

        Map<String, Object> metrics = Json.readMap(copy.resolve("metrics.json"));
        Map<String, Double> scalars = (Map<String, Double>) ((Map<String, Object>) metrics.get("analyzers")).get("my-probe");
        List<List<String>> expectedScalars = new ArrayList<>();
        scalars.forEach((k, v) -> expectedScalars.add(List.of(k, ResultsPanel.shown(v))));
        assertEquals(2, expectedScalars.size());
        assertEquals(expectedScalars, panel.shownScalars());

        assertEquals(List.of("my-probe"), List.of(panel.tableCombo().getItems()), "only the declared table");
        Csv.Table table = Csv.read(copy.resolve("my-probe.csv"));
        List<List<String>> cells = table.rows().stream().map(r -> r.stream().map(ResultsPanel::shownCell).toList()).toList();
        assertEquals(cells, panel.shownRows(), "every row, decimals to six significant digits");
        assertEquals(String.format(Locale.ROOT, "%.6g", Double.parseDouble(table.get(0, "value"))).replaceFirst("\\.?0+$", ""),
                panel.shownRows().get(0).get(table.header().indexOf("value")));

        List<List<String>> expectedTensors = new ArrayList<>();
        Npz.read(copy.resolve("my-probe.npz")).forEach((k, t) -> expectedTensors.add(List.of(k, t.shapeString())));
        assertEquals(List.of(List.of("probe_norm", "[64, 5]"), List.of("context_norm", "[64, 5]")), expectedTensors);
        assertEquals(expectedTensors, panel.shownTensors().stream().map(r -> r.subList(0, 2)).toList());
        assertEquals(List.of("f64", "f32"), panel.shownTensors().stream().map(r -> r.get(2)).toList());

        // The chart: value against layer, one series per measure.
        assertEquals("value", panel.columnCombo().getItem(panel.columnCombo().getSelectionIndex()));
        assertEquals(List.of("measure"), panel.groupButtons().stream().filter(Button::getSelection).map(Button::getText).toList());
        assertEquals("layer", panel.chart().xTitle());
        assertEquals(2, panel.chart().series().size());
        for (String measure : List.of("probe_norm", "context_norm")) {
            Series s = find(panel.chart(), "measure " + measure);
            List<double[]> expected = new ArrayList<>();
            for (int r = 0; r < table.size(); r++) {
                if (table.get(r, "measure").equals(measure)) {
                    expected.add(new double[] {Csv.parseDouble(table.get(r, "layer")), Csv.parseDouble(table.get(r, "value"))});
                }
            }
            assertArrayEquals(expected.stream().mapToDouble(e -> e[0]).toArray(), s.x(), 0);
            assertArrayEquals(expected.stream().mapToDouble(e -> e[1]).toArray(), s.y(), 0);
            assertArrayEquals(new double[] {0, 1, 2, 3, 4}, s.x(), 0);
        }
        // Another column, grouped by nothing: one series, the mean of the rows that share a layer.
        panel.columnCombo().select(List.of(panel.columnCombo().getItems()).indexOf("n"));
        panel.groupButtons().forEach(b -> b.setSelection(false));
        panel.columnCombo().notifyListeners(SWT.Selection, new Event());
        Ui.flush();
        assertEquals(1, panel.chart().series().size());
        assertArrayEquals(new double[] {64, 64, 64, 64, 64}, panel.chart().series().get(0).y(), 0);

        // A row's layer sets Focus: my-probe's layers are read in Focus's convention.
        int row = rowWith(table, Map.of("layer", "2", "measure", "context_norm"));
        panel.selectRow(row);
        Ui.flush();
        assertEquals(2, Focus.get().layer());
        // coupled-mean-shift's hidden_r2 at layer l is the state after block l: Focus layer l + 1.
        panel.selectAnalyzer("coupled-mean-shift");
        panel.selectTable("coupled-mean-shift");
        Ui.flush();
        assertEquals("layer (block; hidden_r2: the states after it)", panel.chart().xTitle(), "the axis its plugin.xml declares");
        assertTrue(panel.tableInfo().contains("hidden_r2 at layer l = the states after block l"), panel.tableInfo());
        Csv.Table cms = Csv.read(copy.resolve("coupled-mean-shift.csv"));
        panel.selectRow(rowWith(cms, Map.of("layer", "0", "measure", "hidden_r2", "form", "full")));
        Ui.flush();
        assertEquals(1, Focus.get().layer());
        panel.selectTable("coupled-mean-shift-coefficients");
        Ui.flush();
        Csv.Table coefficients = Csv.read(copy.resolve("coupled-mean-shift-coefficients.csv"));
        panel.selectRow(rowWith(coefficients, Map.of("layer", "3")));
        Ui.flush();
        assertEquals(3, Focus.get().layer(), "block 3's coefficients: Focus layer 3 (the block that reads state 3)");

        panel.selectAnalyzer("my-probe");
        Ui.flush();
        // ... and a layer focused elsewhere selects the table's first row at that layer and marks it.
        Focus.layer(4, this);
        Ui.flush();
        assertEquals("4", panel.selectedRow().get(table.header().indexOf("layer")), "the row at the focused layer");
        assertEquals(4, panel.chart().marker(), 0);
        assertEquals(4, Focus.get().layer(), "following does not move Focus again");
        Ui.screenshot(shell, "view-results");
    }

    @Test
    void resultsOfAnAnalyzerWhoseBundleIsNotInstalledComeFromItsOwnFiles() throws Exception {
        Path copy = copyRun("not-installed");
        Map<String, Object> metrics = Json.readMap(copy.resolve("metrics.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> analyzers = (Map<String, Object>) metrics.get("analyzers");
        Map<String, Object> handScalars = new LinkedHashMap<>();
        handScalars.put("spread", 0.25);
        handScalars.put("count", 3.0);
        analyzers.put("hand-probe", handScalars);
        Json.write(copy.resolve("metrics.json"), metrics);
        Csv.write(copy.resolve("hand-probe.csv"), List.of("token", "distance"),
                List.of(List.of("a", 1.5), List.of("b", 0.5), List.of("c", 2.0)));
        Csv.write(copy.resolve("hand-probe-extra.csv"), List.of("k", "v"), List.of(List.of(1, 2.0)));
        Csv.write(copy.resolve("other.csv"), List.of("x"), List.of(List.of(1)));
        Npz.write(copy.resolve("hand-probe.npz"), Map.of("directions", Tensor.of(new double[6], 2, 3)));

        shell = Ui.shell("Results, not installed");
        ResultsPanel panel = new ResultsPanel(shell);
        shell.open();
        panel.show(copy);
        panel.selectAnalyzer("hand-probe");
        Ui.flush();
        assertTrue(panel.analyzerInfo().contains("not installed"), panel.analyzerInfo());
        assertEquals(List.of(List.of("spread", "0.25"), List.of("count", "3")), panel.shownScalars());
        assertEquals(List.of("hand-probe", "hand-probe-extra"), List.of(panel.tableCombo().getItems()));
        assertEquals(List.of(List.of("a", "1.5"), List.of("b", "0.5"), List.of("c", "2")), panel.shownRows());
        assertEquals(List.of(List.of("directions", "[2, 3]", "f64")), panel.shownTensors());
        Series s = panel.chart().series().get(0);
        assertEquals("row (index in hand-probe.csv)", panel.chart().xTitle());
        assertArrayEquals(new double[] {0, 1, 2}, s.x(), 0);
        assertArrayEquals(new double[] {1.5, 0.5, 2.0}, s.y(), 0);
        assertEquals(1, panel.chart().series().size(), "no layer: the column against row index, ungrouped by default");
        assertEquals("distance", s.id());
        Ui.screenshot(shell, "view-results-not-installed");
    }

    // ------------------------------------------------------------------ Summary

    @Test
    @SuppressWarnings("unchecked")
    void summaryShowsAThirdPartysDeclaredHeadlineWithNoUiCodeForIt() throws Exception {
        shell = Ui.shell("Summary, third party");
        SummaryPanel panel = new SummaryPanel(shell);
        shell.open();
        panel.show(run);
        Ui.flush();
        Map<String, Object> metrics = Json.readMap(run.resolve("metrics.json"));
        Map<String, Double> scalars = (Map<String, Double>) ((Map<String, Object>) metrics.get("analyzers")).get("my-probe");
        List<String> row = RunViewsTest.row(panel.shownRows(), "probe norm (last layer)");
        assertEquals(String.format(Locale.ROOT, "%.3g", scalars.get("probe_norm_last")), row.get(1));
        assertEquals("", row.get(2), "it declares no interval");
        assertEquals("at the prompts " + String.format(Locale.ROOT, "%.3g", scalars.get("probe_norm_first")) + "; mean over prompts",
                row.get(3));
        Ui.screenshot(shell, "view-summary-third-party");
    }

    // ------------------------------------------------------------------ helpers

    private static Tensor network(int t) {
        return t == 0 ? eval.get("Z") : eval.get("blocks." + (t - 1) + ".hook_resid_post");
    }

    private static double[] token(Tensor t, int p, int i, int tokens, int dim) {
        double[] all = t.toDoubles();
        return Arrays.copyOfRange(all, (p * tokens + i) * dim, (p * tokens + i + 1) * dim);
    }

    private static double[][] project(Tensor t, int p, int tokens, int dim, double[] mean, double[] u, double[] v) {
        double[][] out = new double[tokens][2];
        for (int i = 0; i < tokens; i++) {
            double[] z = token(t, p, i, tokens, dim);
            for (int k = 0; k < dim; k++) {
                out[i][0] += (z[k] - mean[k]) * u[k];
                out[i][1] += (z[k] - mean[k]) * v[k];
            }
        }
        return out;
    }

    /** Every context token in the series of its label, in token order; the probe in its own. */
    private static void assertTokens(LineChart chart, String source, double[][] expected, long[] labels, int p, int tokens,
            String what) {
        int n = tokens - 1;
        Map<String, List<Integer>> members = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            long c = labels[p * n + i];
            members.computeIfAbsent(source + (c < 0 ? ".unlabeled" : ".class." + c), k -> new ArrayList<>()).add(i);
        }
        int shown = 0;
        for (Map.Entry<String, List<Integer>> e : members.entrySet()) {
            Series s = find(chart, e.getKey());
            assertEquals(e.getValue().size(), s.x().length, what + " " + e.getKey());
            for (int j = 0; j < s.x().length; j++) {
                assertEquals(expected[e.getValue().get(j)][0], s.x()[j], 1e-9, what + " " + e.getKey());
                assertEquals(expected[e.getValue().get(j)][1], s.y()[j], 1e-9, what + " " + e.getKey());
            }
            shown += s.x().length;
        }
        Series probe = find(chart, source + ".probe");
        assertEquals(expected[n][0], probe.x()[0], 1e-9, what + " probe");
        assertEquals(expected[n][1], probe.y()[0], 1e-9, what + " probe");
        assertEquals(n, shown);
        assertEquals(members.size() + 1, chart.series().stream().filter(s -> s.id().startsWith(source + ".")).count());
    }

    private static double largestEigenvalue(double[][] m) {
        int n = m.length;
        double[] x = new double[n];
        Arrays.fill(x, 1);
        x[0] = 2;
        double lambda = 0;
        for (int it = 0; it < 5000; it++) {
            // Power iteration on m + s I (s shifts every eigenvalue positive, m is PSD up to round-off).
            double[] y = times(m, x);
            for (int k = 0; k < n; k++) {
                y[k] += 1e-12 * x[k];
            }
            double norm = Math.sqrt(dot(y, y));
            if (norm == 0) {
                return 0;
            }
            for (int k = 0; k < n; k++) {
                x[k] = y[k] / norm;
            }
            lambda = dot(x, times(m, x));
        }
        return lambda;
    }

    private static double[] times(double[][] m, double[] x) {
        double[] y = new double[x.length];
        for (int a = 0; a < x.length; a++) {
            for (int b = 0; b < x.length; b++) {
                y[a] += m[a][b] * x[b];
            }
        }
        return y;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }

    private static Series find(LineChart chart, String id) {
        return chart.series().stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + id + " in " + chart.series().stream().map(Series::id).toList()));
    }

    private static int rowWith(Csv.Table table, Map<String, String> values) {
        for (int r = 0; r < table.size(); r++) {
            int row = r;
            if (values.entrySet().stream().allMatch(e -> table.get(row, e.getKey()).equals(e.getValue()))) {
                return r;
            }
        }
        throw new AssertionError("no row " + values);
    }

    private static Path copyRun(String name) throws Exception {
        Path copy = Files.createTempDirectory("layerwise-ui-" + name).resolve(run.getFileName());
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(run)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, copy.resolve(f.getFileName()), StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
        return copy;
    }
}
