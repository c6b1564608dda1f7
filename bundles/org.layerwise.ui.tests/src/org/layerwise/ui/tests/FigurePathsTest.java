package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.layerwise.figures.FigureFiles;
import org.layerwise.figures.Heatmap;
import org.layerwise.figures.XYChart;
import org.layerwise.ui.charts.ChartExport;
import org.layerwise.ui.charts.HeatmapChart;
import org.layerwise.ui.charts.LineChart;
import org.layerwise.ui.charts.Palette;
import org.layerwise.ui.charts.Series;
import org.w3c.dom.Element;

/**
 * One figure writer: the same data exported from a workbench chart (ChartExport) and written the
 * way the report writes its figures (the figure model through FigureFiles) give SVGs with the
 * same series, each one path through the same points on the same log axis, and heatmaps with the
 * same cells and labels.
 */
class FigurePathsTest extends ShellTest {

    private static final double[] STEPS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
    private static final double[] EXPECTED = {2.3, 2.2, 2.0, 1.6, 1.1, 0.7, 0.5, 0.45, 0.42, 0.4};
    private static final double[] SAMPLED = {2.4, 2.3, 2.1, 1.8, 1.2, 0.9, 0.6, 0.5, 0.47, 0.41};

    @Test
    void aLossCurveExportedFromTheWorkbenchAndWrittenLikeTheReportHasTheSameSeriesOnTheSameLogAxis() throws Exception {
        shell = Ui.shell("Figure paths");
        LineChart chart = new LineChart(shell, "Training loss against step", "step (log scale)", "training loss");
        chart.show(List.of(Series.line("expected", "expected gradient", STEPS, EXPECTED, Palette.categorical(0)),
                Series.line("sampled", "sampled batches", STEPS, SAMPLED, Palette.categorical(1))));
        chart.control().getAxisSet().getXAxis(0).enableLogScale(true);
        chart.control().getAxisSet().adjustRange();
        shell.open();
        Ui.flush();
        Path dir = Path.of(System.getProperty("layerwise.screenshots", "target/screenshots")).resolveSibling("exports");
        Path workbenchFile = dir.resolve("loss-workbench.svg");
        ChartExport.write(chart, workbenchFile, ChartExport.Format.SVG);

        XYChart model = XYChart.of("Training loss against step", XYChart.Axis.log("step (log scale)"),
                XYChart.Panel.of(XYChart.Axis.linear("training loss"),
                        List.of(XYChart.Series.line("expected", "expected gradient", STEPS, EXPECTED, org.layerwise.figures.Palette.categorical(0)),
                                XYChart.Series.line("sampled", "sampled batches", STEPS, SAMPLED,
                                        org.layerwise.figures.Palette.categorical(1)))));
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < STEPS.length; i++) {
            rows.add(List.of("expected", STEPS[i], EXPECTED[i]));
        }
        FigureFiles.Written report = FigureFiles.write(dir, "loss-report", model, 900, 520, List.of("run", "step", "loss"), rows);

        SvgFigure workbench = SvgFigure.parse(Files.readString(workbenchFile));
        SvgFigure written = SvgFigure.parse(Files.readString(report.svg()));
        assertEquals(Set.of("expected", "sampled"), Set.copyOf(workbench.seriesIds()));
        assertEquals(Set.copyOf(workbench.seriesIds()), Set.copyOf(written.seriesIds()));
        for (String id : List.of("expected", "sampled")) {
            assertEquals(workbench.series("series-line", id).getAttribute("data-label"),
                    written.series("series-line", id).getAttribute("data-label"));
            double[] y = "expected".equals(id) ? EXPECTED : SAMPLED;
            List<double[]> a = workbench.line(id);
            List<double[]> b = written.line(id);
            assertEquals(STEPS.length, a.size(), id);
            assertEquals(STEPS.length, b.size(), id);
            for (int i = 0; i < STEPS.length; i++) {
                double logFraction = Math.log10(STEPS[i]) / Math.log10(STEPS[STEPS.length - 1]);
                assertEquals(logFraction, fraction(a, i, 0), 1e-6, id + " workbench x of step " + STEPS[i]);
                assertEquals(logFraction, fraction(b, i, 0), 1e-6, id + " report x of step " + STEPS[i]);
                double yFraction = (y[i] - y[0]) / (y[y.length - 1] - y[0]);
                assertEquals(yFraction, fraction(a, i, 1), 1e-6, id + " workbench y");
                assertEquals(yFraction, fraction(b, i, 1), 1e-6, id + " report y");
            }
        }
        assertTrue(Files.size(report.png()) > 1000);
    }

    @Test
    void aHeatmapExportedFromTheWorkbenchAndWrittenLikeTheReportKeepsItsCellsAndLabels() throws Exception {
        shell = Ui.shell("Heatmap paths");
        double[] m = {-2, -1, 0, 1, 0.5, 0.25, 0, -0.25, 2, 1.5, 1, 0.5};
        List<String> rowLabels = List.of("ctx 0", "ctx 1", "query");
        List<String> columnLabels = List.of("x0", "x1", "y0", "y1");
        HeatmapChart chart = new HeatmapChart(shell, "Attention", "key", "token", "attention weight");
        chart.show(m, 3, 4, HeatmapChart.Scale.DIVERGING);
        chart.setRowLabels(rowLabels.toArray(String[]::new));
        chart.setColumnLabels(columnLabels.toArray(String[]::new));
        chart.setRowClasses(new int[] {0, 1, -1});
        shell.open();
        Ui.flush();
        SvgFigure workbench = SvgFigure.parse(ChartExport.svg(chart));

        Heatmap model = Heatmap.of("Attention", "key", "token", "attention weight", 3, 4, m, org.layerwise.figures.Palette.Scale.DIVERGING,
                -2, 2).withLabels(rowLabels, columnLabels).withClasses(new int[] {0, 1, -1}, null);
        SvgFigure written = SvgFigure.parse(FigureFiles.svg(model, 600, 400));

        assertEquals(cells(workbench), cells(written));
        assertEquals(12, cells(written).size());
        for (int i = 0; i < m.length; i++) {
            assertEquals(m[i], cells(written).get(i / 4 + "," + i % 4), 0);
        }
        for (SvgFigure svg : List.of(workbench, written)) {
            assertTrue(svg.texts().containsAll(rowLabels) && svg.texts().containsAll(columnLabels), "every label: " + svg.texts());
            assertTrue(svg.texts().containsAll(List.of("key", "token", "attention weight", "class 0", "class 1", "unlabeled")),
                    svg.texts().toString());
        }
    }

    /** Where point i lies between the first (0) and the last point (1) along x (k = 0) or y (k = 1). */
    private static double fraction(List<double[]> points, int i, int k) {
        return (points.get(i)[k] - points.get(0)[k]) / (points.get(points.size() - 1)[k] - points.get(0)[k]);
    }

    /** "row,column" to value of every cell group. */
    private static Map<String, Double> cells(SvgFigure svg) {
        Map<String, Double> out = new TreeMap<>();
        for (Element c : svg.groups("cell")) {
            out.put(c.getAttribute("data-row") + "," + c.getAttribute("data-column"), Double.parseDouble(c.getAttribute("data-value")));
        }
        return out;
    }
}
