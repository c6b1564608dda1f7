package org.layerwise.tasks;

/**
 * Householder QR of a dense m x n matrix (m &gt;= n, row-major): A = Q R with Q orthogonal and
 * R upper triangular. Backs the random orthogonal basis of {@link LinearRegressionTask} and
 * the least-squares fits of {@link RegressionBaselines}. Orthogonality of Q holds to a few
 * machine epsilons whatever A's condition (unlike Gram-Schmidt).
 */
final class HouseholderQr {

    private final int m;
    private final int n;
    /** Below and on the diagonal: the reflectors' vectors v_k (column k, rows k..m); above: R. */
    private final double[] qr;
    /** R's diagonal. */
    private final double[] diag;

    /** Factors a (m x n row-major, m &gt;= n); a is not modified. */
    HouseholderQr(double[] a, int m, int n) {
        if (m < n || a.length != m * n) {
            throw new IllegalArgumentException("QR needs m >= n and an m x n array; got " + m + " x " + n + ", length " + a.length);
        }
        this.m = m;
        this.n = n;
        this.qr = a.clone();
        this.diag = new double[n];
        for (int k = 0; k < n; k++) {
            double norm = 0;
            for (int i = k; i < m; i++) {
                norm = Math.hypot(norm, qr[i * n + k]);
            }
            if (norm != 0) {
                if (qr[k * n + k] < 0) {
                    norm = -norm;
                }
                for (int i = k; i < m; i++) {
                    qr[i * n + k] /= norm;
                }
                qr[k * n + k] += 1;
                for (int j = k + 1; j < n; j++) {
                    reflect(k, qr, n, j);
                }
            }
            diag[k] = -norm;
        }
    }

    /**
     * Applies reflector k to column j of an m-row matrix a with row stride {@code stride}:
     * a[i][j] -= v_k[i] (v_k . a[.][j]) / v_k[k], rows k..m.
     */
    private void reflect(int k, double[] a, int stride, int j) {
        double s = 0;
        for (int i = k; i < m; i++) {
            s += qr[i * n + k] * a[i * stride + j];
        }
        s = -s / qr[k * n + k];
        for (int i = k; i < m; i++) {
            a[i * stride + j] += s * qr[i * n + k];
        }
    }

    /** R's diagonal entry k (its sign is whatever the reflections gave). */
    double rDiag(int k) {
        return diag[k];
    }

    /** Whether R has no zero on its diagonal, relative to its largest entry (A has full column rank). */
    boolean fullRank() {
        double max = 0;
        for (double r : diag) {
            max = Math.max(max, Math.abs(r));
        }
        for (double r : diag) {
            if (!(Math.abs(r) > max * 1e-14 * Math.max(m, n))) {
                return false;
            }
        }
        return true;
    }

    /** The thin Q (m x n row-major). */
    double[] q() {
        double[] q = new double[m * n];
        for (int k = n - 1; k >= 0; k--) {
            q[k * n + k] = 1;
            for (int j = k; j < n; j++) {
                if (qr[k * n + k] != 0) {
                    reflect(k, q, n, j);
                }
            }
        }
        return q;
    }

    /**
     * The least-squares solution X (n x c) of A X = B for B m x c (row-major): R X = (Q'B)[0..n).
     * A must have full column rank.
     */
    double[] solve(double[] b, int c) {
        double[] x = b.clone();
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < c; j++) {
                reflect(k, x, c, j);
            }
        }
        double[] out = new double[n * c];
        for (int k = n - 1; k >= 0; k--) {
            for (int j = 0; j < c; j++) {
                double s = x[k * c + j];
                for (int i = k + 1; i < n; i++) {
                    s -= qr[k * n + i] * out[i * c + j];
                }
                out[k * c + j] = s / diag[k];
            }
        }
        return out;
    }

    /**
     * Solves R' Y = B (n x c) by forward substitution, for the minimum-norm solutions of an
     * underdetermined system factored through its transpose.
     */
    double[] solveRTransposed(double[] b, int c) {
        double[] y = new double[n * c];
        for (int k = 0; k < n; k++) {
            for (int j = 0; j < c; j++) {
                double s = b[k * c + j];
                for (int i = 0; i < k; i++) {
                    s -= qr[i * n + k] * y[i * c + j];
                }
                y[k * c + j] = s / diag[k];
            }
        }
        return y;
    }
}
