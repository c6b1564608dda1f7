package org.layerwise.figures;

import java.util.ArrayList;
import java.util.List;

/**
 * One or more panels stacked over a shared x axis, each with its own y axis, series, reference
 * lines and notes; a title, optional subtitles and a legend below. Every series is drawn in the
 * colour, line and symbol it names (no automatic styles), so a figure looks the same wherever it
 * is built.
 */
public record XYChart(String title, List<String> subtitles, Axis x, List<Panel> panels, Legend legend) implements Chart {

    public XYChart {
        subtitles = List.copyOf(subtitles);
        panels = List.copyOf(panels);
        if (panels.isEmpty()) {
            throw new IllegalArgumentException("chart '" + title + "' has no panel");
        }
    }

    /** One panel with the legend of every series. */
    public static XYChart of(String title, Axis x, Panel panel) {
        return new XYChart(title, List.of(), x, List.of(panel), Legend.SERIES);
    }

    public XYChart withSubtitle(String subtitle) {
        List<String> s = new ArrayList<>(subtitles);
        s.add(subtitle);
        return new XYChart(title, s, x, panels, legend);
    }

    public XYChart withLegend(Legend l) {
        return new XYChart(title, subtitles, x, panels, l);
    }

    /** How an axis maps values to positions. */
    public enum Scale {
        LINEAR, LOG
    }

    /**
     * An axis: its label (with the unit), linear or log10 scale, ticks at whole numbers only
     * (layers, steps), whether an automatic range takes in 0, a fixed range (null: fitted to the
     * data) and category names shown at 0, 1, 2, ... instead of numbers (empty: none).
     */
    public record Axis(String label, Scale scale, boolean integerTicks, boolean includesZero, double[] range, List<String> categories) {

        public Axis {
            categories = List.copyOf(categories);
            if (range != null && !(range.length == 2 && range[0] < range[1])) {
                throw new IllegalArgumentException("axis '" + label + "': not a range " + java.util.Arrays.toString(range));
            }
            range = range == null ? null : range.clone();
        }

        public static Axis linear(String label) {
            return new Axis(label, Scale.LINEAR, false, false, null, List.of());
        }

        public static Axis log(String label) {
            return new Axis(label, Scale.LOG, false, false, null, List.of());
        }

        /** Layers, steps: ticks at whole numbers, the range from 0. */
        public static Axis counting(String label) {
            return new Axis(label, Scale.LINEAR, true, true, null, List.of());
        }

        /** Names at 0, 1, 2, ... (runs, methods). */
        public static Axis categories(String label, List<String> names) {
            return new Axis(label, Scale.LINEAR, true, false, null, names);
        }

        public Axis withRange(double low, double high) {
            return new Axis(label, scale, integerTicks, includesZero, new double[] {low, high}, categories);
        }

        public Axis withIntegerTicks() {
            return new Axis(label, scale, true, includesZero, range, categories);
        }

        public Axis includingZero() {
            return new Axis(label, scale, integerTicks, true, range, categories);
        }

        @Override
        public double[] range() {
            return range == null ? null : range.clone();
        }
    }

    /** A line's width in pixels and its dash pattern (empty: solid). */
    public record Line(double width, double[] dashes) {

        public Line {
            dashes = dashes.clone();
        }

        public static Line solid(double width) {
            return new Line(width, new double[0]);
        }

        /** Dashes of 6 and gaps of 4 pixels. */
        public static Line dashed(double width) {
            return new Line(width, new double[] {6, 4});
        }

        public boolean isDashed() {
            return dashes.length > 0;
        }

        @Override
        public double[] dashes() {
            return dashes.clone();
        }
    }

    /** The shapes that mark points; CROSS and PLUS are thin strokes, the others filled. */
    public enum Shape {
        CIRCLE, SQUARE, DIAMOND, TRIANGLE, CROSS, PLUS
    }

    /** How each point of a series is marked: shape and half-width in pixels. */
    public record Symbol(Shape shape, double size) {

        /** Series i of a chart gets a shape of its own (the filled ones in turn). */
        public static Symbol cycle(int i, double size) {
            Shape[] filled = {Shape.SQUARE, Shape.CIRCLE, Shape.TRIANGLE, Shape.DIAMOND};
            return new Symbol(filled[Math.floorMod(i, filled.length)], size);
        }
    }

    /**
     * One plotted series: id (stable, names its group in the SVG), legend label, points, colour,
     * the line joining the points (null: none, a scatter), the symbol at each point (null: none),
     * an interval per point drawn as an error bar (low and high null: none) and whether the
     * legend lists it. Points with a coordinate that is not finite, or not positive on a log
     * axis, are left out.
     */
    public record Series(String id, String label, double[] x, double[] y, double[] low, double[] high, Rgb colour, Line line,
            Symbol symbol, boolean inLegend) {

        public Series {
            if (x.length != y.length) {
                throw new IllegalArgumentException("series " + id + ": " + x.length + " x values for " + y.length + " y values");
            }
            if ((low == null) != (high == null) || low != null && (low.length != x.length || high.length != x.length)) {
                throw new IllegalArgumentException("series " + id + ": an interval needs a low and a high value per point");
            }
            x = x.clone();
            y = y.clone();
            low = low == null ? null : low.clone();
            high = high == null ? null : high.clone();
        }

        /** A solid line of width 1.5 without symbols, in the legend. */
        public static Series line(String id, String label, double[] x, double[] y, Rgb colour) {
            return new Series(id, label, x, y, null, null, colour, Line.solid(1.5), null, true);
        }

        /** From (x, y) pairs. */
        public static Series line(String id, String label, List<double[]> points, Rgb colour) {
            return line(id, label, points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray(),
                    colour);
        }

        public Series withLine(Line l) {
            return new Series(id, label, x, y, low, high, colour, l, symbol, inLegend);
        }

        public Series withSymbol(Symbol s) {
            return new Series(id, label, x, y, low, high, colour, line, s, inLegend);
        }

        public Series withIntervals(double[] lows, double[] highs) {
            return new Series(id, label, x, y, lows, highs, colour, line, symbol, inLegend);
        }

        public Series hiddenInLegend() {
            return new Series(id, label, x, y, low, high, colour, line, symbol, false);
        }

        public boolean hasIntervals() {
            return low != null;
        }

        @Override
        public double[] x() {
            return x.clone();
        }

        @Override
        public double[] y() {
            return y.clone();
        }

        @Override
        public double[] low() {
            return low == null ? null : low.clone();
        }

        @Override
        public double[] high() {
            return high == null ? null : high.clone();
        }
    }

    /** A reference line across a panel at x = value (vertical) or y = value, with an optional label. */
    public record Marker(boolean vertical, double value, Rgb colour, Line line, String label) {

        public static Marker atX(double x, Rgb colour, Line line) {
            return new Marker(true, x, colour, line, "");
        }

        public static Marker atY(double y, Rgb colour, Line line, String label) {
            return new Marker(false, y, colour, line, label);
        }
    }

    /** A short text at a point of a panel, in data coordinates (its lower left corner there). */
    public record Note(double x, double y, String text) {
    }

    /** One panel: its y axis and what it shows. */
    public record Panel(Axis y, List<Series> series, List<Marker> markers, List<Note> notes) {

        public Panel {
            series = List.copyOf(series);
            markers = List.copyOf(markers);
            notes = List.copyOf(notes);
        }

        public static Panel of(Axis y, List<Series> series) {
            return new Panel(y, series, List.of(), List.of());
        }

        public Panel withMarker(Marker m) {
            List<Marker> all = new ArrayList<>(markers);
            all.add(m);
            return new Panel(y, series, all, notes);
        }

        public Panel withNotes(List<Note> more) {
            List<Note> all = new ArrayList<>(notes);
            all.addAll(more);
            return new Panel(y, series, markers, all);
        }
    }

    /** One line of a legend given by hand: a label and its colour. */
    public record Entry(String label, Rgb colour) {
    }

    /**
     * What the legend below the chart lists: nothing, every series marked for it, the first
     * panel's (when every panel shows the same series) or entries given by hand.
     */
    public record Legend(Kind kind, List<Entry> entries) {

        public enum Kind {
            NONE, SERIES, FIRST_PANEL, ENTRIES
        }

        public static final Legend NONE = new Legend(Kind.NONE, List.of());
        public static final Legend SERIES = new Legend(Kind.SERIES, List.of());
        public static final Legend FIRST_PANEL = new Legend(Kind.FIRST_PANEL, List.of());

        public Legend {
            entries = List.copyOf(entries);
        }

        public static Legend of(List<Entry> entries) {
            return new Legend(Kind.ENTRIES, entries);
        }
    }
}
