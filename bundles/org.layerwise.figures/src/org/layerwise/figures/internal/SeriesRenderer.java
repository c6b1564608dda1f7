package org.layerwise.figures.internal;

import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.util.List;

import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CrosshairState;
import org.jfree.chart.plot.Marker;
import org.jfree.chart.plot.PlotRenderingInfo;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYItemRendererState;
import org.jfree.data.DomainOrder;
import org.jfree.data.general.DatasetChangeListener;
import org.jfree.data.general.DatasetGroup;
import org.jfree.data.xy.XYDataset;
import org.layerwise.figures.XYChart.Series;

/**
 * Lines, symbols and error bars of a panel's series. Each series is drawn as one path (not a
 * segment per point), in an SVG group per pass that names it; only series with intervals get
 * error bars; reference lines are groups of class marker.
 */
final class SeriesRenderer extends XYErrorRenderer {

    private static final long serialVersionUID = 1L;

    private final transient List<Series> series;

    SeriesRenderer(List<Series> series) {
        this.series = series;
        setDrawXError(false);
        setDrawSeriesLineAsPath(true);
        setDrawOutlines(false);
        setErrorStroke(new java.awt.BasicStroke(1.2f));
        setCapLength(6);
        setAutoPopulateSeriesStroke(false);
        setAutoPopulateSeriesShape(false);
        setAutoPopulateSeriesPaint(false);
    }

    @Override
    public void drawItem(Graphics2D g2, XYItemRendererState state, Rectangle2D dataArea, PlotRenderingInfo info, XYPlot plot,
            ValueAxis domainAxis, ValueAxis rangeAxis, XYDataset dataset, int s, int item, CrosshairState crosshairState, int pass) {
        Series model = series.get(s);
        if (item == state.getFirstItemIndex()) {
            SvgGroups.begin(g2, "class", pass == 0 ? "series-line" : "series-symbols", "data-series", model.id(), "data-label",
                    model.label());
        }
        // The error renderer draws bars for every series of an interval dataset: hide the intervals of those without.
        XYDataset shown = pass == 0 && !model.hasIntervals() ? new PointsOnly(dataset) : dataset;
        super.drawItem(g2, state, dataArea, info, plot, domainAxis, rangeAxis, shown, s, item, crosshairState, pass);
        if (item == state.getLastItemIndex()) {
            SvgGroups.end(g2);
        }
    }

    @Override
    public void drawDomainMarker(Graphics2D g2, XYPlot plot, ValueAxis axis, Marker marker, Rectangle2D dataArea) {
        SvgGroups.begin(g2, "class", "marker", "data-axis", "x", "data-value", value(marker));
        super.drawDomainMarker(g2, plot, axis, marker, dataArea);
        SvgGroups.end(g2);
    }

    @Override
    public void drawRangeMarker(Graphics2D g2, XYPlot plot, ValueAxis axis, Marker marker, Rectangle2D dataArea) {
        SvgGroups.begin(g2, "class", "marker", "data-axis", "y", "data-value", value(marker));
        super.drawRangeMarker(g2, plot, axis, marker, dataArea);
        SvgGroups.end(g2);
    }

    private static String value(Marker m) {
        return m instanceof ValueMarker v ? Double.toString(v.getValue()) : "";
    }

    /** The same points seen as a plain XY dataset (no intervals). */
    private record PointsOnly(XYDataset data) implements XYDataset {
        @Override
        public DomainOrder getDomainOrder() {
            return data.getDomainOrder();
        }

        @Override
        public int getItemCount(int s) {
            return data.getItemCount(s);
        }

        @Override
        public Number getX(int s, int item) {
            return data.getX(s, item);
        }

        @Override
        public double getXValue(int s, int item) {
            return data.getXValue(s, item);
        }

        @Override
        public Number getY(int s, int item) {
            return data.getY(s, item);
        }

        @Override
        public double getYValue(int s, int item) {
            return data.getYValue(s, item);
        }

        @Override
        public int getSeriesCount() {
            return data.getSeriesCount();
        }

        @SuppressWarnings("rawtypes")
        @Override
        public Comparable getSeriesKey(int s) {
            return data.getSeriesKey(s);
        }

        @SuppressWarnings("rawtypes")
        @Override
        public int indexOf(Comparable key) {
            return data.indexOf(key);
        }

        @Override
        public void addChangeListener(DatasetChangeListener listener) {
        }

        @Override
        public void removeChangeListener(DatasetChangeListener listener) {
        }

        @Override
        public DatasetGroup getGroup() {
            return data.getGroup();
        }

        @Override
        public void setGroup(DatasetGroup group) {
        }
    }
}
