package org.layerwise.batch;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

import org.layerwise.core.ContributionException;
import org.layerwise.runner.RunListener;
import org.layerwise.runner.TrainingClock;

/**
 * Progress on stderr: one line per stage, and training progress (step, the step's batch loss,
 * the training accuracy averaged over the steps since the previous line, ETA) at most twice a
 * second, redrawn in place on a terminal and as plain lines otherwise. Without an accuracy
 * (NaN: regression, or a backend that does not report it) the line has none.
 */
final class ProgressPrinter implements RunListener {

    private final PrintStream err;
    private final boolean terminal = System.console() != null;
    private final AtomicBoolean canceled;
    private final TrainingClock clock = new TrainingClock();
    private long lastPrint;
    private double accuracySum;
    private int accuracySteps;
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
    public void trainingStep(int step, int total, double loss, double accuracy) {
        clock.step(step);
        if (!Double.isNaN(accuracy)) {
            accuracySum += accuracy;
            accuracySteps++;
        }
        long now = clock.nanos();
        boolean last = step == total;
        long interval = terminal ? 500_000_000L : 5_000_000_000L;
        if (!last && step != 1 && now - lastPrint < interval) {
            return;
        }
        lastPrint = now;
        double elapsed = clock.elapsedSeconds();
        double eta = clock.secondsLeft(total);
        String acc = accuracySteps == 0 ? "" : String.format(Locale.ROOT, "  acc %.0f%%", 100 * accuracySum / accuracySteps);
        accuracySum = 0;
        accuracySteps = 0;
        String line = String.format(Locale.ROOT, "[layerwise] training step %d/%d  loss %.4f%s  %.1f s  ETA %s", step, total,
                loss, acc, elapsed, Double.isNaN(eta) ? "?" : String.format(Locale.ROOT, "%.0f s", eta));
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

    /** Lines of a failed contribution's stack trace shown (a stack overflow has a thousand). */
    static final int TRACE_LINES = 40;

    @Override
    public void contributionFailed(ContributionException e) {
        endLine();
        err.println("layerwise: " + e.getMessage() + " (bundle version " + e.contribution().bundleVersion() + ")");
        Throwable thrown = e.getCause() != null ? e.getCause() : e;
        java.io.StringWriter sw = new java.io.StringWriter();
        thrown.printStackTrace(new java.io.PrintWriter(sw));
        String[] lines = sw.toString().split("\r?\n");
        for (int i = 0; i < Math.min(lines.length, TRACE_LINES); i++) {
            err.println(lines[i]);
        }
        if (lines.length > TRACE_LINES) {
            err.println("\t... " + (lines.length - TRACE_LINES) + " more lines");
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
