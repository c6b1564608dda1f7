package org.layerwise.runner;

/**
 * Elapsed time and time left of a training, from its step callbacks: the first step seen
 * starts the clock, and the time left extrapolates the mean time per step since then.
 */
public final class TrainingClock {

    private long start;
    private long now;
    private int firstStep;
    private int step;

    /** Records that {@code step} was reached now. */
    public void step(int step) {
        now = System.nanoTime();
        if (start == 0) {
            start = now;
            firstStep = step;
        }
        this.step = step;
    }

    /** System.nanoTime() of the last step recorded. */
    public long nanos() {
        return now;
    }

    public double elapsedSeconds() {
        return (now - start) / 1e9;
    }

    /** Seconds until step {@code total}, or NaN before a second step has been timed. */
    public double secondsLeft(int total) {
        return step > firstStep ? elapsedSeconds() / (step - firstStep) * (total - step) : Double.NaN;
    }
}
