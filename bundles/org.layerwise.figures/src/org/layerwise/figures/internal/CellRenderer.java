package org.layerwise.figures.internal;

import java.awt.Graphics2D;
import java.awt.Paint;
import java.awt.geom.Rectangle2D;

import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CrosshairState;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYItemRendererState;
import org.jfree.data.xy.XYDataset;
import org.layerwise.figures.Heatmap;

/** A heatmap's cells: one SVG group per cell naming its row, column and value, all inside the group "cells". */
final class CellRenderer extends XYBlockRenderer {

    private static final long serialVersionUID = 1L;

    private final transient Heatmap heatmap;

    CellRenderer(Heatmap heatmap) {
        this.heatmap = heatmap;
        setPaintScale(new Scale(heatmap));
    }

    @Override
    public void drawItem(Graphics2D g2, XYItemRendererState state, Rectangle2D dataArea, PlotRenderingInfo info, XYPlot plot,
            ValueAxis domainAxis, ValueAxis rangeAxis, XYDataset dataset, int series, int item, CrosshairState crosshairState, int pass) {
        if (item == state.getFirstItemIndex()) {
            SvgGroups.begin(g2, "id", "cells");
        }
        int row = item / heatmap.columns();
        int column = item % heatmap.columns();
        double v = heatmap.value(row, column);
        SvgGroups.begin(g2, "class", "cell", "data-row", Integer.toString(row), "data-column", Integer.toString(column), "data-value",
                Double.toString(v));
        SvgGroups.title(g2, heatmap.rowLabel(row) + ", " + heatmap.columnLabel(column) + ": " + Heatmap.format(v));
        super.drawItem(g2, state, dataArea, info, plot, domainAxis, rangeAxis, dataset, series, item, crosshairState, pass);
        SvgGroups.end(g2);
        if (item == state.getLastItemIndex()) {
            SvgGroups.end(g2);
        }
    }

    /** The heatmap's colour scale; values outside [low, high] take the end colours. */
    private record Scale(Heatmap h) implements PaintScale {
        @Override
        public double getLowerBound() {
            return h.low();
        }

        @Override
        public double getUpperBound() {
            return h.high();
        }

        @Override
        public Paint getPaint(double value) {
            return JFreeCharts.cellPaint(h, value);
        }
    }
}
