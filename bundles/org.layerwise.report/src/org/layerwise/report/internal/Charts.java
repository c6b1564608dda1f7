package org.layerwise.report.internal;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.Shape;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.DefaultDrawingSupplier;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYItemRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.XYDataset;

/** The report's chart style on top of JFreeChart: white plots, one palette, integer layer axes. */
final class Charts {

    /** Colour-blind-safe palette (Okabe and Ito). */
    static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73), new Color(0xCC79A7),
            new Color(0xE69F00), new Color(0x56B4E9), new Color(0xF0E442), new Color(0x000000)};

    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    private Charts() {
    }

    static Paint color(int i) {
        return PALETTE[i % PALETTE.length];
    }

    static JFreeChart chart(String title, Plot plot) {
        JFreeChart c = new JFreeChart(title, TITLE, plot, true);
        c.setBackgroundPaint(Color.WHITE);
        c.setAntiAlias(true);
        if (c.getLegend() != null) {
            c.getLegend().setPosition(RectangleEdge.BOTTOM);
            c.getLegend().setItemFont(LABEL);
        }
        return c;
    }

    static void subtitle(JFreeChart c, String text) {
        c.addSubtitle(new TextTitle(text, LABEL));
    }

    static XYPlot plot(XYDataset data, ValueAxis x, String yLabel, XYItemRenderer renderer) {
        NumberAxis y = new NumberAxis(yLabel);
        y.setAutoRangeIncludesZero(false);
        y.setLabelFont(LABEL);
        XYPlot p = new XYPlot(data, x, y, renderer);
        p.setBackgroundPaint(Color.WHITE);
        p.setDomainGridlinePaint(Color.LIGHT_GRAY);
        p.setRangeGridlinePaint(Color.LIGHT_GRAY);
        return p;
    }

    /** States after each layer: 0 is the input. */
    static final String STATE_LAYER = "layer (0 = input, t = after t attention layers)";
    /** The weights of each attention layer, 0-based. */
    static final String WEIGHT_LAYER = "attention layer (0-based)";

    static NumberAxis layerAxis(String label) {
        NumberAxis x = new NumberAxis(label);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setAutoRangeIncludesZero(true);
        x.setLabelFont(LABEL);
        return x;
    }

    /** Points joined by lines, each with its interval as an error bar. */
    static XYErrorRenderer intervals(boolean lines) {
        XYErrorRenderer r = new XYErrorRenderer();
        r.setDrawXError(false);
        r.setDefaultLinesVisible(lines);
        r.setDefaultShapesVisible(true);
        r.setErrorStroke(new BasicStroke(1.2f));
        r.setCapLength(6);
        return r;
    }

    static XYLineAndShapeRenderer lines() {
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, true);
        r.setDefaultStroke(new BasicStroke(1.5f));
        r.setAutoPopulateSeriesStroke(false);
        return r;
    }

    private static final Shape[] SHAPES = DefaultDrawingSupplier.createStandardSeriesShapes();

    /** Series i gets colour i and shape i, the same in every subplot. */
    static void colorSeries(XYItemRenderer r, int count) {
        for (int i = 0; i < count; i++) {
            r.setSeriesPaint(i, color(i));
            r.setSeriesShape(i, SHAPES[i % SHAPES.length]);
        }
    }

    /** One legend for subplots that all show the same series: the first subplot's. */
    static void sharedLegend(CombinedDomainXYPlot combined) {
        XYPlot first = combined.getSubplots().get(0);
        combined.setFixedLegendItems(first.getLegendItems());
    }
}
