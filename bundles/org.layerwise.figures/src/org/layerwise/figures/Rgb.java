package org.layerwise.figures;

/** A colour as 8-bit red, green and blue (no AWT or SWT type, so that either side can build a figure). */
public record Rgb(int red, int green, int blue) {

    public static final Rgb BLACK = new Rgb(0, 0, 0);
    public static final Rgb WHITE = new Rgb(255, 255, 255);
    public static final Rgb GREY = new Rgb(128, 128, 128);

    public Rgb {
        for (int c : new int[] {red, green, blue}) {
            if (c < 0 || c > 255) {
                throw new IllegalArgumentException("colour component " + c + " outside 0..255");
            }
        }
    }

    /** From 0xRRGGBB. */
    public static Rgb of(int hex) {
        return new Rgb(hex >> 16 & 0xFF, hex >> 8 & 0xFF, hex & 0xFF);
    }

    /** This colour moved towards white by amount (0: unchanged, 1: white). */
    public Rgb tint(double amount) {
        return new Rgb(mix(red, amount), mix(green, amount), mix(blue, amount));
    }

    private static int mix(int c, double amount) {
        return (int) Math.round(c + (255 - c) * amount);
    }
}
