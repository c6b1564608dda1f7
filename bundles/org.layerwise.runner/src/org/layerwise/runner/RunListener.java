package org.layerwise.runner;

/** Progress of a run: stages as they start, and training steps. Implementations must be cheap. */
public interface RunListener {

    void stage(String name);

    void trainingStep(int step, int total, double loss);

    boolean isCanceled();

    RunListener SILENT = new RunListener() {
        @Override
        public void stage(String name) {
        }

        @Override
        public void trainingStep(int step, int total, double loss) {
        }

        @Override
        public boolean isCanceled() {
            return false;
        }
    };
}
