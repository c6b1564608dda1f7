package org.layerwise.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.runner.ExitCode;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunListener;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;
import org.layerwise.runner.ValidatedPipeline;

/** Ctrl-C: the process ends with the exit code of the status run.json holds, whether or not the run heeds it. */
class InterruptionTest {

    @TempDir
    Path dir;

    /** Runs the pipeline as the run command does and delivers "Ctrl-C" when the given stage starts. */
    private int interruptAt(String analyzer, String stagePrefix, double grace, Path[] runDir) throws Exception {
        List<PipelineSpec.Stage> stages = List.of(
                new PipelineSpec.Stage(Role.TASK, "linear", Map.of("d", "3", "C", "2", "N", "4"), 0),
                new PipelineSpec.Stage(Role.BACKEND, "softmax-attention", Map.of("layers", "1", "steps", "3", "batch", "8"), 0),
                new PipelineSpec.Stage(Role.ANALYZER, analyzer, Map.of(), 0));
        ValidatedPipeline p = new PipelineValidator(ContributionRegistry.load()).validate(new PipelineSpec("ctrl-c", 1, stages, null));
        RunOptions options = new RunOptions(dir, 16);
        Path run = PipelineRunner.createRunDirectory(options, p.spec());
        runDir[0] = run;
        AtomicBoolean cancel = new AtomicBoolean();
        AtomicInteger exited = new AtomicInteger(-1);
        CountDownLatch halted = new CountDownLatch(1);
        PrintStream sink = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Interruption interruption = new Interruption(cancel, sink, sink, grace, code -> {
            exited.set(code);
            halted.countDown();
        });
        interruption.running(run);
        RunResult r = PipelineRunner.run(p, options, run, new RunListener() {
            @Override
            public void stage(String name) {
                if (name.startsWith(stagePrefix)) {
                    new Thread(interruption::interrupted, "ctrl-c").start(); // as the JVM starts a shutdown hook
                }
            }

            @Override
            public boolean isCanceled() {
                return cancel.get();
            }
        });
        interruption.finish(r.exitCode().code);
        assertTrue(halted.await(30, TimeUnit.SECONDS), "the process would have ended");
        return exited.get();
    }

    @Test
    void a_run_that_ignores_ctrl_c_is_abandoned_as_cancelled_after_the_grace_period_and_exits_130() throws Exception {
        Path[] run = new Path[1];
        int code = interruptAt("test-slow", "analyzer test-slow", 0.3, run);
        assertEquals(ExitCode.CANCELLED.code, code);
        RunDirectory d = RunDirectory.open(run[0]);
        assertEquals(RunStatus.CANCELLED, d.status());
        assertTrue(String.valueOf(d.run().get("cause")).contains("did not stop within 0.3 s (while analyzer test-slow)"),
                d.run().toString());
    }

    @Test
    void the_exit_code_is_always_the_code_of_the_status_written() throws Exception {
        for (String stage : List.of("building model", "evaluating", "analyzer weight-abstraction")) {
            Path[] run = new Path[1];
            int code = interruptAt("weight-abstraction", stage, 10, run);
            RunStatus written = RunDirectory.open(run[0]).status();
            assertEquals(new RunResult(written, null, run[0], Map.of(), List.of()).exitCode().code, code,
                    "Ctrl-C at '" + stage + "': run.json says " + written);
        }
    }
}
