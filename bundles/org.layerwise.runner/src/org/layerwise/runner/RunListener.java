package org.layerwise.runner;

/** Progress of a run: stages as they start, and training steps. Implementations must be cheap. */
public interface RunListener {

    void stage(String name);

    /**
     * A training step with its batch's mean loss. The runner calls
     * {@link #trainingStep(int, int, double, double)}, which lands here unless overridden.
     */
    default void trainingStep(int step, int total, double loss) {
    }

    /**
     * A training step with its batch's mean loss and training accuracy (fraction of the batch's
     * prompts whose largest query logit is the query label, from the step's own forward pass;
     * NaN where the backend does not report it or it is undefined, e.g. regression). The default
     * drops the accuracy.
     */
    default void trainingStep(int step, int total, double loss, double accuracy) {
        trainingStep(step, total, loss);
    }

    boolean isCanceled();

    /**
     * A contribution failed and the run goes on without it (an analyzer: the run ends PARTIAL).
     * The exception names bundle, extension point and id; its cause is what the contribution threw.
     */
    default void contributionFailed(org.layerwise.core.ContributionException e) {
    }

    RunListener SILENT = new RunListener() {
        @Override
        public void stage(String name) {
        }

        @Override
        public boolean isCanceled() {
            return false;
        }
    };
}
