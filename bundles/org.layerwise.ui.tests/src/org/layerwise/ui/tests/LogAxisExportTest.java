package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.layerwise.ui.charts.ChartExport;
import org.layerwise.ui.charts.LineChart;
import org.layerwise.ui.charts.Palette;
import org.layerwise.ui.charts.Series;

/**
 * The SVG export draws an axis with SWTChart's log scale in log10 space (ticks at powers of ten)
 * and a linear axis exactly as it always has. (Non-positive points on a log axis cannot be shown
 * here: SWTChart turns the axis's log scale off when a series with them is set.)
 */
class LogAxisExportTest extends ShellTest {

    private static final Pattern POINTS = Pattern.compile("<polyline [^>]*points=\"([^\"]*)\"");
    private static final Pattern CIRCLE = Pattern.compile("<circle cx=\"([^\"]+)\" cy=\"([^\"]+)\"");

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

        String svg = ChartExport.svg(chart);
        List<double[]> line = polyline(svg, 0);
        assertEquals(3, line.size(), svg);
        assertEquallySpaced(line.stream().mapToDouble(p -> p[0]).toArray());
        assertEquals(80, line.get(0)[0], 1e-6);
        assertEquals(780, line.get(2)[0], 1e-6);
        List<double[]> dots = circles(svg);
        assertEquals(3, dots.size(), svg);
        assertEquallySpaced(dots.stream().mapToDouble(p -> p[0]).toArray());
        for (String tick : List.of("1", "10", "100")) {
            assertTrue(svg.contains("font-size=\"12\" text-anchor=\"middle\">" + tick + "</text>"), tick + " in " + svg);
        }
        assertTrue(svg.contains("<line x1=\"430.0\" y1=\"440\" x2=\"430.0\" y2=\"445\" stroke=\"#444\"/>"), svg);

        Ui.screenshot(shell, "log-axis-export");
    }

    @Test
    void aLogYAxisPlacesDecadesEquallyApartWithDecimalLabels() {
        shell = Ui.shell("Log y export");
        LineChart chart = new LineChart(shell, "Gap", "layer", "gap");
        chart.show(List.of(Series.line("gap", "gap", new double[] {0, 1, 2}, new double[] {0.01, 0.1, 1}, Palette.categorical(0))));
        chart.control().getAxisSet().getYAxis(0).enableLogScale(true);
        chart.control().getAxisSet().adjustRange();
        shell.open();
        Ui.flush();

        String svg = ChartExport.svg(chart);
        List<double[]> line = polyline(svg, 0);
        assertEquals(3, line.size(), svg);
        assertEquallySpaced(line.stream().mapToDouble(p -> p[0]).toArray());
        assertEquallySpaced(line.stream().mapToDouble(p -> p[1]).toArray());
        assertEquals(440, line.get(0)[1], 1e-6);
        assertEquals(40, line.get(2)[1], 1e-6);
        for (String tick : List.of("0.01", "0.1", "1")) {
            assertTrue(svg.contains("text-anchor=\"end\">" + tick + "</text>"), tick + " in " + svg);
        }
    }

    @Test
    void linearAxesAreDrawnAsBefore() {
        shell = Ui.shell("Linear export");
        LineChart chart = new LineChart(shell, "Separation", "layer", "separation");
        double[] x = {0, 1, 2, 3};
        double[] y = {0.1, 0.5, 0.9, 1.2};
        chart.show(List.of(Series.line("s", "s", x, y, Palette.categorical(0))));
        shell.open();
        Ui.flush();

        String svg = ChartExport.svg(chart);
        // the mapping the SVG writer has always used: data range [0, 3] x [0.1, 1.2] onto the 700 x 400 plot at (80, 40)
        StringBuilder expected = new StringBuilder();
        for (int i = 0; i < x.length; i++) {
            expected.append(String.format(Locale.ROOT, "%.2f,%.2f ", 80 + (x[i] - 0) / (3 - 0.0) * 700,
                    40 + 400 - (y[i] - 0.1) / (1.2 - 0.1) * 400));
        }
        Matcher m = POINTS.matcher(svg);
        assertTrue(m.find(), svg);
        assertEquals(expected.toString().trim(), m.group(1));
        for (int k = 0; k <= 6; k++) {
            double px = 80 + (k * 0.5) / 3 * 700;
            assertTrue(svg.contains(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"440\" x2=\"%.1f\" y2=\"445\" stroke=\"#444\"/>", px, px)),
                    px + " in " + svg);
        }
        assertTrue(svg.contains(">0.500</text>") && svg.contains(">1</text>") && svg.contains(">0.200</text>"), svg);
    }

    private static List<double[]> polyline(String svg, int index) {
        Matcher m = POINTS.matcher(svg);
        for (int i = 0; i <= index; i++) {
            assertTrue(m.find(), svg);
        }
        List<double[]> out = new ArrayList<>();
        for (String p : m.group(1).trim().split("\\s+")) {
            String[] xy = p.split(",");
            out.add(new double[] {Double.parseDouble(xy[0]), Double.parseDouble(xy[1])});
        }
        return out;
    }

    /** The scatter series' circles (its group), not the legend's. */
    private static List<double[]> circles(String svg) {
        Matcher m = CIRCLE.matcher(svg.substring(svg.indexOf("<g>"), svg.indexOf("</g>")));
        List<double[]> out = new ArrayList<>();
        while (m.find()) {
            out.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
        }
        return out;
    }

    private static void assertEquallySpaced(double[] v) {
        for (int i = 2; i < v.length; i++) {
            assertEquals(v[1] - v[0], v[i] - v[i - 1], 1e-6, java.util.Arrays.toString(v));
        }
    }
}
