package org.layerwise.analysis.dynamics;

/**
 * The per-prompt measurements of docs/mathematics.md section 7 on one prompt's hidden states. States
 * are rows of width dim starting at {@code base} (token i at base + i * dim); the N context
 * tokens come first, then the probe. Labels are the observed context labels (-1: unlabeled),
 * N of them from {@code labelBase}. Undefined values are NaN (they are left out of the
 * bootstrap).
 */
public final class LayerMeasures {

    /**
     * Relative size below which tr(S_W) counts as zero (e.g. the one-hot label block of the
     * input, where every class is a single point): the ratios are then undefined, not huge.
     */
    public static final double ZERO_SCATTER = 1e-12;

    /** Class separation of the context tokens in one block. */
    public record Separation(double fisher, double distanceRatio, double traceBetween, double traceWithin, int classes,
            int tokens) {
    }

    private LayerMeasures() {
    }

    /**
     * Over the labeled context tokens, coordinates [from, to): S_B = sum_c (n_c / n)(mu_c - mu)(mu_c - mu)',
     * S_W = (1/n) sum_c sum_{i in c} (h_i - mu_c)(h_i - mu_c)', with only the classes present
     * and n the number of labeled tokens. Returns tr(S_B) / tr(S_W) and
     * min_{c != c'} ||mu_c - mu_c'|| / sqrt(tr S_W); both NaN when fewer than two classes are
     * present or tr(S_W) is zero.
     */
    public static Separation separation(double[] h, int base, int dim, int from, int to, int[] labels, int labelBase, int n,
            int classes) {
        int width = to - from;
        double[] means = new double[classes * width];
        int[] counts = new int[classes];
        double[] mu = new double[width];
        int total = 0;
        for (int i = 0; i < n; i++) {
            int c = labels[labelBase + i];
            if (c < 0) {
                continue;
            }
            counts[c]++;
            total++;
            int o = base + i * dim + from;
            for (int m = 0; m < width; m++) {
                means[c * width + m] += h[o + m];
                mu[m] += h[o + m];
            }
        }
        int present = 0;
        for (int c = 0; c < classes; c++) {
            if (counts[c] > 0) {
                present++;
                for (int m = 0; m < width; m++) {
                    means[c * width + m] /= counts[c];
                }
            }
        }
        if (present < 2) {
            return new Separation(Double.NaN, Double.NaN, Double.NaN, Double.NaN, present, total);
        }
        for (int m = 0; m < width; m++) {
            mu[m] /= total;
        }
        double between = 0;
        for (int c = 0; c < classes; c++) {
            if (counts[c] > 0) {
                between += counts[c] / (double) total * squaredDistance(means, c * width, mu, 0, width);
            }
        }
        double within = 0;
        for (int i = 0; i < n; i++) {
            int c = labels[labelBase + i];
            if (c >= 0) {
                within += squaredDistance(h, base + i * dim + from, means, c * width, width);
            }
        }
        within /= total;
        double minDistance = Double.POSITIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            for (int c2 = c + 1; c2 < classes; c2++) {
                if (counts[c] > 0 && counts[c2] > 0) {
                    minDistance = Math.min(minDistance, squaredDistance(means, c * width, means, c2 * width, width));
                }
            }
        }
        if (!(within > ZERO_SCATTER * (within + between))) {
            return new Separation(Double.NaN, Double.NaN, between, within, present, total);
        }
        return new Separation(between / within, Math.sqrt(minDistance) / Math.sqrt(within), between, within, present, total);
    }

    /**
     * [y_q]_{c*} - max_{c != c*} [y_q]_c over all C label coordinates of the probe (the readout
     * margin: positive when the probe would be classified correctly).
     */
    public static double labelMargin(double[] h, int probeBase, int d, int classes, int trueClass) {
        double best = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            if (c != trueClass) {
                best = Math.max(best, h[probeBase + d + c]);
            }
        }
        return classes < 2 ? Double.NaN : h[probeBase + d + trueClass] - best;
    }

    /**
     * Distance form min_{c != c*} ||x_q - mu_c||^2 - ||x_q - mu_{c*}||^2, mu_c the mean x block of
     * the labeled context tokens of class c, over the classes present; NaN when c* or every
     * other class is absent from the context.
     */
    public static double featureMargin(double[] h, int base, int dim, int d, int[] labels, int labelBase, int n, int classes,
            int trueClass) {
        double[] means = new double[classes * d];
        int[] counts = new int[classes];
        for (int i = 0; i < n; i++) {
            int c = labels[labelBase + i];
            if (c < 0) {
                continue;
            }
            counts[c]++;
            int o = base + i * dim;
            for (int m = 0; m < d; m++) {
                means[c * d + m] += h[o + m];
            }
        }
        if (counts[trueClass] == 0) {
            return Double.NaN;
        }
        int probe = base + n * dim;
        double own = Double.NaN;
        double other = Double.POSITIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            if (counts[c] == 0) {
                continue;
            }
            double dist = 0;
            for (int m = 0; m < d; m++) {
                double diff = h[probe + m] - means[c * d + m] / counts[c];
                dist += diff * diff;
            }
            if (c == trueClass) {
                own = dist;
            } else {
                other = Math.min(other, dist);
            }
        }
        return other == Double.POSITIVE_INFINITY ? Double.NaN : other - own;
    }

    /**
     * The probe's attention mass on keys of its own class: sum of A_qi over context keys i whose
     * observed label is c* (unlabeled keys, and the probe itself when it is a key, never count).
     */
    public static double sameClassMass(double[] attention, int rowBase, int keys, int[] labels, int labelBase, int n,
            int trueClass) {
        double mass = 0;
        for (int j = 0; j < Math.min(keys, n); j++) {
            if (labels[labelBase + j] == trueClass) {
                mass += attention[rowBase + j];
            }
        }
        return mass;
    }

    /** -sum_i A_qi log A_qi over the keys (natural log; 0 log 0 = 0). */
    public static double entropy(double[] attention, int rowBase, int keys) {
        double e = 0;
        for (int j = 0; j < keys; j++) {
            double a = attention[rowBase + j];
            if (a > 0) {
                e -= a * Math.log(a);
            }
        }
        return e;
    }

    private static double squaredDistance(double[] u, int ou, double[] v, int ov, int width) {
        double s = 0;
        for (int m = 0; m < width; m++) {
            double diff = u[ou + m] - v[ov + m];
            s += diff * diff;
        }
        return s;
    }
}
