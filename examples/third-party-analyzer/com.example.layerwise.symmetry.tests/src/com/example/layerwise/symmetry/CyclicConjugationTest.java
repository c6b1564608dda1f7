package com.example.layerwise.symmetry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.core.Settings;
import org.layerwise.core.symmetry.BlockPermutation;

class CyclicConjugationTest {

    static final int D = 5;
    static final int C = 3;

    static Settings labels(boolean on) {
        return Settings.of(Map.of("labels", on));
    }

    @Test
    void every_draw_is_a_cyclic_shift_of_each_block_and_all_shifts_are_equally_likely() {
        CyclicConjugation enforcer = new CyclicConjugation();
        SplittableRandom rng = new SplittableRandom(1);
        int draws = 15_000;
        int[] counts = new int[D * C];
        for (int i = 0; i < draws; i++) {
            int[] p = enforcer.permutation(labels(true), D, C, rng);
            assertTrue(BlockPermutation.isBlockPermutation(p, D, C), Arrays.toString(p));
            for (int k = 0; k < D; k++) {
                assertEquals((p[0] + k) % D, p[k], Arrays.toString(p));
            }
            for (int c = 0; c < C; c++) {
                assertEquals(D + (p[D] - D + c) % C, p[D + c], Arrays.toString(p));
            }
            counts[p[0] * C + (p[D] - D)]++;
        }
        double expected = draws / (double) (D * C);
        for (int n : counts) {
            assertEquals(expected, n, 5 * Math.sqrt(expected), Arrays.toString(counts));
        }
        int[] featuresOnly = enforcer.permutation(labels(false), D, C, rng);
        assertArrayEquals(new int[] {D, D + 1, D + 2}, Arrays.copyOfRange(featuresOnly, D, D + C));
    }

    @Test
    void the_average_over_all_shifts_is_left_unchanged_by_every_draw_and_a_generic_matrix_is_not() {
        int dim = D + C;
        SplittableRandom rng = new SplittableRandom(4);
        double[] m = new double[dim * dim];
        for (int k = 0; k < m.length; k++) {
            m[k] = rng.nextGaussian();
        }
        double[] average = new double[dim * dim];
        for (int s = 0; s < D; s++) {
            for (int t = 0; t < C; t++) {
                int[] p = new int[dim];
                for (int k = 0; k < D; k++) {
                    p[k] = (k + s) % D;
                }
                for (int c = 0; c < C; c++) {
                    p[D + c] = D + (c + t) % C;
                }
                double[] conjugated = BlockPermutation.conjugate(m, p);
                for (int k = 0; k < average.length; k++) {
                    average[k] += conjugated[k] / (D * C);
                }
            }
        }
        CyclicConjugation enforcer = new CyclicConjugation();
        boolean genericMoved = false;
        for (int i = 0; i < 50; i++) {
            int[] p = enforcer.permutation(labels(true), D, C, rng);
            assertArrayEquals(average, BlockPermutation.conjugate(average, p), 1e-12);
            genericMoved |= !Arrays.equals(m, BlockPermutation.conjugate(m, p));
        }
        assertTrue(genericMoved);
        assertFalse(enforcer.factors(labels(true)).any(), "a cyclic subgroup is neither factor of G");
    }
}
