package org.layerwise.analysis.baselines;

import java.util.Arrays;

/**
 * Multinomial logistic (softmax) regression fitted on one prompt's labeled context, over the
 * K classes present in it (an absent class has no data and is never predicted):
 *
 * <pre>
 * F(W, b) = (1/n) sum_i [ log sum_k exp(w_k'x_i + b_k) - (w_{y_i}'x_i + b_{y_i}) ] + (lambda/2) sum_k ||w_k||^2
 * </pre>
 *
 * The intercepts b are not penalized; they are determined up to a common shift, fixed by
 * sum_k b_k = 0. With lambda > 0 F is strictly convex on that set and has one minimum, also
 * for separable data. At the minimum sum_k w_k = 0 as well (sum_k dF/dw_k = lambda sum_k w_k),
 * so the last present class is written as minus the sum of the others, theta_K = -sum_{k<K} phi_k,
 * and F is minimised over phi = (w_k, b_k)_{k<K}: (K - 1)(d + 1) unknowns, no degenerate
 * direction. Newton's method with a backtracking (Armijo) line search runs from zero until the
 * max-norm of the full gradient dF/dtheta is at most the tolerance: deterministic, no
 * randomness. Ties between class scores go to the lowest class index; with no labeled token
 * every class ties and class 0 is predicted.
 */
public final class MultinomialLogisticRegression {

    /**
     * A fitted model. present lists the K classes in the context (ascending); weights is
     * [K, d] row-major and intercepts [K], row k belonging to class present[k]. gradientNorm is
     * the max-norm of dF at the returned parameters.
     */
    public record Fit(int classes, int features, int[] present, double[] weights, double[] intercepts, double lambda,
            int iterations, double gradientNorm, boolean converged) {

        /** w_c'x + b_c per class; -infinity for classes absent from the context. */
        public double[] scores(double[] x) {
            double[] s = new double[classes];
            Arrays.fill(s, Double.NEGATIVE_INFINITY);
            for (int k = 0; k < present.length; k++) {
                double v = intercepts[k];
                for (int a = 0; a < features; a++) {
                    v += weights[k * features + a] * x[a];
                }
                s[present[k]] = v;
            }
            return s;
        }

        /** The fitted class probabilities at x; zero for absent classes, all zero with no labeled token. */
        public double[] probabilities(double[] x) {
            double[] s = scores(x);
            double max = Double.NEGATIVE_INFINITY;
            for (double v : s) {
                max = Math.max(max, v);
            }
            double[] p = new double[classes];
            if (present.length == 0) {
                return p;
            }
            double total = 0;
            for (int c = 0; c < classes; c++) {
                p[c] = Math.exp(s[c] - max);
                total += p[c];
            }
            for (int c = 0; c < classes; c++) {
                p[c] /= total;
            }
            return p;
        }

        public int predict(double[] x) {
            return SoftNearestNeighbour.argmax(scores(x));
        }
    }

    private static final double ARMIJO = 1e-4;

    private MultinomialLogisticRegression() {
    }

    /** Fits the model on the labeled context (the query is not used) and predicts the query with it. */
    public static int predictQuery(LabeledContext c, double lambda, int maxIterations, double tolerance) {
        return fit(c, lambda, maxIterations, tolerance).predict(c.query);
    }

    public static Fit fit(LabeledContext c, double lambda, int maxIterations, double tolerance) {
        if (!(lambda > 0)) {
            throw new IllegalArgumentException("lambda must be positive (it makes the optimum unique), got " + lambda);
        }
        int d = c.features;
        int[] present = new int[c.presentClasses()];
        int[] index = new int[c.classes];
        for (int y = 0, k = 0; y < c.classes; y++) {
            index[y] = c.has(y) ? k : -1;
            if (c.has(y)) {
                present[k++] = y;
            }
        }
        int classes = present.length;
        if (classes <= 1) {
            // One class: the softmax is 1 whatever the parameters, so the penalty alone decides: W = 0, b = 0.
            return new Fit(c.classes, d, present, new double[classes * d], new double[classes], lambda, 0, 0, true);
        }
        Problem pr = new Problem(c, index, classes, lambda);
        int m = pr.m;
        int dim = (classes - 1) * m;
        double[] phi = new double[dim];
        double[] grad = new double[dim];
        double[] hess = new double[dim * dim];
        double[] step = new double[dim];
        double[] trial = new double[dim];
        double[] factor = new double[dim * dim];
        double f = pr.objective(phi);
        int it = 0;
        double gnorm;
        boolean converged;
        while (true) {
            gnorm = pr.gradient(phi, grad); // p is that of phi: set by the last objective call
            if (gnorm <= tolerance || it >= maxIterations) {
                converged = gnorm <= tolerance;
                break;
            }
            pr.hessian(hess);
            solve(hess, grad, step, factor, dim);
            double slope = dot(grad, step, dim);
            double t = 1;
            double next;
            while (true) {
                move(phi, -t, step, trial, dim);
                next = pr.objective(trial);
                // Accept a sufficient decrease, or a change below rounding near the optimum (the gradient then decides).
                if (next <= f - ARMIJO * t * slope || Math.abs(next - f) <= 1e-14 * Math.max(1, Math.abs(f)) || t < 1e-12) {
                    break;
                }
                t /= 2;
            }
            System.arraycopy(trial, 0, phi, 0, dim);
            f = next;
            it++;
        }
        double[] w = new double[classes * d];
        double[] b = new double[classes];
        int last = classes - 1;
        for (int k = 0; k < last; k++) {
            System.arraycopy(phi, k * m, w, k * d, d);
            b[k] = phi[k * m + d];
            for (int a = 0; a < d; a++) {
                w[last * d + a] -= phi[k * m + a];
            }
            b[last] -= phi[k * m + d];
        }
        return new Fit(c.classes, d, present, w, b, lambda, it, gnorm, converged);
    }

    /**
     * The data of one fit: x augmented by a constant 1 ([n, m], m = d + 1), x x' of each token
     * packed, and the labels as indices into the present classes.
     */
    private static final class Problem {
        final int n;
        final int d;
        final int m;
        final int classes;
        final int free;
        final double lambda;
        final double[] xt;
        final int[] y;
        /** Class probabilities of every token at the last objective call, [n, K]. */
        final double[] p;
        /** x_i x_i' of every token, upper triangle packed row by row: [n, m (m + 1) / 2]. */
        final double[] outer;
        final int packed;
        /** Packed upper triangles of the blocks (k, l), k <= l < K - 1, of d2F/dphi2. */
        final double[] acc;
        /** dF/dtheta for every present class, [K, m]. */
        final double[] full;
        /** sum_{k<K-1} w_k = -w_{K-1}, [d]. */
        final double[] wsum;

        Problem(LabeledContext c, int[] index, int classes, double lambda) {
            this.n = c.size;
            this.d = c.features;
            this.m = d + 1;
            this.classes = classes;
            this.free = classes - 1;
            this.lambda = lambda;
            this.xt = new double[n * m];
            this.y = new int[n];
            for (int i = 0; i < n; i++) {
                System.arraycopy(c.x, i * d, xt, i * m, d);
                xt[i * m + d] = 1;
                y[i] = index[c.labels[i]];
            }
            this.p = new double[n * classes];
            this.packed = m * (m + 1) / 2;
            this.outer = new double[n * packed];
            for (int i = 0, t = 0; i < n; i++) {
                for (int a = 0; a < m; a++) {
                    for (int b = a; b < m; b++) {
                        outer[t++] = xt[i * m + a] * xt[i * m + b];
                    }
                }
            }
            this.acc = new double[free * (free + 1) / 2 * packed];
            this.full = new double[classes * m];
            this.wsum = new double[d];
        }

        /** F at theta = (phi, -sum phi); leaves the class probabilities of every token in p. */
        double objective(double[] phi) {
            double loss = 0;
            for (int i = 0; i < n; i++) {
                int pi = i * classes;
                double max = Double.NEGATIVE_INFINITY;
                double rest = 0;
                for (int k = 0; k < free; k++) {
                    double s = 0;
                    for (int a = 0; a < m; a++) {
                        s += phi[k * m + a] * xt[i * m + a];
                    }
                    p[pi + k] = s;
                    rest -= s;
                    max = Math.max(max, s);
                }
                p[pi + free] = rest;
                max = Math.max(max, rest);
                double total = 0;
                for (int k = 0; k < classes; k++) {
                    double e = Math.exp(p[pi + k] - max);
                    p[pi + k] = e;
                    total += e;
                }
                double own = p[pi + y[i]];
                for (int k = 0; k < classes; k++) {
                    p[pi + k] /= total;
                }
                loss += Math.log(total / own);
            }
            Arrays.fill(wsum, 0);
            double penalty = 0;
            for (int k = 0; k < free; k++) {
                for (int a = 0; a < d; a++) {
                    double v = phi[k * m + a];
                    penalty += v * v;
                    wsum[a] += v;
                }
            }
            for (int a = 0; a < d; a++) {
                penalty += wsum[a] * wsum[a];
            }
            return loss / n + lambda / 2 * penalty;
        }

        /**
         * dF/dphi into grad at the phi of the last {@link #objective} call (whose probabilities
         * and weight sum are current); returns the max-norm of the full gradient dF/dtheta, the
         * convergence criterion.
         */
        double gradient(double[] phi, double[] grad) {
            Arrays.fill(full, 0);
            double inv = 1.0 / n;
            for (int i = 0; i < n; i++) {
                int xi = i * m;
                int pi = i * classes;
                for (int k = 0; k < classes; k++) {
                    double r = (p[pi + k] - (y[i] == k ? 1 : 0)) * inv;
                    for (int a = 0; a < m; a++) {
                        full[k * m + a] += r * xt[xi + a];
                    }
                }
            }
            // penalty: w_k for k < K - 1 and w_{K-1} = -wsum
            for (int k = 0; k < free; k++) {
                for (int a = 0; a < d; a++) {
                    full[k * m + a] += lambda * phi[k * m + a];
                }
            }
            for (int a = 0; a < d; a++) {
                full[free * m + a] -= lambda * wsum[a];
            }
            double norm = 0;
            for (double g : full) {
                norm = Math.max(norm, Math.abs(g));
            }
            for (int k = 0; k < free; k++) {
                for (int a = 0; a < m; a++) {
                    grad[k * m + a] = full[k * m + a] - full[free * m + a];
                }
            }
            return norm;
        }

        /**
         * d2F/dphi2 at the phi of the last {@link #objective} call. With J the map from phi to
         * theta, the loss Hessian of token i is J'(diag p_i - p_i p_i')J (x) x_i x_i', whose
         * (k, l) entry is p_k [k = l] + q - (p_k - q)(p_l - q) with q the last class's probability.
         * Only the lower triangle and the diagonal are written: all that {@link MultinomialLogisticRegression#solve} reads.
         */
        void hessian(double[] hess) {
            int dim = free * m;
            Arrays.fill(acc, 0);
            double inv = 1.0 / n;
            for (int i = 0; i < n; i++) {
                int pi = i * classes;
                int oi = i * packed;
                double q = p[pi + free];
                for (int k = 0, pair = 0; k < free; k++) {
                    double pk = p[pi + k];
                    for (int l = k; l < free; l++, pair++) {
                        double w = ((k == l ? pk : 0) + q - (pk - q) * (p[pi + l] - q)) * inv;
                        int base = pair * packed;
                        for (int t = 0; t < packed; t++) {
                            acc[base + t] += w * outer[oi + t];
                        }
                    }
                }
            }
            for (int k = 0, pair = 0; k < free; k++) {
                for (int l = k; l < free; l++, pair++) {
                    unpack(acc, pair * packed, hess, k, l, dim);
                }
            }
            // d2/dphi2 of (lambda/2)(sum_k ||w_k||^2 + ||sum_k w_k||^2) = lambda ([k = l] + 1) I on the weights
            for (int k = 0; k < free; k++) {
                for (int l = 0; l <= k; l++) {
                    double v = lambda * ((k == l ? 1 : 0) + 1);
                    for (int a = 0; a < d; a++) {
                        hess[(k * m + a) * dim + l * m + a] += v;
                    }
                }
            }
        }

        /** Writes a packed symmetric m x m block (k &lt;= l) into the lower triangle of block (l, k) of the full matrix. */
        private void unpack(double[] packedBlocks, int t, double[] hess, int k, int l, int dim) {
            for (int a = 0; a < m; a++) {
                for (int b = a; b < m; b++, t++) {
                    double v = packedBlocks[t];
                    hess[(l * m + b) * dim + k * m + a] = v;
                    if (k != l) {
                        hess[(l * m + a) * dim + k * m + b] = v;
                    }
                }
            }
        }
    }

    // Vector helpers keep the loops out of fit, so that its compiled form stays small.

    private static double dot(double[] a, double[] b, int n) {
        double s = 0;
        for (int j = 0; j < n; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    /** out = x + t v. */
    private static void move(double[] x, double t, double[] v, double[] out, int n) {
        for (int j = 0; j < n; j++) {
            out[j] = x[j] + t * v[j];
        }
    }

    /**
     * Solves H x = g for symmetric positive definite H by Cholesky, reading only H's lower
     * triangle and diagonal; when rounding makes a pivot non-positive, a growing multiple of the identity is added (Levenberg damping).
     */
    static void solve(double[] h, double[] g, double[] x, double[] l, int dim) {
        double maxDiag = 0;
        for (int i = 0; i < dim; i++) {
            maxDiag = Math.max(maxDiag, h[i * dim + i]);
        }
        double jitter = 0;
        while (!cholesky(h, l, dim, jitter)) {
            jitter = jitter == 0 ? 1e-12 * Math.max(maxDiag, 1e-300) : jitter * 10;
        }
        for (int i = 0; i < dim; i++) {
            double s = g[i];
            for (int k = 0; k < i; k++) {
                s -= l[i * dim + k] * x[k];
            }
            x[i] = s / l[i * dim + i];
        }
        for (int i = dim - 1; i >= 0; i--) {
            double s = x[i];
            for (int k = i + 1; k < dim; k++) {
                s -= l[k * dim + i] * x[k];
            }
            x[i] = s / l[i * dim + i];
        }
    }

    private static boolean cholesky(double[] h, double[] l, int dim, double jitter) {
        for (int i = 0; i < dim; i++) {
            int ri = i * dim;
            for (int j = 0; j <= i; j++) {
                int rj = j * dim;
                // four partial sums: a single running sum would wait on each multiply-add in turn
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                int k = 0;
                for (; k + 3 < j; k += 4) {
                    s0 += l[ri + k] * l[rj + k];
                    s1 += l[ri + k + 1] * l[rj + k + 1];
                    s2 += l[ri + k + 2] * l[rj + k + 2];
                    s3 += l[ri + k + 3] * l[rj + k + 3];
                }
                for (; k < j; k++) {
                    s0 += l[ri + k] * l[rj + k];
                }
                double s = h[ri + j] + (i == j ? jitter : 0) - ((s0 + s1) + (s2 + s3));
                if (i == j) {
                    if (!(s > 0)) {
                        return false;
                    }
                    l[ri + i] = Math.sqrt(s);
                } else {
                    l[ri + j] = s / l[rj + j];
                }
            }
        }
        return true;
    }
}
