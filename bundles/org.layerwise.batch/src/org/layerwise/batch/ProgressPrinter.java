package org.layerwise.batch;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import org.layerwise.runner.RunListener;
import org.layerwise.runner.TrainingClock;

/**
 * Progress on stderr: one line per stage, and training progress (step, loss, ETA) at most
 * twice a second, redrawn in place on a terminal and as plain lines otherwise.
 */
final class ProgressPrinter implements RunListener {

    private final PrintStream err;
    private final boolean terminal = System.console() != null;
    private final AtomicBoolean canceled;
    private final TrainingClock clock = new TrainingClock();
    private long lastPrint;
    private boolean midLine;

    ProgressPrinter(PrintStream err, AtomicBoolean canceled) {
        this.err = err;
        this.canceled = canceled;
    }

    @Override
    public void stage(String name) {
        endLine();
        err.println("[layerwise] " + name);
        err.flush();
    }

    @Override
    public void trainingStep(int step, int total, double loss) {
        clock.step(step);
        long now = clock.nanos();
        boolean last = step == total;
        long interval = terminal ? 500_000_000L : 5_000_000_000L;
        if (!last && step != 1 && now - lastPrint < interval) {
            return;
        }
        lastPrint = now;
        double elapsed = clock.elapsedSeconds();
        double eta = clock.secondsLeft(total);
        String line = String.format(Locale.ROOT, "[layerwise] training step %d/%d  loss %.4f  %.1f s  ETA %s", step, total,
                loss, elapsed, Double.isNaN(eta) ? "?" : String.format(Locale.ROOT, "%.0f s", eta));
        if (terminal) {
            err.print("\r" + line + "\u001b[K");
            midLine = !last;
            if (last) {
                err.println();
            }
        } else {
            err.println(line);
        }
        err.flush();
    }

    private void endLine() {
        if (midLine) {
            err.println();
            midLine = false;
        }
    }

    @Override
    public boolean isCanceled() {
        return canceled.get();
    }
}
