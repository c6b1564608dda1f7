package org.layerwise.core;

import java.io.IOException;
import java.util.Map;

/**
 * Where a backend that trains keeps its training state, so that an interrupted run resumes
 * where it stopped instead of starting again. The runner stores one state per run directory,
 * atomically, and hands it back when the run is resumed; what the state holds (weights,
 * optimizer moments, the loss curve so far) is the backend's business.
 *
 * <p>The contract that makes resuming exact: a backend saves, after step {@code k}, everything
 * that step {@code k + 1} depends on besides the prompts (which depend only on the seed and
 * the step), so that training resumed from the state ends with the same weights, to the last
 * bit, as training that was never interrupted (same machine, same thread count).
 */
public interface TrainingCheckpoints {

    /** The state this run saved last, or null when training starts from its first step. */
    TrainingState latest() throws IOException;

    /** Replaces the saved state, atomically: a reader finds the previous state or this one. */
    void save(TrainingState state) throws IOException;

    /** Nothing is saved and nothing is resumed (tests, and backends driven outside a run). */
    TrainingCheckpoints NONE = new TrainingCheckpoints() {
        @Override
        public TrainingState latest() {
            return null;
        }

        @Override
        public void save(TrainingState state) {
            // dropped
        }
    };

    /**
     * A backend's training state after {@code step} completed optimizer steps: named arrays
     * (each a value: not mutated after it is handed over).
     */
    record TrainingState(int step, Map<String, Tensor> arrays) {
        public TrainingState {
            if (step < 0) {
                throw new IllegalArgumentException("negative step " + step);
            }
            arrays = Map.copyOf(arrays);
        }

        /** The array of that name; a missing one is a state from another backend or version. */
        public Tensor array(String name) throws IOException {
            Tensor t = arrays.get(name);
            if (t == null) {
                throw new IOException("the saved training state has no array '" + name + "' (saved by another backend or version?)");
            }
            return t;
        }
    }
}
