package org.layerwise.sweep.ui;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.layerwise.sweep.aggregate.Interval;
import org.layerwise.sweep.aggregate.SweepSummary;
import org.layerwise.sweep.aggregate.SweepTable;

/**
 * What the Sweep view plots: a metric against the x axis, one line per value of the series axis
 * (null: one line), the rows restricted to a value of some other axes ({@code fixed}; an axis
 * not in it is pooled with the seeds), and the interval across seeds.
 */
record SweepChoice(String metric, String xAxis, String seriesAxis, Map<String, String> fixed, Interval interval) {

    SweepChoice {
        fixed = Map.copyOf(fixed);
    }

    /** The metrics to choose from: the sweep's chosen ones first, then every other value column. */
    static List<String> metrics(SweepTable table) {
        LinkedHashSet<String> all = new LinkedHashSet<>(table.metrics());
        all.addAll(table.valueColumns());
        return List.copyOf(all);
    }

    /**
     * The axes that vary (all of them when none does), as report.html's figures take them: an
     * axis of one value is a constant and is never plotted, fixed or pooled.
     */
    static List<String> axes(SweepTable table) {
        return table.variedAxes().stream().map(SweepTable.Axis::setting).toList();
    }

    /**
     * The first metric against the first axis that varies, one line per value of the next, the
     * rest pooled, a t interval.
     */
    static SweepChoice initial(SweepTable table) {
        List<String> metrics = metrics(table);
        List<String> axes = axes(table);
        return new SweepChoice(metrics.isEmpty() ? null : metrics.get(0), axes.isEmpty() ? null : axes.get(0),
                axes.size() < 2 ? null : axes.get(1), Map.of(), Interval.T95);
    }

    /** This choice for the table read again (a Refresh): what still exists is kept, the rest is the initial choice's. */
    SweepChoice keptFor(SweepTable table) {
        SweepChoice first = initial(table);
        List<String> axes = axes(table);
        String m = metrics(table).contains(metric) ? metric : first.metric;
        String x = axes.contains(xAxis) ? xAxis : first.xAxis;
        String s = seriesAxis == null || (axes.contains(seriesAxis) && !seriesAxis.equals(x)) ? seriesAxis : null;
        Map<String, String> f = new LinkedHashMap<>();
        fixed.forEach((axis, value) -> {
            if (!axis.equals(x) && !axis.equals(s) && valuesOf(table, axis).contains(value)) {
                f.put(axis, value);
            }
        });
        return new SweepChoice(m, x, s, f, interval);
    }

    SweepChoice withMetric(String m) {
        return new SweepChoice(m, xAxis, seriesAxis, fixed, interval);
    }

    /** Another x axis; the series axis becomes the old x axis when it was the new one. */
    SweepChoice withXAxis(String x) {
        String s = Objects.equals(x, seriesAxis) ? xAxis : seriesAxis;
        return new SweepChoice(metric, x, s, without(fixed, x, s), interval);
    }

    /** Another series axis (null: one line); the x axis becomes the old series axis when it was the new one. */
    SweepChoice withSeriesAxis(String s) {
        String x = s != null && s.equals(xAxis) ? seriesAxis : xAxis;
        return new SweepChoice(metric, x, s, without(fixed, x, s), interval);
    }

    /** Restricts to one value of a remaining axis (null: pooled). */
    SweepChoice withFixed(String axis, String value) {
        Map<String, String> f = new LinkedHashMap<>(fixed);
        if (value == null) {
            f.remove(axis);
        } else {
            f.put(axis, value);
        }
        return new SweepChoice(metric, xAxis, seriesAxis, f, interval);
    }

    SweepChoice withInterval(Interval i) {
        return new SweepChoice(metric, xAxis, seriesAxis, fixed, i);
    }

    /** The axes that are neither x nor series: each is fixed to a value or pooled. */
    List<String> remainingAxes(SweepTable table) {
        return axes(table).stream().filter(a -> !a.equals(xAxis) && !a.equals(seriesAxis)).toList();
    }

    /** Whether a row is among those this choice plots: it has every fixed value. */
    boolean includes(SweepTable.Row row) {
        return fixed.entrySet().stream().allMatch(e -> e.getValue().equals(row.coordinates().get(e.getKey())));
    }

    /** The mean and interval of each line (no lines without a metric or an x axis). */
    List<SweepSummary.Line> summarize(SweepTable table) {
        if (metric == null || xAxis == null) {
            return List.of();
        }
        return SweepSummary.of(table, metric, xAxis, seriesAxis, fixed, interval).lines();
    }

    /**
     * The rows a plotted point (line, cell) summarizes: OK runs with a finite value of the metric
     * at its x value, its series value and the fixed values.
     */
    List<SweepTable.Row> rowsOf(SweepTable table, SweepSummary.Line line, SweepSummary.Cell cell) {
        List<SweepTable.Row> rows = new ArrayList<>();
        for (SweepTable.Row r : table.rows()) {
            if (r.ok() && Double.isFinite(r.value(metric)) && includes(r) && cell.x().equals(r.coordinates().get(xAxis))
                    && (seriesAxis == null || Objects.equals(line.series(), r.coordinates().get(seriesAxis)))) {
                rows.add(r);
            }
        }
        return rows;
    }

    static List<String> valuesOf(SweepTable table, String axis) {
        SweepTable.Axis a = table.axis(axis);
        return a == null ? List.of() : a.values();
    }

    private static Map<String, String> without(Map<String, String> fixed, String x, String s) {
        Map<String, String> f = new LinkedHashMap<>(fixed);
        f.remove(x);
        if (s != null) {
            f.remove(s);
        }
        return f;
    }
}
