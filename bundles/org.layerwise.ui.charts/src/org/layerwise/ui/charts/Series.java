package org.layerwise.ui.charts;

import org.eclipse.swt.graphics.RGB;

/**
 * One plotted line: id (its column in CSV exports), legend label, data, colour and whether it
 * is dashed. A band is a pair of series drawn thin and light around a line.
 */
public record Series(String id, String label, double[] x, double[] y, RGB colour, boolean dashed, boolean band) {

    public Series {
        if (x.length != y.length) {
            throw new IllegalArgumentException("series " + id + ": " + x.length + " x values for " + y.length + " y values");
        }
        x = x.clone();
        y = y.clone();
    }

    public static Series line(String id, String label, double[] x, double[] y, RGB colour) {
        return new Series(id, label, x, y, colour, false, false);
    }

    public Series asDashed() {
        return new Series(id, label, x, y, colour, true, band);
    }

    /** The lower and upper edge of an interval around a line, in a tint of its colour. */
    public static Series[] band(String id, String label, double[] x, double[] low, double[] high, RGB colour) {
        RGB light = Palette.tint(colour, 0.55);
        return new Series[] {new Series(id + "_low", label + " (lower)", x, low, light, true, true),
            new Series(id + "_high", label + " (upper)", x, high, light, true, true)};
    }
}
