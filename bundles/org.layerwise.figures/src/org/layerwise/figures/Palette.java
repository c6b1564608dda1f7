package org.layerwise.figures;

/**
 * The colours of every Layerwise figure, on screen and in files: class (or series) k always
 * has the same colour, and a heatmap's values map to colours by one of two scales.
 */
public final class Palette {

    /** Colour-blind-safe categorical colours (Okabe-Ito order, black last). */
    private static final Rgb[] CATEGORICAL = {new Rgb(0, 114, 178), new Rgb(230, 159, 0), new Rgb(0, 158, 115), new Rgb(204, 121, 167),
        new Rgb(86, 180, 233), new Rgb(213, 94, 0), new Rgb(240, 228, 66), new Rgb(0, 0, 0)};

    /** The colour of class -1 (a token without a label). */
    public static final Rgb UNLABELED = new Rgb(190, 190, 190);

    /** The colour of a value that is not finite. */
    public static final Rgb MISSING = new Rgb(220, 220, 220);

    private static final Rgb[] DIVERGING = {new Rgb(33, 102, 172), new Rgb(146, 197, 222), new Rgb(247, 247, 247),
        new Rgb(244, 165, 130), new Rgb(178, 24, 43)};
    private static final Rgb[] VIRIDIS = {new Rgb(68, 1, 84), new Rgb(59, 82, 139), new Rgb(33, 145, 140), new Rgb(94, 201, 98),
        new Rgb(253, 231, 37)};

    /** How a heatmap's values map to colours. */
    public enum Scale {
        /** Blue (negative) - white (0) - red (positive), for ranges symmetric around 0. */
        DIVERGING,
        /** Viridis from the low to the high end (probabilities, magnitudes). */
        SEQUENTIAL
    }

    private Palette() {
    }

    /** The colour of class (or series) index k. */
    public static Rgb categorical(int k) {
        return CATEGORICAL[Math.floorMod(k, CATEGORICAL.length)];
    }

    /** The colour of class k, grey for an unlabeled token (k &lt; 0). */
    public static Rgb classColour(int k) {
        return k < 0 ? UNLABELED : categorical(k);
    }

    /** The colour of v on a scale with the range [low, high], clamped at its ends; not finite is light grey. */
    public static Rgb colour(double v, Scale scale, double low, double high) {
        if (!Double.isFinite(v)) {
            return MISSING;
        }
        double t = (v - low) / (high - low);
        Rgb[] stops = scale == Scale.DIVERGING ? DIVERGING : VIRIDIS;
        double x = Math.max(0, Math.min(1, t)) * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) Math.floor(x));
        double f = x - i;
        Rgb a = stops[i];
        Rgb b = stops[i + 1];
        return new Rgb((int) Math.round(a.red() + f * (b.red() - a.red())), (int) Math.round(a.green() + f * (b.green() - a.green())),
                (int) Math.round(a.blue() + f * (b.blue() - a.blue())));
    }
}
