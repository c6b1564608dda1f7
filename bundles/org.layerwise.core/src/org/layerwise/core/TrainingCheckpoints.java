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

    /** The setting of a training backend that sets the cadence of saving (steps; 0: about every 10 s). */
    String CADENCE_SETTING = "checkpoint_every";

    /** The state to resume from, or null; a store that cannot be read stops training with why. */
    static TrainingState resumeFrom(TrainingCheckpoints checkpoints) {
        try {
            return checkpoints.latest();
        } catch (IOException e) {
            throw new IllegalStateException("cannot resume training: " + e.getMessage(), e);
        }
    }

    /** Saves the state after {@code state.step()} steps; a failed save stops training (the run is then FAILED). */
    static void saveOrFail(TrainingCheckpoints checkpoints, TrainingState state) {
        try {
            checkpoints.save(state);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("saving the training state after step " + state.step() + " failed: "
                    + e.getMessage(), e);
        }
    }

    /** The cadence a backend's settings ask for (settings built by hand may leave it out: time-based). */
    static CheckpointSchedule cadence(Settings settings) {
        int every = settings.asMap().containsKey(CADENCE_SETTING) ? settings.integer(CADENCE_SETTING) : 0;
        return new CheckpointSchedule(every, CheckpointSchedule.DEFAULT_SECONDS);
    }

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

        /** A 1-D float64 tensor holding a copy of a (training-owned, mutated) array. */
        public static Tensor copyOf(double[] a) {
            return Tensor.of(a.clone(), a.length);
        }

        /**
         * Puts a model's trained arrays into a state: "theta.0" .. (copies) and "layout" (I64,
         * their lengths: what a state must match to be resumed).
         */
        public static void putParameters(Map<String, Tensor> into, double[][] theta) {
            long[] layout = new long[theta.length];
            for (int i = 0; i < theta.length; i++) {
                layout[i] = theta[i].length;
                into.put("theta." + i, copyOf(theta[i]));
            }
            into.put("layout", Tensor.of(layout, layout.length));
        }

        /**
         * Copies what {@link #putParameters} saved into theta, in place; refuses, naming the array
         * and the model ({@code model} describes it), a state of another parameterization or shape.
         */
        public void copyParametersInto(double[][] theta, String model) throws IOException {
            long[] layout = array("layout").toLongs();
            if (layout.length != theta.length) {
                throw new IOException("the saved training state has " + layout.length + " parameter arrays ('layout'), this model "
                        + theta.length + " (" + model + ")");
            }
            for (int i = 0; i < theta.length; i++) {
                if (layout[i] != theta[i].length) {
                    throw new IOException("the saved training state's array 'theta." + i + "' holds " + layout[i]
                            + " parameters, this model's " + theta[i].length + " (" + model + ")");
                }
                copyInto("theta." + i, theta[i].length, theta[i]);
            }
        }

        /** Copies the saved 1-D float64 array {@code name}, which must have {@code length} values, into target. */
        public void copyInto(String name, int length, double[] target) throws IOException {
            Tensor t = array(name);
            if (t.dtype() != Tensor.DType.F64 || t.rank() != 1 || t.size() != length) {
                throw new IOException("the saved training state's array '" + name + "' is " + t.dtype() + " " + t.shapeString()
                        + " but this model's is F64 [" + length + "] (saved by a model of another shape or parameterization?)");
            }
            System.arraycopy((double[]) t.data(), 0, target, 0, length);
        }

        /**
         * The length of the saved "loss" curve, checked against the state's step: one value per
         * completed step, or one more when the last step diverged (its loss is not finite and no
         * update followed); {@code steps} is the run's total.
         */
        public int curveLength(int steps) throws IOException {
            Tensor loss = array("loss");
            int curve = loss.size();
            boolean divergedAtStep = curve == step + 1 && curve <= steps && !Double.isFinite(loss.toDoubles()[step]);
            if (curve != step && !divergedAtStep) {
                throw new IOException("the saved training state's array 'loss' has " + curve + " values, expected " + step
                        + " (one per completed step)");
            }
            return curve;
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
