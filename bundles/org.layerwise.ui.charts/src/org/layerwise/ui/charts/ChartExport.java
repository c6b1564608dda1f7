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
import org.eclipse.swt.widgets.Control;
import org.layerwise.core.AtomicFiles;
import org.layerwise.figures.FigureFiles;
import org.layerwise.io.Csv;

/**
 * Writes a chart as PNG (what is on screen), SVG (vector, drawn from the chart's data by the
 * shared figure writer of org.layerwise.figures, as the report's figures are) and tidy CSV:
 * the plotted data next to every figure. A line chart's CSV has one row per point (series,
 * label, x, y; on a categorical x axis x is the category's name); a heatmap's is the matrix in
 * long form, one row per cell: row, column, value (0-based indices, row-major order), followed by
 * row_label and column_label when the chart labels its rows or columns. Every write is atomic.
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
        List<String> names = chart.categories();
        for (Series s : chart.series()) {
            for (int i = 0; i < s.x().length; i++) {
                double x = s.x()[i];
                boolean named = x == Math.rint(x) && x >= 0 && x < names.size();
                rows.add(List.of(s.id(), s.label(), named ? names.get((int) x) : x, s.y()[i]));
            }
        }
        Csv.write(file, List.of("series", "label", chart.xTitle(), chart.yTitle()), rows);
    }

    /**
     * The chart as an SVG document drawn by the shared figure writer ({@link FigureFiles}, JFreeChart
     * and JFreeSVG) from what the chart shows ({@link LineChart#figure()}): the same series,
     * colours, axis titles, log scales and ranges, and the marker line.
     */
    public static String svg(LineChart chart) {
        return FigureFiles.svg(chart.figure(), SVG_WIDTH, SVG_HEIGHT);
    }

    /**
     * The heatmap as an SVG document drawn by the shared figure writer from what it shows
     * ({@link HeatmapChart#figure()}): a group per cell naming its row, column and value, the
     * row and column labels, class bands, boundaries, the marked row and the colour bar.
     */
    public static String svg(HeatmapChart chart) {
        double cell = Math.min(560.0 / Math.max(chart.columns(), 1), 520.0 / Math.max(chart.rows(), 1));
        return FigureFiles.svg(chart.figure(), (int) Math.ceil(cell * Math.max(chart.columns(), 1)) + 330,
                (int) Math.ceil(cell * Math.max(chart.rows(), 1)) + 170);
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
}
