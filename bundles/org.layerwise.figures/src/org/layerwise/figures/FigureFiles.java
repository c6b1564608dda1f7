package org.layerwise.figures;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.jfree.chart.JFreeChart;
import org.jfree.svg.SVGGraphics2D;
import org.layerwise.core.AtomicFiles;
import org.layerwise.figures.internal.JFreeCharts;
import org.layerwise.io.Csv;

/**
 * Draws a {@link Chart} with JFreeChart and writes it as SVG (JFreeSVG), PNG and the tidy CSV
 * of the plotted numbers, each file atomically. In the SVG every series, reference line and
 * heatmap cell is a group that names what it shows (class series-line, series-symbols, marker,
 * cell; data-series, data-label, data-row, data-column, data-value), so that a reader finds the
 * plotted data without guessing from colours.
 */
public final class FigureFiles {

    static {
        // Figures are drawn off-screen: AWT must start headless unless someone chose otherwise.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** The files written and the SVG element to inline into a page. */
    public record Written(Path svg, Path png, Path csv, String svgElement) {
        public List<Path> files() {
            return List.of(svg, png, csv);
        }
    }

    private FigureFiles() {
    }

    /** The &lt;svg&gt; element of the chart drawn at width x height, its id the given one. */
    public static String svgElement(Chart chart, int width, int height, String id) {
        JFreeChart c = JFreeCharts.of(chart);
        SVGGraphics2D g = new SVGGraphics2D(width, height);
        c.draw(g, new Rectangle(0, 0, width, height));
        return g.getSVGElement(id);
    }

    /** A standalone SVG document of the chart (no DOCTYPE, so no reader fetches a DTD). */
    public static String svg(Chart chart, int width, int height) {
        return document(svgElement(chart, width, height, null));
    }

    public static void writeSvg(Path file, Chart chart, int width, int height) throws IOException {
        AtomicFiles.writeString(file, svg(chart, width, height));
    }

    public static void writePng(Path file, Chart chart, int width, int height) throws IOException {
        BufferedImage image = JFreeCharts.of(chart).createBufferedImage(width, height);
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer in this JVM");
            }
        });
    }

    /** name.svg, name.png and name.csv (the plotted numbers: columns and rows) in dir. */
    public static Written write(Path dir, String name, Chart chart, int width, int height, List<String> columns,
            List<? extends List<?>> rows) throws IOException {
        String element = svgElement(chart, width, height, name);
        Path svg = dir.resolve(name + ".svg");
        AtomicFiles.writeString(svg, document(element));
        Path png = dir.resolve(name + ".png");
        writePng(png, chart, width, height);
        Path csv = dir.resolve(name + ".csv");
        Csv.write(csv, columns, rows);
        return new Written(svg, png, csv, element);
    }

    private static String document(String element) {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + element + "\n";
    }
}
