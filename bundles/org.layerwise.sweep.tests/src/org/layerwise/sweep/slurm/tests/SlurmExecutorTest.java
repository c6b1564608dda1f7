package org.layerwise.sweep.slurm.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.io.Json;
import org.layerwise.runner.ExitCode;
import org.layerwise.sweep.SweepDirectory;
import org.layerwise.sweep.SweepExpansion;
import org.layerwise.sweep.SweepSpec;
import org.layerwise.sweep.slurm.JobSettings;
import org.layerwise.sweep.slurm.Slurm;
import org.layerwise.sweep.slurm.SlurmExecutor;

/**
 * The SLURM executor against a real cluster, with a stand-in for the batch product: a
 * {@code layerwise} script that writes each point's run.json (OK, FAILED, or RUNNING and then
 * hanging, as fake-plan.txt says) and logs how it was called. The real product's sweeps are
 * tested in org.layerwise.product.tests (SlurmSweepTest).
 */
class SlurmExecutorTest {

    static Slurm slurm;

    @TempDir
    Path tmp;
    Path home;
    Path dir;
    SweepSpec spec;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    @BeforeAll
    static void cluster() {
        slurm = Cluster.require();
    }

    @BeforeEach
    void sweep() throws Exception {
        home = Files.createDirectories(tmp.resolve("home"));
        Path fake = home.resolve("layerwise");
        Files.writeString(fake, """
                #!/bin/bash
                # stands in for the batch product's worker: layerwise sweep run-points DIR --task-file FILE --task-index I
                [ "$1 $2 $4 $6" = "sweep run-points --task-file --task-index" ] || exit 2
                dir=$3
                ids=$(sed -n "$(($7 + 1))p" "$5")
                echo "task $7: $ids NO_BUILD=$LAYERWISE_NO_BUILD OPTS=$LAYERWISE_JAVA_OPTS" >> "$dir/fake-calls.txt"
                for id in $ids; do
                  mkdir -p "$dir/points/$id"
                  plan=$(sed -n "s/^$id //p" "$dir/fake-plan.txt" 2>/dev/null)
                  if [ "$plan" = HANG ]; then
                    printf '{"format":"layerwise-run","version":1,"status":"RUNNING","updated":"%s"}\\n' "$(date -u +%FT%TZ)" > "$dir/points/$id/run.json"
                    sleep 300
                  fi
                  printf '{"format":"layerwise-run","version":1,"status":"%s","start":"%s"}\\n' "${plan:-OK}" "$(date -u +%FT%T.%NZ)" > "$dir/points/$id/.run.json.new"
                  mv "$dir/points/$id/.run.json.new" "$dir/points/$id/run.json"
                done
                """);
        Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(tmp.resolve("tiny.layerwise"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="tiny" seed="7">
                  <stages role="task" contribution="linear"/>
                  <stages role="backend" contribution="softmax-attention"/>
                </layerwise:Pipeline>
                """);
        Path file = tmp.resolve("four.sweep");
        Files.writeString(file, """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Sweep xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" pipeline="tiny.layerwise" name="four" seeds="1..2">
                  <axes setting="task.N" values="8 16"/>
                  <slurm memory="1G" pointsPerTask="1"/>
                </layerwise:Sweep>
                """);
        spec = SweepSpec.load(file);
        dir = tmp.resolve("out");
        SweepDirectory.prepare(dir, spec, SweepExpansion.expand(spec, 7), 64);
    }

    /** A failed test leaves no array behind to slow the next ones. */
    @AfterEach
    void cancelTheSweepsJobs() throws Exception {
        if (Files.exists(dir.resolve("sweep.json")) && Json.readMap(dir.resolve("sweep.json")).get("slurm") != null) {
            for (Map<String, Object> s : submissions()) {
                slurm.cancel(String.valueOf(s.get("job")));
            }
        }
    }

    private ExitCode run(JobSettings overrides, Integer maxParallel, boolean await) throws Exception {
        SweepDirectory sweep = SweepDirectory.open(dir);
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        return SlurmExecutor.run(sweep, spec.slurm(),
                new SlurmExecutor.Options(overrides, maxParallel, await, home, Duration.ofMillis(500), o, e));
    }

    private String said() {
        return out.toString(StandardCharsets.UTF_8) + "\n--- stderr\n" + err.toString(StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> submissions() throws Exception {
        Map<String, Object> json = Json.readMap(dir.resolve("sweep.json"));
        return (List<Map<String, Object>>) ((Map<String, Object>) json.get("slurm")).get("submissions");
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> pointEntry(String id) throws Exception {
        for (Object o : (List<Object>) Json.readMap(dir.resolve("sweep.json")).get("points")) {
            if (((Map<String, Object>) o).get("id").equals(id)) {
                return (Map<String, Object>) o;
            }
        }
        throw new AssertionError("no point " + id);
    }

    private List<String> calls() throws Exception {
        return Files.readAllLines(dir.resolve("fake-calls.txt"));
    }

    @Test
    void onePointsPerTaskArrayRunsEveryPointOnceAndSweepJsonRecordsIt() throws Exception {
        ExitCode code = run(new JobSettings(null, null, null, null, 2, List.of()), null, true);
        assertEquals(ExitCode.OK, code, said());
        assertEquals(List.of("p0 p1", "p2 p3"), Files.readAllLines(dir.resolve("slurm/tasks-1.txt")), "2 points per task, in order");
        List<Map<String, Object>> subs = submissions();
        assertEquals(1, subs.size());
        assertEquals(List.of("p0", "p1", "p2", "p3"), subs.get(0).get("points"));
        assertEquals(2, subs.get(0).get("tasks"));
        assertTrue(String.valueOf(subs.get(0).get("job")).matches("\\d+"), subs.toString());
        List<String> calls = calls();
        assertEquals(2, calls.size(), "one worker per task, several points per worker: " + calls);
        assertTrue(calls.contains("task 0: p0 p1 NO_BUILD=1 OPTS=-XX:+UseSerialGC -Xmn64m -Xmx768m -XX:ActiveProcessorCount=1"),
                "task 0 runs line 1 with the product as built and a heap fitted to the file's 1G: " + calls);
        assertTrue(calls.stream().anyMatch(c -> c.startsWith("task 1: p2 p3 ")), calls.toString());
        for (String p : List.of("p0", "p1", "p2", "p3")) {
            assertEquals("OK", pointEntry(p).get("status"), "sweep.json refreshed after the array: " + p);
            assertEquals(1, pointEntry(p).get("attempts"), p);
        }
        assertTrue(said().contains("Sweep four: job " + subs.get(0).get("job") + " ended: 4 of 4 points OK"), said());
    }

    @Test
    void aRerunIsRefusedWhileTheArrayRunsThenSubmitsOnlyThePointsThatAreNotOk() throws Exception {
        Files.writeString(dir.resolve("fake-plan.txt"), "p1 FAILED\np2 HANG\n");
        assertEquals(ExitCode.OK, run(JobSettings.NONE, null, false), said());
        String job = String.valueOf(submissions().get(0).get("job"));
        assertTrue(Cluster.await(Duration.ofSeconds(60), () -> Files.exists(dir.resolve("points/p3/run.json"))
                && Files.exists(dir.resolve("points/p1/run.json")) && Files.exists(dir.resolve("points/p2/run.json"))),
                "the points start: " + said());
        String p0Start = String.valueOf(Json.readMap(dir.resolve("points/p0/run.json")).get("start"));

        out.reset();
        err.reset();
        assertEquals(ExitCode.SWEEP_INCOMPLETE, run(JobSettings.NONE, null, false), said());
        assertTrue(said().contains("job " + job) && said().contains("scancel " + job), "names the job and how to cancel it: " + said());
        assertFalse(Files.exists(dir.resolve("slurm/array-2.sh")), "nothing submitted while the array runs");

        slurm.cancel(job);
        assertTrue(Cluster.await(Duration.ofSeconds(60), () -> Cluster.queue(slurm, job).isEmpty()), "scancel ends the array");
        Files.delete(dir.resolve("fake-plan.txt"));
        out.reset();
        assertEquals(ExitCode.OK, run(JobSettings.NONE, null, true), said());
        List<Map<String, Object>> subs = submissions();
        assertEquals(2, subs.size(), subs.toString());
        assertEquals(List.of("p1", "p2"), subs.get(1).get("points"), "only the FAILED point and the one whose task was cancelled mid-run");
        assertTrue(said().contains("p1 (FAILED)") && said().contains("p2 (RUNNING)"), "says which points run again: " + said());
        assertTrue(said().contains("[sweep] job " + subs.get(1).get("job") + ": 0/2 points done (0 OK)")
                && !said().contains("1/2 points done (0 OK)"), "the old FAILED status of p1 does not count as done: " + said());
        assertEquals(p0Start, String.valueOf(Json.readMap(dir.resolve("points/p0/run.json")).get("start")), "p0 was not run again");
        assertEquals(1, pointEntry("p0").get("attempts"));
        assertEquals(2, pointEntry("p2").get("attempts"));
        List<String> calls = new ArrayList<>(calls());
        assertEquals(1, calls.stream().filter(c -> c.contains(": p0 ")).count(), calls.toString());
        assertEquals(2, calls.stream().filter(c -> c.contains(": p1 ")).count(), calls.toString());
    }

    @Test
    void statesShowTheQueuedAndRunningTasksOfTheRecordedJob() throws Exception {
        Files.writeString(dir.resolve("fake-plan.txt"), "p0 HANG\np1 HANG\np2 HANG\np3 HANG\n");
        assertEquals(ExitCode.OK, run(JobSettings.NONE, 1, false), said());
        String job = String.valueOf(submissions().get(0).get("job"));
        try {
            assertTrue(Cluster.await(Duration.ofSeconds(60), () -> Files.exists(dir.resolve("points/p0/run.json"))), "task 0 starts");
            Map<String, String> states = SlurmExecutor.states(SweepDirectory.open(dir), slurm);
            assertEquals("job " + job + "_0 running", states.get("p0"), states.toString());
            for (String p : List.of("p1", "p2", "p3")) {
                assertTrue(states.get(p).startsWith("job " + job + "_" + p.substring(1) + " queued"), states.toString());
            }
        } finally {
            slurm.cancel(job);
        }
        assertTrue(Cluster.await(Duration.ofSeconds(60), () -> Cluster.queue(slurm, job).isEmpty()), "scancel ends the array");
        Map<String, String> ended = SlurmExecutor.states(SweepDirectory.open(dir), slurm);
        assertEquals("job " + job + "_0 CANCELLED", ended.get("p0"), "the completion record once the job left the queue: " + ended);
    }
}
