package org.layerwise.report.internal;

import java.util.Locale;

/** How numbers are printed in the report and the claims. */
final class Text {

    private Text() {
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a != 0 && (a < 1e-3 || a >= 1e4) ? "%.3e" : "%.4f", v);
    }

    static String pct(double v) {
        return Double.isNaN(v) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * v);
    }

    static String withInterval(Measures.Interval i) {
        return num(i.mean()) + " [" + num(i.low()) + ", " + num(i.high()) + "]";
    }

    static String pctWithInterval(Measures.Interval i) {
        return pct(i.mean()) + " [" + pct(i.low()) + ", " + pct(i.high()) + "]";
    }

    static String yesNo(boolean b) {
        return b ? "yes" : "no";
    }
}
