package org.layerwise.sweep.aggregate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.layerwise.figures.Palette;
import org.layerwise.figures.XYChart;
import org.layerwise.figures.XYChart.Legend;
import org.layerwise.figures.XYChart.Line;
import org.layerwise.figures.XYChart.Panel;
import org.layerwise.figures.XYChart.Series;
import org.layerwise.figures.XYChart.Symbol;
import org.layerwise.sweep.aggregate.SweepSummary.Cell;
import org.layerwise.sweep.aggregate.SweepTable.Axis;

/**
 * The figure of one metric against one axis: a line per value of the next axis (the sweep's
 * order, wrapping around), and the remaining axes either one panel per combination of their
 * values (up to {@value #MAX_PANELS}) or pooled within each seed. Axes of a single value take
 * no part.
 */
final class SweepFigures {

    static final int MAX_PANELS = 6;
    static final List<String> COLUMNS = List.of("metric", "x_axis", "x", "series_axis", "series", "panel", "n", "mean", "lower",
            "upper");

    /** A figure: file name, caption, chart and the rows of the numbers it draws. */
    record Figure(String name, String caption, XYChart chart, List<List<Object>> rows) {
    }

    private SweepFigures() {
    }

    /** Metric against x (one of {@link SweepTable#variedAxes()}): the chart and its data. */
    static Figure of(SweepTable table, String metric, Axis x, Interval interval) {
        List<Axis> axes = table.variedAxes();
        Axis series = axes.size() < 2 ? null : axes.get((axes.indexOf(x) + 1) % axes.size());
        List<Axis> rest = axes.stream().filter(a -> a != x && a != series).toList();
        List<Map<String, String>> combinations = combinations(table, rest);
        boolean split = combinations.size() <= MAX_PANELS;
        List<Map<String, String>> panels = split ? combinations : List.of(Map.of());
        boolean numeric = x.numeric();
        List<Panel> drawn = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        for (Map<String, String> fixed : panels) {
            SweepSummary s = SweepSummary.of(table, metric, x.setting(), series == null ? null : series.setting(), fixed,
                    interval);
            String panel = fixed.isEmpty() ? "all" : describe(fixed);
            List<Series> lines = new ArrayList<>();
            for (int i = 0; i < s.lines().size(); i++) {
                SweepSummary.Line line = s.lines().get(i);
                lines.add(series(line, i, s.lines().size(), numeric, series));
                for (Cell c : line.cells()) {
                    rows.add(List.of(metric, x.setting(), c.x(), series == null ? "" : series.setting(), line.series(), panel,
                            c.n(), c.mean(), c.lower(), c.upper()));
                }
            }
            // the title names the metric: a panel's y axis names its combination
            drawn.add(Panel.of(XYChart.Axis.linear(fixed.isEmpty() ? metric : panel), lines));
        }
        XYChart chart = new XYChart(metric + " against " + x.setting(), List.of(), xAxis(x), drawn,
                series == null ? Legend.NONE : drawn.size() > 1 ? Legend.FIRST_PANEL : Legend.SERIES);
        String caption = metric + " against " + x.setting() + ": mean over seeds with the " + interval.description
                + (series == null ? "" : "; a line per value of " + series.setting())
                + (split && !rest.isEmpty() ? "; a panel per combination of " + names(rest) : "")
                + (split || rest.isEmpty() ? "" : "; " + names(rest) + " pooled (averaged within each seed first)")
                + ". Only runs with status OK count; n per point is in the data.";
        return new Figure(fileName(metric, x.setting()), caption, chart, rows);
    }

    private static Series series(SweepSummary.Line line, int i, int count, boolean numeric, Axis seriesAxis) {
        List<Cell> cells = line.cells();
        double[] xs = new double[cells.size()];
        double[] mean = new double[cells.size()];
        double[] low = new double[cells.size()];
        double[] high = new double[cells.size()];
        for (int k = 0; k < cells.size(); k++) {
            Cell c = cells.get(k);
            // categories sit at 0, 1, 2, ...: the lines are spread a little so their bars do not hide each other
            xs[k] = numeric ? c.xNumeric() : k + (count == 1 ? 0 : 0.3 * (i / (count - 1.0) - 0.5));
            mean[k] = c.mean();
            low[k] = Double.isNaN(c.lower()) ? c.mean() : c.lower(); // one seed: the mean alone, no bar
            high[k] = Double.isNaN(c.upper()) ? c.mean() : c.upper();
        }
        String label = seriesAxis == null ? "mean" : seriesAxis.setting() + " = " + line.series();
        return Series.line("s" + i, label, xs, mean, Palette.categorical(i)).withLine(Line.solid(1.5))
                .withSymbol(Symbol.cycle(i, 3)).withIntervals(low, high);
    }

    private static XYChart.Axis xAxis(Axis x) {
        if (!x.numeric()) {
            return XYChart.Axis.categories(x.setting(), x.values());
        }
        if (x.logScale()) {
            return XYChart.Axis.log(x.setting() + " (log scale)");
        }
        boolean whole = x.values().stream().mapToDouble(Axis::number).allMatch(v -> v == Math.rint(v));
        return whole ? XYChart.Axis.linear(x.setting()).withIntegerTicks() : XYChart.Axis.linear(x.setting());
    }

    /**
     * The combinations of these axes' values that the points have (all of them in a grid, fewer
     * in a zip), ordered by the axes' values, the first axis varying slowest.
     */
    static List<Map<String, String>> combinations(SweepTable table, List<Axis> axes) {
        Set<Map<String, String>> seen = new LinkedHashSet<>();
        for (SweepTable.Row r : table.rows()) {
            Map<String, String> c = new LinkedHashMap<>();
            axes.forEach(a -> c.put(a.setting(), r.coordinates().get(a.setting())));
            seen.add(c);
        }
        Comparator<Map<String, String>> order = (x, y) -> 0;
        for (Axis a : axes) {
            order = order.thenComparingInt(c -> a.values().indexOf(c.get(a.setting())));
        }
        return seen.stream().sorted(order).toList();
    }

    static String describe(Map<String, String> fixed) {
        return fixed.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
    }

    private static String names(List<Axis> axes) {
        return axes.stream().map(Axis::setting).collect(Collectors.joining(", "));
    }

    /** A file name (without extension) for the figure: metric and axis, characters safe on every file system. */
    static String fileName(String metric, String axis) {
        return (metric + "-vs-" + axis).replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
