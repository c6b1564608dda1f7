package org.layerwise.ui.charts;

import org.eclipse.swt.graphics.RGB;

/**
 * The colours every Layerwise chart uses: class k always has the same colour, and a quantity
 * measured on the network is drawn in the same hue as its recursion counterpart (the
 * recursion dashed).
 */
public final class Palette {

    /** Colour-blind-safe categorical colours (Okabe-Ito order, black last). */
    private static final RGB[] CATEGORICAL = {
        new RGB(0, 114, 178), new RGB(230, 159, 0), new RGB(0, 158, 115), new RGB(204, 121, 167),
        new RGB(86, 180, 233), new RGB(213, 94, 0), new RGB(240, 228, 66), new RGB(0, 0, 0)};

    private Palette() {
    }

    /** The colour of class (or series) index k. */
    public static RGB categorical(int k) {
        return CATEGORICAL[Math.floorMod(k, CATEGORICAL.length)];
    }

    /** A lighter tint of a colour, for interval bands. */
    public static RGB tint(RGB rgb, double amount) {
        return new RGB(mix(rgb.red, amount), mix(rgb.green, amount), mix(rgb.blue, amount));
    }

    private static int mix(int c, double amount) {
        return (int) Math.round(c + (255 - c) * amount);
    }
}
