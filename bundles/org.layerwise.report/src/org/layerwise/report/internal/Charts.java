package org.layerwise.report.internal;

import java.util.ArrayList;
import java.util.List;

import org.layerwise.figures.Palette;
import org.layerwise.figures.Rgb;
import org.layerwise.figures.XYChart;
import org.layerwise.figures.XYChart.Line;
import org.layerwise.figures.XYChart.Series;
import org.layerwise.figures.XYChart.Symbol;

/** The report's chart style on the shared figure model: one palette, series i with colour i and symbol i, integer layer axes. */
final class Charts {

    /** States after each layer: 0 is the input. */
    static final String STATE_LAYER = "layer (0 = input, t = after t attention layers)";
    /** The weights of each attention layer, 0-based. */
    static final String WEIGHT_LAYER = "attention layer (0-based)";

    static final Line LINE = Line.solid(1.5);
    static final Line THICK = Line.solid(2);
    static final Line DASHED = Line.dashed(1.5);

    private Charts() {
    }

    static Rgb color(int i) {
        return Palette.categorical(i);
    }

    static XYChart.Axis layerAxis(String label) {
        return XYChart.Axis.counting(label);
    }

    static XYChart.Axis stepAxis(String label) {
        return XYChart.Axis.log(label);
    }

    /** The points of one series as they are found: (x, y) or (x, y, low, high). */
    static final class Points {
        private final List<double[]> points = new ArrayList<>();

        void add(double x, double y) {
            points.add(new double[] {x, y, y, y});
        }

        void add(double x, double y, double low, double high) {
            points.add(new double[] {x, y, low, high});
        }

        boolean isEmpty() {
            return points.isEmpty();
        }

        int size() {
            return points.size();
        }

        private double[] column(int k) {
            return points.stream().mapToDouble(p -> p[k]).toArray();
        }

        /** Joined by a line of width 1.5, symbol i at each point, colour i. */
        Series lines(String id, String label, int i) {
            return Series.line(id, label, column(0), column(1), color(i)).withLine(LINE).withSymbol(Symbol.cycle(i, 3));
        }

        /** A line without symbols. */
        Series plain(String id, String label, Rgb colour, Line line) {
            return Series.line(id, label, column(0), column(1), colour).withLine(line);
        }

        /** Symbol i at each point with its interval as an error bar, joined by a line or not. */
        Series intervals(String id, String label, int i, boolean joined) {
            Series s = Series.line(id, label, column(0), column(1), color(i)).withSymbol(Symbol.cycle(i, 3))
                    .withIntervals(column(2), column(3));
            return joined ? s.withLine(LINE) : s.withLine(null);
        }
    }
}
