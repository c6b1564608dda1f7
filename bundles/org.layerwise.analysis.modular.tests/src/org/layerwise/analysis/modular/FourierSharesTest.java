package org.layerwise.analysis.modular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.IntBinaryOperator;

import org.junit.jupiter.api.Test;

/** Fourier shares of matrices and logits whose spectra are known by construction. */
class FourierSharesTest {

    static final int P = 113;

    /** E[a, j] = cos(2 pi k a / p) v_j + sin(2 pi k a / p) w_j: all of it at frequency k. */
    static double[] wave(int p, int d, int k, SplittableRandom rng) {
        double[] v = gaussian(d, rng);
        double[] w = gaussian(d, rng);
        double[] e = new double[p * d];
        for (int a = 0; a < p; a++) {
            double angle = 2 * Math.PI * k * a / p;
            for (int j = 0; j < d; j++) {
                e[a * d + j] = Math.cos(angle) * v[j] + Math.sin(angle) * w[j];
            }
        }
        return e;
    }

    static double[] gaussian(int n, SplittableRandom rng) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextGaussian();
        }
        return x;
    }

    static double sum(double[] x) {
        return java.util.Arrays.stream(x).sum();
    }

    /** Logits [p^2, p] of a function of (a, b, c), rows a p + b. */
    interface Triple {
        double at(int a, int b, int c);
    }

    static double[] logits(int p, Triple f) {
        double[] l = new double[p * p * p];
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                for (int c = 0; c < p; c++) {
                    l[(a * p + b) * p + c] = f.at(a, b, c);
                }
            }
        }
        return l;
    }

    static double cosOf(int p, int k, IntBinaryOperator op, int a, int b, int c) {
        return Math.cos(2 * Math.PI * k * Math.floorMod(op.applyAsInt(a, b) - c, p) / p);
    }

    @Test
    void the_basis_is_orthonormal() {
        for (int p : new int[] {3, 7, 113}) {
            double[][] phi = FourierShares.basis(p);
            for (int i = 0; i < p; i++) {
                for (int j = 0; j < p; j++) {
                    double dot = 0;
                    for (int a = 0; a < p; a++) {
                        dot += phi[i][a] * phi[j][a];
                    }
                    assertEquals(i == j ? 1 : 0, dot, 1e-12, "p " + p + ", rows " + i + ", " + j);
                }
            }
        }
    }

    @Test
    void an_embedding_that_is_a_wave_at_frequency_3_has_all_its_share_there() {
        double[] s = FourierShares.ofRows(wave(P, 16, 3, new SplittableRandom(1)), P, 16);
        assertEquals((P + 1) / 2, s.length);
        assertEquals(1, s[3], 1e-12);
        for (int k = 0; k < s.length; k++) {
            if (k != 3) {
                assertEquals(0, s[k], 1e-12, "frequency " + k);
            }
        }
        assertEquals(1, FourierShares.topK(s, 5), 1e-12);
        assertEquals(List.of(3), FourierShares.keyFrequencies(s, 0.8));
    }

    @Test
    void a_constant_embedding_is_all_frequency_0_which_no_top_k_counts() {
        double[] e = new double[7 * 3];
        java.util.Arrays.fill(e, 2.5);
        double[] s = FourierShares.ofRows(e, 7, 3);
        assertEquals(1, s[0], 1e-14);
        assertEquals(0, FourierShares.topK(s, 3), 1e-14);
        assertEquals(List.of(), FourierShares.keyFrequencies(s, 0.8));
        assertThrows(IllegalArgumentException.class, () -> FourierShares.ofRows(new double[7 * 3], 7, 3));
    }

    @Test
    void a_gaussian_embedding_has_a_top_k_share_near_2k_over_p_and_its_shares_sum_to_1() {
        int k = 5;
        double uniform = FourierShares.uniformTopK(k, P);
        assertEquals(10.0 / 113, uniform, 1e-15);
        SplittableRandom rng = new SplittableRandom(7);
        for (int trial = 0; trial < 5; trial++) {
            double[] s = FourierShares.ofRows(gaussian(P * 512, rng), P, 512);
            assertEquals(1, sum(s), 1e-12, "Parseval");
            double top = FourierShares.topK(s, k);
            // each share is 2/p times a chi-square of 1024 degrees over its mean (relative sd 1/32):
            // the largest 5 of 56 lie about 2 sd above it
            assertTrue(top > uniform && top < 1.15 * uniform, top + " against " + uniform);
            assertTrue(FourierShares.keyFrequencies(s, 0.8).size() > 35, "an isotropic matrix needs most frequencies");
        }
    }

    @Test
    void shares_of_any_matrix_sum_to_1() {
        SplittableRandom rng = new SplittableRandom(9);
        for (int p : new int[] {3, 5, 59, 113}) {
            double[] e = gaussian(p * 9, rng);
            for (int i = 0; i < e.length; i += 4) {
                e[i] *= 30; // far from isotropic
            }
            assertEquals(1, sum(FourierShares.ofRows(e, p, 9)), 1e-12, "p " + p);
        }
    }

    @Test
    void logits_that_are_a_wave_in_u_at_frequency_3_have_all_their_share_there() {
        SplittableRandom rng = new SplittableRandom(5);
        double[] offset = gaussian(P * P, rng);
        // a per-pair offset is constant over c, so centring removes it
        double[] l = logits(P, (a, b, c) -> 4 * cosOf(P, 3, Integer::sum, a, b, c) + offset[a * P + b]);
        double[] s = FourierShares.ofLogits(l, P, 1);
        assertEquals(1, s[3], 1e-12);
        assertEquals(1, sum(s), 1e-12);
        assertEquals(0, s[0], 1e-12);
        assertEquals(1, FourierShares.topK(s, 1), 1e-12);
        assertEquals(List.of(3), FourierShares.keyFrequencies(s, 0.8));
    }

    @Test
    void logits_of_any_function_of_u_are_wholly_structured_and_noise_is_not() {
        int p = 59;
        SplittableRandom rng = new SplittableRandom(13);
        double[] g = gaussian(p, rng);
        double[] s = FourierShares.ofLogits(logits(p, (a, b, c) -> g[Math.floorMod(a + b - c, p)]), p, 1);
        assertEquals(1, sum(s), 1e-12, "Parseval over the functions of u");
        double[] noise = gaussian(p * p * p, rng);
        double structured = sum(FourierShares.ofLogits(noise, p, 1));
        // the functions of u are p - 1 of the p^2 (p - 1) centred dimensions: noise puts about 1/p^2 there
        assertTrue(structured > 0 && structured < 5.0 / (p * p), "structured share of noise " + structured);
    }

    @Test
    void subtract_reads_u_as_a_minus_b_minus_c_and_add_as_a_plus_b_minus_c() {
        int p = 31;
        IntBinaryOperator minus = (a, b) -> a - b;
        double[] l = logits(p, (a, b, c) -> cosOf(p, 4, minus, a, b, c) + 0.5 * cosOf(p, 9, minus, a, b, c));
        double[] sub = FourierShares.ofLogits(l, p, -1);
        assertEquals(0.8, sub[4], 1e-12);
        assertEquals(0.2, sub[9], 1e-12);
        assertEquals(1, sum(sub), 1e-12);
        assertEquals(List.of(4), FourierShares.keyFrequencies(sub, 0.8));
        assertEquals(List.of(4, 9), FourierShares.keyFrequencies(sub, 0.81));
        double[] add = FourierShares.ofLogits(l, p, 1);
        assertEquals(0, sum(add), 1e-12, "a function of a - b - c has no part that depends on a + b - c alone");
        assertThrows(IllegalArgumentException.class, () -> FourierShares.ofLogits(l, p, 0));
        FourierShares.LogitSums partial = new FourierShares.LogitSums(p, 1);
        partial.add(0, 0, l, 0);
        assertThrows(IllegalStateException.class, partial::shares, "the shares need every pair");
    }

    @Test
    void logits_that_do_not_depend_on_c_have_no_shares() {
        double[] s = FourierShares.ofLogits(logits(5, (a, b, c) -> a + 10 * b), 5, 1);
        assertTrue(Double.isNaN(s[1]) && Double.isNaN(FourierShares.topK(s, 1)));
        assertEquals(List.of(), FourierShares.keyFrequencies(s, 0.8));
    }

    @Test
    void top_k_and_key_frequencies_on_hand_made_shares() {
        double[] s = {0.1, 0.05, 0.3, 0.0, 0.45, 0.1};
        assertEquals(0.45, FourierShares.topK(s, 1), 1e-15);
        assertEquals(0.75, FourierShares.topK(s, 2), 1e-15);
        assertEquals(0.9, FourierShares.topK(s, 5), 1e-15);
        assertEquals(0.9, FourierShares.topK(s, 50), 1e-15);
        // non-constant total 0.9: 0.8 of it is 0.72, which 4 and 2 reach (0.75)
        assertEquals(List.of(4, 2), FourierShares.keyFrequencies(s, 0.8));
        // 0.9 of it is 0.81: 5 joins (0.85); 0.1 at frequency 0 never counts
        assertEquals(List.of(4, 2, 5), FourierShares.keyFrequencies(s, 0.9));
        // a tie goes to the lower frequency
        assertEquals(List.of(2, 1), FourierShares.keyFrequencies(new double[] {0, 0.25, 0.5, 0.25}, 0.6));
        assertEquals(List.of(4, 2, 5, 1), FourierShares.keyFrequencies(s, 1));
        assertEquals(2.0 * 5 / 11, FourierShares.uniformTopK(5, 11), 1e-15);
        assertEquals(2.0 * 5 / 11, FourierShares.uniformTopK(9, 11), 1e-15, "at most (p - 1) / 2 frequencies");
    }
}
