package org.layerwise.runner.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.io.Json;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunListener;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;
import org.layerwise.runner.ValidatedPipeline;
import org.layerwise.testing.SmallDisk;

/** run.json tells the truth however a run ends: killed, abandoned, or with the disk full. */
class RunTruthTest {

    @TempDir
    Path dir;

    private static final PipelineSpec.Stage TASK = new PipelineSpec.Stage(Role.TASK, "linear", Map.of("d", "3", "C", "2", "N", "4"), 0);
    private static final PipelineSpec.Stage BACKEND = new PipelineSpec.Stage(Role.BACKEND, "softmax-attention",
            Map.of("layers", "1", "steps", "3", "batch", "8"), 0);

    private static ValidatedPipeline pipeline(String... analyzers) throws Exception {
        List<PipelineSpec.Stage> stages = new java.util.ArrayList<>(List.of(TASK, BACKEND));
        for (String a : analyzers) {
            stages.add(new PipelineSpec.Stage(Role.ANALYZER, a, Map.of(), 0));
        }
        return new PipelineValidator(ContributionRegistry.load()).validate(new PipelineSpec("truth", 5, stages, null));
    }

    /** Calls back at the start of each stage whose name starts with {@code prefix}. */
    private static RunListener at(String prefix, Runnable action) {
        return new RunListener() {
            @Override
            public void stage(String name) {
                if (name.startsWith(prefix)) {
                    action.run();
                }
            }

            @Override
            public boolean isCanceled() {
                return false;
            }
        };
    }

    @Test
    void a_live_run_records_its_process_and_reads_running_and_its_end_removes_the_lock() throws Exception {
        ValidatedPipeline p = pipeline("weight-abstraction");
        RunOptions options = new RunOptions(dir, 16);
        Path run = PipelineRunner.createRunDirectory(options, p.spec());
        AtomicReference<RunStatus> during = new AtomicReference<>();
        AtomicReference<Map<String, Object>> json = new AtomicReference<>();
        RunResult r = PipelineRunner.run(p, options, run, at("analyzer", () -> {
            during.set(RunDirectory.status(run));
            try {
                json.set(Json.readMap(run.resolve("run.json")));
            } catch (java.io.IOException e) {
                throw new AssertionError(e);
            }
        }));
        assertEquals(RunStatus.OK, r.status(), r.cause());
        assertEquals(RunStatus.RUNNING, during.get());
        Map<?, ?> process = (Map<?, ?>) json.get().get("process");
        assertEquals(ProcessHandle.current().pid(), ((Number) process.get("pid")).longValue());
        assertEquals(RunDirectory.hostName(), process.get("host"));
        assertEquals("analyzer weight-abstraction", json.get().get("stage"));
        assertEquals(RunStatus.OK, RunDirectory.status(run));
        assertTrue(Files.notExists(run.resolve(".run.lock")), "the lock goes with the terminal status");
        assertTrue(Files.notExists(run.resolve(".run.reserve")), "the disk reserve is given back");
    }

    /** run.json of a RUNNING run of the given process on the given host, as a killed run leaves it. */
    private Path runningRun(String name, long pid, String host, String started, Instant updated) throws Exception {
        Path run = Files.createDirectories(dir.resolve(name));
        Map<String, Object> process = new LinkedHashMap<>();
        process.put("pid", pid);
        process.put("host", host);
        process.put("started", started);
        process.put("lock", ".run.lock");
        process.put("heartbeat_seconds", 30);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "layerwise-run");
        m.put("status", "RUNNING");
        m.put("process", process);
        m.put("updated", updated.toString());
        Json.write(run.resolve("run.json"), m);
        return run;
    }

    @Test
    void a_run_whose_process_was_killed_reads_interrupted_and_one_whose_process_holds_the_lock_running() throws Exception {
        Path run = runningRun("killed", 1, RunDirectory.hostName(), "1970-01-01T00:00:00Z", Instant.now());
        Path lock = run.resolve(".run.lock");
        // Another process takes the lock as a run would, then is killed as kill -9 would.
        Path locker = dir.resolve("Locker.java");
        Files.writeString(locker, """
                import java.nio.channels.FileChannel;
                import java.nio.file.*;
                public class Locker {
                    public static void main(String[] a) throws Exception {
                        FileChannel c = FileChannel.open(Path.of(a[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                        c.lock();
                        System.out.println("locked");
                        System.out.flush();
                        Thread.sleep(120_000);
                    }
                }
                """);
        String java = ProcessHandle.current().info().command().orElse("java");
        Process other = new ProcessBuilder(java, locker.toString(), lock.toString()).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("locked", CompletableFuture.supplyAsync(() -> {
                try {
                    return out.readLine();
                } catch (java.io.IOException e) {
                    return e.toString();
                }
            }).get(60, TimeUnit.SECONDS));
            assertEquals(RunStatus.RUNNING, RunDirectory.status(run), "the lock is held by a live process");
            other.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(RunStatus.INTERRUPTED, RunDirectory.status(run), "the OS released the killed process's lock");
        assertEquals(RunStatus.RUNNING, RunDirectory.open(run).recordedStatus(), "run.json itself is left as it was");

        Files.delete(lock);
        assertEquals(RunStatus.INTERRUPTED, RunDirectory.status(run), "no lock and a pid that is not the run's process");
    }

    @Test
    void on_another_host_only_the_heartbeat_tells() throws Exception {
        Path fresh = runningRun("fresh", 1, "another-host", "?", Instant.now().minusSeconds(60));
        Path stale = runningRun("stale", 1, "another-host", "?", Instant.now().minusSeconds(600));
        assertEquals(RunStatus.RUNNING, RunDirectory.status(fresh));
        assertEquals(RunStatus.INTERRUPTED, RunDirectory.status(stale));
    }

    @Test
    void a_run_abandoned_while_a_stage_ignores_cancellation_stays_cancelled_when_that_stage_finishes() throws Exception {
        ValidatedPipeline p = pipeline("test-ignores-cancel", "weight-abstraction");
        RunOptions options = new RunOptions(dir, 16);
        Path run = PipelineRunner.createRunDirectory(options, p.spec());
        AtomicReference<RunStatus> abandoned = new AtomicReference<>();
        RunResult r = PipelineRunner.run(p, options, run, at("analyzer test-ignores-cancel", () -> CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(300);
                abandoned.set(PipelineRunner.abandon(run, RunStatus.CANCELLED, "cancelled by the user"));
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        })));
        assertEquals(RunStatus.CANCELLED, abandoned.get());
        assertEquals(RunStatus.CANCELLED, r.status(), "the run's own OK came after the status was written");
        Map<String, Object> json = Json.readMap(run.resolve("run.json"));
        assertEquals("CANCELLED", json.get("status"));
        assertTrue(String.valueOf(json.get("cause")).contains("while analyzer test-ignores-cancel"), json.toString());
        assertEquals(null, PipelineRunner.abandon(run, RunStatus.CANCELLED, "again"), "an ended run is no longer active");
    }

    @Test
    void a_disk_that_fills_up_while_the_run_finishes_still_gets_the_terminal_status_naming_the_file() throws Exception {
        SmallDisk disk = SmallDisk.mount(dir, 2048);
        assumeTrue(disk != null, "mounting a tmpfs needs root (CI and the development machines run as root)");
        try (disk) {
            ValidatedPipeline p = pipeline("weight-abstraction");
            RunOptions options = new RunOptions(disk.root().resolve("runs"), 16);
            Path run = PipelineRunner.createRunDirectory(options, p.spec());
            RunResult r = PipelineRunner.run(p, options, run, at("analyzer", () -> {
                try {
                    disk.fill();
                } catch (java.io.IOException e) {
                    throw new AssertionError(e);
                }
            }));
            assertEquals(RunStatus.FAILED, r.status());
            Map<String, Object> json = Json.readMap(run.resolve("run.json"));
            assertEquals("FAILED", json.get("status"), "run.json was finished in the reserve's space");
            String cause = String.valueOf(json.get("cause"));
            assertTrue(cause.contains(run.toString()) && cause.contains("cannot be written: No space left on device"), cause);
            assertNotNull(RunDirectory.open(run).run().get("end"));
            try (var files = Files.list(run)) {
                assertEquals(List.of(), files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".partial")).toList());
            }
        }
    }
}
