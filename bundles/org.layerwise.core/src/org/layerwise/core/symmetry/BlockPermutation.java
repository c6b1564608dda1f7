package org.layerwise.core.symmetry;

import java.util.SplittableRandom;

/**
 * Elements Pi = diag(P_d, P_C) of G = S_d x S_C acting on the D = d + C token coordinates
 * (docs/mathematics.md section 4), stored as an index map p: (Z Pi)[i][k] = Z[i][p[k]].
 */
public final class BlockPermutation {

    private BlockPermutation() {
    }

    /** A uniform draw from G, or from its feature or label factor only. */
    public static int[] draw(int d, int classes, boolean features, boolean labels, SplittableRandom rng) {
        int[] p = identity(d + classes);
        if (features) {
            shuffle(p, 0, d, rng);
        }
        if (labels) {
            shuffle(p, d, d + classes, rng);
        }
        return p;
    }

    public static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }

    private static void shuffle(int[] p, int from, int to, SplittableRandom rng) {
        for (int i = to - 1; i > from; i--) {
            int j = from + rng.nextInt(i - from + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
    }

    /** True when p permutes features among features and labels among labels. */
    public static boolean isBlockPermutation(int[] p, int d, int classes) {
        if (p == null || p.length != d + classes) {
            return false;
        }
        boolean[] seen = new boolean[p.length];
        for (int k = 0; k < p.length; k++) {
            int v = p[k];
            if (v < 0 || v >= p.length || seen[v] || (k < d) != (v < d)) {
                return false;
            }
            seen[v] = true;
        }
        return true;
    }

    /** Pi M Pi^T for a D x D row-major M: entry (a, b) is M[q[a]][q[b]] with q = p^-1. */
    public static double[] conjugate(double[] m, int[] p) {
        int n = p.length;
        int[] q = inverse(p);
        double[] out = new double[n * n];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < n; b++) {
                out[a * n + b] = m[q[a] * n + q[b]];
            }
        }
        return out;
    }

    /** Z Pi for rows of width p.length stored contiguously. */
    public static double[] permuteColumns(double[] z, int[] p) {
        int n = p.length;
        double[] out = new double[z.length];
        for (int r = 0; r < z.length / n; r++) {
            for (int k = 0; k < n; k++) {
                out[r * n + k] = z[r * n + p[k]];
            }
        }
        return out;
    }

    public static int[] inverse(int[] p) {
        int[] q = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            q[p[i]] = i;
        }
        return q;
    }
}
