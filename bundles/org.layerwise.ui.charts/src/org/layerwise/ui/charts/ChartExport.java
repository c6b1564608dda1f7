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
import org.layerwise.core.AtomicFiles;
import org.layerwise.io.Csv;

/**
 * Writes a chart as PNG (what is on screen), SVG (vector, drawn from the data) and tidy CSV
 * (series, label, x, y): the plotted data next to every figure. Every write is atomic.
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

    /** The chart as rendered on screen, at its current size. */
    public static void png(LineChart chart, Path file) throws IOException {
        Point size = chart.control().getSize();
        if (size.x <= 0 || size.y <= 0) {
            throw new IOException("chart '" + chart.title() + "' has no size on screen yet");
        }
        Image image = new Image(chart.control().getDisplay(), size.x, size.y);
        try {
            GC gc = new GC(image);
            try {
                chart.control().print(gc);
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

    /** A self-contained SVG of the series with axes, ticks, titles and a legend. */
    public static String svg(LineChart chart) {
        double[] xr = range(chart.series(), true);
        double[] yr = range(chart.series(), false);
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
        for (double t : ticks(xr[0], xr[1])) {
            double px = MARGIN_LEFT + (t - xr[0]) / (xr[1] - xr[0]) * plotW;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#444\"/>%n", px,
                    MARGIN_TOP + plotH, px, MARGIN_TOP + plotH + 5));
            sb.append(text(px, MARGIN_TOP + plotH + 20, label(t), 12, "middle", 0));
        }
        for (double t : ticks(yr[0], yr[1])) {
            double py = MARGIN_TOP + plotH - (t - yr[0]) / (yr[1] - yr[0]) * plotH;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#444\"/>%n",
                    MARGIN_LEFT - 5, py, MARGIN_LEFT, py));
            sb.append(text(MARGIN_LEFT - 8, py + 4, label(t), 12, "end", 0));
        }
        sb.append(text(MARGIN_LEFT + plotW / 2.0, SVG_HEIGHT - 18, chart.xTitle(), 13, "middle", 0));
        sb.append(text(20, MARGIN_TOP + plotH / 2.0, chart.yTitle(), 13, "middle", -90));
        for (Series s : chart.series()) {
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.x()[i]) || !Double.isFinite(s.y()[i])) {
                    continue;
                }
                double px = MARGIN_LEFT + (s.x()[i] - xr[0]) / (xr[1] - xr[0]) * plotW;
                double py = MARGIN_TOP + plotH - (s.y()[i] - yr[0]) / (yr[1] - yr[0]) * plotH;
                points.append(String.format(Locale.ROOT, "%.2f,%.2f ", px, py));
            }
            sb.append(String.format(Locale.ROOT, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"%d\"%s points=\"%s\"><title>%s</title></polyline>%n",
                    hex(s.colour()), s.band() ? 1 : 2, s.dashed() ? " stroke-dasharray=\"6,4\"" : "", points.toString().trim(),
                    escape(s.label())));
        }
        double marker = chart.marker();
        if (marker >= xr[0] && marker <= xr[1]) { // the focused x (LineChart.setMarker); NaN fails both tests
            double px = MARGIN_LEFT + (marker - xr[0]) / (xr[1] - xr[0]) * plotW;
            sb.append(String.format(Locale.ROOT, "<line class=\"marker\" x1=\"%.2f\" y1=\"%d\" x2=\"%.2f\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n",
                    px, MARGIN_TOP, px, MARGIN_TOP + plotH, hex(LineChart.MARKER_COLOUR)));
        }
        int row = 0;
        for (Series s : chart.series()) {
            if (s.band()) {
                continue;
            }
            double y = SVG_HEIGHT + 20 * row++;
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2\"%s/>%n",
                    MARGIN_LEFT, y - 4, MARGIN_LEFT + 30, y - 4, hex(s.colour()), s.dashed() ? " stroke-dasharray=\"6,4\"" : ""));
            sb.append(text(MARGIN_LEFT + 38, y, s.label(), 12, "start", 0));
        }
        return sb.append("</svg>\n").toString();
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
        String s = chart.title().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return s.isEmpty() ? "chart" : s;
    }
}
