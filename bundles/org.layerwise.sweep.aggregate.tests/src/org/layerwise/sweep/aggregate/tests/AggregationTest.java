package org.layerwise.sweep.aggregate.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.sweep.aggregate.Aggregation;
import org.layerwise.sweep.aggregate.Interval;
import org.layerwise.sweep.aggregate.SweepTable;

class AggregationTest {

    @TempDir
    Path dir;

    /** 2 x 2 points over 2 seeds; p0005 failed (its numbers kept), p0007 never ran. */
    private void sweep() throws IOException {
        SweepFixture s = new SweepFixture(dir).axis("task.N", "8", "16").axis("enforcer", "none", "random-conjugation")
                .seeds(1L, 2L).metrics("accuracy", "weight-abstraction.asymmetry_mean", "no_such_metric");
        Random random = new Random(5);
        int i = 0;
        for (String n : List.of("8", "16")) {
            for (String e : List.of("none", "random-conjugation")) {
                for (long seed = 1; seed <= 2; seed++) {
                    Path run = s.point(seed, n, e);
                    if (i != 7) {
                        SweepFixture.run(run, i == 5 ? "FAILED" : "OK",
                                SweepFixture.metrics(random.nextDouble(), random.nextDouble() / 7));
                    }
                    i++;
                }
            }
        }
        s.write();
    }

    @Test
    void runsCsvRoundTripsToTheRunDirectoriesNumbers() throws IOException {
        sweep();
        Aggregation.Result result = Aggregation.write(dir, Interval.T95);
        Csv.Table csv = Csv.read(dir.resolve("runs.csv"));
        List<String> header = new ArrayList<>(List.of("point", "seed", "status", "run", "task.N", "enforcer"));
        header.addAll(result.table().valueColumns());
        assertEquals(header, csv.header());
        assertEquals(8, csv.size());
        for (int i = 0; i < csv.size(); i++) {
            String status = csv.get(i, "status");
            assertEquals(i == 5 ? "FAILED" : i == 7 ? SweepTable.PENDING : "OK", status);
            assertEquals(String.valueOf(1 + i % 2), csv.get(i, "seed"));
            Path run = dir.resolve(csv.get(i, "run"));
            assertEquals(dir.resolve("points").resolve(csv.get(i, "point")), run);
            assertEquals(i < 4 ? "8" : "16", csv.get(i, "task.N"));
            Map<String, Object> own = Files.isRegularFile(run.resolve("metrics.json")) ? Json.readMap(run.resolve("metrics.json"))
                    : Map.of();
            Map<?, ?> analyzer = own.get("analyzers") instanceof Map<?, ?> a ? (Map<?, ?>) a.get("weight-abstraction") : Map.of();
            for (String column : result.table().valueColumns()) {
                Object v = column.startsWith("weight-abstraction.")
                        ? analyzer.get(column.substring("weight-abstraction.".length())) : own.get(column);
                double expected = v instanceof Number x ? x.doubleValue() : Double.NaN;
                assertEquals(expected, Csv.parseDouble(csv.get(i, column)), 0.0, csv.get(i, "point") + " " + column);
            }
        }
    }

    @Test
    void theReportNamesEveryMetricAndAxisAndLinksFiguresThatExist() throws IOException {
        sweep();
        Aggregation.Result result = Aggregation.write(dir, Interval.BOOTSTRAP95);
        String html = Files.readString(dir.resolve("report.html"));
        for (String name : List.of("accuracy", "weight-abstraction.asymmetry_mean", "no_such_metric", "task.N", "enforcer", "fixture")) {
            assertTrue(html.contains(name), name);
        }
        assertEquals(List.of("no_such_metric"), result.missingMetrics());
        assertTrue(html.contains("No run with status OK reports no_such_metric"));
        Matcher links = Pattern.compile("href=\"([^\"]+)\"").matcher(html);
        Set<String> svgs = new HashSet<>();
        while (links.find()) {
            Path target = dir.resolve(links.group(1));
            assertTrue(Files.isRegularFile(target), "the report links " + links.group(1) + " but it does not exist");
            if (links.group(1).endsWith(".svg")) {
                svgs.add(links.group(1));
            }
        }
        assertEquals(4, svgs.size(), "2 metrics with data x 2 axes: " + svgs);
        assertTrue(svgs.contains("figures/accuracy-vs-task.N.svg"), svgs.toString());
        for (String svg : svgs) {
            assertTrue(html.contains(svg.replace(".svg", ".csv")), "every figure links its data");
        }
        for (String status : List.of("FAILED", SweepTable.PENDING)) {
            assertTrue(html.contains("<td>" + status + "</td>"), status);
        }
        assertFalse(result.figures().isEmpty());
        assertTrue(result.figures().stream().allMatch(Files::isRegularFile));
    }

    @Test
    void aFigureDrawsTheSummaryOfItsPoints() throws IOException {
        sweep();
        Aggregation.write(dir, Interval.T95);
        SweepTable t = SweepTable.read(dir);
        Csv.Table data = Csv.read(dir.resolve("figures/accuracy-vs-task.N.csv"));
        // x = task.N, a line per enforcer, the third axis is none: one panel; each cell its seeds' mean
        assertEquals(4, data.size(), "2 x values x 2 lines");
        for (int i = 0; i < data.size(); i++) {
            String n = data.get(i, "x");
            String e = data.get(i, "series");
            assertEquals("enforcer", data.get(i, "series_axis"));
            assertEquals("all", data.get(i, "panel"));
            double sum = 0;
            int count = 0;
            for (SweepTable.Row r : t.rows()) {
                if (r.ok() && r.coordinates().get("task.N").equals(n) && r.coordinates().get("enforcer").equals(e)) {
                    sum += r.value("accuracy");
                    count++;
                }
            }
            assertEquals(count, Integer.parseInt(data.get(i, "n")), n + " " + e);
            assertEquals(sum / count, Csv.parseDouble(data.get(i, "mean")), 1e-12, n + " " + e);
        }
    }

    @Test
    void fewCombinationsOfTheOtherAxesArePanelsManyArePooled() throws IOException {
        SweepFixture s = new SweepFixture(dir).axis("backend.steps", "500").axis("task.N", "8", "16").axis("enforcer", "none", "tied")
                .axis("backend.layers", "1", "2", "3").axis("backend.lr", "1e-3", "1e-2", "1e-1").seeds(1L).metrics("accuracy");
        double v = 0;
        for (String n : List.of("8", "16")) {
            for (String e : List.of("none", "tied")) {
                for (String l : List.of("1", "2", "3")) {
                    for (String lr : List.of("1e-3", "1e-2", "1e-1")) {
                        SweepFixture.run(s.point(1, "500", n, e, l, lr), "OK", SweepFixture.accuracy(v++ / 36));
                    }
                }
            }
        }
        s.write();
        Aggregation.write(dir, Interval.T95);
        // x task.N, lines enforcer; backend.layers x backend.lr: 9 combinations, pooled
        Csv.Table pooled = Csv.read(dir.resolve("figures/accuracy-vs-task.N.csv"));
        assertEquals(Set.of("all"), Set.copyOf(pooled.column("panel")));
        // x backend.layers, lines backend.lr; task.N x enforcer: 4 combinations, a panel each
        Csv.Table panels = Csv.read(dir.resolve("figures/accuracy-vs-backend.layers.csv"));
        assertEquals(Set.of("task.N=8, enforcer=none", "task.N=8, enforcer=tied", "task.N=16, enforcer=none",
                "task.N=16, enforcer=tied"), Set.copyOf(panels.column("panel")));
        assertTrue(panels.column("n").stream().allMatch("1"::equals), "one run per cell when nothing is pooled");
        // x backend.lr, lines task.N (wrapping around), enforcer x backend.layers: 6 combinations, a panel each
        Csv.Table wrapped = Csv.read(dir.resolve("figures/accuracy-vs-backend.lr.csv"));
        assertEquals(Set.of("task.N"), Set.copyOf(wrapped.column("series_axis")));
        assertEquals(6, Set.copyOf(wrapped.column("panel")).size());
        // an axis of one value is a constant: no figure against it, no part in lines or panels
        assertFalse(Files.exists(dir.resolve("figures/accuracy-vs-backend.steps.svg")));
        assertTrue(wrapped.column("panel").stream().noneMatch(p -> p.contains("backend.steps")));
        String html = Files.readString(dir.resolve("report.html"));
        assertTrue(html.contains("a panel per combination of enforcer, backend.layers")
                && html.contains("backend.layers, backend.lr pooled (averaged within each seed first)"),
                "the captions say which axes made panels and which were pooled");
    }

    @Test
    void aZipSweepHasPanelsOnlyForTheCombinationsItRan() throws IOException {
        SweepFixture s = new SweepFixture(dir).axis("task.N", "8", "16", "32").axis("backend.layers", "1", "2", "3")
                .axis("task.d", "4", "8", "16").axis("backend.lr", "1e-3", "1e-2", "1e-1").seeds(1L, 2L).metrics("accuracy");
        for (int i = 0; i < 3; i++) {
            String[] values = {List.of("8", "16", "32").get(i), String.valueOf(i + 1), List.of("4", "8", "16").get(i),
                List.of("1e-3", "1e-2", "1e-1").get(i)};
            for (long seed = 1; seed <= 2; seed++) {
                SweepFixture.run(s.point(seed, values), "OK", SweepFixture.accuracy(0.5 + 0.1 * i + 0.01 * seed));
            }
        }
        s.write();
        Aggregation.write(dir, Interval.T95);
        // x task.N, lines backend.layers: task.d and backend.lr ran in 3 of their 9 combinations, a panel each
        Csv.Table data = Csv.read(dir.resolve("figures/accuracy-vs-task.N.csv"));
        assertEquals(List.of("task.d=4, backend.lr=1e-3", "task.d=8, backend.lr=1e-2", "task.d=16, backend.lr=1e-1"),
                data.column("panel").stream().distinct().toList());
    }
}
