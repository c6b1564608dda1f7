package org.layerwise.ui.charts;

import org.eclipse.swt.graphics.RGB;
import org.layerwise.figures.Rgb;

/**
 * The colours every Layerwise chart uses ({@link org.layerwise.figures.Palette}, as SWT colours):
 * class k always has the same colour, and a quantity measured on the network is drawn in the
 * same hue as its recursion counterpart (the recursion dashed).
 */
public final class Palette {

    private Palette() {
    }

    /** The colour of class (or series) index k. */
    public static RGB categorical(int k) {
        return swt(org.layerwise.figures.Palette.categorical(k));
    }

    /** A lighter tint of a colour, for interval bands. */
    public static RGB tint(RGB rgb, double amount) {
        return swt(figures(rgb).tint(amount));
    }

    static RGB swt(Rgb c) {
        return new RGB(c.red(), c.green(), c.blue());
    }

    static Rgb figures(RGB c) {
        return new Rgb(c.red, c.green, c.blue);
    }
}
