package org.layerwise.sweep.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;

import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swtchart.IAxis;
import org.layerwise.sweep.aggregate.Interval;
import org.layerwise.sweep.aggregate.SweepSummary;
import org.layerwise.sweep.aggregate.SweepTable;
import org.layerwise.ui.charts.ChartExportMenu;
import org.layerwise.ui.charts.LineChart;
import org.layerwise.ui.charts.Palette;
import org.layerwise.ui.charts.Series;

/**
 * The chart of a {@link SweepChoice}: per line the mean across seeds with markers and its
 * interval as a band in a tint of the line's colour. An axis whose values are all numbers is
 * drawn to scale (log10 when {@code Axis.logScale()} says so, as in report.html; labelled at
 * whole numbers only when its values are all whole, layers say); any other axis is categorical,
 * its values in the sweep's order. A left click on a marker hands its line and cell to the point
 * listener.
 */
final class SweepChart {

    /** How near (pixels) a click must be to a marker to choose it. */
    static final int PICK_RADIUS = 8;

    /** A marker as drawn: its line and cell, and where it sits in data coordinates. */
    record Plotted(SweepSummary.Line line, SweepSummary.Cell cell, double x, double y) {
    }

    private final LineChart chart;
    private final List<Plotted> plotted = new ArrayList<>();
    private BiConsumer<SweepSummary.Line, SweepSummary.Cell> pointListener = (l, c) -> {
    };

    SweepChart(Composite parent) {
        chart = new LineChart(parent, "", "", "");
        ChartExportMenu.attach(chart);
        chart.plotArea().addListener(SWT.MouseUp, e -> {
            if (e.button == 1) {
                Plotted p = pick(e.x, e.y);
                if (p != null) {
                    pointListener.accept(p.line(), p.cell());
                }
            }
        });
    }

    LineChart lineChart() {
        return chart;
    }

    void onPoint(BiConsumer<SweepSummary.Line, SweepSummary.Cell> listener) {
        pointListener = listener;
    }

    /** The markers drawn, line by line. */
    List<Plotted> plotted() {
        return List.copyOf(plotted);
    }

    void show(SweepTable table, SweepChoice choice, List<SweepSummary.Line> lines) {
        plotted.clear();
        IAxis x = chart.control().getAxisSet().getXAxis(0);
        x.enableLogScale(false);
        if (choice.metric() == null || choice.xAxis() == null) {
            chart.categoryXAxis(List.of());
            chart.setTitles(choice.metric() == null ? "No metric in this sweep" : "No axis in this sweep", "", "");
            chart.show(List.of());
            return;
        }
        List<String> values = SweepChoice.valuesOf(table, choice.xAxis());
        boolean numeric = table.axis(choice.xAxis()).numeric();
        List<Series> series = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            SweepSummary.Line line = lines.get(i);
            int n = line.cells().size();
            double[] px = new double[n];
            double[] mean = new double[n];
            double[] low = new double[n];
            double[] high = new double[n];
            for (int k = 0; k < n; k++) {
                SweepSummary.Cell c = line.cells().get(k);
                px[k] = numeric ? c.xNumeric() : values.indexOf(c.x());
                mean[k] = c.mean();
                low[k] = c.lower();
                high[k] = c.upper();
                plotted.add(new Plotted(line, c, px[k], c.mean()));
            }
            String label = choice.seriesAxis() == null ? choice.metric() : choice.seriesAxis() + " = " + line.series();
            String id = choice.seriesAxis() == null ? "mean" : "mean_" + line.series();
            series.add(Series.line(id, label, px, mean, Palette.categorical(i)));
            for (Series band : Series.band(id, label, px, low, high, Palette.categorical(i))) {
                series.add(band);
            }
        }
        chart.categoryXAxis(numeric ? List.of() : values);
        chart.integerXAxis(numeric && plotted.stream().allMatch(p -> p.x() == Math.rint(p.x())));
        boolean log = table.axis(choice.xAxis()).logScale();
        chart.setTitles(choice.metric() + " against " + choice.xAxis() + " (" + intervalName(choice.interval()) + ")",
                choice.xAxis() + (log ? " (log scale)" : ""), choice.metric());
        chart.show(series);
        if (log) {
            x.enableLogScale(true);
            chart.autoRange();
        }
    }

    static String intervalName(Interval interval) {
        return switch (interval) {
            case T95 -> "t 95% interval";
            case BOOTSTRAP95 -> "bootstrap 95% interval";
        };
    }

    /** The marker nearest the plot-area pixel (px, py) within {@link #PICK_RADIUS}, or null. */
    Plotted pick(int px, int py) {
        IAxis x = chart.control().getAxisSet().getXAxis(0);
        IAxis y = chart.control().getAxisSet().getYAxis(0);
        Plotted best = null;
        double bestDistance = PICK_RADIUS * PICK_RADIUS;
        for (Plotted p : plotted) {
            if (!Double.isFinite(p.y())) {
                continue;
            }
            double dx = x.getPixelCoordinate(p.x()) - px;
            double dy = y.getPixelCoordinate(p.y()) - py;
            if (dx * dx + dy * dy <= bestDistance) {
                bestDistance = dx * dx + dy * dy;
                best = p;
            }
        }
        return best;
    }

    /** Where a marker is drawn in the plot area, in pixels. */
    org.eclipse.swt.graphics.Point pixelOf(Plotted p) {
        IAxis x = chart.control().getAxisSet().getXAxis(0);
        IAxis y = chart.control().getAxisSet().getYAxis(0);
        return new org.eclipse.swt.graphics.Point(x.getPixelCoordinate(p.x()), y.getPixelCoordinate(p.y()));
    }
}
