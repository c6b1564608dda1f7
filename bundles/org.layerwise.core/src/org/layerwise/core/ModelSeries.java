package org.layerwise.core;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.layerwise.core.model.NetworkModel;
import org.layerwise.core.model.TransformerModel;

/**
 * A model's checkpoint series: the weights as they were after given numbers of optimizer
 * steps, for the measures of how training unfolds (effective rank, subspace stability, the
 * learning dynamics of docs/mathematics.md section 9). A backend hands each checkpoint to its
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

        /**
         * Keeps a network ({@link NetworkBackend}) as it is after {@code step} optimizer steps; a sink
         * that keeps attention-only models only throws.
         */
        default void take(int step, NetworkModel network) throws IOException {
            throw new IOException("this checkpoint series keeps attention-only models, not a " + network.config().family());
        }

        /** {@link #take(int, NetworkModel)}, a failure of which stops training. */
        default void takeOrFail(int step, NetworkModel network) {
            try {
                take(step, network);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("the checkpoint of step " + step + " could not be kept: " + e.getMessage(), e);
            }
        }

        Sink NONE = new Sink() {
            @Override
            public void take(int step, TransformerModel model) {
                // no series is kept
            }

            @Override
            public void take(int step, NetworkModel network) {
                // no series is kept
            }
        };
    }

    /**
     * One checkpoint of a run: its step, its file, and the model read back from that file on demand
     * (an attention-only model through {@code loader}, a network through {@code networkLoader}; the
     * other is null).
     */
    public record Checkpoint(int step, Path file, Callable<TransformerModel> loader, Callable<NetworkModel> networkLoader) {
        public Checkpoint(int step, Path file, Callable<TransformerModel> loader) {
            this(step, file, loader, null);
        }

        /** A checkpoint of a network. */
        public static Checkpoint ofNetwork(int step, Path file, Callable<NetworkModel> networkLoader) {
            return new Checkpoint(step, file, null, networkLoader);
        }

        /** The model as saved (read from the file each call: a long series is never held at once). */
        public TransformerModel model() throws Exception {
            if (loader == null) {
                throw new IllegalStateException("checkpoint " + file + " holds a network, not an attention-only model: read network()");
            }
            return loader.call();
        }

        /** The network as saved, read from the file each call. */
        public NetworkModel network() throws Exception {
            if (networkLoader == null) {
                throw new IllegalStateException("checkpoint " + file + " holds an attention-only model, not a network: read model()");
            }
            return networkLoader.call();
        }

        /**
         * {@link #network()} for an analyzer walking a series: a checkpoint that cannot be read, or
         * reads as nothing, fails with its step and file named; cancellation passes through.
         */
        public NetworkModel networkOrFail() {
            NetworkModel m;
            try {
                m = network();
            } catch (org.eclipse.core.runtime.OperationCanceledException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException("checkpoint of step " + step + " (" + file + ") cannot be read: " + e.getMessage(), e);
            }
            if (m == null) {
                throw new IllegalStateException("checkpoint of step " + step + " (" + file + ") loaded no network");
            }
            return m;
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
