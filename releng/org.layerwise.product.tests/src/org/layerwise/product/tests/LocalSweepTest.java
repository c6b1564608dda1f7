package org.layerwise.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.io.Json;

/**
 * Sweeps on the local executor with the real batch product: every point runs as its own
 * process into its own run directory with its coordinates and seed; a rerun skips what ended
 * and resumes a point whose process was killed; a point whose pipeline fails leaves the others
 * running and is reported.
 */
class LocalSweepTest {

    static final Path ROOT = BatchProductPluginsTest.ROOT;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void theProductIsBuilt() {
        assertTrue(Files.isDirectory(BatchProductPluginsTest.BATCH.resolve("plugins")), "build the batch product first");
    }

    static final String PIPELINE = """
            <?xml version="1.0" encoding="UTF-8"?>
            <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="small" seed="5">
              <stages role="task" contribution="linear">
                <settings key="d" value="4"/>
                <settings key="C" value="2"/>
                <settings key="N" value="8"/>
              </stages>
              <stages role="backend" contribution="softmax-attention">
                <settings key="layers" value="1"/>
                <settings key="steps" value="150"/>
                <settings key="batch" value="32"/>
                <settings key="threads" value="1"/>
                <settings key="checkpoint_every" value="200"/>
              </stages>
              <stages role="enforcer" contribution="random-conjugation"/>
              <stages role="analyzer" contribution="weight-abstraction"/>
            </layerwise:Pipeline>
            """;

    static Path sweepFile(Path dir, String name, String pipeline, String attributes, String axes) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("small.layerwise"), pipeline);
        Path f = dir.resolve(name + ".sweep");
        Files.writeString(f, """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Sweep xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="%s" pipeline="small.layerwise" %s>
                %s
                  <metrics name="accuracy"/>
                </layerwise:Sweep>
                """.formatted(name, attributes, axes));
        return f;
    }

    static BatchProductPluginsTest.Outcome layerwise(String... args) throws Exception {
        return BatchProductPluginsTest.layerwiseIn(tmp, args);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> points(Path sweepDir) throws Exception {
        return (List<Map<String, Object>>) Json.readMap(sweepDir.resolve("sweep.json")).get("points");
    }

    /** Waits (at most 120 s) until the point saved a training state, then kills its process as a crash would. */
    static void killOnceItSavedItsState(Path sweepDir, String point, Process sweep, Path log) throws Exception {
        Path state = sweepDir.resolve("points").resolve(point).resolve("checkpoint.npz");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!Files.exists(state) && System.nanoTime() < deadline && sweep.isAlive()) {
            Thread.sleep(50);
        }
        assertTrue(Files.exists(state), point + " saved a training state: " + Files.readString(log));
        Map<?, ?> process = (Map<?, ?>) Json.readMap(sweepDir.resolve("points").resolve(point).resolve("run.json")).get("process");
        ProcessHandle.of(((Number) process.get("pid")).longValue()).orElseThrow().destroyForcibly();
    }

    @Test
    void everyPointRunsWithItsCoordinatesAndSeedAndARerunSkipsThem() throws Exception {
        Path f = sweepFile(tmp.resolve("a"), "grid", PIPELINE, "seeds=\"1 2\"", "<axes setting=\"backend.layers\" values=\"1 2\"/>");
        Path dir = tmp.resolve("a/out");
        BatchProductPluginsTest.Outcome o = layerwise("sweep", f.toString(), "--out", dir.toString(), "--max-parallel", "2");
        assertEquals(0, o.code(), o.toString());
        assertTrue(o.out().contains("Sweep grid: 4 OK of 4 points"), o.toString());
        for (Map<String, Object> p : points(dir)) {
            assertEquals("OK", p.get("status"));
            Map<String, Object> run = Json.readMap(dir.resolve(String.valueOf(p.get("run"))).resolve("run.json"));
            Map<?, ?> pipeline = (Map<?, ?>) run.get("pipeline");
            assertEquals(((Number) p.get("seed")).longValue(), ((Number) pipeline.get("seed")).longValue());
            Map<?, ?> backend = (Map<?, ?>) ((List<?>) pipeline.get("stages")).get(1);
            assertEquals(((Map<?, ?>) p.get("coordinates")).get("backend.layers"), String.valueOf(((Map<?, ?>) backend.get("settings")).get("layers")));
        }
        // the same pipeline and seed run alone give the same numbers
        BatchProductPluginsTest.Outcome alone = layerwise("run", tmp.resolve("a/small.layerwise").toString(), "--set", "backend.layers=2",
                "--seed", "2", "--out", tmp.resolve("a/alone").toString());
        assertEquals(0, alone.code(), alone.toString());
        Path aloneRun;
        try (var s = Files.list(tmp.resolve("a/alone"))) {
            aloneRun = s.findFirst().orElseThrow();
        }
        Map<String, Object> point = points(dir).get(3);
        assertEquals(Map.of("backend.layers", "2"), point.get("coordinates"));
        assertEquals(Json.readMap(aloneRun.resolve("metrics.json")).get("accuracy"),
                Json.readMap(dir.resolve("points/p3/metrics.json")).get("accuracy"));

        // the aggregate's numbers are the run directories' own
        BatchProductPluginsTest.Outcome aggregate = layerwise("aggregate", dir.toString());
        assertEquals(0, aggregate.code(), aggregate.toString());
        org.layerwise.io.Csv.Table runs = org.layerwise.io.Csv.read(dir.resolve("runs.csv"));
        assertEquals(4, runs.rows().size());
        for (int i = 0; i < 4; i++) {
            Path run = dir.resolve(runs.get(i, "run"));
            assertEquals(((Number) Json.readMap(run.resolve("metrics.json")).get("accuracy")).doubleValue(),
                    org.layerwise.io.Csv.parseDouble(runs.get(i, "accuracy")), 0.0, runs.get(i, "point"));
            assertEquals(((Map<?, ?>) ((List<?>) ((Map<?, ?>) Json.readMap(run.resolve("run.json")).get("pipeline")).get("stages")).get(1))
                    .get("settings").toString().contains("layers=" + runs.get(i, "backend.layers")), true, runs.get(i, "point"));
        }
        assertTrue(Files.isRegularFile(dir.resolve("report.html")));

        String start = String.valueOf(Json.readMap(dir.resolve("points/p0/run.json")).get("start"));
        BatchProductPluginsTest.Outcome again = layerwise("sweep", f.toString(), "--out", dir.toString());
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.err().contains("4 OK (ended: skipped)") && again.err().contains("nothing to run"), again.toString());
        assertEquals(start, String.valueOf(Json.readMap(dir.resolve("points/p0/run.json")).get("start")));

        Path changed = sweepFile(tmp.resolve("a"), "grid", PIPELINE, "seeds=\"1 2 3\"", "<axes setting=\"backend.layers\" values=\"1 2\"/>");
        BatchProductPluginsTest.Outcome refused = layerwise("sweep", changed.toString(), "--out", dir.toString());
        assertEquals(19, refused.code(), refused.toString());
        assertTrue(refused.err().contains("holds a sweep of 4 points") && refused.err().contains("now expands to 6"), refused.toString());

        BatchProductPluginsTest.Outcome status = layerwise("sweep", "status", dir.toString());
        assertEquals(0, status.code(), status.toString());
        assertTrue(status.out().contains("4 OK of 4 points"), status.toString());
    }

    @Test
    void aPointKilledMidRunIsResumedByTheRerunAndTheOthersAreNot() throws Exception {
        // zip: p0 is short, p1 trains long enough to be killed after it saved its state
        Path f = sweepFile(tmp.resolve("b"), "kill", PIPELINE, "combination=\"zip\" seeds=\"3\"", """
                <axes setting="backend.steps" values="150 30000"/>
                <axes setting="task.N" values="8 16"/>
                """);
        Path dir = tmp.resolve("b/out");
        ProcessBuilder pb = BatchProductPluginsTest.command(tmp, "sweep", f.toString(), "--out", dir.toString(), "--max-parallel", "2");
        Path log = tmp.resolve("b/sweep.log");
        Process sweep = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        killOnceItSavedItsState(dir, "p1", sweep, log);
        assertTrue(sweep.waitFor(120, TimeUnit.SECONDS), Files.readString(log));
        assertEquals(12, sweep.exitValue(), Files.readString(log));
        assertEquals("OK", points(dir).get(0).get("status"));
        assertEquals("INTERRUPTED", points(dir).get(1).get("status"), Files.readString(log));

        String p0Start = String.valueOf(Json.readMap(dir.resolve("points/p0/run.json")).get("start"));
        String p1Start = String.valueOf(Json.readMap(dir.resolve("points/p1/run.json")).get("start"));
        BatchProductPluginsTest.Outcome again = layerwise("sweep", f.toString(), "--out", dir.toString());
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.err().contains("1 INTERRUPTED (to resume or rerun): p1") && again.err().contains("1 OK (ended: skipped)"),
                again.toString());
        assertFalse(again.err().contains("p0 started"), again.toString());
        Map<String, Object> p1 = Json.readMap(dir.resolve("points/p1/run.json"));
        assertEquals("OK", p1.get("status"));
        assertEquals(p1Start, String.valueOf(p1.get("start")), "resumed in place, not run afresh");
        assertTrue(p1.get("resumed") instanceof List<?> r && r.size() == 1, "resumed once: " + p1.get("resumed"));
        assertEquals(p0Start, String.valueOf(Json.readMap(dir.resolve("points/p0/run.json")).get("start")));
        assertTrue(Files.readString(dir.resolve("logs/p1.log")).contains("=== attempt 2"));
        assertEquals(2, ((Number) points(dir).get(1).get("attempts")).intValue());
        assertEquals(1, ((Number) points(dir).get(0).get("attempts")).intValue());
    }

    @Test
    void aPointWhosePipelineFailsLeavesTheOthersRunningAndIsReported() throws Exception {
        // Paper B's linear transformer diverges at a huge step size (status DIVERGED), not at a small one
        Path f = sweepFile(tmp.resolve("c"), "diverge", Files.readString(ROOT.resolve("examples/paper-b/staged-learning.layerwise")),
                "seeds=\"1 2\"", """
                <axes setting="backend.steps" values="100"/>
                <axes setting="backend.eta" values="1000 0.01"/>
                """);
        Path dir = tmp.resolve("c/out");
        BatchProductPluginsTest.Outcome o = layerwise("sweep", f.toString(), "--out", dir.toString(), "--max-parallel", "2");
        assertEquals(12, o.code(), o.toString());
        assertTrue(o.out().contains("2 DIVERGED, 2 OK of 4 points") && o.out().contains("Not OK: p0 p1"), o.toString());
        List<Map<String, Object>> points = points(dir);
        assertEquals(List.of("DIVERGED", "DIVERGED", "OK", "OK"), points.stream().map(p -> p.get("status")).toList());
        BatchProductPluginsTest.Outcome status = layerwise("sweep", "status", dir.toString());
        assertTrue(status.out().contains("2 DIVERGED, 2 OK of 4 points"), status.toString());
        assertTrue(status.out().lines().anyMatch(l -> l.startsWith("p0") && l.contains("DIVERGED") && l.contains("backend.eta=1000")),
                status.toString());
    }
}
