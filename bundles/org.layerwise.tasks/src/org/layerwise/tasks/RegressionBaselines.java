package org.layerwise.tasks;

import java.util.Arrays;

import org.layerwise.core.PromptBatch;

/**
 * Reference predictors of the query's target from one prompt's context alone (docs/mathematics.md
 * section 8, regression): ordinary least squares, ridge, and the Bayes-optimal predictor
 * for the linear-regression task's finite pool. Context X is n x d and Y is n x m (row-major,
 * row i = token i); a fit B (d x m) predicts y_hat = B' x_q. Pure functions: nothing is
 * cached or drawn.
 */
public final class RegressionBaselines {

    private RegressionBaselines() {
    }

    /** One prompt's context and query, cut out of a regression batch. */
    public record Context(int n, int d, int m, double[] x, double[] y, double[] query) {

        public static Context of(PromptBatch batch, int prompt) {
            if (!batch.isRegression()) {
                throw new IllegalArgumentException("not a regression batch");
            }
            int n = batch.contextSize;
            int d = batch.features;
            int m = batch.classes;
            double[] x = new double[n * d];
            double[] y = new double[n * m];
            for (int i = 0; i < n; i++) {
                int o = batch.offset(prompt, i);
                System.arraycopy(batch.z, o, x, i * d, d);
                System.arraycopy(batch.z, o + d, y, i * m, m);
            }
            int q = batch.offset(prompt, n);
            return new Context(n, d, m, x, y, Arrays.copyOfRange(batch.z, q, q + d));
        }
    }

    /**
     * Ordinary least squares: B minimizes ||Y - X B||_F^2, the minimum-norm minimizer when the
     * context does not determine it (n &lt; d). With n &gt;= d tokens of full rank y = W x is
     * recovered exactly (B = W'). A rank-deficient context with n &gt;= d is refused.
     */
    public static double[] ols(Context c) {
        if (c.n >= c.d) {
            HouseholderQr qr = new HouseholderQr(c.x, c.n, c.d);
            if (!qr.fullRank()) {
                throw new IllegalArgumentException("the context's x do not span R^" + c.d + "; least squares is not unique");
            }
            return predict(qr.solve(c.y, c.m), c);
        }
        // X' = Q R (d x n): X = R' Q', and the minimum-norm solution is B = Q (R')^{-1} Y
        HouseholderQr qr = new HouseholderQr(transpose(c.x, c.n, c.d), c.d, c.n);
        if (!qr.fullRank()) {
            throw new IllegalArgumentException("the context's " + c.n + " x are linearly dependent; least squares is not unique");
        }
        return predict(multiply(qr.q(), qr.solveRTransposed(c.y, c.m), c.d, c.n, c.m), c);
    }

    /**
     * Ridge: B minimizes ||Y - X B||_F^2 + lambda ||B||_F^2, i.e. B = (X'X + lambda I)^{-1} X'Y,
     * computed as least squares on X stacked over sqrt(lambda) I (no normal equations). As
     * lambda goes to 0 it approaches {@link #ols}.
     */
    public static double[] ridge(Context c, double lambda) {
        if (!(lambda > 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("ridge needs a positive, finite lambda; got " + lambda);
        }
        double[] a = Arrays.copyOf(c.x, (c.n + c.d) * c.d);
        double[] b = Arrays.copyOf(c.y, (c.n + c.d) * c.m);
        double root = Math.sqrt(lambda);
        for (int k = 0; k < c.d; k++) {
            a[(c.n + k) * c.d + k] = root;
        }
        return predict(new HouseholderQr(a, c.n + c.d, c.d).solve(b, c.m), c);
    }

    /** The pool posterior and the prediction it makes. */
    public record Posterior(double[] weights, double[] prediction) {
    }

    /**
     * The Bayes-optimal prediction under squared error for the linear-regression task's pool:
     * the posterior mean of W_k x_q with a uniform prior over the P members and the likelihood
     * of observing Y = X W_k' + noise, noise ~ N(0, sigma2) per entry. The posterior is
     * softmax_k(-||Y - X W_k'||_F^2 / (2 sigma2)); as sigma2 goes to 0 (the task itself is
     * noise-free) it is uniform over the members that fit the context best, the true one
     * among them. Since W_k = U Lambda_k U' with U orthogonal, ||Y - X W_k'||_F^2 =
     * sum_alpha (A_alpha - 2 lambda_{k,alpha} B_alpha + lambda_{k,alpha}^2 C_alpha) with
     * X~ = X U, Y~ = Y U, A = sum_i Y~^2, B = sum_i X~ Y~, C = sum_i X~^2 (column sums), so
     * each member costs O(d) after one O(n d^2) rotation.
     *
     * @param u the task's "U" (d x d), @param pool its "pool" (P x d), in TaskSpec.structure
     */
    public static Posterior poolPosterior(Context c, double[] u, double[] pool, double sigma2) {
        int d = c.d;
        if (c.m != d || u.length != d * d || pool.length == 0 || pool.length % d != 0) {
            throw new IllegalArgumentException("the pool posterior needs targets of width d, U d x d and a P x d pool");
        }
        if (!(sigma2 > 0) || !Double.isFinite(sigma2)) {
            throw new IllegalArgumentException("the pool posterior needs a positive, finite sigma2; got " + sigma2);
        }
        int p = pool.length / d;
        double[] xu = multiply(c.x, u, c.n, d, d);
        double[] yu = multiply(c.y, u, c.n, d, d);
        double[] aa = new double[d];
        double[] bb = new double[d];
        double[] cc = new double[d];
        for (int i = 0; i < c.n; i++) {
            for (int a = 0; a < d; a++) {
                double xv = xu[i * d + a];
                double yv = yu[i * d + a];
                aa[a] += yv * yv;
                bb[a] += xv * yv;
                cc[a] += xv * xv;
            }
        }
        double[] logw = new double[p];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < p; k++) {
            double r = 0;
            for (int a = 0; a < d; a++) {
                double l = pool[k * d + a];
                r += aa[a] - 2 * l * bb[a] + l * l * cc[a];
            }
            logw[k] = -Math.max(r, 0) / (2 * sigma2);
            max = Math.max(max, logw[k]);
        }
        double sum = 0;
        for (int k = 0; k < p; k++) {
            logw[k] = Math.exp(logw[k] - max);
            sum += logw[k];
        }
        double[] mean = new double[d];
        for (int k = 0; k < p; k++) {
            logw[k] /= sum;
            for (int a = 0; a < d; a++) {
                mean[a] += logw[k] * pool[k * d + a];
            }
        }
        // posterior mean of W_k x_q = U diag(E[lambda]) U' x_q
        double[] qu = multiply(c.query, u, 1, d, d);
        for (int a = 0; a < d; a++) {
            qu[a] *= mean[a];
        }
        double[] prediction = new double[d];
        for (int i = 0; i < d; i++) {
            double v = 0;
            for (int a = 0; a < d; a++) {
                v += u[i * d + a] * qu[a];
            }
            prediction[i] = v;
        }
        return new Posterior(logw, prediction);
    }

    /** y_hat = B' x_q for B d x m. */
    private static double[] predict(double[] b, Context c) {
        return multiply(c.query, b, 1, c.d, c.m);
    }

    /** a (r x k) times b (k x c), row-major. */
    static double[] multiply(double[] a, double[] b, int r, int k, int c) {
        double[] out = new double[r * c];
        for (int i = 0; i < r; i++) {
            for (int t = 0; t < k; t++) {
                double v = a[i * k + t];
                for (int j = 0; j < c; j++) {
                    out[i * c + j] += v * b[t * c + j];
                }
            }
        }
        return out;
    }

    /** The transpose (c x r) of a (r x c), row-major. */
    static double[] transpose(double[] a, int r, int c) {
        double[] t = new double[r * c];
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                t[j * r + i] = a[i * c + j];
            }
        }
        return t;
    }
}
