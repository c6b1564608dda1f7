package org.layerwise.core;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Measures of a model taken on a grid of training steps rather than at every step: for a
 * sequence task the loss and accuracy on the whole training split and on the held-out test split
 * ({@code train_loss}, {@code train_accuracy}, {@code test_loss}, {@code test_accuracy}), each
 * the model after {@code steps[j]} optimizer updates. The runner writes them to training.npz beside
 * the per-step curves, with the grid as {@code step}.
 */
public record EvaluatedCurves(long[] steps, Map<String, double[]> values) {

    public static final String TRAIN_LOSS = "train_loss";
    public static final String TRAIN_ACCURACY = "train_accuracy";
    public static final String TEST_LOSS = "test_loss";
    public static final String TEST_ACCURACY = "test_accuracy";

    /** Checks that steps strictly increase from 0 and that every curve is named and as long as the grid. */
    public EvaluatedCurves {
        for (int j = 0; j < steps.length; j++) {
            if (steps[j] < 0 || (j > 0 && steps[j] <= steps[j - 1])) {
                throw new IllegalArgumentException("evaluation steps must be non-negative and strictly increasing; step "
                        + steps[j] + " at index " + j + (j > 0 ? " follows " + steps[j - 1] : ""));
            }
        }
        Map<String, double[]> copy = new LinkedHashMap<>();
        for (var e : values.entrySet()) {
            if (e.getKey() == null || !e.getKey().matches("[a-z][a-z0-9_]*")) {
                throw new IllegalArgumentException("evaluated curve name '" + e.getKey() + "' must be lower_snake_case");
            }
            if (e.getValue().length != steps.length) {
                throw new IllegalArgumentException("evaluated curve '" + e.getKey() + "' has " + e.getValue().length
                        + " values for " + steps.length + " evaluation steps");
            }
            copy.put(e.getKey(), e.getValue());
        }
        steps = steps.clone();
        values = Collections.unmodifiableMap(copy);
    }

    public int size() {
        return steps.length;
    }

    /** The curve of that name, or null when it was not measured. */
    public double[] curve(String name) {
        return values.get(name);
    }

    /** The first grid step whose {@code name} value is at least {@code level}, or -1 when none is. */
    public long firstStepAtLeast(String name, double level) {
        double[] v = values.get(name);
        if (v == null) {
            throw new IllegalArgumentException("no evaluated curve '" + name + "'; measured: " + values.keySet());
        }
        for (int j = 0; j < v.length; j++) {
            if (v[j] >= level) {
                return steps[j];
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof EvaluatedCurves e) || !Arrays.equals(steps, e.steps) || !values.keySet().equals(e.values.keySet())) {
            return false;
        }
        return values.entrySet().stream().allMatch(x -> Arrays.equals(x.getValue(), e.values.get(x.getKey())));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(steps) * 31 + values.keySet().hashCode();
    }

    @Override
    public String toString() {
        return "EvaluatedCurves" + values.keySet() + " at " + steps.length + " steps";
    }
}
