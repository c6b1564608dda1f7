package org.layerwise.analysis.baselines;

/**
 * Nearest class mean: the class c among those present in the labeled context whose mean
 * mu_c = (1/n_c) sum_{i in c} x_i is closest to x_q in Euclidean distance. A class absent
 * from the context has no mean and is never predicted; ties go to the lowest class index;
 * with no labeled token every class ties and class 0 is predicted.
 */
public final class NearestClassMean {

    private NearestClassMean() {
    }

    /** mu_c as [C, d] row-major; rows of absent classes are NaN. */
    public static double[] means(LabeledContext c) {
        int d = c.features;
        double[] mu = new double[c.classes * d];
        for (int i = 0; i < c.size; i++) {
            int y = c.labels[i];
            for (int k = 0; k < d; k++) {
                mu[y * d + k] += c.x[i * d + k];
            }
        }
        for (int y = 0; y < c.classes; y++) {
            for (int k = 0; k < d; k++) {
                mu[y * d + k] = c.has(y) ? mu[y * d + k] / c.count(y) : Double.NaN;
            }
        }
        return mu;
    }

    /** ||x_q - mu_c||^2 per class; +infinity for absent classes. */
    public static double[] squaredDistances(LabeledContext c) {
        int d = c.features;
        double[] mu = means(c);
        double[] out = new double[c.classes];
        for (int y = 0; y < c.classes; y++) {
            if (!c.has(y)) {
                out[y] = Double.POSITIVE_INFINITY;
                continue;
            }
            double s = 0;
            for (int k = 0; k < d; k++) {
                double diff = c.query[k] - mu[y * d + k];
                s += diff * diff;
            }
            out[y] = s;
        }
        return out;
    }

    public static int predict(LabeledContext c) {
        double[] dist = squaredDistances(c);
        int best = 0;
        for (int y = 1; y < c.classes; y++) {
            if (dist[y] < dist[best]) {
                best = y;
            }
        }
        return best;
    }
}
