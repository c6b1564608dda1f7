package org.layerwise.sweep.aggregate.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.sweep.aggregate.Interval;
import org.layerwise.sweep.aggregate.SweepSummary;
import org.layerwise.sweep.aggregate.SweepSummary.Cell;
import org.layerwise.sweep.aggregate.SweepSummary.Line;
import org.layerwise.sweep.aggregate.SweepTable;

class SweepSummaryTest {

    /** t(0.975) for 1 and 2 degrees of freedom, from the tables. */
    private static final double T1 = 12.7062047;
    private static final double T2 = 4.3026527;

    @TempDir
    Path dir;

    @Test
    void theTIntervalIsTheClosedForm() throws IOException {
        SweepFixture s = new SweepFixture(dir).axis("task.N", "8", "16").seeds(1L, 2L, 3L);
        SweepFixture.run(s.point(1, "8"), "OK", SweepFixture.accuracy(0.5));
        SweepFixture.run(s.point(2, "8"), "OK", SweepFixture.accuracy(0.7));
        SweepFixture.run(s.point(3, "8"), "FAILED", SweepFixture.accuracy(0.0));
        SweepFixture.run(s.point(1, "16"), "OK", SweepFixture.accuracy(1));
        SweepFixture.run(s.point(2, "16"), "OK", SweepFixture.accuracy(2));
        SweepFixture.run(s.point(3, "16"), "OK", SweepFixture.accuracy(3));
        s.write();

        SweepSummary summary = SweepSummary.of(SweepTable.read(dir), "accuracy", "task.N", null, Map.of(), Interval.T95);
        assertEquals(List.of(), summary.pooled());
        assertEquals(1, summary.lines().size());
        List<Cell> cells = summary.lines().get(0).cells();
        // n = 2: mean ± t1 · |a - b| / 2
        assertCell(cells.get(0), "8", 8, 2, 0.6, 0.6 - T1 * 0.1, 0.6 + T1 * 0.1);
        // n = 3, values 1, 2, 3: s = 1
        assertCell(cells.get(1), "16", 16, 3, 2, 2 - T2 / Math.sqrt(3), 2 + T2 / Math.sqrt(3));
    }

    @Test
    void oneSeedHasNoIntervalAndNoSeedNoMean() throws IOException {
        SweepFixture s = new SweepFixture(dir).axis("enforcer", "none", "tied").seeds(1L);
        SweepFixture.run(s.point(1, "none"), "OK", SweepFixture.accuracy(0.8));
        SweepFixture.run(s.point(1, "tied"), "DIVERGED", SweepFixture.accuracy(0.8));
        s.write();
        SweepTable t = SweepTable.read(dir);
        for (Interval interval : Interval.values()) {
            List<Cell> cells = SweepSummary.of(t, "accuracy", "enforcer", null, Map.of(), interval).lines().get(0).cells();
            assertCell(cells.get(0), "none", Double.NaN, 1, 0.8, Double.NaN, Double.NaN);
            assertCell(cells.get(1), "tied", Double.NaN, 0, Double.NaN, Double.NaN, Double.NaN);
        }
        List<Cell> absent = SweepSummary.of(t, "no-such-metric", "enforcer", null, Map.of(), Interval.T95)
                .lines().get(0).cells();
        assertTrue(absent.stream().allMatch(c -> c.n() == 0 && Double.isNaN(c.mean())));
    }

    @Test
    void pooledAxesAreAveragedWithinEachSeedFirst() throws IOException {
        SweepFixture s = new SweepFixture(dir).axis("task.N", "8").axis("enforcer", "none", "tied").seeds(1L, 2L);
        SweepFixture.run(s.point(1, "8", "none"), "OK", SweepFixture.accuracy(0));
        SweepFixture.run(s.point(1, "8", "tied"), "OK", SweepFixture.accuracy(10));
        SweepFixture.run(s.point(2, "8", "none"), "OK", SweepFixture.accuracy(1));
        SweepFixture.run(s.point(2, "8", "tied"), "FAILED", SweepFixture.accuracy(100));
        s.write();

        SweepSummary summary = SweepSummary.of(SweepTable.read(dir), "accuracy", "task.N", null, Map.of(), Interval.T95);
        assertEquals(List.of("enforcer"), summary.pooled());
        // seed 1: (0 + 10) / 2 = 5; seed 2: 1 (its failed run does not count); across seeds: 3 ± t1 · 2
        assertCell(summary.lines().get(0).cells().get(0), "8", 8, 2, 3, 3 - T1 * 2, 3 + T1 * 2);
    }

    @Test
    void seriesAndFixedAxesSelectTheRows() throws IOException {
        SweepFixture s = new SweepFixture(dir).axis("task.N", "8", "16").axis("backend.layers", "1", "2")
                .axis("enforcer", "none", "tied").seeds(1L, 2L);
        for (String n : List.of("8", "16")) {
            for (String l : List.of("1", "2")) {
                for (String e : List.of("none", "tied")) {
                    for (long seed = 1; seed <= 2; seed++) {
                        double v = Double.parseDouble(n) * 100 + Double.parseDouble(l) * 10 + (e.equals("tied") ? 5 : 0) + seed;
                        SweepFixture.run(s.point(seed, n, l, e), "OK", SweepFixture.accuracy(v));
                    }
                }
            }
        }
        s.write();
        SweepTable t = SweepTable.read(dir);
        SweepSummary summary = SweepSummary.of(t, "accuracy", "task.N", "backend.layers", Map.of("enforcer", "tied"),
                Interval.BOOTSTRAP95);
        assertEquals(List.of(), summary.pooled());
        assertEquals(List.of("1", "2"), summary.lines().stream().map(Line::series).toList());
        for (Line line : summary.lines()) {
            for (Cell c : line.cells()) {
                double base = c.xNumeric() * 100 + Double.parseDouble(line.series()) * 10 + 5;
                assertEquals(2, c.n());
                assertEquals(base + 1.5, c.mean(), 1e-12);
                assertTrue(c.lower() >= base + 1 && c.upper() <= base + 2 && c.lower() < c.upper(), c.toString());
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> SweepSummary.of(t, "accuracy", "task.N", "task.N", Map.of(), Interval.T95));
        assertThrows(IllegalArgumentException.class,
                () -> SweepSummary.of(t, "accuracy", "task.d", null, Map.of(), Interval.T95));
        assertThrows(IllegalArgumentException.class,
                () -> SweepSummary.of(t, "accuracy", "task.N", null, Map.of("enforcer", "projection"), Interval.T95));
    }

    @Test
    void theBootstrapCoversTheMeanOfANormalAboutNinetyFivePercent() {
        Random random = new Random(11);
        int trials = 400;
        int n = 20;
        int covered = 0;
        double widthRatio = 0;
        for (int trial = 0; trial < trials; trial++) {
            double[] x = new double[n];
            for (int i = 0; i < n; i++) {
                x[i] = 3 + 2 * random.nextGaussian();
            }
            double[] b = Interval.BOOTSTRAP95.bounds(x);
            double[] t = Interval.T95.bounds(x);
            covered += b[0] <= 3 && 3 <= b[1] ? 1 : 0;
            widthRatio += (b[1] - b[0]) / (t[1] - t[0]) / trials;
            assertArrayEquals(b, Interval.BOOTSTRAP95.bounds(x.clone()), "deterministic");
        }
        double coverage = covered / (double) trials;
        // The percentile bootstrap runs a little narrow at n = 20 (about 93%, against t's 95%).
        assertTrue(coverage > 0.89 && coverage < 0.97, "coverage " + coverage);
        assertTrue(widthRatio > 0.88 && widthRatio < 1.0, "bootstrap / t width " + widthRatio);
    }

    private static void assertCell(Cell c, String x, double xNumeric, int n, double mean, double lower, double upper) {
        assertEquals(x, c.x());
        assertEquals(xNumeric, c.xNumeric(), 0.0, x);
        assertEquals(n, c.n(), x);
        assertEquals(mean, c.mean(), 1e-9, x);
        assertEquals(lower, c.lower(), 1e-6, x);
        assertEquals(upper, c.upper(), 1e-6, x);
    }
}
