package org.layerwise.analysis.baselines;

import java.util.Arrays;

import org.layerwise.core.PromptBatch;

/**
 * What a baseline may see of one prompt: the features x of its labeled context tokens with
 * their observed (possibly noisy) labels, and the query's features x_q. Unlabeled tokens
 * (label -1) and every label block y are left out.
 */
public final class LabeledContext {

    /** d, the width of x. */
    public final int features;
    /** C: labels lie in [0, C). */
    public final int classes;
    /** The number n of labeled context tokens. */
    public final int size;
    /** x_i of the labeled tokens, [n, d] row-major, in prompt order. */
    public final double[] x;
    /** The observed label of each labeled token, [n]. */
    public final int[] labels;
    /** x_q, [d]. */
    public final double[] query;
    private final int[] counts;

    private LabeledContext(int features, int classes, double[] x, int[] labels, double[] query) {
        this.features = features;
        this.classes = classes;
        this.size = labels.length;
        this.x = x;
        this.labels = labels;
        this.query = query;
        this.counts = new int[classes];
        for (int y : labels) {
            counts[y]++;
        }
    }

    /** The labeled context and query of prompt p of a batch (copies). */
    public static LabeledContext of(PromptBatch batch, int prompt) {
        int d = batch.features;
        int n = batch.contextSize;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            if (batch.contextLabels[prompt * n + i] >= 0) {
                kept++;
            }
        }
        double[] x = new double[kept * d];
        int[] y = new int[kept];
        int k = 0;
        for (int i = 0; i < n; i++) {
            int label = batch.contextLabels[prompt * n + i];
            if (label >= 0) {
                System.arraycopy(batch.z, batch.offset(prompt, i), x, k * d, d);
                y[k++] = label;
            }
        }
        int q = batch.offset(prompt, n);
        return new LabeledContext(d, batch.classes, x, y, Arrays.copyOfRange(batch.z, q, q + d));
    }

    /**
     * A context from features x [N, d] and labels [N] in [-1, C) (-1: unlabeled, dropped) and
     * a query x_q [d]; the arrays are copied.
     */
    public static LabeledContext of(int features, int classes, double[] x, int[] labels, double[] query) {
        if (x.length != labels.length * features || query.length != features) {
            throw new IllegalArgumentException("x has " + x.length + " values for " + labels.length + " tokens of width "
                    + features + ", query " + query.length);
        }
        int kept = 0;
        for (int y : labels) {
            if (y < -1 || y >= classes) {
                throw new IllegalArgumentException("label " + y + " outside [-1, " + classes + ")");
            }
            if (y >= 0) {
                kept++;
            }
        }
        double[] xs = new double[kept * features];
        int[] ys = new int[kept];
        int k = 0;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= 0) {
                System.arraycopy(x, i * features, xs, k * features, features);
                ys[k++] = labels[i];
            }
        }
        return new LabeledContext(features, classes, xs, ys, query.clone());
    }

    /** n_c, the number of labeled tokens of class c. */
    public int count(int c) {
        return counts[c];
    }

    /** Whether class c appears among the labeled tokens (only such classes can be predicted). */
    public boolean has(int c) {
        return counts[c] > 0;
    }

    /** The number of distinct classes among the labeled tokens. */
    public int presentClasses() {
        int k = 0;
        for (int n : counts) {
            if (n > 0) {
                k++;
            }
        }
        return k;
    }

    /** ||x_q - x_i||^2 for every labeled token i. */
    public double[] squaredDistances() {
        double[] out = new double[size];
        for (int i = 0; i < size; i++) {
            double s = 0;
            for (int k = 0; k < features; k++) {
                double diff = query[k] - x[i * features + k];
                s += diff * diff;
            }
            out[i] = s;
        }
        return out;
    }
}
