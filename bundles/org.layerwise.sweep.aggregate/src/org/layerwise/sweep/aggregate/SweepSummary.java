package org.layerwise.sweep.aggregate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import org.layerwise.sweep.aggregate.SweepTable.Axis;
import org.layerwise.sweep.aggregate.SweepTable.Row;

/**
 * One metric against one axis: a line per value of a series axis, a cell per value of the x
 * axis holding the mean and a 95% interval across seeds. Only OK runs count. Rows that differ
 * from {@code fixed} are dropped; every other axis is pooled, first within each seed (the mean
 * of that seed's runs), so that the unit of the interval is always the seed and {@code n} the
 * number of seeds with a finite value.
 *
 * @param seriesAxis null when there is one line (its series is then the empty string)
 * @param pooled the axes averaged over within each seed, in the sweep's order
 */
public record SweepSummary(String metric, String xAxis, String seriesAxis, Map<String, String> fixed,
        Interval interval, List<String> pooled, List<Line> lines) {

    /** One line: the value of the series axis (empty when there is none) and a cell per x value. */
    public record Line(String series, List<Cell> cells) {

        public Line {
            cells = List.copyOf(cells);
        }
    }

    /**
     * One x value: its text, its number (NaN when the axis is not numeric), the number of seeds
     * with a finite value, their mean and the interval (NaN when n is below 2).
     */
    public record Cell(String x, double xNumeric, int n, double mean, double lower, double upper) {
    }

    public SweepSummary {
        fixed = Map.copyOf(fixed);
        pooled = List.copyOf(pooled);
        lines = List.copyOf(lines);
    }

    /**
     * Summarises a metric (a value column; a metric no run has gives cells with n = 0) against
     * xAxis, one line per value of seriesAxis (nullable), keeping only rows whose coordinates
     * equal {@code fixed}.
     *
     * @throws IllegalArgumentException when an axis is not the sweep's, or one is named twice
     */
    public static SweepSummary of(SweepTable table, String metric, String xAxis, String seriesAxis,
            Map<String, String> fixed, Interval interval) {
        Axis x = require(table, xAxis);
        Axis series = seriesAxis == null ? null : require(table, seriesAxis);
        if (xAxis.equals(seriesAxis)) {
            throw new IllegalArgumentException("the x axis and the series axis are both '" + xAxis + "'");
        }
        for (Map.Entry<String, String> f : fixed.entrySet()) {
            Axis a = require(table, f.getKey());
            if (f.getKey().equals(xAxis) || f.getKey().equals(seriesAxis)) {
                throw new IllegalArgumentException("'" + f.getKey() + "' cannot be both fixed and plotted");
            }
            if (!a.values().contains(f.getValue())) {
                throw new IllegalArgumentException("'" + f.getValue() + "' is not a value of " + f.getKey() + " "
                        + a.values());
            }
        }
        List<String> pooled = table.axes().stream().map(Axis::setting)
                .filter(s -> !s.equals(xAxis) && !s.equals(seriesAxis) && !fixed.containsKey(s)).toList();
        List<Row> kept = table.rows().stream().filter(Row::ok)
                .filter(r -> fixed.entrySet().stream().allMatch(f -> f.getValue().equals(r.coordinates().get(f.getKey()))))
                .toList();
        boolean numeric = x.numeric();
        List<Line> lines = new ArrayList<>();
        for (String s : series == null ? List.of("") : series.values()) {
            List<Cell> cells = new ArrayList<>();
            for (String xv : x.values()) {
                double[] perSeed = seedMeans(kept.stream()
                        .filter(r -> xv.equals(r.coordinates().get(xAxis)))
                        .filter(r -> series == null || s.equals(r.coordinates().get(seriesAxis)))
                        .toList(), metric);
                double[] b = interval.bounds(perSeed);
                cells.add(new Cell(xv, numeric ? Axis.number(xv) : Double.NaN, perSeed.length,
                        perSeed.length == 0 ? Double.NaN : Interval.mean(perSeed), b[0], b[1]));
            }
            lines.add(new Line(s, cells));
        }
        return new SweepSummary(metric, xAxis, seriesAxis, fixed, interval, pooled, lines);
    }

    /** The mean of each seed's finite values, in the order the seeds first occur; seeds without one drop out. */
    static double[] seedMeans(List<Row> rows, String metric) {
        Map<Long, double[]> sums = new LinkedHashMap<>();
        for (Row r : rows) {
            double v = r.value(metric);
            if (Double.isFinite(v)) {
                double[] s = sums.computeIfAbsent(r.seed(), k -> new double[2]);
                s[0] += v;
                s[1]++;
            }
        }
        return sums.values().stream().mapToDouble(s -> s[0] / s[1]).toArray();
    }

    private static Axis require(SweepTable table, String setting) {
        Axis a = table.axis(Objects.requireNonNull(setting, "axis"));
        if (a == null) {
            throw new IllegalArgumentException("'" + setting + "' is not an axis of sweep " + table.name() + " "
                    + table.axes().stream().map(Axis::setting).toList());
        }
        return a;
    }
}
