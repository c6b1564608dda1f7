package org.layerwise.batch.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.batch.tests.CliHarness.Outcome;
import org.layerwise.io.Json;
import org.layerwise.runner.ExitCode;
import org.layerwise.runner.RunDirectory;

/** list-runs tells dead runs from live ones, and resume finishes what a killed run began. */
class ResumeCommandTest {

    @TempDir
    Path dir;

    private Path completedRun(Path out) throws Exception {
        Path f = CliHarness.pipeline(dir, "tiny", CliHarness.TINY_TASK + CliHarness.TINY_BACKEND + CliHarness.CONJUGATION
                + CliHarness.ABSTRACTION);
        Outcome o = CliHarness.run("run", f.toString(), "--out", out.toString(), "--eval-prompts", "16", "--set",
                "backend.threads=2");
        assertEquals(0, o.exitCode(), o.toString());
        try (Stream<Path> s = Files.list(out)) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    /** What kill -9 during the analyzers leaves: run.json RUNNING, a dead process, no lock held, fewer files. */
    private static Path killedCopy(Path run, Path where) throws Exception {
        Path copy = Files.createDirectories(where);
        try (Stream<Path> s = Files.list(run)) {
            for (Path f : s.toList()) {
                Files.copy(f, copy.resolve(f.getFileName()));
            }
        }
        Map<String, Object> json = new LinkedHashMap<>(Json.readMap(copy.resolve("run.json")));
        json.put("status", "RUNNING");
        json.remove("end");
        json.put("updated", java.time.Instant.now().toString());
        json.put("process", Map.of("pid", 1, "host", RunDirectory.hostName(), "started", "1970-01-01T00:00:00Z",
                "lock", ".run.lock", "heartbeat_seconds", 30));
        Json.write(copy.resolve("run.json"), json);
        Files.delete(copy.resolve("metrics.json"));
        Files.delete(copy.resolve("abstraction.csv"));
        Files.writeString(copy.resolve(".eval.npz.4242-1f.partial"), "torn");
        return copy;
    }

    @Test
    void list_runs_shows_a_killed_run_as_interrupted_and_resume_finishes_it_with_the_same_numbers() throws Exception {
        Path out = dir.resolve("runs");
        Path done = completedRun(out);
        Path killed = killedCopy(done, out.resolve("killed-run"));

        Outcome list = CliHarness.run("list-runs", out.toString());
        assertEquals(0, list.exitCode(), list.toString());
        List<String> lines = list.out().lines().toList();
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("INTERRUPTED") && l.endsWith("killed-run")), list.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("OK") && l.endsWith(done.getFileName().toString())), list.toString());

        Outcome resumed = CliHarness.run("resume", killed.toString());
        assertEquals(0, resumed.exitCode(), resumed.toString());
        assertTrue(resumed.err().contains("resuming " + killed + " (was INTERRUPTED)"), resumed.toString());
        Map<String, Object> json = Json.readMap(killed.resolve("run.json"));
        assertEquals("OK", json.get("status"));
        assertEquals(1, ((List<?>) json.get("resumed")).size());
        assertEquals(Json.readMap(done.resolve("run.json")).get("start"), json.get("start"), "the run keeps its start");
        for (String file : List.of("model.safetensors", "training.npz", "eval.npz", "abstraction.csv", "metrics.json")) {
            assertArrayEquals(Files.readAllBytes(done.resolve(file)), Files.readAllBytes(killed.resolve(file)), file);
        }
        assertTrue(Files.notExists(killed.resolve(".eval.npz.4242-1f.partial")), "a killed write's leftover is cleaned up");
    }

    @Test
    void resume_refuses_what_it_cannot_resume_with_its_own_exit_code() throws Exception {
        Path out = dir.resolve("runs");
        Path done = completedRun(out);
        Outcome complete = CliHarness.run("resume", done.toString());
        assertEquals(ExitCode.NOT_RESUMABLE.code, complete.exitCode(), complete.toString());
        assertTrue(complete.err().contains("the run completed (status OK)"), complete.toString());

        Outcome notARun = CliHarness.run("resume", dir.toString());
        assertEquals(ExitCode.NOT_RESUMABLE.code, notARun.exitCode(), notARun.toString());
        assertTrue(notARun.err().contains("not a run directory (it has no run.json)"), notARun.toString());

        Path broken = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(broken.resolve("run.json"), "{\"status\": ");
        Outcome unreadable = CliHarness.run("resume", broken.toString());
        assertEquals(ExitCode.BAD_INPUT_FILE.code, unreadable.exitCode(), unreadable.toString());
        assertTrue(unreadable.err().contains(broken.resolve("run.json").toString()), unreadable.toString());
    }
}
