package org.layerwise.core;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.layerwise.core.model.TransformerModel;

/**
 * A model's checkpoint series: the weights as they were after given numbers of optimizer
 * steps, for the measures of how training unfolds (effective rank, subspace stability, the
 * learning dynamics of docs/SCIENCE.md section 9). A backend hands each checkpoint to its
 * {@link Sink} (the runner writes it to {@code ckpt/step_NNNNNNNN.safetensors} in the model's own
 * tensor names and lists it in run.json); an analyzer reads the series of its run through
 * {@link AnalysisContext#series()}, in increasing step order.
 */
public final class ModelSeries {

    private ModelSeries() {
    }

    /** Where a backend puts a checkpoint of its model. */
    @FunctionalInterface
    public interface Sink {
        /**
         * Keeps the model as it is after {@code step} optimizer steps. The model is read before this
         * returns: the backend may go on changing its arrays afterwards.
         */
        void take(int step, TransformerModel model) throws IOException;

        /** {@link #take}, a failure of which stops training (the run is then FAILED, naming the step). */
        default void takeOrFail(int step, TransformerModel model) {
            try {
                take(step, model);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("the checkpoint of step " + step + " could not be kept: " + e.getMessage(), e);
            }
        }

        Sink NONE = (step, model) -> {
            // no series is kept
        };
    }

    /** One checkpoint of a run: its step, its file, and the model read back from that file on demand. */
    public record Checkpoint(int step, Path file, Callable<TransformerModel> loader) {
        /** The model as saved (read from the file each call: a long series is never held at once). */
        public TransformerModel model() throws Exception {
            return loader.call();
        }
    }

    /** The checkpoints of a run in increasing step order (empty when none were kept). */
    public record Series(List<Checkpoint> checkpoints) {
        public Series {
            checkpoints = List.copyOf(checkpoints);
        }

        public static final Series EMPTY = new Series(List.of());

        public boolean isEmpty() {
            return checkpoints.isEmpty();
        }
    }
}
