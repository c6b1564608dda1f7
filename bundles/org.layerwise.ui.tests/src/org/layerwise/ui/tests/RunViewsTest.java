package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.RunListener;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;
import org.layerwise.ui.charts.ChartExport;
import org.layerwise.ui.charts.Series;
import org.layerwise.ui.editor.PipelineDocument;
import org.layerwise.ui.results.LayerDynamicsPanel;
import org.layerwise.ui.results.RecursionPanel;
import org.layerwise.ui.results.SummaryPanel;

/** The run views on one completed run: what they show is the run directory's numbers. */
class RunViewsTest {

    private static Path run;
    private Shell shell;

    /** The quickstart, shortened, with every built-in analyzer. */
    @BeforeAll
    static void completedRun() throws Exception {
        ContributionRegistry registry = ContributionRegistry.load();
        PipelineDocument doc = PipelineDocument.open(Ui.home().resolve("examples/quickstart.layerwise"), registry);
        doc.setSetting(doc.pipeline().getStages().get(1), "steps", "60");
        doc.setSetting(doc.pipeline().getStages().get(1), "batch", "32");
        for (String analyzer : List.of("baselines", "coupled-mean-shift", "layer-dynamics")) {
            doc.addStage(Role.ANALYZER, analyzer);
        }
        doc.setSetting(doc.pipeline().getStages().get(4), "resamples", "100");
        doc.setSetting(doc.pipeline().getStages().get(6), "resamples", "100");
        assertEquals(List.of(), doc.problems());
        Path out = Files.createTempDirectory("layerwise-ui-views");
        var validated = new PipelineValidator(registry).validate(doc.spec());
        RunOptions options = new RunOptions(out, 128);
        RunResult result = PipelineRunner.run(validated, options, PipelineRunner.createRunDirectory(options, doc.spec()),
                RunListener.SILENT);
        assertEquals(RunStatus.OK, result.status(), result.cause());
        run = result.directory();
    }

    @AfterEach
    void close() {
        if (shell != null) {
            shell.dispose();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void summaryShowsTheRunsAccuracyNextToItsBaselinesWithIntervals() throws Exception {
        shell = Ui.shell("Summary");
        SummaryPanel panel = new SummaryPanel(shell);
        shell.open();
        panel.show(run);
        Ui.flush();

        Map<String, Object> metrics = Json.readMap(run.resolve("metrics.json"));
        Map<String, Double> baselines = (Map<String, Double>) ((Map<String, Object>) metrics.get("analyzers")).get("baselines");
        List<List<String>> rows = panel.shownRows();
        assertEquals(List.of("status", "OK"), rows.get(0).subList(0, 2));
        List<String> accuracy = row(rows, "accuracy (model)");
        assertEquals(pct((Double) metrics.get("accuracy")), accuracy.get(1));
        assertEquals("[" + pct(baselines.get("accuracy_model_low")) + ", " + pct(baselines.get("accuracy_model_high")) + "]",
                accuracy.get(2));
        List<String> softNn = row(rows, "accuracy (soft nearest neighbour)");
        assertEquals(pct(baselines.get("accuracy_soft_nn")), softNn.get(1));
        assertEquals("[" + pct(baselines.get("accuracy_soft_nn_low")) + ", " + pct(baselines.get("accuracy_soft_nn_high")) + "]",
                softNn.get(2));
        Map<String, Double> cms = (Map<String, Double>) ((Map<String, Object>) metrics.get("analyzers")).get("coupled-mean-shift");
        assertEquals(pct(cms.get("agreement_full")) + " agreement", row(rows, "recursion fidelity (full)").get(1));
        assertEquals(String.format(Locale.ROOT, "%.4g", (Double) metrics.get("asymmetry")), row(rows, "asymmetry (mean)").get(1));
        Map<String, Object> runJson = Json.readMap(run.resolve("run.json"));
        assertEquals("master " + ((Map<String, Object>) runJson.get("seeds")).get("master"), row(rows, "seeds").get(1));
        assertTrue(row(rows, "versions").get(1).startsWith("layerwise "));
        Ui.screenshot(shell, "view-summary");
    }

    @Test
    void layerDynamicsPlotsEachMeasureByLayerForNetworkAndRecursionWithIntervals() throws Exception {
        shell = Ui.shell("Layer dynamics");
        LayerDynamicsPanel panel = new LayerDynamicsPanel(shell);
        shell.open();
        panel.show(run);
        Ui.flush();

        Csv.Table table = Csv.read(run.resolve("layer-dynamics.csv"));
        assertTrue(panel.measureCombo().getItemCount() >= 7, List.of(panel.measureCombo().getItems()).toString());
        int entropy = List.of(panel.measureCombo().getItems()).indexOf("entropy");
        panel.measureCombo().select(entropy);
        panel.measureCombo().notifyListeners(org.eclipse.swt.SWT.Selection, new org.eclipse.swt.widgets.Event());
        Ui.flush();

        for (String source : List.of("network", "recursion")) {
            List<Double> means = new ArrayList<>();
            List<Double> lows = new ArrayList<>();
            for (int r = 0; r < table.size(); r++) {
                if (table.get(r, "source").equals(source) && table.get(r, "measure").equals("entropy")
                        && table.get(r, "head").equals("mean")) {
                    means.add(Csv.parseDouble(table.get(r, "mean")));
                    lows.add(Csv.parseDouble(table.get(r, "low")));
                }
            }
            assertFalse(means.isEmpty(), source);
            Series line = series(panel, source);
            Series low = series(panel, source + "_low");
            for (int i = 0; i < means.size(); i++) {
                assertEquals(means.get(i), line.y()[i], 0, source + " layer " + line.x()[i]);
                assertEquals(lows.get(i), low.y()[i], 0);
            }
            assertEquals(source.equals("recursion"), line.dashed());
        }
        assertEquals(series(panel, "network").colour(), series(panel, "recursion").colour());
        assertEquals("layer", panel.chart().xTitle());
        assertEquals("entropy (nats)", panel.chart().yTitle());

        Path csv = Path.of(System.getProperty("layerwise.screenshots", "target/screenshots")).resolveSibling("exports")
                .resolve("layer-dynamics-entropy.csv");
        ChartExport.write(panel.chart(), csv, ChartExport.Format.CSV);
        assertEquals(panel.chart().series().stream().mapToInt(s -> s.x().length).sum(), Csv.read(csv).size());
        Ui.screenshot(shell, "view-layer-dynamics");
    }

    @Test
    void recursionShowsItsCoefficientsAcrossLayersAndItsFidelityPerLayer() throws Exception {
        shell = Ui.shell("Recursion");
        RecursionPanel panel = new RecursionPanel(shell);
        shell.open();
        panel.show(run);
        Ui.flush();

        Csv.Table coefficients = Csv.read(run.resolve("coupled-mean-shift-coefficients.csv"));
        Series qa = find(panel.coefficientChart(), "q_a");
        int layers = 0;
        for (int r = 0; r < coefficients.size(); r++) {
            if (coefficients.get(r, "head").equals("0")) {
                assertEquals(Csv.parseDouble(coefficients.get(r, "q_a")), qa.y()[layers], 0);
                assertEquals(Csv.parseDouble(coefficients.get(r, "layer")), qa.x()[layers], 0);
                layers++;
            }
        }
        assertEquals(4, layers);
        assertEquals(6, panel.coefficientChart().series().size());

        Csv.Table fidelity = Csv.read(run.resolve("coupled-mean-shift.csv"));
        for (String form : List.of("full", "reduced")) {
            Series shown = find(panel.fidelityChart(), form);
            List<Double> expected = new ArrayList<>();
            for (int r = 0; r < fidelity.size(); r++) {
                if (fidelity.get(r, "form").equals(form) && fidelity.get(r, "measure").equals("hidden_r2")
                        && fidelity.get(r, "block").equals("probe.y")) {
                    expected.add(Csv.parseDouble(fidelity.get(r, "value")));
                }
            }
            assertEquals(expected.size(), shown.y().length, form);
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i), shown.y()[i], 0, form + " layer " + shown.x()[i]);
            }
        }
        assertTrue(panel.fidelityChart().title().endsWith("probe.y"), panel.fidelityChart().title());
        Ui.screenshot(shell, "view-recursion");
    }

    private static Series find(org.layerwise.ui.charts.LineChart chart, String id) {
        return chart.series().stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + id + " in " + chart.series()));
    }

    private static Series series(LayerDynamicsPanel panel, String id) {
        return panel.chart().series().stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + id + " in " + panel.chart().series()));
    }

    private static List<String> row(List<List<String>> rows, String quantity) {
        return rows.stream().filter(r -> r.get(0).equals(quantity)).findFirst()
                .orElseThrow(() -> new AssertionError("no row '" + quantity + "' in " + rows));
    }

    private static String pct(double x) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * x);
    }
}
