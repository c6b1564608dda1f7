package org.layerwise.core;

import java.util.Arrays;
import java.util.Map;

import org.layerwise.core.model.NetworkModel;
import org.layerwise.core.model.TransformerModel;

/**
 * A backend's result: the model, the loss after each step (empty when loaded), whether
 * training diverged, facts to record in run.json (engine used, and why), and the training
 * accuracy of each step's batch (same length as the loss curve; NaN where the backend does not
 * know it or it is undefined, e.g. regression). A {@link NetworkBackend} returns a
 * {@code network} instead of the attention-only {@code model}, and may add curves
 * {@code evaluated} on a grid of steps (train and test splits of a sequence task).
 */
public record TrainedModel(TransformerModel model, double[] lossCurve, boolean diverged, Map<String, Object> facts,
        double[] accuracyCurve, NetworkModel network, EvaluatedCurves evaluated) {

    public TrainedModel {
        if (model != null && network != null) {
            throw new IllegalArgumentException("a trained model is either attention-only (model) or a network, not both");
        }
        if (accuracyCurve == null) {
            accuracyCurve = nan(lossCurve.length);
        } else if (accuracyCurve.length != lossCurve.length) {
            throw new IllegalArgumentException("accuracy curve of " + accuracyCurve.length + " steps for a loss curve of "
                    + lossCurve.length);
        }
    }

    /**
     * The fact a backend trained by gradient descent reports for the closed forms of docs/mathematics.md
     * section 9: the step size eta in that section's convention (the training loss is the SUM over
     * the task pool of each task's expected 1/2 ||y_hat - y||^2), i.e. how much gradient-flow time
     * one optimizer step advances. A backend whose loss is scaled otherwise reports its step size
     * converted to that convention.
     */
    public static final String FLOW_TIME_PER_STEP = "flow_time_per_step";

    /** An attention-only model's result. */
    public TrainedModel(TransformerModel model, double[] lossCurve, boolean diverged, Map<String, Object> facts,
            double[] accuracyCurve) {
        this(model, lossCurve, diverged, facts, accuracyCurve, null, null);
    }

    /**
     * A network's result ({@link NetworkBackend}): its per-step curves and those evaluated on a grid
     * of steps (null when none were).
     */
    public static TrainedModel ofNetwork(NetworkModel network, double[] lossCurve, boolean diverged, Map<String, Object> facts,
            double[] accuracyCurve, EvaluatedCurves evaluated) {
        return new TrainedModel(null, lossCurve, diverged, facts, accuracyCurve, network, evaluated);
    }

    /** Whether this is a network ({@link #network()}) rather than an attention-only model. */
    public boolean isNetwork() {
        return network != null;
    }

    /** A result without training accuracy (every step NaN). */
    public TrainedModel(TransformerModel model, double[] lossCurve, boolean diverged, Map<String, Object> facts) {
        this(model, lossCurve, diverged, facts, null);
    }

    private static double[] nan(int n) {
        double[] a = new double[n];
        Arrays.fill(a, Double.NaN);
        return a;
    }
}
