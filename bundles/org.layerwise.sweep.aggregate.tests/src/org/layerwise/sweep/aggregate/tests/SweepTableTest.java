package org.layerwise.sweep.aggregate.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.io.Json;
import org.layerwise.sweep.aggregate.SweepFormatException;
import org.layerwise.sweep.aggregate.SweepTable;
import org.layerwise.sweep.aggregate.SweepTable.Row;

class SweepTableTest {

    @TempDir
    Path dir;

    @Test
    void everyRowHoldsItsRunDirectorysOwnNumbers() throws IOException {
        SweepFixture s = new SweepFixture(dir).axis("task.N", "8", "16").axis("enforcer", "none", "random-conjugation")
                .seeds(1L, 2L).metrics("accuracy", "weight-abstraction.asymmetry_mean");
        Random random = new Random(3);
        int i = 0;
        for (String n : List.of("8", "16")) {
            for (String e : List.of("none", "random-conjugation")) {
                for (long seed = 1; seed <= 2; seed++) {
                    Map<String, Object> m = SweepFixture.metrics(random.nextDouble(), random.nextDouble());
                    if (i == 5) {
                        m.remove("analyzers"); // an analyzer that did not run
                    }
                    if (i == 6) {
                        m.put("eval_loss", random.nextDouble() * 3); // a key only one run has
                        m.put("accuracy", null); // NaN as Json writes it
                    }
                    SweepFixture.run(s.point(seed, n, e), "OK", m);
                    i++;
                }
            }
        }
        s.write();

        SweepTable t = SweepTable.read(dir);
        assertEquals("fixture", t.name());
        assertEquals(List.of(1L, 2L), t.seeds());
        assertEquals(List.of("accuracy", "weight-abstraction.asymmetry_mean"), t.metrics());
        assertEquals(List.of("task.N", "enforcer"), t.axes().stream().map(SweepTable.Axis::setting).toList());
        assertTrue(t.axes().get(0).numeric() && !t.axes().get(1).numeric());
        assertEquals(t.axes(), t.variedAxes());
        assertTrue(new SweepTable.Axis("backend.lr", List.of("1e-4", "1e-3", "1e-2")).logScale());
        assertFalse(new SweepTable.Axis("task.N", List.of("8", "16", "32", "64")).logScale());
        assertFalse(new SweepTable.Axis("enforcer", List.of("none", "tied")).logScale());
        assertEquals(List.of("steps", "accuracy", "chance", "asymmetry", "eval_loss", "weight-abstraction.asymmetry_mean",
                "weight-abstraction.equivariance_error"), t.valueColumns());
        assertEquals(8, t.rows().size());
        for (Row r : t.rows()) {
            assertEquals("OK", r.status());
            assertEquals(t.valueColumns(), List.copyOf(r.values().keySet()));
            Map<String, Object> own = Json.readMap(r.run().resolve("metrics.json"));
            for (String column : t.valueColumns()) {
                double expected = ownNumber(own, column);
                assertEquals(expected, r.value(column), 0.0, r.point() + " " + column);
            }
        }
        assertEquals(Map.of("task.N", "16", "enforcer", "none"), t.rows().get(5).coordinates());
        assertEquals(2L, t.rows().get(5).seed());
        assertTrue(Double.isNaN(t.rows().get(5).value("weight-abstraction.asymmetry_mean")));
        assertTrue(Double.isNaN(t.rows().get(6).value("accuracy")));
        assertTrue(Double.isFinite(t.rows().get(6).value("eval_loss")));
    }

    /** The number metrics.json holds for a value column, read without the table's code: NaN when absent. */
    private static double ownNumber(Map<String, Object> metrics, String column) {
        if (metrics.get(column) instanceof Number n) {
            return n.doubleValue();
        }
        if (column.startsWith("weight-abstraction.") && metrics.get("analyzers") instanceof Map<?, ?> a
                && a.get("weight-abstraction") instanceof Map<?, ?> w
                && w.get(column.substring("weight-abstraction.".length())) instanceof Number n) {
            return n.doubleValue();
        }
        return Double.NaN;
    }

    @Test
    void statusComesFromTheRunDirectory() throws IOException {
        SweepFixture s = new SweepFixture(dir).axis("task.N", "8", "16", "32", "64", "128", "256").seeds(1L);
        SweepFixture.run(s.point(1, "8"), "OK", SweepFixture.accuracy(0.9));
        SweepFixture.run(s.point(1, "16"), "FAILED", SweepFixture.accuracy(0.4));
        SweepFixture.run(s.point(1, "32"), "RUNNING", null); // its process is gone
        s.point(1, "64"); // never started
        Files.createDirectories(s.point(1, "128")); // started, run.json not yet written
        Path broken = s.point(1, "256");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("run.json"), "{\"status\": ");
        s.write();

        SweepTable t = SweepTable.read(dir);
        assertEquals(List.of("OK", "FAILED", "INTERRUPTED", SweepTable.PENDING, SweepTable.PENDING,
                SweepTable.UNREADABLE), t.rows().stream().map(Row::status).toList());
        assertEquals(0.4, t.rows().get(1).value("accuracy"), 0.0, "a failed run keeps what it wrote");
        assertTrue(Double.isNaN(t.rows().get(3).value("accuracy")));
        Map<String, Integer> counts = new LinkedHashMap<>();
        counts.put("OK", 1);
        counts.put("FAILED", 1);
        counts.put("INTERRUPTED", 1);
        counts.put(SweepTable.PENDING, 2);
        counts.put(SweepTable.UNREADABLE, 1);
        assertEquals(counts, t.statusCounts());
    }

    @Test
    void aMalformedSweepJsonIsNamedWithItsField() throws IOException {
        Path file = dir.resolve("sweep.json");
        SweepFormatException missing = assertThrows(SweepFormatException.class, () -> SweepTable.read(dir));
        assertTrue(missing.getMessage().contains(file.toString()), missing.getMessage());

        Files.writeString(file, "{\"format\": \"layerwise-sweep\",");
        SweepFormatException notJson = assertThrows(SweepFormatException.class, () -> SweepTable.read(dir));
        assertTrue(notJson.getMessage().startsWith(file.toString()), notJson.getMessage());

        SweepFixture s = new SweepFixture(dir).axis("task.N", "8", "16").seeds(1L, 2L);
        s.point(1, "8");
        s.point(2, "16");
        s.write();
        Map<String, Object> good = Json.readMap(file);
        assertEquals(2, SweepTable.read(dir).rows().size());

        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"format", "\"layerwise-run\""});
        cases.add(new String[] {"version", "2"});
        cases.add(new String[] {"axes", "{}"});
        cases.add(new String[] {"points[1].seed", "\"two\""});
        cases.add(new String[] {"points[0].coordinates.task.N", null});
        cases.add(new String[] {"points[1].id", "\"p0000\""});
        for (String[] c : cases) {
            String text = Json.toString(good);
            text = switch (c[0]) {
                case "format" -> text.replace("\"layerwise-sweep\"", c[1]);
                case "version" -> text.replace("\"version\": 1", "\"version\": 2");
                case "axes" -> text.replaceFirst("\"axes\": \\[", "\"axes\": {}, \"was\": [");
                case "points[1].seed" -> text.replace("\"seed\": 2", "\"seed\": \"two\"");
                case "points[0].coordinates.task.N" -> text.replaceFirst("\"task.N\": \"8\"", "\"other\": \"8\"");
                default -> text.replace("\"p0001\"", "\"p0000\"");
            };
            Files.writeString(file, text);
            SweepFormatException e = assertThrows(SweepFormatException.class, () -> SweepTable.read(dir), c[0]);
            assertEquals(c[0], e.field(), e.getMessage());
            assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("'" + c[0] + "'"),
                    e.getMessage());
        }
    }
}
