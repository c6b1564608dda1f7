package org.layerwise.core;

/**
 * When a training loop saves its state: every {@code everySteps} steps, or, when that is 0,
 * whenever {@code seconds} of training have passed since the last save (so a crash loses at
 * most about that much work). The schedule never changes what is computed, only when it is
 * saved.
 */
public final class CheckpointSchedule {

    /** The default interval of time-based saving. */
    public static final double DEFAULT_SECONDS = 10;

    private final int everySteps;
    private final long intervalNanos;
    private long last = System.nanoTime();

    public CheckpointSchedule(int everySteps, double seconds) {
        if (everySteps < 0 || !(seconds > 0)) {
            throw new IllegalArgumentException("checkpoint every " + everySteps + " steps or " + seconds + " s");
        }
        this.everySteps = everySteps;
        this.intervalNanos = (long) (seconds * 1e9);
    }

    /** True when the state after {@code completedSteps} steps should be saved now. */
    public boolean due(int completedSteps) {
        if (everySteps > 0) {
            return completedSteps % everySteps == 0;
        }
        return System.nanoTime() - last >= intervalNanos;
    }

    /** Call after each save: time-based saving counts from here. */
    public void saved() {
        last = System.nanoTime();
    }
}
