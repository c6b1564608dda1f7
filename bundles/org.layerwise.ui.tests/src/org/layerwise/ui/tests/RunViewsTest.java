package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.widgets.Event;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.layerwise.core.Role;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.ui.charts.ChartExport;
import org.layerwise.ui.charts.LineChart;
import org.layerwise.ui.charts.Series;
import org.layerwise.ui.results.Focus;
import org.layerwise.analysis.dynamics.ui.LayerDynamicsPanel;
import org.layerwise.analysis.recursion.ui.RecursionPanel;
import org.layerwise.ui.results.SummaryPanel;

/** The run views on one completed run: what they show is the run directory's numbers. */
class RunViewsTest extends CompletedRunTest {


    /** The quickstart, shortened, with every built-in analyzer. */
    @BeforeAll
    static void completedRun() throws Exception {
        run = Ui.completedRun(128, doc -> {
            doc.setSetting(doc.pipeline().getStages().get(1), "steps", "60");
            doc.setSetting(doc.pipeline().getStages().get(1), "batch", "32");
            doc.setSetting(doc.pipeline().getStages().get(1), "heads", "2");
            for (String analyzer : List.of("baselines", "coupled-mean-shift", "layer-dynamics")) {
                doc.addStage(Role.ANALYZER, analyzer);
            }
            doc.setSetting(doc.pipeline().getStages().get(4), "resamples", "100");
            doc.setSetting(doc.pipeline().getStages().get(6), "resamples", "100");
        });
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
        assertEquals("block", panel.chart().xTitle(), "attention of block t, computed from layer t");
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
        assertEquals("block", panel.coefficientChart().xTitle());
        assertEquals("layer (0 = input)", panel.fidelityChart().xTitle());

        Csv.Table fidelity = Csv.read(run.resolve("coupled-mean-shift.csv"));
        for (String form : List.of("full", "reduced")) {
            Series shown = find(panel.fidelityChart(), form);
            List<Double> expected = new ArrayList<>();
            List<Double> fileLayers = new ArrayList<>();
            for (int r = 0; r < fidelity.size(); r++) {
                if (fidelity.get(r, "form").equals(form) && fidelity.get(r, "measure").equals("hidden_r2")
                        && fidelity.get(r, "block").equals("probe.y")) {
                    expected.add(Csv.parseDouble(fidelity.get(r, "value")));
                    fileLayers.add(Csv.parseDouble(fidelity.get(r, "layer")));
                }
            }
            assertEquals(expected.size(), shown.y().length, form);
            assertEquals(4, expected.size(), form);
            for (int i = 0; i < expected.size(); i++) {
                assertEquals(expected.get(i), shown.y()[i], 0, form + " layer " + shown.x()[i]);
                // the file's layer l is the state after block l: layer l + 1 of Focus's convention
                assertEquals(fileLayers.get(i) + 1, shown.x()[i], 0, form + " point " + i);
            }
            assertEquals(1.0, shown.x()[0], 0, "the first fidelity is after block 0");
        }
        assertTrue(panel.fidelityChart().title().endsWith("probe.y"), panel.fidelityChart().title());
        Ui.screenshot(shell, "view-recursion");
    }

    @Test
    void clickingALayerInLayerDynamicsMovesTheMarkerInTheRecursionViewAndFocus() throws Exception {
        shell = Ui.shell("Layer dynamics and recursion");
        SashForm both = new SashForm(shell, SWT.VERTICAL);
        LayerDynamicsPanel dynamics = new LayerDynamicsPanel(both);
        RecursionPanel recursion = new RecursionPanel(both);
        shell.open();
        dynamics.show(run);
        recursion.show(run);
        Ui.flush();
        List<LineChart> charts = List.of(dynamics.chart(), recursion.coefficientChart(), recursion.fidelityChart());
        for (LineChart c : charts) {
            assertEquals(0, c.marker(), 0, c.title() + ": the focused layer from the start");
        }

        AtomicInteger paints = new AtomicInteger();
        for (LineChart c : charts) {
            c.plotArea().addListener(SWT.Paint, e -> paints.incrementAndGet());
        }
        click(dynamics.chart(), 2.2);
        assertEquals(2, Focus.get().layer());
        for (LineChart c : charts) {
            assertEquals(2, c.marker(), 0, c.title());
        }
        // GTK paints on its frame clock: wait until the three plot areas have painted again
        Ui.waitUntil("the charts to repaint", 10_000, () -> paints.get() >= 3);
        Ui.screenshot(shell, "views-focus-layer-2");

        click(dynamics.chart(), 7.6); // beyond the last layer: the nearest shown is L = 4, the output
        assertEquals(4, Focus.get().layer());
        assertEquals(4, recursion.fidelityChart().marker(), 0);

        click(recursion.fidelityChart(), 0.9); // a recursion chart sets it the same way
        assertEquals(1, Focus.get().layer());
        assertEquals(1, dynamics.chart().marker(), 0);

        // The marker is exported in SVG (not in CSV: it is not data) and drawn in PNG.
        List<org.w3c.dom.Element> markers = SvgFigure.parse(ChartExport.svg(recursion.fidelityChart())).groups("marker");
        assertEquals(1, markers.size());
        assertEquals(1, Double.parseDouble(markers.get(0).getAttribute("data-value")), 0);
        recursion.fidelityChart().setMarker(Double.NaN);
        assertTrue(SvgFigure.parse(ChartExport.svg(recursion.fidelityChart())).groups("marker").isEmpty());
        Focus.layer(3, null);
        assertEquals(3, recursion.fidelityChart().marker(), 0);
        Ui.flush();
        Path png = Path.of(System.getProperty("layerwise.screenshots", "target/screenshots")).resolveSibling("exports")
                .resolve("layer-dynamics-marker.png");
        ChartExport.write(dynamics.chart(), png, ChartExport.Format.PNG);
        ImageData image = new ImageLoader().load(png.toString())[0];
        Point origin = Ui.display().map(dynamics.chart().plotArea(), dynamics.chart().control(), 0, 0);
        int column = origin.x + dynamics.chart().pixelOf(3);
        int markerPixels = 0;
        for (int y = origin.y; y < origin.y + dynamics.chart().plotArea().getSize().y; y++) {
            RGB rgb = image.palette.getRGB(image.getPixel(column, y));
            if (rgb.equals(LineChart.MARKER_COLOUR)) {
                markerPixels++;
            }
        }
        assertTrue(markerPixels > dynamics.chart().plotArea().getSize().y / 2, "marker pixels in column " + column + ": " + markerPixels);
    }

    @Test
    void theRecursionHeadSelectorFollowsAndSetsTheFocusedHead() throws Exception {
        shell = Ui.shell("Recursion heads");
        RecursionPanel panel = new RecursionPanel(shell);
        shell.open();
        panel.show(run);
        Ui.flush();
        assertEquals(List.of("0", "1"), List.of(panel.headCombo().getItems()));

        panel.headCombo().select(1);
        panel.headCombo().notifyListeners(SWT.Selection, new Event());
        assertEquals(1, Focus.get().head());
        assertTrue(panel.coefficientChart().title().endsWith("(head 1)"), panel.coefficientChart().title());
        assertEquals(coefficients("1", "q_a"), List.of(box(find(panel.coefficientChart(), "q_a").y())));

        Focus.head(0, null);
        assertEquals("0", panel.headCombo().getText());
        assertEquals(coefficients("0", "q_a"), List.of(box(find(panel.coefficientChart(), "q_a").y())));

        Focus.head(1, null); // a panel shown later starts at the focused head
        RecursionPanel later = new RecursionPanel(shell);
        later.show(run);
        assertEquals("1", later.headCombo().getText());
    }

    private static List<Double> coefficients(String head, String column) throws Exception {
        Csv.Table t = Csv.read(run.resolve("coupled-mean-shift-coefficients.csv"));
        List<Double> out = new ArrayList<>();
        for (int r = 0; r < t.size(); r++) {
            if (t.get(r, "head").equals(head)) {
                out.add(Csv.parseDouble(t.get(r, column)));
            }
        }
        return out;
    }

    private static Double[] box(double[] v) {
        return java.util.Arrays.stream(v).boxed().toArray(Double[]::new);
    }

    /** A left click in the chart's plot area at data x. */
    private static void click(LineChart chart, double x) {
        Event e = new Event();
        e.button = 1;
        e.x = chart.pixelOf(x);
        e.y = chart.plotArea().getSize().y / 2;
        chart.plotArea().notifyListeners(SWT.MouseUp, e);
        Ui.flush();
    }

    private static Series find(org.layerwise.ui.charts.LineChart chart, String id) {
        return chart.series().stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + id + " in " + chart.series()));
    }

    private static Series series(LayerDynamicsPanel panel, String id) {
        return panel.chart().series().stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + id + " in " + panel.chart().series()));
    }

    /** The Summary's row of that quantity. */
    static List<String> row(List<List<String>> rows, String quantity) {
        return rows.stream().filter(r -> r.get(0).equals(quantity)).findFirst()
                .orElseThrow(() -> new AssertionError("no row '" + quantity + "' in " + rows));
    }

    private static String pct(double x) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * x);
    }
}
