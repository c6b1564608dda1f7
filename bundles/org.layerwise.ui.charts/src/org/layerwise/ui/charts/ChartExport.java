package org.layerwise.ui.charts;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.widgets.Control;
import org.layerwise.core.AtomicFiles;
import org.layerwise.io.Csv;

/**
 * Writes a chart as PNG (what is on screen), SVG (vector, drawn from the data) and tidy CSV:
 * the plotted data next to every figure. A line chart's CSV has one row per point (series,
 * label, x, y); a heatmap's is the matrix in long form, one row per cell: row, column, value
 * (0-based indices, row-major order), followed by row_label and column_label when the chart
 * labels its rows or columns. Every write is atomic.
 */
public final class ChartExport {

    public enum Format {
        PNG("png"), SVG("svg"), CSV("csv");

        public final String extension;

        Format(String extension) {
            this.extension = extension;
        }
    }

    private static final int SVG_WIDTH = 800;
    private static final int SVG_HEIGHT = 500;
    private static final int MARGIN_LEFT = 80;
    private static final int MARGIN_RIGHT = 20;
    private static final int MARGIN_TOP = 40;
    private static final int MARGIN_BOTTOM = 60;

    private ChartExport() {
    }

    public static void write(LineChart chart, Path file, Format format) throws IOException {
        switch (format) {
            case PNG -> png(chart, file);
            case SVG -> AtomicFiles.writeString(file, svg(chart));
            case CSV -> csv(chart, file);
        }
    }

    public static void write(HeatmapChart chart, Path file, Format format) throws IOException {
        switch (format) {
            case PNG -> png(chart.control(), chart.title(), file);
            case SVG -> AtomicFiles.writeString(file, svg(chart));
            case CSV -> csv(chart, file);
        }
    }

    /** The chart as rendered on screen, at its current size. */
    public static void png(LineChart chart, Path file) throws IOException {
        png(chart.control(), chart.title(), file);
    }

    private static void png(Control control, String title, Path file) throws IOException {
        Point size = control.getSize();
        if (size.x <= 0 || size.y <= 0) {
            throw new IOException("chart '" + title + "' has no size on screen yet");
        }
        Image image = new Image(control.getDisplay(), size.x, size.y);
        try {
            GC gc = new GC(image);
            try {
                control.print(gc);
            } finally {
                gc.dispose();
            }
            ImageData data = image.getImageData();
            AtomicFiles.write(file, out -> {
                ImageLoader loader = new ImageLoader();
                loader.data = new ImageData[] {data};
                loader.save(out, SWT.IMAGE_PNG);
            });
        } finally {
            image.dispose();
        }
    }

    public static void csv(LineChart chart, Path file) throws IOException {
        List<List<Object>> rows = new ArrayList<>();
        for (Series s : chart.series()) {
            for (int i = 0; i < s.x().length; i++) {
                rows.add(List.of(s.id(), s.label(), s.x()[i], s.y()[i]));
            }
        }
        Csv.write(file, List.of("series", "label", chart.xTitle(), chart.yTitle()), rows);
    }

    /**
     * A self-contained SVG of the series with axes, ticks, titles and a legend. An axis whose log
     * scale is enabled (SWTChart's {@link org.eclipse.swtchart.IAxis#enableLogScale}) is drawn in
     * log10 space, ticked at powers of ten, and points with a non-positive coordinate on it are
     * left out, as on screen; a linear axis is drawn linearly.
     */
    public static String svg(LineChart chart) {
        boolean xLog = chart.control().getAxisSet().getXAxis(0).isLogScaleEnabled();
        boolean yLog = chart.control().getAxisSet().getYAxis(0).isLogScaleEnabled();
        Scale xs = xLog ? Scale.log(chart.xRange(), chart.series(), true)
                : Scale.linear(chart.xRange() != null ? chart.xRange() : range(chart.series(), true));
        Scale ys = yLog ? Scale.log(chart.yRange(), chart.series(), false)
                : Scale.linear(chart.yRange() != null ? chart.yRange() : range(chart.series(), false));
        int plotW = SVG_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
        int plotH = SVG_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM;
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n",
                SVG_WIDTH, SVG_HEIGHT + 20 * legendRows(chart), SVG_WIDTH, SVG_HEIGHT + 20 * legendRows(chart)));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(text(SVG_WIDTH / 2.0, 24, chart.title(), 16, "middle", 0));
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>%n",
                MARGIN_LEFT, MARGIN_TOP, plotW, plotH));
        for (double t : xs.ticks()) {
            double px = MARGIN_LEFT + xs.frac(t) * plotW;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#444\"/>%n", px,
                    MARGIN_TOP + plotH, px, MARGIN_TOP + plotH + 5));
            sb.append(text(px, MARGIN_TOP + plotH + 20, xs.label(t), 12, "middle", 0));
        }
        for (double t : ys.ticks()) {
            double py = MARGIN_TOP + plotH - ys.frac(t) * plotH;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#444\"/>%n",
                    MARGIN_LEFT - 5, py, MARGIN_LEFT, py));
            sb.append(text(MARGIN_LEFT - 8, py + 4, ys.label(t), 12, "end", 0));
        }
        sb.append(text(MARGIN_LEFT + plotW / 2.0, SVG_HEIGHT - 18, chart.xTitle(), 13, "middle", 0));
        sb.append(text(20, MARGIN_TOP + plotH / 2.0, chart.yTitle(), 13, "middle", -90));
        for (Series s : chart.series()) {
            if (s.scatter()) {
                sb.append("<g><title>").append(escape(s.label())).append("</title>\n");
                for (int i = 0; i < s.x().length; i++) {
                    if (xs.shows(s.x()[i]) && ys.shows(s.y()[i])) {
                        sb.append(marker(s, MARGIN_LEFT + xs.frac(s.x()[i]) * plotW, MARGIN_TOP + plotH - ys.frac(s.y()[i]) * plotH));
                    }
                }
                sb.append("</g>\n");
                continue;
            }
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < s.x().length; i++) {
                if (!xs.shows(s.x()[i]) || !ys.shows(s.y()[i])) {
                    continue;
                }
                double px = MARGIN_LEFT + xs.frac(s.x()[i]) * plotW;
                double py = MARGIN_TOP + plotH - ys.frac(s.y()[i]) * plotH;
                points.append(String.format(Locale.ROOT, "%.2f,%.2f ", px, py));
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%d\"%s points=\"%s\"><title>%s</title></polyline>%n",
                    hex(s.colour()), s.band() ? 1 : 2, s.dashed() ? " stroke-dasharray=\"6,4\"" : "", points.toString().trim(),
                    escape(s.label())));
        }
        double marker = chart.marker();
        if (xs.shows(marker) && marker >= xs.lo && marker <= xs.hi) { // the focused x (LineChart.setMarker); NaN fails
            double px = MARGIN_LEFT + xs.frac(marker) * plotW;
            sb.append(String.format(Locale.ROOT, "<line class=\"marker\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    px, MARGIN_TOP, px, MARGIN_TOP + plotH, hex(LineChart.MARKER_COLOUR)));
        }
        int row = 0;
        for (Series s : chart.series()) {
            if (s.band()) {
                continue;
            }
            double y = SVG_HEIGHT + 20 * row++;
            if (s.scatter()) {
                sb.append(marker(s, MARGIN_LEFT + 15, y - 4));
                sb.append(text(MARGIN_LEFT + 38, y, s.label(), 12, "start", 0));
                continue;
            }
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    MARGIN_LEFT, y - 4, MARGIN_LEFT + 30, y - 4, hex(s.colour()), s.dashed() ? " stroke-dasharray=\"6,4\"" : ""));
            sb.append(text(MARGIN_LEFT + 38, y, s.label(), 12, "start", 0));
        }
        return sb.append("</svg>\n").toString();
    }

    /** One point of a scatter series as an SVG shape centred on (x, y). */
    private static String marker(Series s, double x, double y) {
        double r = Math.max(1.5, s.marker().size());
        String c = hex(s.colour());
        String filled = String.format(Locale.ROOT, " fill=\"%s\" stroke=\"none\"/>%n", c);
        String open = String.format(Locale.ROOT, " fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\"/>%n", c);
        return switch (s.marker().shape()) {
            case CIRCLE -> String.format(Locale.ROOT, "<circle cx=\"%.2f\" cy=\"%.2f\" r=\"%.2f\"", x, y, r) + filled;
            case SQUARE -> String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\"", x - r, y - r,
                    2 * r, 2 * r) + filled;
            case DIAMOND -> String.format(Locale.ROOT, "<polygon points=\"%.2f,%.2f %.2f,%.2f %.2f,%.2f %.2f,%.2f\"", x, y - r, x + r, y,
                    x, y + r, x - r, y) + filled;
            case TRIANGLE -> String.format(Locale.ROOT, "<polygon points=\"%.2f,%.2f %.2f,%.2f %.2f,%.2f\"", x, y - r, x + r, y + r,
                    x - r, y + r) + filled;
            case CROSS -> String.format(Locale.ROOT, "<path d=\"M%.2f %.2fL%.2f %.2fM%.2f %.2fL%.2f %.2f\"", x - r, y - r, x + r,
                    y + r, x - r, y + r, x + r, y - r) + open;
            case PLUS -> String.format(Locale.ROOT, "<path d=\"M%.2f %.2fL%.2f %.2fM%.2f %.2fL%.2f %.2f\"", x - r, y, x + r, y, x,
                    y - r, x, y + r) + open;
        };
    }

    private static int legendRows(LineChart chart) {
        return (int) chart.series().stream().filter(s -> !s.band()).count();
    }

    private static double[] range(List<Series> series, boolean x) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double v : x ? s.x() : s.y()) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            return new double[] {0, 1};
        }
        if (lo == hi) {
            return new double[] {lo - 0.5, hi + 0.5};
        }
        return new double[] {lo, hi};
    }

    /**
     * How an axis of the SVG maps data to the plot: linearly or in log10 space over [lo, hi].
     * The linear mapping is the arithmetic the SVG has always used, so linear exports are
     * unchanged.
     */
    private record Scale(double lo, double hi, boolean log) {

        static Scale linear(double[] r) {
            return new Scale(r[0], r[1], false);
        }

        /**
         * A log axis over the fixed range when it is positive, otherwise over the positive finite
         * values (half a decade either side of a single value; 1 to 10 with none).
         */
        static Scale log(double[] fixed, List<Series> series, boolean x) {
            if (fixed != null && fixed[0] > 0 && fixed[1] > fixed[0]) {
                return new Scale(fixed[0], fixed[1], true);
            }
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (Series s : series) {
                for (double v : x ? s.x() : s.y()) {
                    if (Double.isFinite(v) && v > 0) {
                        lo = Math.min(lo, v);
                        hi = Math.max(hi, v);
                    }
                }
            }
            if (lo > hi) {
                return new Scale(1, 10, true);
            }
            if (lo == hi) {
                return new Scale(lo / Math.sqrt(10), hi * Math.sqrt(10), true);
            }
            return new Scale(lo, hi, true);
        }

        /** Whether v can be drawn on this axis: finite, and positive on a log axis. */
        boolean shows(double v) {
            return Double.isFinite(v) && (!log || v > 0);
        }

        /** Where v falls between lo (0) and hi (1). */
        double frac(double v) {
            if (!log) {
                return (v - lo) / (hi - lo);
            }
            double l = Math.log10(lo);
            return (Math.log10(v) - l) / (Math.log10(hi) - l);
        }

        List<Double> ticks() {
            return log ? logTicks(lo, hi) : ChartExport.ticks(lo, hi);
        }

        String label(double t) {
            return log ? logLabel(t) : ChartExport.label(t);
        }
    }

    /**
     * Tick values of a log axis over [lo, hi] (lo &gt; 0): the powers of ten inside it, or 1, 2
     * and 5 times them when fewer than two powers of ten fall inside, or linear ticks on a range
     * narrower than that.
     */
    static List<Double> logTicks(double lo, double hi) {
        for (double[] mantissas : new double[][] {{1}, {1, 2, 5}}) {
            List<Double> out = new ArrayList<>();
            for (int e = (int) Math.floor(Math.log10(lo)) - 1; e <= (int) Math.ceil(Math.log10(hi)); e++) {
                for (double m : mantissas) {
                    double t = Double.parseDouble(m + "E" + e); // exact decimal, no rounding from pow
                    if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) {
                        out.add(t);
                    }
                }
            }
            if (out.size() >= 2) {
                return out;
            }
        }
        return ticks(lo, hi).stream().filter(t -> t > 0).toList();
    }

    /** A log tick's label: plain decimal (0.001, 100) or, far from 1, scientific (1E-7, 1E+9). */
    static String logLabel(double t) {
        java.math.BigDecimal d = new java.math.BigDecimal(String.format(Locale.ROOT, "%.3g", t)).stripTrailingZeros();
        int exponent = d.precision() - d.scale() - 1;
        return exponent >= -4 && exponent < 9 ? d.toPlainString() : d.toString();
    }

    /** About five round tick values inside [lo, hi]. */
    static List<Double> ticks(double lo, double hi) {
        double raw = (hi - lo) / 5;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude * (raw / magnitude < 1.5 ? 1 : raw / magnitude < 3.5 ? 2 : raw / magnitude < 7.5 ? 5 : 10);
        List<Double> out = new ArrayList<>();
        for (double t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) {
            out.add(Math.abs(t) < step * 1e-9 ? 0.0 : t);
        }
        return out;
    }

    private static String label(double t) {
        return t == Math.rint(t) && Math.abs(t) < 1e9 ? Long.toString((long) t) : String.format(Locale.ROOT, "%.3g", t);
    }

    private static String text(double x, double y, String s, int size, String anchor, int rotate) {
        String transform = rotate == 0 ? "" : String.format(Locale.ROOT, " transform=\"rotate(%d %.1f %.1f)\"", rotate, x, y);
        return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\"%s>%s</text>%n", x, y,
                size, anchor, transform, escape(s));
    }

    private static String hex(RGB c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", c.red, c.green, c.blue);
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    /** The file name a chart exports to by default: its title, lower case, dashes. */
    public static String baseName(LineChart chart) {
        return baseName(chart.title());
    }

    public static String baseName(HeatmapChart chart) {
        return baseName(chart.title());
    }

    private static String baseName(String title) {
        String s = title.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return s.isEmpty() ? "chart" : s;
    }

    /** The matrix in long form, row-major: row, column, value (+ row_label, column_label). */
    public static void csv(HeatmapChart chart, Path file) throws IOException {
        boolean labels = chart.hasLabels();
        List<List<Object>> rows = new ArrayList<>();
        for (int r = 0; r < chart.rows(); r++) {
            for (int c = 0; c < chart.columns(); c++) {
                rows.add(labels ? List.of(r, c, chart.value(r, c), chart.rowLabel(r), chart.columnLabel(c))
                        : List.of(r, c, chart.value(r, c)));
            }
        }
        Csv.write(file, labels ? List.of("row", "column", "value", "row_label", "column_label") : List.of("row", "column", "value"),
                rows);
    }

    /**
     * A self-contained SVG of the heatmap: one rect per cell (its title the row, column and
     * value), class bands, block boundaries, the marked row, tick labels, axis titles and the
     * colour bar with its range.
     */
    public static String svg(HeatmapChart chart) {
        int rows = Math.max(chart.rows(), 1);
        int cols = Math.max(chart.columns(), 1);
        int left = 110;
        int top = 50;
        int bandGap = 14;
        int bandLeft = chart.rowClasses() == null ? 0 : bandGap;
        int bandTop = chart.columnClasses() == null ? 0 : bandGap;
        double cell = Math.min(560.0 / cols, 520.0 / rows);
        double plotW = cell * cols;
        double plotH = cell * rows;
        double x0 = left + bandLeft;
        double y0 = top + bandTop;
        int barX = (int) Math.ceil(x0 + plotW) + 30;
        int width = barX + 150;
        int[] classes = chart.classesShown();
        double barH = Math.min(plotH, 300);
        int height = (int) Math.ceil(Math.max(y0 + plotH + 70, top + barH + 48 + 18 * classes.length));
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">%n",
                width, height, width, height));
        sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        sb.append(text(width / 2.0, 24, chart.title(), 16, "middle", 0));
        sb.append("<g id=\"cells\" shape-rendering=\"crispEdges\">\n");
        for (int r = 0; r < chart.rows(); r++) {
            for (int c = 0; c < chart.columns(); c++) {
                sb.append(String.format(Locale.ROOT,
                        "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"><title>%s</title></rect>%n",
                        x0 + c * cell, y0 + r * cell, cell, cell, hex(chart.colour(chart.value(r, c))), escape(chart.tooltip(r, c))));
            }
        }
        sb.append("</g>\n");
        if (chart.rowClasses() != null) {
            int[] k = chart.rowClasses();
            for (int r = 0; r < k.length; r++) {
                sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.2f\" width=\"%d\" height=\"%.2f\" fill=\"%s\"/>%n", left,
                        y0 + r * cell, bandGap - 4, cell, hex(HeatmapChart.classColour(k[r]))));
            }
        }
        if (chart.columnClasses() != null) {
            int[] k = chart.columnClasses();
            for (int c = 0; c < k.length; c++) {
                sb.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"/>%n",
                        x0 + c * cell, top, cell, bandGap - 4, hex(HeatmapChart.classColour(k[c]))));
            }
        }
        for (int b : chart.rowBoundaries()) {
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#282828\" stroke-width=\"2\"/>%n",
                    x0, y0 + b * cell, x0 + plotW, y0 + b * cell));
        }
        for (int b : chart.columnBoundaries()) {
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\" stroke=\"#282828\" stroke-width=\"2\"/>%n",
                    x0 + b * cell, y0, x0 + b * cell, y0 + plotH));
        }
        if (chart.markedRow() >= 0) {
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" stroke=\"black\" stroke-width=\"3\"/>%n",
                    x0, y0 + chart.markedRow() * cell, plotW, cell));
            sb.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" stroke=\"white\" stroke-width=\"1\"/>%n",
                    x0 + 2.5, y0 + chart.markedRow() * cell + 2.5, plotW - 5, cell - 5));
        }
        sb.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"none\" stroke=\"#444\"/>%n", x0,
                y0, plotW, plotH));
        int rowStep = Math.max(1, (int) Math.ceil(14 / cell));
        for (int r = 0; r < chart.rows(); r += rowStep) {
            sb.append(text(left - 4, y0 + (r + 0.5) * cell + 4, chart.rowLabel(r), 11, "end", 0));
        }
        int colStep = Math.max(1, (int) Math.ceil(40 / cell));
        for (int c = 0; c < chart.columns(); c += colStep) {
            sb.append(text(x0 + (c + 0.5) * cell, y0 + plotH + 16, chart.columnLabel(c), 11, "middle", 0));
        }
        sb.append(text(x0 + plotW / 2, y0 + plotH + 40, chart.xTitle(), 13, "middle", 0));
        sb.append(text(18, y0 + plotH / 2, chart.yTitle(), 13, "middle", -90));
        sb.append(text(barX, top - 2, chart.valueTitle(), 12, "start", 0));
        int barTop = top + 14;
        int steps = 64;
        for (int i = 0; i < steps; i++) {
            double v = chart.high() - (i + 0.5) / steps * (chart.high() - chart.low());
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.2f\" width=\"16\" height=\"%.2f\" fill=\"%s\"/>%n", barX,
                    barTop + i * barH / steps, barH / steps + 0.5, hex(chart.colour(v))));
        }
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"16\" height=\"%.2f\" fill=\"none\" stroke=\"#444\"/>%n",
                barX, barTop, barH));
        double[] marks = chart.scale() == HeatmapChart.Scale.DIVERGING ? new double[] {chart.high(), 0, chart.low()}
                : new double[] {chart.high(), chart.low()};
        for (double v : marks) {
            double py = barTop + (chart.high() - v) / (chart.high() - chart.low()) * barH;
            sb.append(text(barX + 22, py + 4, HeatmapChart.format(v), 11, "start", 0));
        }
        double py = barTop + barH + 24;
        for (int k : classes) {
            sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%.2f\" width=\"12\" height=\"12\" fill=\"%s\"/>%n", barX, py - 10,
                    hex(HeatmapChart.classColour(k))));
            sb.append(text(barX + 16, py, k < 0 ? "unlabeled" : "class " + k, 11, "start", 0));
            py += 18;
        }
        return sb.append("</svg>\n").toString();
    }
}
