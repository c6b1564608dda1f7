package org.layerwise.ui.charts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.DoubleConsumer;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swtchart.Chart;
import org.eclipse.swtchart.IAxis;
import org.eclipse.swtchart.ICustomPaintListener;
import org.eclipse.swtchart.ILineSeries;
import org.eclipse.swtchart.ILineSeries.PlotSymbolType;
import org.eclipse.swtchart.ISeries;
import org.eclipse.swtchart.ISeries.SeriesType;
import org.eclipse.swtchart.LineStyle;
import org.eclipse.swtchart.Range;
import org.layerwise.figures.XYChart;

/**
 * An SWTChart line chart that keeps the data it shows, so that every chart can be exported
 * (PNG, SVG, CSV) and read back by tests. Axis titles carry their units.
 * <p>
 * A chart may show one vertical marker line at an x value (the focused layer, say): it is
 * drawn on screen and therefore in PNG exports, and into SVG exports; it is not data and is not
 * in CSV exports. Click listeners hear the x value, in data coordinates, of a left click in the
 * plot area. Points whose x or y is not finite are kept in {@link #series()} (and exports) but
 * not handed to SWTChart, which cannot scale an axis around NaN.
 * <p>
 * Besides the marker it may show {@linkplain Mark marks}: labelled dashed vertical lines at
 * events on the x axis (the step a split was learnt, say), drawn on screen and into SVG exports.
 */
public final class LineChart {

    private final Chart chart;
    private final List<Series> series = new ArrayList<>();
    private final Map<RGB, Color> colours = new HashMap<>();
    private String xTitle = "";
    private String yTitle = "";
    private double[] xRange;
    private double[] yRange;
    private double marker = Double.NaN;
    private List<Mark> marks = List.of();
    private boolean integerX;
    private List<String> categories = List.of();
    private final List<DoubleConsumer> clickListeners = new CopyOnWriteArrayList<>();

    /** A labelled vertical line at x, dashed in its colour; not data, so not in CSV exports. */
    public record Mark(double x, String label, RGB colour) {
    }

    /** SWTChart's own pixels between tick marks. */
    private static final int DEFAULT_TICK_STEP = 64;

    /** The colour of the marker line (dark grey, neutral to every series colour). */
    public static final RGB MARKER_COLOUR = new RGB(90, 90, 90);

    public LineChart(Composite parent, String title, String xTitle, String yTitle) {
        chart = new Chart(parent, SWT.NONE);
        chart.setBackground(parent.getDisplay().getSystemColor(SWT.COLOR_WHITE));
        chart.setBackgroundInPlotArea(parent.getDisplay().getSystemColor(SWT.COLOR_WHITE));
        setTitles(title, xTitle, yTitle);
        chart.getLegend().setPosition(SWT.BOTTOM);
        chart.addDisposeListener(e -> colours.values().forEach(Color::dispose));
        chart.getPlotArea().addCustomPaintListener(new ICustomPaintListener() {
            @Override
            public void paintControl(org.eclipse.swt.events.PaintEvent e) {
                drawMarker(e.gc);
            }

            @Override
            public boolean drawBehindSeries() {
                return false;
            }
        });
        chart.getPlotArea().getControl().addListener(SWT.MouseUp, e -> {
            if (e.button == 1 && !clickListeners.isEmpty()) {
                double x = xAxis().getDataCoordinate(e.x);
                clickListeners.forEach(l -> l.accept(x));
            }
        });
    }

    private IAxis xAxis() {
        return chart.getAxisSet().getXAxis(0);
    }

    private void drawMarker(org.eclipse.swt.graphics.GC gc) {
        Range r = xAxis().getRange();
        int width = chart.getPlotArea().getSize().x;
        int height = chart.getPlotArea().getSize().y;
        int row = 0;
        for (Mark m : marks) {
            if (inside(m.x(), r)) {
                int px = xAxis().getPixelCoordinate(m.x());
                Color c = colours.computeIfAbsent(m.colour(), rgb -> new Color(chart.getDisplay(), rgb));
                gc.setForeground(c);
                gc.setLineWidth(1);
                gc.setLineStyle(SWT.LINE_DASH);
                gc.drawLine(px, 0, px, height);
                // each label on its own line, left of its mark where it would run past the edge
                org.eclipse.swt.graphics.Point extent = gc.textExtent(m.label());
                int tx = px + 3 + extent.x > width ? px - 3 - extent.x : px + 3;
                gc.drawText(m.label(), Math.max(0, tx), 2 + row++ * (extent.y + 1), true);
            }
        }
        if (!inside(marker, r)) {
            return;
        }
        int px = xAxis().getPixelCoordinate(marker);
        Color c = colours.computeIfAbsent(MARKER_COLOUR, rgb -> new Color(chart.getDisplay(), rgb));
        gc.setForeground(c);
        gc.setLineWidth(2);
        gc.setLineStyle(SWT.LINE_SOLID);
        gc.drawLine(px, 0, px, height);
    }

    private static boolean inside(double x, Range r) {
        return !Double.isNaN(x) && x >= r.lower && x <= r.upper;
    }

    /** The plot area (where clicks are heard and the marker is drawn). */
    public Control plotArea() {
        return chart.getPlotArea().getControl();
    }

    /** The pixel column of x in the plot area at the chart's current size and range. */
    public int pixelOf(double x) {
        return xAxis().getPixelCoordinate(x);
    }

    /** Shows the vertical marker line at x (NaN: none). */
    public void setMarker(double x) {
        if (Double.compare(x, marker) != 0) {
            marker = x;
            chart.redraw();
            plotArea().redraw();
        }
    }

    /** The marker's x value, NaN when there is none. */
    public double marker() {
        return marker;
    }

    /** Replaces the marks (empty: none). */
    public void setMarks(List<Mark> marks) {
        this.marks = List.copyOf(marks);
        chart.redraw();
        plotArea().redraw();
    }

    /** The marks shown, in the order given. */
    public List<Mark> marks() {
        return marks;
    }

    /** Hears the x value (data coordinates) of every left click in the plot area. */
    public void addClickListener(DoubleConsumer listener) {
        clickListeners.add(listener);
    }

    /**
     * Pins the y axis to [lo, hi] whatever the data (e.g. 0 to 100 for a percentage); the x axis
     * still follows the data.
     */
    public void setYRange(double lo, double hi) {
        yRange = new double[] {lo, hi};
        applyRange();
        chart.redraw();
    }

    public Chart control() {
        return chart;
    }

    public void setTitles(String title, String x, String y) {
        this.xTitle = x;
        this.yTitle = y;
        chart.getTitle().setText(title);
        chart.getAxisSet().getXAxis(0).getTitle().setText(x);
        chart.getAxisSet().getYAxis(0).getTitle().setText(y);
    }

    public String title() {
        return chart.getTitle().getText();
    }

    public String xTitle() {
        return xTitle;
    }

    public String yTitle() {
        return yTitle;
    }

    /** Replaces everything shown by these series and rescales the axes. */
    public void show(List<Series> data) {
        chart.suspendUpdate(true);
        try {
            for (ISeries<?> s : chart.getSeriesSet().getSeries()) {
                chart.getSeriesSet().deleteSeries(s.getId());
            }
            series.clear();
            for (Series s : data) {
                add(s);
            }
            applyRange();
        } finally {
            chart.suspendUpdate(false);
        }
        chart.redraw();
    }

    /** Replaces the data of one existing series in place (live curves). */
    public void update(String id, double[] x, double[] y) {
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            if (s.id().equals(id)) {
                Series next = new Series(id, s.label(), x, y, s.colour(), s.dashed(), s.band(), s.marker());
                series.set(i, next);
                ISeries<?> shown = chart.getSeriesSet().getSeries(id);
                double[][] xy = finite(next.x(), next.y());
                shown.setXSeries(xy[0]);
                shown.setYSeries(xy[1]);
                ((ILineSeries<?>) shown).setSymbolType(symbol(next));
                applyRange();
                chart.redraw();
                return;
            }
        }
        throw new IllegalArgumentException("no series '" + id + "' in chart '" + title() + "'");
    }

    private void add(Series s) {
        ILineSeries<?> line = (ILineSeries<?>) chart.getSeriesSet().createSeries(SeriesType.LINE, s.id());
        line.setDescription(s.label());
        double[][] xy = finite(s.x(), s.y());
        line.setXSeries(xy[0]);
        line.setYSeries(xy[1]);
        Color c = colours.computeIfAbsent(s.colour(), rgb -> new Color(chart.getDisplay(), rgb));
        line.setLineColor(c);
        line.setSymbolColor(c);
        line.setLineStyle(s.scatter() ? LineStyle.NONE : s.dashed() ? LineStyle.DASH : LineStyle.SOLID);
        line.setLineWidth(s.band() ? 1 : 2);
        line.setSymbolType(symbol(s));
        line.setSymbolSize(s.scatter() ? s.marker().size() : 3);
        line.setVisibleInLegend(!s.band());
        line.setAntialias(SWT.ON);
        series.add(s);
    }

    private static PlotSymbolType symbol(Series s) {
        if (s.scatter()) {
            return PlotSymbolType.valueOf(s.marker().shape().name());
        }
        return s.band() || s.x().length > 40 ? PlotSymbolType.NONE : PlotSymbolType.CIRCLE;
    }

    /** The points whose x and y are both finite. */
    private static double[][] finite(double[] x, double[] y) {
        int n = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                n++;
            }
        }
        if (n == x.length) {
            return new double[][] {x, y};
        }
        double[][] out = new double[2][n];
        int k = 0;
        for (int i = 0; i < x.length; i++) {
            if (Double.isFinite(x[i]) && Double.isFinite(y[i])) {
                out[0][k] = x[i];
                out[1][k++] = y[i];
            }
        }
        return out;
    }

    /**
     * Keeps the axes at these ranges whatever is shown (a frame that stays put while the data
     * changes, e.g. across layers); exports use the same ranges.
     */
    public void fixRange(double xLow, double xHigh, double yLow, double yHigh) {
        if (!(xLow < xHigh) || !(yLow < yHigh)) {
            throw new IllegalArgumentException("empty range [" + xLow + ", " + xHigh + "] x [" + yLow + ", " + yHigh + "]");
        }
        xRange = new double[] {xLow, xHigh};
        yRange = new double[] {yLow, yHigh};
        applyRange();
        chart.redraw();
    }

    /** Fits the axes to the data again (the default). */
    public void autoRange() {
        xRange = null;
        yRange = null;
        applyRange();
        chart.redraw();
    }

    /** The fixed x range (low, high), or null when the x axis fits the data. */
    public double[] xRange() {
        return xRange == null ? null : xRange.clone();
    }

    /** The fixed y range (low, high), or null when the y axis fits the data. */
    public double[] yRange() {
        return yRange == null ? null : yRange.clone();
    }

    private void applyRange() {
        chart.getAxisSet().adjustRange();
        if (xRange != null) {
            chart.getAxisSet().getXAxis(0).setRange(new Range(xRange[0], xRange[1]));
        }
        if (yRange != null) {
            chart.getAxisSet().getYAxis(0).setRange(new Range(yRange[0], yRange[1]));
        }
    }

    /**
     * Labels the x axis only at whole numbers (layers, steps): a fractional layer means nothing.
     */
    public void integerXAxis() {
        integerXAxis(true);
    }

    /** Whole-number x labels only (true), or SWTChart's decimal labels again (false). */
    public void integerXAxis(boolean on) {
        integerX = on;
        chart.getAxisSet().getXAxis(0).getTick().setFormat(on ? new IntegerFormat() : null);
        chart.getAxisSet().getXAxis(0).getTick().setTickMarkStepHint(on ? 80 : DEFAULT_TICK_STEP);
    }

    /**
     * Makes the x axis categorical: the names stand at x = 0, 1, 2, ... (enforcers, backends: values
     * without an order), in exports too; an empty list makes it numeric again.
     */
    public void categoryXAxis(List<String> names) {
        categories = List.copyOf(names);
        IAxis x = xAxis();
        if (!categories.isEmpty()) {
            x.setCategorySeries(categories.toArray(String[]::new));
        }
        x.enableCategory(!categories.isEmpty());
        applyRange();
        chart.redraw();
    }

    /** The names of a categorical x axis at 0, 1, 2, ... (empty: the axis is numeric). */
    public List<String> categories() {
        return categories;
    }

    /** Formats whole numbers as integers and everything else as nothing. */
    private static final class IntegerFormat extends java.text.Format {
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(Object obj, StringBuffer to, java.text.FieldPosition pos) {
            double v = ((Number) obj).doubleValue();
            if (Math.abs(v - Math.rint(v)) < 1e-9) {
                to.append((long) Math.rint(v));
            }
            return to;
        }

        /** SWTChart parses the labels back to place them; an empty label does not parse. */
        @Override
        public Object parseObject(String source, java.text.ParsePosition pos) {
            try {
                double v = Long.parseLong(source.substring(pos.getIndex()).trim());
                pos.setIndex(source.length());
                return v;
            } catch (NumberFormatException e) {
                pos.setErrorIndex(pos.getIndex());
                return null;
            }
        }
    }

    /** What the chart shows, in drawing order. */
    public List<Series> series() {
        return Collections.unmodifiableList(series);
    }

    /**
     * What the chart shows as a figure model: its series in their colours, lines and symbols,
     * both axes with their titles, log scales and current ranges, the marks and the marker line; for
     * {@link ChartExport}'s SVG.
     */
    public XYChart figure() {
        XYChart.Panel panel = XYChart.Panel.of(axis(chart.getAxisSet().getYAxis(0), yTitle, false),
                series.stream().map(LineChart::figure).toList());
        Range r = xAxis().getRange();
        for (Mark m : marks) {
            if (inside(m.x(), r)) {
                panel = panel.withMarker(new XYChart.Marker(true, m.x(), Palette.figures(m.colour()), XYChart.Line.dashed(1), m.label()));
            }
        }
        if (inside(marker, r)) {
            panel = panel.withMarker(XYChart.Marker.atX(marker, Palette.figures(MARKER_COLOUR), XYChart.Line.solid(2)));
        }
        return XYChart.of(title(), categories.isEmpty() ? axis(xAxis(), xTitle, integerX) : XYChart.Axis.categories(xTitle, categories),
                panel);
    }

    private static XYChart.Axis axis(IAxis axis, String title, boolean integer) {
        XYChart.Axis a = axis.isLogScaleEnabled() ? XYChart.Axis.log(title) : XYChart.Axis.linear(title);
        Range r = axis.getRange();
        a = r.lower < r.upper ? a.withRange(r.lower, r.upper) : a;
        return integer ? a.withIntegerTicks() : a;
    }

    /** A series as drawn on screen: a band thin and dashed and not in the legend, a scatter as its marker. */
    private static XYChart.Series figure(Series s) {
        XYChart.Line line = s.scatter() ? null : s.band() ? new XYChart.Line(1, new double[] {6, 4})
                : s.dashed() ? XYChart.Line.dashed(2) : XYChart.Line.solid(2);
        XYChart.Symbol symbol = s.scatter() ? new XYChart.Symbol(XYChart.Shape.valueOf(s.marker().shape().name()), s.marker().size())
                : symbol(s) == PlotSymbolType.CIRCLE ? new XYChart.Symbol(XYChart.Shape.CIRCLE, 3) : null;
        return new XYChart.Series(s.id(), s.label(), s.x(), s.y(), null, null, Palette.figures(s.colour()), line, symbol, !s.band());
    }
}
