package org.layerwise.core.symmetry;

/**
 * The commutant of G = S_d x S_C in R^{D x D} (docs/mathematics.md sections 4-5): the closed-form
 * Reynolds projection R(M) = E_Pi[Pi M Pi^T], its six scalars, and the weight asymmetry.
 * Matrices are row-major D x D with the d feature coordinates first.
 */
public final class Commutant {

    /** The six scalars of a commutant matrix, in docs/mathematics.md's names. */
    public record Scalars(double a, double b, double f, double g, double c, double e) {
        public double[] toArray() {
            return new double[] {a, b, f, g, c, e};
        }
    }

    public static final String[] SCALAR_NAMES = {"a", "b", "f", "g", "c", "e"};

    private Commutant() {
    }

    /** R(M) under the full group (both factors). */
    public static double[] reynolds(double[] m, int d, int classes) {
        return reynolds(m, d, classes, true, true);
    }

    /**
     * The group average over the feature factor, the label factor or both. Averaging over
     * S_n replaces a diagonal block by (mean of diagonal) I + (mean off-diagonal) off-diagonal,
     * and turns the index of a cross block that S_n permutes into its mean.
     */
    public static double[] reynolds(double[] m, int d, int classes, boolean features, boolean labels) {
        int n = d + classes;
        double[] r = m.clone();
        if (features) {
            symmetrizeDiagonalBlock(m, r, n, 0, d);
        }
        if (labels) {
            symmetrizeDiagonalBlock(m, r, n, d, n);
        }
        averageCrossBlock(r, n, 0, d, d, n, features, labels);
        averageCrossBlock(r, n, d, n, 0, d, labels, features);
        return r;
    }

    private static void symmetrizeDiagonalBlock(double[] m, double[] r, int n, int from, int to) {
        int size = to - from;
        double diag = 0;
        double off = 0;
        for (int i = from; i < to; i++) {
            for (int j = from; j < to; j++) {
                if (i == j) {
                    diag += m[i * n + j];
                } else {
                    off += m[i * n + j];
                }
            }
        }
        diag /= size;
        off = size > 1 ? off / (size * (size - 1.0)) : 0;
        for (int i = from; i < to; i++) {
            for (int j = from; j < to; j++) {
                r[i * n + j] = i == j ? diag : off;
            }
        }
    }

    /** Rows [r0, r1) x columns [c0, c1): average over rows if rowsMix, over columns if colsMix. */
    private static void averageCrossBlock(double[] r, int n, int r0, int r1, int c0, int c1, boolean rowsMix,
            boolean colsMix) {
        if (rowsMix) {
            for (int j = c0; j < c1; j++) {
                double s = 0;
                for (int i = r0; i < r1; i++) {
                    s += r[i * n + j];
                }
                for (int i = r0; i < r1; i++) {
                    r[i * n + j] = s / (r1 - r0);
                }
            }
        }
        if (colsMix) {
            for (int i = r0; i < r1; i++) {
                double s = 0;
                for (int j = c0; j < c1; j++) {
                    s += r[i * n + j];
                }
                for (int j = c0; j < c1; j++) {
                    r[i * n + j] = s / (c1 - c0);
                }
            }
        }
    }

    /** The six scalars of R(M) (b := 0 when d = 1, e := 0 when C = 1). */
    public static Scalars scalars(double[] m, int d, int classes) {
        double[] r = reynolds(m, d, classes);
        int n = d + classes;
        double b = d > 1 ? r[1] : 0;
        double a = r[0] - b;
        double e = classes > 1 ? r[d * n + d + 1] : 0;
        double c = r[d * n + d] - e;
        double f = r[d];
        double g = r[d * n];
        return new Scalars(a, b, f, g, c, e);
    }

    /** The commutant matrix [a I + b 11', f 11'; g 11', c I + e 11']. */
    public static double[] matrix(Scalars s, int d, int classes) {
        int n = d + classes;
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                boolean fi = i < d;
                boolean fj = j < d;
                double v;
                if (fi && fj) {
                    v = s.b() + (i == j ? s.a() : 0);
                } else if (!fi && !fj) {
                    v = s.e() + (i == j ? s.c() : 0);
                } else {
                    v = fi ? s.f() : s.g();
                }
                m[i * n + j] = v;
            }
        }
        return m;
    }

    /**
     * The gradient with respect to the six scalars of a commutant matrix, given the gradient
     * G with respect to its entries: the Frobenius product of G with each basis matrix of
     * {@link #matrix} (the adjoint of that linear map).
     */
    public static Scalars scalarGradient(double[] g, int d, int classes) {
        int n = d + classes;
        double a = 0, b = 0, f = 0, gg = 0, c = 0, e = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double v = g[i * n + j];
                boolean fi = i < d;
                boolean fj = j < d;
                if (fi && fj) {
                    b += v;
                    a += i == j ? v : 0;
                } else if (!fi && !fj) {
                    e += v;
                    c += i == j ? v : 0;
                } else if (fi) {
                    f += v;
                } else {
                    gg += v;
                }
            }
        }
        return new Scalars(a, b, f, gg, c, e);
    }

    /** ||M - R(M)||_F / ||M||_F (0 for the zero matrix). */
    public static double asymmetry(double[] m, int d, int classes) {
        return asymmetry(m, reynolds(m, d, classes));
    }

    public static double asymmetry(double[] m, double[] projected) {
        double num = 0;
        double den = 0;
        for (int i = 0; i < m.length; i++) {
            double diff = m[i] - projected[i];
            num += diff * diff;
            den += m[i] * m[i];
        }
        return den == 0 ? 0 : Math.sqrt(num / den);
    }

    public static double[] transpose(double[] m, int n) {
        double[] t = new double[m.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                t[j * n + i] = m[i * n + j];
            }
        }
        return t;
    }
}
