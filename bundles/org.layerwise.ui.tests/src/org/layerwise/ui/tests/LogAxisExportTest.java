package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.layerwise.ui.charts.ChartExport;
import org.layerwise.ui.charts.LineChart;
import org.layerwise.ui.charts.Palette;
import org.layerwise.ui.charts.Series;
import org.w3c.dom.Element;

/**
 * The SVG export (the shared figure writer, JFreeChart through JFreeSVG) draws an axis with
 * SWTChart's log scale in log10 space, ticked at powers of ten, and a linear axis linearly.
 * (Non-positive points on a log axis cannot be shown here: SWTChart turns the axis's log scale
 * off when a series with them is set.)
 */
class LogAxisExportTest extends ShellTest {

    @Test
    void aLogXAxisPlacesDecadesEquallyApartTickedAtPowersOfTen() throws Exception {
        shell = Ui.shell("Log x export");
        LineChart chart = new LineChart(shell, "Loss", "step", "loss");
        double[] x = {1, 10, 100};
        chart.show(List.of(Series.line("loss", "loss", x, new double[] {3, 2, 1}, Palette.categorical(0)),
                Series.scatter("points", "points", x, new double[] {3, 2, 1}, Palette.categorical(1),
                        new Series.Marker(Series.Shape.CIRCLE, 4))));
        var axis = chart.control().getAxisSet().getXAxis(0);
        axis.enableLogScale(true);
        chart.control().getAxisSet().adjustRange();
        shell.open();
        Ui.flush();

        SvgFigure svg = SvgFigure.parse(ChartExport.svg(chart));
        List<double[]> line = svg.line("loss");
        assertEquals(3, line.size());
        assertEquallySpaced(line.stream().mapToDouble(p -> p[0]).toArray());
        Element dots = svg.series("series-symbols", "points");
        assertEquals(3, SvgFigure.shapes(dots), "one circle per point of the scatter");
        assertEquallySpaced(centres(dots));
        assertEquals(line.get(1)[0], centres(dots)[1], 1e-3, "the scatter's middle point lies on the line's");
        for (String tick : List.of("1", "10", "100")) {
            assertTrue(svg.texts().contains(tick), tick + " in " + svg.texts());
        }
        Ui.screenshot(shell, "log-axis-export");
    }

    @Test
    void aLogYAxisPlacesDecadesEquallyApartWithDecimalLabels() throws Exception {
        shell = Ui.shell("Log y export");
        LineChart chart = new LineChart(shell, "Gap", "layer", "gap");
        chart.show(List.of(Series.line("gap", "gap", new double[] {0, 1, 2}, new double[] {0.01, 0.1, 1}, Palette.categorical(0))));
        chart.control().getAxisSet().getYAxis(0).enableLogScale(true);
        chart.control().getAxisSet().adjustRange();
        shell.open();
        Ui.flush();

        SvgFigure svg = SvgFigure.parse(ChartExport.svg(chart));
        List<double[]> line = svg.line("gap");
        assertEquals(3, line.size());
        assertEquallySpaced(line.stream().mapToDouble(p -> p[0]).toArray());
        assertEquallySpaced(line.stream().mapToDouble(p -> p[1]).toArray());
        assertTrue(line.get(2)[1] < line.get(0)[1], "1 is drawn above 0.01");
        for (String tick : List.of("0.01", "0.1", "1")) {
            assertTrue(svg.texts().contains(tick), tick + " in " + svg.texts());
        }
    }

    @Test
    void linearAxesPlacePointsInProportionToTheirValues() throws Exception {
        shell = Ui.shell("Linear export");
        LineChart chart = new LineChart(shell, "Separation", "layer", "separation");
        double[] x = {0, 1, 2, 3};
        double[] y = {0.1, 0.5, 0.9, 1.2};
        chart.show(List.of(Series.line("s", "s", x, y, Palette.categorical(0))));
        shell.open();
        Ui.flush();

        List<double[]> line = SvgFigure.parse(ChartExport.svg(chart)).line("s");
        assertEquals(4, line.size());
        for (int i = 0; i < x.length; i++) {
            assertEquals((x[i] - x[0]) / (x[3] - x[0]), (line.get(i)[0] - line.get(0)[0]) / (line.get(3)[0] - line.get(0)[0]), 1e-6);
            assertEquals((y[i] - y[0]) / (y[3] - y[0]), (line.get(i)[1] - line.get(0)[1]) / (line.get(3)[1] - line.get(0)[1]), 1e-6);
        }
    }

    /** The x centre of each shape in a symbols group: the middle of the points its outline passes through. */
    private static double[] centres(Element group) {
        List<Element> shapes = new java.util.ArrayList<>();
        collect(group, shapes);
        return shapes.stream().mapToDouble(e -> {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(-?[0-9.]+),(-?[0-9.]+)").matcher(e.getAttribute("d"));
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            while (m.find()) {
                lo = Math.min(lo, Double.parseDouble(m.group(1)));
                hi = Math.max(hi, Double.parseDouble(m.group(1)));
            }
            return (lo + hi) / 2;
        }).toArray();
    }

    private static void collect(Element e, List<Element> out) {
        for (org.w3c.dom.Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element child) {
                switch (child.getTagName()) {
                    case "g" -> collect(child, out);
                    case "title" -> {
                    }
                    default -> out.add(child);
                }
            }
        }
    }

    private static void assertEquallySpaced(double[] v) {
        assertTrue(v.length >= 3, java.util.Arrays.toString(v));
        for (int i = 2; i < v.length; i++) {
            assertEquals(v[1] - v[0], v[i] - v[i - 1], 1e-3, java.util.Arrays.toString(v)); // JFreeSVG writes float coordinates
        }
    }
}
