package org.layerwise.report.internal;

import java.awt.Rectangle;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import org.jfree.svg.SVGGraphics2D;
import org.layerwise.core.AtomicFiles;
import org.layerwise.io.Csv;

/** Writes a figure as name.svg, name.png and name.csv, each atomically. */
final class FigureFiles {

    /** The files written and the SVG element to inline into the page. */
    record Written(Path svg, Path png, Path csv, String svgElement) {
        List<Path> files() {
            return List.of(svg, png, csv);
        }
    }

    private FigureFiles() {
    }

    static Written write(Path dir, Figure f) throws IOException {
        SVGGraphics2D g = new SVGGraphics2D(f.width(), f.height());
        f.chart().draw(g, new Rectangle(0, 0, f.width(), f.height()));
        Path svg = dir.resolve(f.name() + ".svg");
        AtomicFiles.writeString(svg, g.getSVGDocument());
        String element = g.getSVGElement(f.name());

        Path png = dir.resolve(f.name() + ".png");
        BufferedImage image = f.chart().createBufferedImage(f.width(), f.height());
        AtomicFiles.write(png, out -> {
            if (!ImageIO.write(image, "png", out)) {
                throw new IOException("no PNG writer in this JVM");
            }
        });

        Path csv = dir.resolve(f.name() + ".csv");
        Csv.write(csv, f.columns(), f.rows());
        return new Written(svg, png, csv, element);
    }
}
