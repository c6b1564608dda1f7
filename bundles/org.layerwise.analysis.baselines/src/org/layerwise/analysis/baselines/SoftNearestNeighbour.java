package org.layerwise.analysis.baselines;

/**
 * Soft nearest neighbour, one attention step of the query over its labeled context in
 * distance form: p(c) proportional to sum_{i in c} exp(-||x_q - x_i||^2 / T). (Equal to
 * dot-product attention with scores 2 x_q'x_i / T plus a key bias -||x_i||^2 / T: the
 * ||x_q||^2 term cancels in the softmax.) T -> 0 is 1-nearest-neighbour, T -> infinity
 * predicts the majority class of the context. Classes absent from the context get p = 0;
 * ties go to the lowest class index.
 *
 * <p>The temperature is fitted by maximum likelihood: T maximises the mean over fit prompts
 * of log p(c*) (c* the query's true class), searched on a log grid and refined by
 * golden-section search in ln T between the grid neighbours of the best grid point. Prompts
 * whose true class is absent from the context have p(c*) = 0 for every T and are left out.
 */
public final class SoftNearestNeighbour {

    /** Golden-section search stops when its bracket in ln T is narrower than this. */
    public static final double LN_T_TOLERANCE = 1e-6;

    /**
     * A fitted temperature: the mean log-likelihood it reaches on the prompts used (those
     * whose true class is in the context), whether the best grid point was an end of the
     * grid (then the optimum may lie outside it), and the grid with its objective.
     */
    public record Fit(double temperature, double meanLogLikelihood, int prompts, int used, boolean atBoundary, double[] grid,
            double[] gridLogLikelihood) {
    }

    private SoftNearestNeighbour() {
    }

    /** p(c) for every class at temperature T > 0 (T may be +infinity); all zero when the context has no label. */
    public static double[] probabilities(LabeledContext c, double temperature) {
        double[] s = classWeights(c, c.squaredDistances(), temperature);
        double total = 0;
        for (double v : s) {
            total += v;
        }
        if (total > 0) {
            for (int y = 0; y < s.length; y++) {
                s[y] /= total;
            }
        }
        return s;
    }

    public static int predict(LabeledContext c, double temperature) {
        return argmax(classWeights(c, c.squaredDistances(), temperature));
    }

    /** log p(label) at temperature T, computed without underflow; -infinity when the label is absent from the context. */
    public static double logLikelihood(LabeledContext c, int label, double temperature) {
        return logLikelihood(c.squaredDistances(), c.labels, label, temperature);
    }

    /**
     * Fits T on the given prompts by maximum likelihood of their true labels over a log grid
     * of gridPoints temperatures from tMin to tMax, refined by golden-section search. With no
     * usable prompt the temperature is NaN.
     */
    public static Fit fit(LabeledContext[] contexts, int[] trueLabels, double tMin, double tMax, int gridPoints) {
        if (!(tMin > 0) || !(tMax > tMin) || gridPoints < 2) {
            throw new IllegalArgumentException("need 0 < t_min < t_max and at least 2 grid points, got t_min=" + tMin
                    + ", t_max=" + tMax + ", grid=" + gridPoints);
        }
        int used = 0;
        for (int p = 0; p < contexts.length; p++) {
            if (contexts[p].has(trueLabels[p])) {
                used++;
            }
        }
        double[][] dist = new double[used][];
        int[][] labels = new int[used][];
        int[] truth = new int[used];
        int k = 0;
        for (int p = 0; p < contexts.length; p++) {
            if (contexts[p].has(trueLabels[p])) {
                dist[k] = contexts[p].squaredDistances();
                labels[k] = contexts[p].labels;
                truth[k++] = trueLabels[p];
            }
        }
        double[] grid = new double[gridPoints];
        double[] objective = new double[gridPoints];
        double lo = Math.log(tMin);
        double step = (Math.log(tMax) - lo) / (gridPoints - 1);
        for (int g = 0; g < gridPoints; g++) {
            grid[g] = g == gridPoints - 1 ? tMax : Math.exp(lo + g * step);
            objective[g] = used == 0 ? Double.NaN : meanLogLikelihood(dist, labels, truth, grid[g]);
        }
        if (used == 0) {
            return new Fit(Double.NaN, Double.NaN, contexts.length, 0, false, grid, objective);
        }
        int best = 0;
        for (int g = 1; g < gridPoints; g++) {
            if (objective[g] > objective[best]) {
                best = g;
            }
        }
        // Golden-section search for the maximum of f(ln T) on [ln T_{best-1}, ln T_{best+1}].
        double a = Math.log(grid[Math.max(best - 1, 0)]);
        double b = Math.log(grid[Math.min(best + 1, gridPoints - 1)]);
        double inv = (Math.sqrt(5) - 1) / 2;
        double u1 = b - inv * (b - a);
        double u2 = a + inv * (b - a);
        double f1 = meanLogLikelihood(dist, labels, truth, Math.exp(u1));
        double f2 = meanLogLikelihood(dist, labels, truth, Math.exp(u2));
        while (b - a > LN_T_TOLERANCE) {
            if (f1 >= f2) {
                b = u2;
                u2 = u1;
                f2 = f1;
                u1 = b - inv * (b - a);
                f1 = meanLogLikelihood(dist, labels, truth, Math.exp(u1));
            } else {
                a = u1;
                u1 = u2;
                f1 = f2;
                u2 = a + inv * (b - a);
                f2 = meanLogLikelihood(dist, labels, truth, Math.exp(u2));
            }
        }
        double t = grid[best];
        double f = objective[best];
        if (f1 > f) {
            t = Math.exp(u1);
            f = f1;
        }
        if (f2 > f) {
            t = Math.exp(u2);
            f = f2;
        }
        return new Fit(t, f, contexts.length, used, best == 0 || best == gridPoints - 1, grid, objective);
    }

    private static double meanLogLikelihood(double[][] dist, int[][] labels, int[] truth, double temperature) {
        double sum = 0;
        for (int p = 0; p < dist.length; p++) {
            sum += logLikelihood(dist[p], labels[p], truth[p], temperature);
        }
        return sum / dist.length;
    }

    /**
     * log sum_{i in label} e^{-D_i/T} - log sum_i e^{-D_i/T}, each sum shifted by its own
     * smallest distance so that neither underflows at small T.
     */
    static double logLikelihood(double[] dist, int[] labels, int label, double temperature) {
        double min = Double.POSITIVE_INFINITY;
        double minLabel = Double.POSITIVE_INFINITY;
        for (int i = 0; i < dist.length; i++) {
            min = Math.min(min, dist[i]);
            if (labels[i] == label) {
                minLabel = Math.min(minLabel, dist[i]);
            }
        }
        if (minLabel == Double.POSITIVE_INFINITY) {
            return Double.NEGATIVE_INFINITY;
        }
        double all = 0;
        double own = 0;
        for (int i = 0; i < dist.length; i++) {
            all += Math.exp(-(dist[i] - min) / temperature);
            if (labels[i] == label) {
                own += Math.exp(-(dist[i] - minLabel) / temperature);
            }
        }
        return -(minLabel - min) / temperature + Math.log(own) - Math.log(all);
    }

    /** sum_{i in c} exp(-(D_i - min_j D_j) / T) per class: p(c) up to a common factor. */
    static double[] classWeights(LabeledContext c, double[] dist, double temperature) {
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("temperature must be positive, got " + temperature);
        }
        double min = Double.POSITIVE_INFINITY;
        for (double v : dist) {
            min = Math.min(min, v);
        }
        double[] s = new double[c.classes];
        for (int i = 0; i < dist.length; i++) {
            s[c.labels[i]] += Math.exp(-(dist[i] - min) / temperature);
        }
        return s;
    }

    static int argmax(double[] s) {
        int best = 0;
        for (int y = 1; y < s.length; y++) {
            if (s[y] > s[best]) {
                best = y;
            }
        }
        return best;
    }
}
