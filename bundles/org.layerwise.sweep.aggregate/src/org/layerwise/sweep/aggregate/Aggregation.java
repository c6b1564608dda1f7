package org.layerwise.sweep.aggregate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.layerwise.core.AtomicFiles;
import org.layerwise.figures.FigureFiles;
import org.layerwise.figures.HtmlPage;
import org.layerwise.io.Csv;
import org.layerwise.sweep.aggregate.SweepTable.Axis;
import org.layerwise.sweep.aggregate.SweepTable.Row;

/**
 * Writes a sweep directory's aggregate beside its sweep.json: runs.csv (one row per point: point,
 * seed, status, run, every axis, every value column), and report.html with figures/ (each chosen
 * metric against each axis, SVG, PNG and the CSV of the numbers drawn). Every file is written
 * atomically; the run directories are only read.
 */
public final class Aggregation {

    public static final String RUNS_CSV = "runs.csv";
    public static final String REPORT = "report.html";
    public static final String FIGURES = "figures";

    private static final int WIDTH = 760;
    private static final int PANEL_HEIGHT = 250;

    /**
     * What was written: the table read, runs.csv, report.html, every figure file, and the chosen
     * metrics that no OK run reports (named in the page, not plotted).
     */
    public record Result(SweepTable table, Path runsCsv, Path report, List<Path> figures, List<String> missingMetrics) {

        public Result {
            figures = List.copyOf(figures);
            missingMetrics = List.copyOf(missingMetrics);
        }
    }

    private Aggregation() {
    }

    /** Reads the sweep directory and writes its aggregate. */
    public static Result write(Path sweepDir, Interval interval) throws IOException {
        return write(SweepTable.read(sweepDir), interval);
    }

    /** Writes the aggregate of a table already read. */
    public static Result write(SweepTable table, Interval interval) throws IOException {
        Path dir = table.directory();
        Path csv = dir.resolve(RUNS_CSV);
        Csv.write(csv, header(table), rows(table));

        Path figureDir = dir.resolve(FIGURES);
        Files.createDirectories(figureDir);
        HtmlPage page = new HtmlPage("Sweep " + table.name());
        overview(page, table, interval);
        List<Path> figures = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<String> metrics = metrics(table);
        for (String metric : metrics) {
            page.heading(2, "metric-" + metric, metric);
            if (!reported(table, metric)) {
                missing.add(metric);
                page.paragraph("No run with status OK reports " + metric + ", so there is nothing to plot. The value columns "
                        + "the runs hold: " + String.join(", ", table.valueColumns()) + ".");
                continue;
            }
            for (Axis axis : table.variedAxes()) {
                SweepFigures.Figure f = SweepFigures.of(table, metric, axis, interval);
                String name = unique(names, f.name());
                int height = 110 + PANEL_HEIGHT * f.chart().panels().size();
                FigureFiles.Written w = FigureFiles.write(figureDir, name, f.chart(), WIDTH, height, SweepFigures.COLUMNS,
                        f.rows());
                figures.addAll(w.files());
                page.figure(w, f.caption(), FIGURES);
            }
        }
        points(page, table, metrics);
        Path report = dir.resolve(REPORT);
        AtomicFiles.writeString(report, page.page());
        return new Result(table, csv, report, figures, missing);
    }

    /** runs.csv's columns: point, seed, status, run, every axis setting, every value column. */
    public static List<String> header(SweepTable table) {
        List<String> header = leadingHeader(table);
        header.addAll(table.valueColumns());
        return header;
    }

    /** runs.csv's rows, in the order of {@link #header}; run relative to the sweep directory. */
    public static List<List<Object>> rows(SweepTable table) {
        List<List<Object>> rows = new ArrayList<>();
        for (Row r : table.rows()) {
            List<Object> row = leading(table, r);
            table.valueColumns().forEach(c -> row.add(r.value(c)));
            rows.add(row);
        }
        return rows;
    }

    /** What identifies a point: point, seed, status, run, every axis. */
    private static List<String> leadingHeader(SweepTable table) {
        List<String> header = new ArrayList<>(List.of("point", "seed", "status", "run"));
        table.axes().forEach(a -> header.add(a.setting()));
        return header;
    }

    private static List<Object> leading(SweepTable table, Row r) {
        List<Object> row = new ArrayList<>(List.of(r.point(), r.seed(), r.status(), relative(table, r.run())));
        table.axes().forEach(a -> row.add(r.coordinates().get(a.setting())));
        return row;
    }

    /** The chosen metrics; a sweep that chose none gets accuracy. */
    private static List<String> metrics(SweepTable table) {
        return table.metrics().isEmpty() ? List.of("accuracy") : table.metrics();
    }

    private static boolean reported(SweepTable table, String metric) {
        return table.rows().stream().anyMatch(r -> r.ok() && Double.isFinite(r.value(metric)));
    }

    private static void overview(HtmlPage page, SweepTable table, Interval interval) {
        page.paragraph("Sweep directory " + table.directory() + ", aggregated "
                + Instant.now().truncatedTo(ChronoUnit.SECONDS) + ". " + table.rows().size() + " points; every number below "
                + "is read from the points' run directories (their run.json and metrics.json). Intervals: "
                + interval.description + ". Data: " + RUNS_CSV + " (one row per point).");
        page.table("Axes", List.of("setting", "values"), table.axes().stream()
                .map(a -> List.<Object>of(a.setting(), String.join(" ", a.values()))).toList());
        page.paragraph("Seeds: " + (table.seeds().isEmpty() ? "the pipeline's own"
                : table.seeds().stream().map(String::valueOf).collect(Collectors.joining(", "))) + ". Metrics: "
                + String.join(", ", metrics(table)) + ".");
        page.table("Points per status", List.of("status", "points"), table.statusCounts().entrySet().stream()
                .map(e -> List.<Object>of(e.getKey(), e.getValue())).toList());
        page.table("Versions (sweep.json)", List.of("what", "version"), table.versions().entrySet().stream()
                .map(e -> List.<Object>of(e.getKey(), String.valueOf(e.getValue()))).toList());
    }

    private static void points(HtmlPage page, SweepTable table, List<String> metrics) {
        page.heading(2, "points", "Points");
        List<String> header = leadingHeader(table);
        header.addAll(metrics);
        List<List<Object>> rows = new ArrayList<>();
        for (Row r : table.rows()) {
            List<Object> row = leading(table, r);
            metrics.forEach(m -> row.add(number(r.value(m))));
            rows.add(row);
        }
        page.table("Every point, its status as its run directory says, and the chosen metrics", header, rows);
    }

    private static String relative(SweepTable table, Path run) {
        Path rel = run.startsWith(table.directory()) ? table.directory().relativize(run) : run;
        return rel.toString().replace('\\', '/');
    }

    private static String number(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a != 0 && (a < 1e-3 || a >= 1e5) ? "%.4e" : "%.5g", v);
    }

    private static String unique(Set<String> names, String name) {
        String n = name;
        for (int i = 2; !names.add(n); i++) {
            n = name + "-" + i;
        }
        return n;
    }

    /** A short summary for the command line: each metric's range over OK runs. */
    public static Map<String, double[]> ranges(SweepTable table) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (String m : metrics(table)) {
            double[] r = {Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY};
            table.rows().stream().filter(Row::ok).mapToDouble(x -> x.value(m)).filter(Double::isFinite).forEach(v -> {
                r[0] = Math.min(r[0], v);
                r[1] = Math.max(r[1], v);
            });
            out.put(m, r[0] <= r[1] ? r : new double[] {Double.NaN, Double.NaN});
        }
        return out;
    }
}
