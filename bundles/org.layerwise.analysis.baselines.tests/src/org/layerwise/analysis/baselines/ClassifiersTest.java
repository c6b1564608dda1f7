package org.layerwise.analysis.baselines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The three baselines on contexts small enough to check by hand or by an independent computation. */
class ClassifiersTest {

    private static LabeledContext context(int d, int classes, double[] x, int[] labels, double... query) {
        return LabeledContext.of(d, classes, x, labels, query);
    }

    // ---- nearest class mean ----

    @Test
    void nearest_class_mean_uses_means_not_neighbours() {
        // class 0 at (0,0) and (10,0): mean (5,0); class 1 at (3,0) and (4,0): mean (3.5,0). Query (1,0):
        // its nearest token (0,0) is class 0, but ||q - mu_0||^2 = 16 > ||q - mu_1||^2 = 6.25.
        LabeledContext c = context(2, 3, new double[] {0, 0, 10, 0, 3, 0, 4, 0}, new int[] {0, 0, 1, 1}, 1, 0);
        double[] mu = NearestClassMean.means(c);
        assertArrayEquals(new double[] {5, 0, 3.5, 0}, java.util.Arrays.copyOf(mu, 4), 0.0);
        assertTrue(Double.isNaN(mu[4]) && Double.isNaN(mu[5]), "class 2 is absent: no mean");
        double[] dist = NearestClassMean.squaredDistances(c);
        assertEquals(16, dist[0], 0.0);
        assertEquals(6.25, dist[1], 0.0);
        assertEquals(Double.POSITIVE_INFINITY, dist[2]);
        assertEquals(1, NearestClassMean.predict(c));
        assertEquals(0, SoftNearestNeighbour.predict(c, 1e-6), "1-NN says class 0 here: the case tells the two apart");
    }

    @Test
    void nearest_class_mean_never_predicts_an_absent_class_and_breaks_ties_low() {
        // Only class 2 at (5,5): a query at the origin is predicted 2, not an absent class with a zero "mean".
        assertEquals(2, NearestClassMean.predict(context(2, 3, new double[] {5, 5}, new int[] {2}, 0, 0)));
        // Classes 1 and 2 equidistant from the query: the lower index wins.
        assertEquals(1, NearestClassMean.predict(context(1, 3, new double[] {-2, 2}, new int[] {2, 1}, 0)));
        // No labeled token: every class ties, class 0.
        assertEquals(0, NearestClassMean.predict(context(1, 3, new double[] {1}, new int[] {-1}, 0)));
    }

    // ---- soft nearest neighbour ----

    @Test
    void soft_nn_at_vanishing_temperature_is_one_nearest_neighbour() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int trial = 0; trial < 500; trial++) {
            LabeledContext c = random(rng, 4, 5, 12);
            double[] dist = c.squaredDistances();
            int nearest = 0;
            for (int i = 1; i < c.size; i++) {
                if (dist[i] < dist[nearest]) {
                    nearest = i;
                }
            }
            assertEquals(c.labels[nearest], SoftNearestNeighbour.predict(c, 1e-12), "trial " + trial);
            assertEquals(c.labels[nearest], SoftNearestNeighbour.predict(c, Double.MIN_VALUE), "trial " + trial);
        }
    }

    @Test
    void soft_nn_at_infinite_temperature_predicts_the_majority_class() {
        SplittableRandom rng = new SplittableRandom(8);
        for (int trial = 0; trial < 500; trial++) {
            LabeledContext c = random(rng, 3, 4, 9);
            int majority = 0;
            for (int y = 1; y < c.classes; y++) {
                if (c.count(y) > c.count(majority)) {
                    majority = y;
                }
            }
            assertEquals(majority, SoftNearestNeighbour.predict(c, Double.POSITIVE_INFINITY), "trial " + trial);
            boolean unique = true;
            for (int y = 0; y < c.classes; y++) {
                unique &= y == majority || c.count(y) < c.count(majority);
            }
            if (unique) {
                assertEquals(majority, SoftNearestNeighbour.predict(c, 1e15), "trial " + trial);
            }
            double[] p = SoftNearestNeighbour.probabilities(c, Double.POSITIVE_INFINITY);
            for (int y = 0; y < c.classes; y++) {
                assertEquals(c.count(y) / (double) c.size, p[y], 1e-15);
            }
        }
    }

    @Test
    void soft_nn_log_likelihood_matches_probabilities_and_does_not_underflow() {
        SplittableRandom rng = new SplittableRandom(9);
        LabeledContext c = random(rng, 3, 3, 10);
        double[] p = SoftNearestNeighbour.probabilities(c, 2.5);
        double sum = 0;
        for (int y = 0; y < 3; y++) {
            sum += p[y];
            if (c.has(y)) {
                assertEquals(Math.log(p[y]), SoftNearestNeighbour.logLikelihood(c, y, 2.5), 1e-12);
            }
        }
        assertEquals(1, sum, 1e-12);
        for (int y = 0; y < 3; y++) {
            if (c.has(y)) {
                double ll = SoftNearestNeighbour.logLikelihood(c, y, 1e-9);
                assertTrue(Double.isFinite(ll) && ll <= 0, "finite at tiny T: " + ll);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> SoftNearestNeighbour.predict(c, 0));
    }

    @Test
    void fitted_temperature_maximises_the_likelihood() {
        SplittableRandom rng = new SplittableRandom(10);
        int prompts = 200;
        LabeledContext[] cs = new LabeledContext[prompts];
        int[] truth = new int[prompts];
        for (int p = 0; p < prompts; p++) {
            // two Gaussian classes in 2-D: the likelihood has an interior maximum
            int n = 16;
            double[] x = new double[n * 2];
            int[] y = new int[n];
            for (int i = 0; i < n; i++) {
                y[i] = rng.nextInt(2);
                x[2 * i] = (y[i] == 0 ? -1 : 1) + rng.nextGaussian();
                x[2 * i + 1] = rng.nextGaussian();
            }
            truth[p] = rng.nextInt(2);
            cs[p] = LabeledContext.of(2, 2, x, y, new double[] {(truth[p] == 0 ? -1 : 1) + rng.nextGaussian(), rng.nextGaussian()});
        }
        SoftNearestNeighbour.Fit fit = SoftNearestNeighbour.fit(cs, truth, 1e-3, 1e4, 29);
        assertFalse(fit.atBoundary());
        assertEquals(prompts, fit.used());
        double t = fit.temperature();
        double best = mean(cs, truth, t);
        assertEquals(best, fit.meanLogLikelihood(), 1e-15);
        for (double g : fit.gridLogLikelihood()) {
            assertTrue(best >= g, "not below a grid point");
        }
        for (double f : new double[] {0.99, 1.01}) {
            assertTrue(best >= mean(cs, truth, t * f) - 1e-12, "a local maximum in T");
        }
        // deterministic
        assertEquals(t, SoftNearestNeighbour.fit(cs, truth, 1e-3, 1e4, 29).temperature(), 0.0);
    }

    private static double mean(LabeledContext[] cs, int[] truth, double t) {
        double s = 0;
        for (int p = 0; p < cs.length; p++) {
            s += SoftNearestNeighbour.logLikelihood(cs[p], truth[p], t);
        }
        return s / cs.length;
    }

    // ---- multinomial logistic regression ----

    @Test
    void logistic_regression_on_separable_1d_data_puts_the_boundary_between_the_classes() {
        LabeledContext c = context(1, 2, new double[] {-2, -1, 1, 2}, new int[] {0, 0, 1, 1}, 0.5);
        MultinomialLogisticRegression.Fit fit = MultinomialLogisticRegression.fit(c, 1e-2, 100, 1e-10);
        assertTrue(fit.converged());
        double w = fit.weights()[1] - fit.weights()[0];
        double b = fit.intercepts()[1] - fit.intercepts()[0];
        assertTrue(w > 0, "class 1 lies to the right");
        assertEquals(0, b, 1e-9, "by symmetry the boundary is at 0");
        assertEquals(1, fit.predict(new double[] {0.5}));
        assertEquals(0, fit.predict(new double[] {-0.5}));
        assertEquals(1, MultinomialLogisticRegression.predictQuery(c, 1e-2, 100, 1e-10));
        // separable: a smaller penalty gives a steeper fit, still finite
        MultinomialLogisticRegression.Fit steep = MultinomialLogisticRegression.fit(c, 1e-4, 100, 1e-10);
        assertTrue(steep.converged());
        assertTrue(steep.weights()[1] - steep.weights()[0] > w);
    }

    @Test
    void logistic_regression_reaches_the_penalized_optimum() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int trial = 0; trial < 50; trial++) {
            int d = 1 + rng.nextInt(6);
            int classes = 2 + rng.nextInt(4);
            int n = 2 + rng.nextInt(40);
            double lambda = trial % 2 == 0 ? 1e-2 : 1e-4;
            LabeledContext c = random(rng, d, classes, n);
            MultinomialLogisticRegression.Fit fit = MultinomialLogisticRegression.fit(c, lambda, 200, 1e-10);
            assertTrue(fit.converged(), "trial " + trial);
            double[] g = gradient(c, fit);
            for (double v : g) {
                assertEquals(0, v, 1e-8, "trial " + trial + ": dF = 0 at the optimum");
            }
            double sum = 0;
            for (double b : fit.intercepts()) {
                sum += b;
            }
            assertEquals(0, sum, 1e-9, "intercepts sum to zero");
            for (int y = 0; y < classes; y++) {
                if (!c.has(y)) {
                    assertEquals(Double.NEGATIVE_INFINITY, fit.scores(c.query)[y]);
                }
            }
        }
    }

    @Test
    void two_class_softmax_regression_is_binary_logistic_regression() {
        SplittableRandom rng = new SplittableRandom(12);
        int n = 30;
        int d = 2;
        double lambda = 1e-2;
        double[] x = new double[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
            x[i * d] = (y[i] == 1 ? 0.7 : -0.4) + rng.nextGaussian();
            x[i * d + 1] = 0.3 + rng.nextGaussian();
        }
        LabeledContext c = context(d, 2, x, y, 0, 0);
        MultinomialLogisticRegression.Fit fit = MultinomialLogisticRegression.fit(c, lambda, 100, 1e-12);
        double[] binary = binaryLogistic(x, y, n, d, lambda);
        for (int a = 0; a < d; a++) {
            assertEquals(binary[a], fit.weights()[d + a] - fit.weights()[a], 1e-9);
            assertEquals(0, fit.weights()[d + a] + fit.weights()[a], 1e-9, "w_0 = -w_1 at the optimum");
        }
        assertEquals(binary[d], fit.intercepts()[1] - fit.intercepts()[0], 1e-9);
    }

    /**
     * Minimises (1/n) sum log(1 + exp(-s_i (v'x_i + c))) + (lambda/4) ||v||^2 (s_i = +-1) by
     * plain Newton: the two-class softmax objective written in terms of v = w_1 - w_0, c = b_1 - b_0.
     */
    private static double[] binaryLogistic(double[] x, int[] y, int n, int d, double lambda) {
        int m = d + 1;
        double[] theta = new double[m];
        for (int it = 0; it < 50; it++) {
            double[] g = new double[m];
            double[][] h = new double[m][m];
            for (int i = 0; i < n; i++) {
                double[] xt = new double[m];
                System.arraycopy(x, i * d, xt, 0, d);
                xt[d] = 1;
                double z = 0;
                for (int a = 0; a < m; a++) {
                    z += theta[a] * xt[a];
                }
                double p = 1 / (1 + Math.exp(-z));
                for (int a = 0; a < m; a++) {
                    g[a] += (p - y[i]) * xt[a] / n;
                    for (int b = 0; b < m; b++) {
                        h[a][b] += p * (1 - p) * xt[a] * xt[b] / n;
                    }
                }
            }
            for (int a = 0; a < d; a++) {
                g[a] += lambda / 2 * theta[a];
                h[a][a] += lambda / 2;
            }
            double[] step = gauss(h, g);
            for (int a = 0; a < m; a++) {
                theta[a] -= step[a];
            }
        }
        return theta;
    }

    private static double[] gauss(double[][] a, double[] b) {
        int m = b.length;
        double[][] t = new double[m][m + 1];
        for (int i = 0; i < m; i++) {
            System.arraycopy(a[i], 0, t[i], 0, m);
            t[i][m] = b[i];
        }
        for (int col = 0; col < m; col++) {
            int piv = col;
            for (int r = col + 1; r < m; r++) {
                if (Math.abs(t[r][col]) > Math.abs(t[piv][col])) {
                    piv = r;
                }
            }
            double[] sw = t[col];
            t[col] = t[piv];
            t[piv] = sw;
            for (int r = 0; r < m; r++) {
                if (r != col) {
                    double f = t[r][col] / t[col][col];
                    for (int k = col; k <= m; k++) {
                        t[r][k] -= f * t[col][k];
                    }
                }
            }
        }
        double[] out = new double[m];
        for (int i = 0; i < m; i++) {
            out[i] = t[i][m] / t[i][i];
        }
        return out;
    }

    /** dF at the fit, computed from scratch: (1/n) sum_i (p_ik - [y_i = k]) (x_i, 1) + lambda (w_k, 0). */
    private static double[] gradient(LabeledContext c, MultinomialLogisticRegression.Fit fit) {
        int d = c.features;
        int k = fit.present().length;
        double[] g = new double[k * (d + 1)];
        for (int i = 0; i < c.size; i++) {
            double[] xi = java.util.Arrays.copyOfRange(c.x, i * d, (i + 1) * d);
            double[] p = fit.probabilities(xi);
            for (int j = 0; j < k; j++) {
                int cls = fit.present()[j];
                double r = (p[cls] - (c.labels[i] == cls ? 1 : 0)) / c.size;
                for (int a = 0; a < d; a++) {
                    g[j * (d + 1) + a] += r * xi[a];
                }
                g[j * (d + 1) + d] += r;
            }
        }
        for (int j = 0; j < k; j++) {
            for (int a = 0; a < d; a++) {
                g[j * (d + 1) + a] += fit.lambda() * fit.weights()[j * d + a];
            }
        }
        return g;
    }

    @Test
    void logistic_regression_with_one_or_no_class_predicts_that_class_or_zero() {
        assertEquals(2, MultinomialLogisticRegression.predictQuery(context(1, 3, new double[] {1, 2}, new int[] {2, 2}, -5), 1e-2, 100, 1e-10));
        assertEquals(0, MultinomialLogisticRegression.predictQuery(context(1, 3, new double[] {1}, new int[] {-1}, 1), 1e-2, 100, 1e-10));
    }

    /** n tokens, x ~ N(0, I_d), labels uniform (some classes may be absent), at least one labeled token. */
    static LabeledContext random(SplittableRandom rng, int d, int classes, int n) {
        double[] x = new double[n * d];
        int[] y = new int[n];
        for (int i = 0; i < n * d; i++) {
            x[i] = rng.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            y[i] = rng.nextInt(classes);
        }
        double[] q = new double[d];
        for (int k = 0; k < d; k++) {
            q[k] = rng.nextGaussian();
        }
        return LabeledContext.of(d, classes, x, y, q);
    }
}
