package org.layerwise.ui.charts;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swtchart.Chart;
import org.eclipse.swtchart.ILineSeries;
import org.eclipse.swtchart.ILineSeries.PlotSymbolType;
import org.eclipse.swtchart.ISeries;
import org.eclipse.swtchart.ISeries.SeriesType;
import org.eclipse.swtchart.LineStyle;

/**
 * An SWTChart line chart that keeps the data it shows, so that every chart can be exported
 * (PNG, SVG, CSV) and read back by tests. Axis titles carry their units.
 */
public final class LineChart {

    private final Chart chart;
    private final List<Series> series = new ArrayList<>();
    private final Map<RGB, Color> colours = new HashMap<>();
    private String xTitle = "";
    private String yTitle = "";
    private double[] xRange;
    private double[] yRange;

    public LineChart(Composite parent, String title, String xTitle, String yTitle) {
        chart = new Chart(parent, SWT.NONE);
        chart.setBackground(parent.getDisplay().getSystemColor(SWT.COLOR_WHITE));
        chart.setBackgroundInPlotArea(parent.getDisplay().getSystemColor(SWT.COLOR_WHITE));
        setTitles(title, xTitle, yTitle);
        chart.getLegend().setPosition(SWT.BOTTOM);
        chart.addDisposeListener(e -> colours.values().forEach(Color::dispose));
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
                shown.setXSeries(next.x());
                shown.setYSeries(next.y());
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
        line.setXSeries(s.x());
        line.setYSeries(s.y());
        Color c = colours.computeIfAbsent(s.colour(), rgb -> new Color(chart.getDisplay(), rgb));
        line.setLineColor(c);
        line.setSymbolColor(c);
        line.setLineStyle(s.scatter() ? LineStyle.NONE : s.dashed() ? LineStyle.DASH : LineStyle.SOLID);
        line.setLineWidth(s.band() ? 1 : 2);
        if (s.scatter()) {
            line.setSymbolType(PlotSymbolType.valueOf(s.marker().shape().name()));
            line.setSymbolSize(s.marker().size());
        } else {
            line.setSymbolType(s.band() || s.x().length > 40 ? PlotSymbolType.NONE : PlotSymbolType.CIRCLE);
            line.setSymbolSize(3);
        }
        line.setVisibleInLegend(!s.band());
        line.setAntialias(SWT.ON);
        series.add(s);
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

    /** The fixed x range (low, high), or null when the axes fit the data. */
    public double[] xRange() {
        return xRange == null ? null : xRange.clone();
    }

    /** The fixed y range (low, high), or null when the axes fit the data. */
    public double[] yRange() {
        return yRange == null ? null : yRange.clone();
    }

    private void applyRange() {
        chart.getAxisSet().adjustRange();
        if (xRange != null) {
            chart.getAxisSet().getXAxis(0).setRange(new org.eclipse.swtchart.Range(xRange[0], xRange[1]));
            chart.getAxisSet().getYAxis(0).setRange(new org.eclipse.swtchart.Range(yRange[0], yRange[1]));
        }
    }

    /**
     * Labels the x axis only at whole numbers (layers, steps): a fractional layer means nothing.
     */
    public void integerXAxis() {
        chart.getAxisSet().getXAxis(0).getTick().setFormat(new IntegerFormat());
        chart.getAxisSet().getXAxis(0).getTick().setTickMarkStepHint(80);
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
}
