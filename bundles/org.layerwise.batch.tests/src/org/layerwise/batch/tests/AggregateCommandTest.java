package org.layerwise.batch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.batch.tests.CliHarness.Outcome;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.runner.ExitCode;

/** {@code layerwise aggregate DIR} on a sweep directory whose points are real runs of a tiny pipeline. */
class AggregateCommandTest {

    @TempDir
    Path dir;

    @Test
    void aggregatesRealRunsAndReportsWhatItWrote() throws Exception {
        Path pipeline = CliHarness.pipeline(dir, "agg", CliHarness.TINY_TASK + CliHarness.TINY_BACKEND + CliHarness.ABSTRACTION);
        Path sweep = dir.resolve("sweep");
        List<Map<String, Object>> points = new ArrayList<>();
        for (String n : List.of("6", "10")) {
            for (long seed = 1; seed <= 2; seed++) {
                String id = "p000" + points.size();
                Outcome o = CliHarness.run("run", pipeline.toString(), "--out", sweep.resolve("points").resolve(id).toString(),
                        "--eval-prompts", "32", "--seed", String.valueOf(seed), "--set", "task.N=" + n);
                assertEquals(0, o.exitCode(), o.toString());
                Path run;
                try (Stream<Path> s = Files.list(sweep.resolve("points").resolve(id))) {
                    run = s.findFirst().orElseThrow();
                }
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("id", id);
                p.put("index", points.size());
                p.put("coordinates", Map.of("task.N", n));
                p.put("seed", seed);
                p.put("run", sweep.relativize(run).toString());
                p.put("status", "OK");
                p.put("attempts", 1);
                points.add(p);
            }
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", "layerwise-sweep");
        json.put("version", 1);
        json.put("name", "tiny");
        json.put("axes", List.of(Map.of("setting", "task.N", "values", List.of("6", "10"))));
        json.put("seeds", List.of(1, 2));
        json.put("metrics", List.of("accuracy", "weight-abstraction.asymmetry_mean"));
        json.put("versions", Map.of("layerwise", "0.1.0"));
        json.put("points", points);
        Json.write(sweep.resolve("sweep.json"), json);

        Outcome o = CliHarness.run("aggregate", sweep.toString(), "--interval", "bootstrap");
        assertEquals(ExitCode.OK.code, o.exitCode(), o.toString());
        assertTrue(o.out().contains("4 points, 4 OK"), o.toString());
        assertTrue(o.out().contains(sweep.resolve("runs.csv").toString()) && o.out().contains(sweep.resolve("report.html").toString()),
                o.toString());

        Csv.Table csv = Csv.read(sweep.resolve("runs.csv"));
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < csv.size(); i++) {
            Map<String, Object> metrics = Json.readMap(sweep.resolve(csv.get(i, "run")).resolve("metrics.json"));
            double accuracy = ((Number) metrics.get("accuracy")).doubleValue();
            assertEquals(accuracy, Csv.parseDouble(csv.get(i, "accuracy")), 0.0);
            Map<?, ?> wa = (Map<?, ?>) ((Map<?, ?>) metrics.get("analyzers")).get("weight-abstraction");
            assertEquals(((Number) wa.get("asymmetry_mean")).doubleValue(), Csv.parseDouble(csv.get(i, "weight-abstraction.asymmetry_mean")), 0.0);
            assertEquals(points.get(i).get("coordinates"), Map.of("task.N", csv.get(i, "task.N")));
            low = Math.min(low, accuracy);
            high = Math.max(high, accuracy);
        }
        assertTrue(o.out().contains(String.format(Locale.ROOT, "accuracy: %.4g to %.4g", low, high)), o.toString());
        assertTrue(Files.isRegularFile(sweep.resolve("figures/accuracy-vs-task.N.svg")));
    }

    @Test
    void aMissingOrMalformedSweepJsonIsNamedWithItsOwnCode() throws Exception {
        Outcome missing = CliHarness.run("aggregate", dir.toString());
        assertEquals(ExitCode.SWEEP_MISMATCH.code, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains(dir.resolve("sweep.json").toString()), missing.toString());

        Files.writeString(dir.resolve("sweep.json"), "{\"format\": \"layerwise-sweep\", \"version\": 1, \"name\": \"x\", "
                + "\"axes\": [], \"seeds\": [], \"metrics\": [], \"points\": [{\"id\": \"p0\", \"coordinates\": {}, \"seed\": 1}]}");
        Outcome malformed = CliHarness.run("aggregate", dir.toString());
        assertEquals(ExitCode.SWEEP_MISMATCH.code, malformed.exitCode(), malformed.toString());
        assertTrue(malformed.err().contains("field 'points[0].run'"), malformed.toString());

        Outcome usage = CliHarness.run("aggregate", dir.toString(), "--interval", "normal");
        assertEquals(ExitCode.USAGE.code, usage.exitCode(), usage.toString());
    }
}
