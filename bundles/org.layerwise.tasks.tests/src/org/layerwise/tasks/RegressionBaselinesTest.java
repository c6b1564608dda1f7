package org.layerwise.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.core.PromptBatch;
import org.layerwise.tasks.RegressionBaselines.Context;
import org.layerwise.tasks.RegressionBaselines.Posterior;

/** The regression baselines of docs/mathematics.md section 8 against their closed forms. */
class RegressionBaselinesTest {

    /** n tokens x ~ N(0, I_d), y = W x for W d x d row-major, and the query xq. */
    private static Context context(double[] w, int n, int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = ClassificationTask.gaussian(n * d, rng);
        double[] y = RegressionBaselines.multiply(x, RegressionBaselines.transpose(w, d, d), n, d, d);
        return new Context(n, d, d, x, y, ClassificationTask.gaussian(d, rng));
    }

    private static double[] apply(double[] w, double[] x, int d) {
        return RegressionBaselines.multiply(w, x, d, d, 1);
    }

    @Test
    void ols_recovers_w_exactly_when_the_context_has_at_least_d_tokens() {
        int d = 6;
        double[] w = ClassificationTask.gaussian(d * d, new SplittableRandom(1));
        for (int n : new int[] {d, d + 1, 5 * d}) {
            Context c = context(w, n, d, n);
            assertArrayEquals(apply(w, c.query(), d), RegressionBaselines.ols(c), 1e-9, "n = " + n);
        }
    }

    @Test
    void ols_below_d_tokens_is_the_minimum_norm_fit_w_on_the_context_span_and_zero_off_it() {
        int d = 5;
        double[] w = ClassificationTask.gaussian(d * d, new SplittableRandom(2));
        Context c = context(w, 3, d, 3);
        // a query in the span of the context's x is predicted as W x_q ...
        double[] inSpan = new double[d];
        for (int k = 0; k < d; k++) {
            inSpan[k] = 0.7 * c.x()[k] - 1.3 * c.x()[2 * d + k];
        }
        Context span = new Context(c.n(), d, d, c.x(), c.y(), inSpan);
        assertArrayEquals(apply(w, inSpan, d), RegressionBaselines.ols(span), 1e-9);
        // ... and one orthogonal to it as 0
        double[] off = c.query().clone();
        HouseholderQr qr = new HouseholderQr(RegressionBaselines.transpose(c.x(), 3, d), d, 3);
        double[] q = qr.q();
        for (int j = 0; j < 3; j++) {
            double dot = 0;
            for (int k = 0; k < d; k++) {
                dot += q[k * 3 + j] * off[k];
            }
            for (int k = 0; k < d; k++) {
                off[k] -= dot * q[k * 3 + j];
            }
        }
        assertTrue(Math.abs(off[0]) + Math.abs(off[1]) > 0.1);
        assertArrayEquals(new double[d], RegressionBaselines.ols(new Context(3, d, d, c.x(), c.y(), off)), 1e-9);
    }

    @Test
    void ridge_matches_its_closed_form_and_approaches_ols_as_lambda_vanishes() {
        // d = 1: B = sum x y / (sum x^2 + lambda)
        Context one = new Context(3, 1, 1, new double[] {1, 2, -1}, new double[] {2, 5, -1}, new double[] {2});
        assertEquals(2 * (2 + 10 + 1) / (6 + 0.5), RegressionBaselines.ridge(one, 0.5)[0], 1e-14);
        // d = 2: (X'X + lambda I)^{-1} X'Y by the 2 x 2 inverse
        double[] x = {1, 0, 1, 1, 0, 2, -1, 3};
        double[] y = {1, 3, 0, -2, 4, 1, 2, 2};
        Context two = new Context(4, 2, 2, x, y, new double[] {0.5, -1});
        double lambda = 0.3;
        double[] g = new double[4];
        double[] xty = new double[4];
        for (int i = 0; i < 4; i++) {
            for (int a = 0; a < 2; a++) {
                for (int j = 0; j < 2; j++) {
                    g[a * 2 + j] += x[i * 2 + a] * x[i * 2 + j];
                    xty[a * 2 + j] += x[i * 2 + a] * y[i * 2 + j];
                }
            }
        }
        g[0] += lambda;
        g[3] += lambda;
        assertEquals(-2, g[1], 0.0, "a context whose X'X is not diagonal");
        double det = g[0] * g[3] - g[1] * g[2];
        double[] b = new double[4];
        for (int j = 0; j < 2; j++) {
            b[j] = (g[3] * xty[j] - g[1] * xty[2 + j]) / det;
            b[2 + j] = (-g[2] * xty[j] + g[0] * xty[2 + j]) / det;
        }
        double[] expected = {0.5 * b[0] - b[2], 0.5 * b[1] - b[3]};
        assertArrayEquals(expected, RegressionBaselines.ridge(two, lambda), 1e-13);
        // lambda -> 0: OLS, with and without a determined context
        double[] w = ClassificationTask.gaussian(16, new SplittableRandom(3));
        for (int n : new int[] {2, 4, 12}) {
            Context c = context(w, n, 4, 40 + n);
            double[] ols = RegressionBaselines.ols(c);
            double gap = 0;
            for (double l : new double[] {1e-2, 1e-4, 1e-6, 1e-8}) {
                double step = distance(ols, RegressionBaselines.ridge(c, l));
                assertTrue(gap == 0 || step < gap, "n = " + n + ": the ridge gap shrinks with lambda");
                gap = step;
            }
            assertTrue(gap < 1e-5, "n = " + n + ": gap " + gap);
        }
        assertThrows(IllegalArgumentException.class, () -> RegressionBaselines.ridge(one, 0));
    }

    private static double distance(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (a[i] - b[i]) * (a[i] - b[i]);
        }
        return Math.sqrt(s);
    }

    @Test
    void the_pool_posterior_picks_the_member_the_context_identifies() throws Exception {
        LinearRegressionTask t = new LinearRegressionTask();
        org.layerwise.core.Settings s = org.layerwise.core.Settings.of(java.util.Map.of("d", 3L, "N", 2L, "P", 50L, "spectrum",
                "geometric", "s1", 1.0, "r", 0.5, "values", "", "basis", "random", "seed", 8L));
        var spec = t.configure(s);
        int[] k = new int[40];
        PromptBatch b = t.generate(s, 40, 6, k);
        for (int p = 0; p < b.count; p++) {
            Posterior post = RegressionBaselines.poolPosterior(Context.of(b, p), spec.structure("U"), spec.structure("pool"), 1e-8);
            assertEquals(1, post.weights()[k[p]], 1e-9, "prompt " + p);
            assertArrayEquals(Arrays.copyOfRange(b.queryTargets, 3 * p, 3 * p + 3), post.prediction(), 1e-9);
        }
    }

    @Test
    void the_pool_posterior_is_the_softmax_of_the_residuals_and_the_prior_without_context() {
        int d = 3;
        double[] u = LinearRegressionTask.randomOrthogonal(d, 12);
        double[] pool = ClassificationTask.gaussian(4 * d, new SplittableRandom(13));
        double[] w0 = LinearRegressionTask.taskMatrix(u, Arrays.copyOf(pool, d), d);
        Context c = context(w0, 2, d, 14);
        double[] noisy = c.y().clone();
        noisy[1] += 0.3;
        Context obs = new Context(2, d, d, c.x(), noisy, c.query());
        double sigma2 = 0.7;
        double[] logw = new double[4];
        for (int k = 0; k < 4; k++) {
            double[] w = LinearRegressionTask.taskMatrix(u, Arrays.copyOfRange(pool, k * d, k * d + d), d);
            double[] fit = RegressionBaselines.multiply(c.x(), RegressionBaselines.transpose(w, d, d), 2, d, d);
            logw[k] = -Math.pow(distance(fit, noisy), 2) / (2 * sigma2);
        }
        double z = 0;
        for (double l : logw) {
            z += Math.exp(l);
        }
        Posterior post = RegressionBaselines.poolPosterior(obs, u, pool, sigma2);
        double[] mean = new double[d];
        for (int k = 0; k < 4; k++) {
            assertEquals(Math.exp(logw[k]) / z, post.weights()[k], 1e-12, "member " + k);
            double[] wq = apply(LinearRegressionTask.taskMatrix(u, Arrays.copyOfRange(pool, k * d, k * d + d), d), c.query(), d);
            for (int i = 0; i < d; i++) {
                mean[i] += post.weights()[k] * wq[i];
            }
        }
        assertArrayEquals(mean, post.prediction(), 1e-12);
        // no context: the uniform prior; two equal members share their mass
        Posterior prior = RegressionBaselines.poolPosterior(new Context(0, d, d, new double[0], new double[0], c.query()), u, pool, 1e-9);
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25}, prior.weights(), 1e-15);
        double[] twins = Arrays.copyOf(pool, 2 * d);
        System.arraycopy(pool, 0, twins, d, d);
        double[] split = RegressionBaselines.poolPosterior(c, u, twins, 1e-9).weights();
        assertArrayEquals(new double[] {0.5, 0.5}, split, 1e-12);
    }
}
