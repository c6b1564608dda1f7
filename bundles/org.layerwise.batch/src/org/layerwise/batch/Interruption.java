package org.layerwise.batch;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;

import org.layerwise.runner.ExitCode;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;

/**
 * What Ctrl-C (SIGINT, SIGTERM) does while pipelines run: the running pipeline is asked to
 * stop at its next check and given a grace period (10 s) to end with status CANCELLED. A stage
 * that does not heed it in time (a contributed analyzer deep in its own loop) is abandoned:
 * run.json gets CANCELLED all the same. Either way the process exits with the code of the
 * status that run.json holds, and nothing after the hook can change either: the JVM stops
 * here, without running the rest of its shutdown.
 */
final class Interruption implements AutoCloseable {

    private final AtomicBoolean cancel;
    private final PrintStream out;
    private final PrintStream err;
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;
    private final double graceSeconds;
    private final IntConsumer exit;
    private volatile int exitCode = ExitCode.CANCELLED.code;
    private volatile Path running;

    /** Handles SIGINT/SIGTERM of this process until closed. */
    Interruption(AtomicBoolean cancel, PrintStream out, PrintStream err) {
        this(cancel, out, err, Double.parseDouble(System.getProperty("layerwise.cancelGraceSeconds", "10")));
    }

    /** As above, with a grace period of its own (a sweep waits for its points' processes to stop). */
    Interruption(AtomicBoolean cancel, PrintStream out, PrintStream err, double graceSeconds) {
        this(cancel, out, err, graceSeconds, Runtime.getRuntime()::halt);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** For tests: {@link #interrupted()} is called by hand and {@code exit} receives the exit code. */
    Interruption(AtomicBoolean cancel, PrintStream out, PrintStream err, double graceSeconds, IntConsumer exit) {
        this.cancel = cancel;
        this.out = out;
        this.err = err;
        this.graceSeconds = graceSeconds;
        this.exit = exit;
        this.hook = new Thread(this::interrupted, "layerwise-interrupt");
    }

    /** The run directory being written now (null between runs). */
    void running(Path dir) {
        running = dir;
    }

    /** The command's exit code, once everything it prints is printed. */
    int finish(int code) {
        exitCode = code;
        done.countDown();
        return code;
    }

    /** What the signal does: cancel, wait for the command to end or abandon its run, then end the process. */
    void interrupted() {
        cancel.set(true);
        try {
            if (!done.await((long) (graceSeconds * 1000), TimeUnit.MILLISECONDS)) {
                Path dir = running;
                RunStatus status = dir == null ? null : PipelineRunner.abandon(dir, RunStatus.CANCELLED,
                        "cancelled by the user; the run did not stop within " + graceSeconds + " s");
                if (status != null) {
                    exitCode = new RunResult(status, null, dir, java.util.Map.of(), java.util.List.of()).exitCode().code;
                    err.println("layerwise: run " + status + " (it did not stop within " + graceSeconds + " s): " + dir);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.io.IOException | RuntimeException e) {
            err.println("layerwise: the run could not be marked CANCELLED: " + e.getMessage());
        }
        out.flush();
        err.flush();
        exit.accept(exitCode);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs: it ends the process with the exit code given to finish
        }
    }
}
