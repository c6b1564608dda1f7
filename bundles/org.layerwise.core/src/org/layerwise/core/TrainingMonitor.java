package org.layerwise.core;

/** Receives training progress; the batch product prints it, the workbench plots it. */
public interface TrainingMonitor {

    /**
     * Called after each optimizer step with the mean loss of that step's batch. Backends that
     * know the accuracy call {@link #step(int, int, double, double)} instead, which lands here
     * unless a monitor overrides it.
     */
    default void step(int step, int totalSteps, double loss) {
    }

    /**
     * Called after each optimizer step with the mean loss of that step's batch and its
     * training accuracy: the fraction of the batch's prompts whose largest query logit is the
     * query label, from the same forward pass as the loss (NaN where undefined, e.g. for
     * regression). The default drops the accuracy and calls {@link #step(int, int, double)}.
     */
    default void step(int step, int totalSteps, double loss, double accuracy) {
        step(step, totalSteps, loss);
    }

    /** True once the user asked to stop; a backend checks it at least once per step. */
    boolean isCanceled();

    TrainingMonitor NONE = () -> false;
}
