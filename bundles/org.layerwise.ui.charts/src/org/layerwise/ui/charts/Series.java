package org.layerwise.ui.charts;

import org.eclipse.swt.graphics.RGB;

/**
 * One plotted line: id (its column in CSV exports), legend label, data, colour and whether it
 * is dashed. A band is a pair of series drawn thin and light around a line. A series with a
 * marker is a scatter: its points are drawn as markers, unconnected.
 */
public record Series(String id, String label, double[] x, double[] y, RGB colour, boolean dashed, boolean band, Marker marker) {

    /** The shapes a scatter series marks its points with; CROSS and PLUS are open (drawn, not filled). */
    public enum Shape {
        CIRCLE, SQUARE, DIAMOND, TRIANGLE, CROSS, PLUS
    }

    /** How a scatter series marks each point: shape and size in pixels. */
    public record Marker(Shape shape, int size) {
    }

    public Series {
        if (x.length != y.length) {
            throw new IllegalArgumentException("series " + id + ": " + x.length + " x values for " + y.length + " y values");
        }
        x = x.clone();
        y = y.clone();
    }

    /** A line (no marker). */
    public Series(String id, String label, double[] x, double[] y, RGB colour, boolean dashed, boolean band) {
        this(id, label, x, y, colour, dashed, band, null);
    }

    public static Series line(String id, String label, double[] x, double[] y, RGB colour) {
        return new Series(id, label, x, y, colour, false, false);
    }

    /** Unconnected points, each drawn as the marker. */
    public static Series scatter(String id, String label, double[] x, double[] y, RGB colour, Marker marker) {
        return new Series(id, label, x, y, colour, false, false, marker);
    }

    public boolean scatter() {
        return marker != null;
    }

    public Series asDashed() {
        return new Series(id, label, x, y, colour, true, band, marker);
    }

    /** The lower and upper edge of an interval around a line, in a tint of its colour. */
    public static Series[] band(String id, String label, double[] x, double[] low, double[] high, RGB colour) {
        RGB light = Palette.tint(colour, 0.55);
        return new Series[] {new Series(id + "_low", label + " (lower)", x, low, light, true, true),
            new Series(id + "_high", label + " (upper)", x, high, light, true, true)};
    }
}
