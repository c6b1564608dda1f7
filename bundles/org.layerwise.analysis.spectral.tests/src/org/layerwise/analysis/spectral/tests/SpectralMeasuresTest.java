package org.layerwise.analysis.spectral.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.analysis.spectral.SpectralMeasures;
import org.layerwise.analysis.spectral.SpectralMeasures.Svd;

/** The measures of docs/mathematics.md section 9 on matrices whose spectra and row spaces are known exactly. */
class SpectralMeasuresTest {

    static double[] diag(double... d) {
        double[] m = new double[d.length * d.length];
        for (int i = 0; i < d.length; i++) {
            m[i * d.length + i] = d[i];
        }
        return m;
    }

    static double entropy(double... p) {
        double h = 0;
        for (double x : p) {
            h -= x * Math.log(x);
        }
        return h;
    }

    static double[] sigma(double[] m, int n) {
        return SpectralMeasures.singularValues(m, n, n);
    }

    @Test
    void effective_rank_of_known_spectra() {
        assertEquals(3, SpectralMeasures.effectiveRank(sigma(diag(1, 1, 1, 0), 4), 1e-6), 1e-14);
        assertEquals(Math.exp(entropy(2.0 / 3, 1.0 / 3)), SpectralMeasures.effectiveRank(sigma(diag(2, 1), 2), 1e-6), 1e-14);
        // the order and sign of the diagonal do not matter: singular values are |d_i|, sorted
        assertEquals(Math.exp(entropy(0.5, 1.0 / 3, 1.0 / 6)),
                SpectralMeasures.effectiveRank(sigma(diag(-1, 3, 0, -2), 4), 1e-6), 1e-14);
        // a multiple of an n x n orthogonal matrix has effective rank n
        assertEquals(5, SpectralMeasures.effectiveRank(sigma(scale(orthogonal(5, new SplittableRandom(3)), 7), 5), 1e-6), 1e-12);
    }

    @Test
    void the_tolerance_cuts_singular_values_at_or_below_tol_times_sigma_1() {
        double[] s = sigma(diag(1, 1e-7, 0.5), 3);
        assertEquals(2, SpectralMeasures.rankAbove(s, 1e-6));
        assertEquals(Math.exp(entropy(2.0 / 3, 1.0 / 3)), SpectralMeasures.effectiveRank(s, 1e-6), 1e-14);
        assertEquals(3, SpectralMeasures.rankAbove(s, 1e-8));
        double sum = 1.5 + 1e-7;
        assertEquals(Math.exp(entropy(1 / sum, 0.5 / sum, 1e-7 / sum)), SpectralMeasures.effectiveRank(s, 1e-8), 1e-14);
        // strictly above: a value equal to tol * sigma_1 is cut
        assertEquals(1, SpectralMeasures.rankAbove(sigma(diag(2, 1), 2), 0.5));
        assertEquals(1, SpectralMeasures.effectiveRank(sigma(diag(2, 1), 2), 0.5), 0);
        // the cut is relative to sigma_1: scaling the matrix changes nothing
        assertEquals(2, SpectralMeasures.rankAbove(sigma(diag(1e-20, 1e-27, 5e-21), 3), 1e-6));
        assertEquals(0, SpectralMeasures.rankAbove(sigma(diag(0, 0), 2), 1e-6));
    }

    @Test
    void marginalised_effective_rank_drops_the_k_largest_and_renormalises() {
        double[] s = sigma(diag(4, 2, 1, 1, 0), 5);
        assertEquals(Math.exp(entropy(0.5, 0.25, 0.25)), SpectralMeasures.marginalEffectiveRank(s, 1e-6, 1), 1e-14);
        assertEquals(2, SpectralMeasures.marginalEffectiveRank(s, 1e-6, 2), 1e-14);
        assertEquals(1, SpectralMeasures.marginalEffectiveRank(s, 1e-6, 3), 1e-14);
        assertEquals(SpectralMeasures.effectiveRank(s, 1e-6), SpectralMeasures.marginalEffectiveRank(s, 1e-6, 0), 0);
        // undefined when no more than k values are above the tolerance (the zero singular value does not count)
        assertTrue(Double.isNaN(SpectralMeasures.marginalEffectiveRank(s, 1e-6, 4)));
        assertTrue(Double.isNaN(SpectralMeasures.marginalEffectiveRank(sigma(diag(3, 0, 0), 3), 1e-6, 1)));
        assertTrue(Double.isNaN(SpectralMeasures.marginalEffectiveRank(sigma(diag(3, 1e-9, 0), 3), 1e-6, 1)));
        assertTrue(Double.isNaN(SpectralMeasures.effectiveRank(sigma(diag(0, 0, 0), 3), 1e-6)), "zero matrix");
        assertThrows(IllegalArgumentException.class, () -> SpectralMeasures.marginalEffectiveRank(s, 1e-6, -1));
    }

    @Test
    void the_svd_recovers_a_constructed_spectrum_to_1e_12() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int[] shape : new int[][] {{40, 40}, {30, 12}, {12, 30}, {1, 7}, {7, 1}, {64, 64}}) {
            int m = shape[0];
            int n = shape[1];
            int k = Math.min(m, n);
            double[][] u = orthogonal(m, rng);
            double[][] v = orthogonal(n, rng);
            double[] s = new double[k];
            for (int i = 0; i < k; i++) {
                s[i] = Math.pow(10, -4.0 * i / Math.max(1, k - 1)); // 1 down to 1e-4, distinct
            }
            double[] a = new double[m * n];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double x = 0;
                    for (int q = 0; q < k; q++) {
                        x += u[i][q] * s[q] * v[j][q];
                    }
                    a[i * n + j] = x;
                }
            }
            Svd svd = SpectralMeasures.svd(a, m, n);
            assertEquals(k, svd.sigma().length);
            for (int i = 0; i < k; i++) {
                assertEquals(s[i], svd.sigma()[i], 1e-12, m + "x" + n + " sigma_" + i);
                // the right singular vector is V's column up to sign
                double dot = 0;
                for (int j = 0; j < n; j++) {
                    dot += svd.v()[i][j] * v[j][i];
                }
                assertEquals(1, Math.abs(dot), 1e-9, m + "x" + n + " v_" + i);
            }
            // V is orthogonal: the wide case completes a basis of R^n
            for (int p = 0; p < n; p++) {
                for (int q = 0; q < n; q++) {
                    double dot = 0;
                    for (int j = 0; j < n; j++) {
                        dot += svd.v()[p][j] * svd.v()[q][j];
                    }
                    assertEquals(p == q ? 1 : 0, dot, 1e-13, m + "x" + n + " V'V");
                }
            }
            assertTrue(svd.sweeps() < 20, svd.sweeps() + " sweeps");
        }
    }

    @Test
    void the_svd_refuses_non_finite_entries_and_wrong_sizes() {
        assertThrows(IllegalArgumentException.class, () -> SpectralMeasures.svd(new double[] {1, Double.NaN, 0, 1}, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> SpectralMeasures.svd(new double[3], 2, 2));
    }

    @Test
    void subspace_distance_is_0_for_the_same_row_space_and_1_for_an_orthogonal_one() {
        SplittableRandom rng = new SplittableRandom(5);
        int n = 6;
        // M_inf: rank 3, rows in the span of the first three columns of a rotation Q
        double[][] q = orthogonal(n, rng);
        double[] mInf = new double[n * n];
        double[] other = new double[n * n];
        for (int i = 0; i < n; i++) {
            double[] c = {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
            double[] e = {rng.nextGaussian(), rng.nextGaussian(), rng.nextGaussian()};
            for (int j = 0; j < n; j++) {
                mInf[i * n + j] = c[0] * q[j][0] + c[1] * q[j][1] + c[2] * q[j][2];
                other[i * n + j] = e[0] * q[j][3] + e[1] * q[j][4] + e[2] * q[j][5];
            }
        }
        Svd same = SpectralMeasures.svd(mInf, n, n);
        assertEquals(3, same.rankAbove(1e-6));
        assertEquals(0, SpectralMeasures.subspaceDistance(mInf, same, 3), 1e-14);
        // G M_inf, G invertible: other singular values and vectors, the same row space
        double[][] g = orthogonal(n, rng);
        double[] mixed = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int p = 0; p < n; p++) {
                    mixed[i * n + j] += (g[i][p] * (1 + p)) * mInf[p * n + j];
                }
            }
        }
        Svd rotated = SpectralMeasures.svd(mixed, n, n);
        assertEquals(3, rotated.rankAbove(1e-6));
        assertTrue(Math.abs(rotated.sigma()[0] - same.sigma()[0]) > 1e-3, "a different spectrum");
        assertEquals(0, SpectralMeasures.subspaceDistance(mInf, rotated, 3), 1e-13);
        Svd orthogonal = SpectralMeasures.svd(other, n, n);
        assertEquals(1, SpectralMeasures.subspaceDistance(mInf, orthogonal, 3), 1e-14);
        // r = 0 spans nothing; the zero matrix has no direction to compare
        assertEquals(1, SpectralMeasures.subspaceDistance(mInf, same, 0), 1e-15);
        assertTrue(Double.isNaN(SpectralMeasures.subspaceDistance(new double[n * n], same, 3)));
    }

    @Test
    void subspace_distance_by_hand() {
        // M_inf = diag(3, 4), V_1 = e_1: the residual diag(0, 4) has norm 4 of 5
        assertEquals(0.8, SpectralMeasures.subspaceDistance(diag(3, 4), SpectralMeasures.svd(diag(1, 0), 2, 2), 1), 1e-15);
        // ... and with V_1 = e_2 it keeps diag(3, 0)
        assertEquals(0.6, SpectralMeasures.subspaceDistance(diag(3, 4), SpectralMeasures.svd(diag(0, 2), 2, 2), 1), 1e-15);
        // rank-one M_inf = e_1 e_1', M_t = e_1 (cos t, sin t): the distance is |sin t|, the principal angle's sine
        double t = 0.3;
        double[] mt = {Math.cos(t), Math.sin(t), 0, 0};
        assertEquals(Math.sin(t), SpectralMeasures.subspaceDistance(diag(1, 0), SpectralMeasures.svd(mt, 2, 2), 1), 1e-15);
        // M_inf = diag(3, 2, 1) against V_1 = e_1: sqrt(4 + 1) / sqrt(14)
        assertEquals(Math.sqrt(5.0 / 14), SpectralMeasures.subspaceDistance(diag(3, 2, 1), SpectralMeasures.svd(diag(5, 0, 0), 3, 3), 1),
                1e-15);
        // a rectangular M_inf (2 x 3): rows (1, 0, 0) and (0, 1, 1); V_1 = e_2 leaves rows (1, 0, 0), (0, 0, 1)
        double[] wide = {1, 0, 0, 0, 1, 1};
        double[] earlier = {0, 7, 0, 0, 0, 0};
        assertEquals(Math.sqrt(2.0 / 3), SpectralMeasures.subspaceDistance(wide, SpectralMeasures.svd(earlier, 2, 3), 1), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> SpectralMeasures.subspaceDistance(wide, SpectralMeasures.svd(earlier, 2, 3), 4));
    }

    /** A Haar-distributed n x n orthogonal matrix (QR of a Gaussian matrix by modified Gram-Schmidt, twice). */
    static double[][] orthogonal(int n, SplittableRandom rng) {
        double[][] cols = new double[n][n];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < n; i++) {
                cols[j][i] = rng.nextGaussian();
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int p = 0; p < j; p++) {
                    double dot = 0;
                    for (int i = 0; i < n; i++) {
                        dot += cols[j][i] * cols[p][i];
                    }
                    for (int i = 0; i < n; i++) {
                        cols[j][i] -= dot * cols[p][i];
                    }
                }
            }
            double norm = 0;
            for (double x : cols[j]) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            for (int i = 0; i < n; i++) {
                cols[j][i] /= norm;
            }
        }
        double[][] q = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                q[i][j] = cols[j][i];
            }
        }
        return q;
    }

    static double[] scale(double[][] q, double f) {
        int n = q.length;
        double[] m = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                m[i * n + j] = f * q[i][j];
            }
        }
        return m;
    }
}
