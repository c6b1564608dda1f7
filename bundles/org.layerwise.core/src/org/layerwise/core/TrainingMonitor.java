package org.layerwise.core;

/** Receives training progress; the batch product prints it, the workbench plots it. */
public interface TrainingMonitor {

    /** Called after each optimizer step with the mean loss of that step's batch. */
    void step(int step, int totalSteps, double loss);

    /** True once the user asked to stop; a backend checks it at least once per step. */
    boolean isCanceled();

    TrainingMonitor NONE = new TrainingMonitor() {
        @Override
        public void step(int step, int totalSteps, double loss) {
        }

        @Override
        public boolean isCanceled() {
            return false;
        }
    };
}
