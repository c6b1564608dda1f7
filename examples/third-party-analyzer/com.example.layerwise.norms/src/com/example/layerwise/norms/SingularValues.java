package com.example.layerwise.norms;

import java.util.Arrays;

/** Singular values of a small dense matrix by one-sided Jacobi rotations (Hestenes). */
final class SingularValues {

    private static final int MAX_SWEEPS = 60;

    private SingularValues() {
    }

    /**
     * The singular values of the n x n row-major matrix m, largest first. Rotating pairs of
     * columns until every pair is orthogonal leaves the singular values as the column norms.
     */
    static double[] of(double[] m, int n) {
        double[][] col = new double[n][n];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < n; c++) {
                col[c][r] = m[r * n + c];
            }
        }
        for (int sweep = 0; sweep < MAX_SWEEPS; sweep++) {
            boolean rotated = false;
            for (int i = 0; i < n - 1; i++) {
                for (int j = i + 1; j < n; j++) {
                    rotated |= orthogonalize(col[i], col[j]);
                }
            }
            if (!rotated) {
                break;
            }
        }
        double[] s = new double[n];
        for (int c = 0; c < n; c++) {
            s[c] = Math.sqrt(dot(col[c], col[c]));
        }
        Arrays.sort(s);
        for (int a = 0, b = n - 1; a < b; a++, b--) {
            double t = s[a];
            s[a] = s[b];
            s[b] = t;
        }
        return s;
    }

    /** Rotates columns a and b in their plane until they are orthogonal; false when they already are. */
    private static boolean orthogonalize(double[] a, double[] b) {
        double alpha = dot(a, a);
        double beta = dot(b, b);
        double gamma = dot(a, b);
        if (gamma == 0 || Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta)) {
            return false;
        }
        double zeta = (beta - alpha) / (2 * gamma);
        double t = Math.signum(zeta == 0 ? 1 : zeta) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        double c = 1 / Math.sqrt(1 + t * t);
        double s = c * t;
        for (int k = 0; k < a.length; k++) {
            double x = a[k];
            double y = b[k];
            a[k] = c * x - s * y;
            b[k] = s * x + c * y;
        }
        return true;
    }

    private static double dot(double[] a, double[] b) {
        double sum = 0;
        for (int k = 0; k < a.length; k++) {
            sum += a[k] * b[k];
        }
        return sum;
    }
}
