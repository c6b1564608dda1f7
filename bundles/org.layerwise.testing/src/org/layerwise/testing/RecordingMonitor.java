package org.layerwise.testing;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.layerwise.core.TrainingMonitor;

/** Records the steps (and accuracies) it is told about; cancelled once {@code cancelAfter} steps completed (0: never). */
public final class RecordingMonitor implements TrainingMonitor {

    private final List<Integer> steps = new ArrayList<>();
    private final List<Double> accuracies = new ArrayList<>();
    private final int cancelAfter;

    public RecordingMonitor(int cancelAfter) {
        this.cancelAfter = cancelAfter;
    }

    @Override
    public void step(int step, int totalSteps, double loss, double accuracy) {
        steps.add(step);
        accuracies.add(accuracy);
    }

    @Override
    public boolean isCanceled() {
        return cancelAfter > 0 && !steps.isEmpty() && steps.get(steps.size() - 1) >= cancelAfter;
    }

    /** The completed steps reported, in order. */
    public List<Integer> steps() {
        return Collections.unmodifiableList(steps);
    }

    /** The accuracy reported with each step. */
    public List<Double> accuracies() {
        return Collections.unmodifiableList(accuracies);
    }
}
