package org.layerwise.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * Sweeps as SLURM job arrays with the real batch product on the cluster SLURM_CONF names
 * (releng/slurm/local-cluster start; skipped with the reason without one): the points run as
 * one array, sweep.json records the job and the sweep aggregates; a point whose JVM is killed mid-run is resumed by
 * the rerun, which submits only that point; a point whose pipeline fails leaves the others
 * running and is reported.
 */
class SlurmSweepTest {

    @TempDir
    static Path tmp;

    @BeforeAll
    static void theClusterAndTheProduct() {
        assertTrue(Files.isDirectory(BatchProductPluginsTest.BATCH.resolve("plugins")), "build the batch product first");
        String why = clusterMissing();
        if (why != null) {
            String message = "SLURM sweep tests skipped: " + why
                    + " (start a local cluster with releng/slurm/local-cluster start and export the SLURM_CONF it prints)";
            System.err.println(message);
            assumeTrue(false, message);
        }
    }

    /** Why no cluster can be used, or null. */
    static String clusterMissing() {
        String conf = System.getenv("SLURM_CONF");
        if (conf == null || conf.isBlank()) {
            return "SLURM_CONF is not set";
        }
        if (!Files.isRegularFile(Path.of(conf))) {
            return "SLURM_CONF names " + conf + ", which does not exist";
        }
        try {
            Process p = new ProcessBuilder("squeue", "-h", "--me").redirectErrorStream(true).start();
            if (!p.waitFor(15, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "squeue did not answer in 15 s";
            }
            String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.exitValue() == 0 ? null : "squeue failed: " + said;
        } catch (IOException e) {
            return "squeue cannot be started: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    static BatchProductPluginsTest.Outcome layerwise(String... args) throws Exception {
        return BatchProductPluginsTest.layerwiseIn(tmp, args);
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> submissions(Path dir) throws Exception {
        return (List<Map<String, Object>>) ((Map<String, Object>) Json.readMap(dir.resolve("sweep.json")).get("slurm")).get("submissions");
    }

    static String start(Path dir, String point) throws Exception {
        return String.valueOf(Json.readMap(dir.resolve("points").resolve(point).resolve("run.json")).get("start"));
    }

    @Test
    void theSweepRunsAsOneJobArrayWithTheWaitFollowingItToTheEnd() throws Exception {
        Path f = LocalSweepTest.sweepFile(tmp.resolve("a"), "array", LocalSweepTest.PIPELINE, "seeds=\"1 2\"",
                "<axes setting=\"backend.layers\" values=\"1 2\"/>");
        Path dir = tmp.resolve("a/out");
        BatchProductPluginsTest.Outcome o = layerwise("sweep", f.toString(), "--executor", "slurm", "--out", dir.toString(), "--wait",
                "--mem", "1G", "--eval-prompts", "256");
        assertEquals(0, o.code(), o.toString());
        List<Map<String, Object>> subs = submissions(dir);
        assertEquals(1, subs.size(), subs.toString());
        String job = String.valueOf(subs.get(0).get("job"));
        assertEquals(List.of("p0", "p1", "p2", "p3"), subs.get(0).get("points"));
        assertEquals(4, subs.get(0).get("tasks"));
        assertTrue(o.out().contains("Sweep array: job " + job + " ended: 4 of 4 points OK"), o.toString());
        List<Map<String, Object>> points = LocalSweepTest.points(dir);
        for (int i = 0; i < 4; i++) {
            Map<String, Object> p = points.get(i);
            assertEquals("OK", p.get("status"), "sweep.json refreshed once the array left the queue: " + p);
            assertEquals(1, ((Number) p.get("attempts")).intValue(), p.toString());
            Path log = dir.resolve("slurm/" + job + "_" + i + ".log");
            assertTrue(Files.readString(log).contains("[sweep] point p" + i + " ("), "array task " + i + " ran point p" + i + ": " + log);
            Map<?, ?> pipeline = (Map<?, ?>) Json.readMap(dir.resolve("points/p" + i + "/run.json")).get("pipeline");
            assertEquals(((Number) p.get("seed")).longValue(), ((Number) pipeline.get("seed")).longValue(), "the point's seed");
        }
        BatchProductPluginsTest.Outcome status = layerwise("sweep", "status", dir.toString());
        assertEquals(0, status.code(), status.toString());
        assertTrue(status.out().contains("4 OK of 4 points"), status.toString());

        // the array's run directories aggregate like the local executor's: a row per point with its own accuracy
        BatchProductPluginsTest.Outcome aggregate = layerwise("aggregate", dir.toString());
        assertEquals(0, aggregate.code(), aggregate.toString());
        List<String> rows = Files.readAllLines(dir.resolve("runs.csv"));
        List<String> header = List.of(rows.get(0).split(","));
        assertEquals(5, rows.size(), "a header and a row per point: " + rows);
        for (String row : rows.subList(1, rows.size())) {
            String[] cells = row.split(",");
            String point = cells[header.indexOf("point")];
            double own = ((Number) Json.readMap(dir.resolve("points").resolve(point).resolve("metrics.json")).get("accuracy")).doubleValue();
            assertEquals(own, Double.parseDouble(cells[header.indexOf("accuracy")]), 1e-12, point + ": " + row);
        }
        assertTrue(Files.isRegularFile(dir.resolve("report.html")));
    }

    @Test
    void aPointWhoseJvmIsKilledIsResumedByTheRerunWhichSubmitsOnlyIt() throws Exception {
        // zip: p0 is short, p1 trains long enough to be killed after it saved its state
        Path f = LocalSweepTest.sweepFile(tmp.resolve("b"), "kill", LocalSweepTest.PIPELINE, "combination=\"zip\" seeds=\"3\"", """
                <axes setting="backend.steps" values="150 30000"/>
                <axes setting="task.N" values="8 16"/>
                """);
        Path dir = tmp.resolve("b/out");
        List<String> args = List.of("sweep", f.toString(), "--executor", "slurm", "--out", dir.toString(), "--wait", "--mem", "1G",
                "--eval-prompts", "256");
        Path log = tmp.resolve("b/sweep.log");
        Process sweep = BatchProductPluginsTest.command(tmp, args.toArray(String[]::new)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        LocalSweepTest.killOnceItSavedItsState(dir, "p1", sweep, log);
        assertTrue(sweep.waitFor(120, TimeUnit.SECONDS), Files.readString(log));
        assertEquals(12, sweep.exitValue(), "--wait reports the killed point: " + Files.readString(log));
        assertTrue(Files.readString(log).contains("not OK: p1 INTERRUPTED"), Files.readString(log));
        assertEquals("OK", LocalSweepTest.points(dir).get(0).get("status"));

        String p0Start = start(dir, "p0");
        String p1Start = start(dir, "p1");
        BatchProductPluginsTest.Outcome again = layerwise(args.toArray(String[]::new));
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.err().contains("1 of 2 points to run, 1 skipped (1 OK)") && again.err().contains("rerun: p1 (INTERRUPTED)"),
                "says which point runs again: " + again);
        List<Map<String, Object>> subs = submissions(dir);
        assertEquals(2, subs.size(), subs.toString());
        assertEquals(List.of("p1"), subs.get(1).get("points"), "the rerun's array holds only the killed point");
        assertEquals(p0Start, start(dir, "p0"), "p0 was not run again");
        Map<String, Object> p1 = Json.readMap(dir.resolve("points/p1/run.json"));
        assertEquals("OK", p1.get("status"));
        assertEquals(p1Start, String.valueOf(p1.get("start")), "resumed in place, not run afresh");
        assertTrue(p1.get("resumed") instanceof List<?> r && r.size() == 1, "resumed once: " + p1.get("resumed"));
        assertEquals(2, ((Number) LocalSweepTest.points(dir).get(1).get("attempts")).intValue());
        assertEquals(1, ((Number) LocalSweepTest.points(dir).get(0).get("attempts")).intValue());
    }

    @Test
    void aPointWhosePipelineFailsLeavesTheOthersRunningAndIsReported() throws Exception {
        // Paper B's linear transformer diverges at a huge step size (status DIVERGED), not at a small one
        Path f = LocalSweepTest.sweepFile(tmp.resolve("c"), "diverge",
                Files.readString(BatchProductPluginsTest.ROOT.resolve("examples/paper-b/staged-learning.layerwise")), "seeds=\"1 2\"", """
                <axes setting="backend.steps" values="100"/>
                <axes setting="backend.eta" values="1000 0.01"/>
                """);
        Path dir = tmp.resolve("c/out");
        BatchProductPluginsTest.Outcome o = layerwise("sweep", f.toString(), "--executor", "slurm", "--out", dir.toString(), "--wait",
                "--points-per-task", "2", "--eval-prompts", "256");
        assertEquals(12, o.code(), o.toString());
        assertTrue(o.out().contains("2 of 4 points OK; not OK: p0 DIVERGED") && o.out().contains("p1 DIVERGED"), o.toString());
        assertEquals(List.of("DIVERGED", "DIVERGED", "OK", "OK"), LocalSweepTest.points(dir).stream().map(p -> p.get("status")).toList());
        // two points per task: p0 diverged, and p1 still ran in the same JVM
        String job = String.valueOf(submissions(dir).get(0).get("job"));
        assertTrue(Files.readString(dir.resolve("slurm/" + job + "_0.log")).contains("[sweep] point p1 ("), "p1 ran after p0 in task 0");
        BatchProductPluginsTest.Outcome status = layerwise("sweep", "status", dir.toString());
        assertTrue(status.out().contains("2 DIVERGED, 2 OK of 4 points"), status.toString());
        assertTrue(status.out().lines().anyMatch(l -> l.startsWith("p0") && l.contains("DIVERGED") && l.contains("backend.eta=1000")),
                status.toString());
    }
}
