package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.layerwise.core.symmetry.BlockPermutation;
import org.layerwise.core.symmetry.Commutant;

class CommutantTest {

    static double[] gaussian(int n, SplittableRandom rng) {
        double[] m = new double[n];
        for (int i = 0; i < n; i++) {
            m[i] = rng.nextGaussian();
        }
        return m;
    }

    @ParameterizedTest
    @CsvSource({"3,2,true,true", "4,3,true,true", "3,3,true,false", "3,3,false,true"})
    void closed_form_reynolds_equals_the_monte_carlo_group_average(int d, int c, boolean features, boolean labels) {
        SplittableRandom rng = new SplittableRandom(11);
        int n = d + c;
        double[] m = gaussian(n * n, rng);
        double[] avg = new double[n * n];
        int draws = 200_000;
        for (int s = 0; s < draws; s++) {
            double[] conj = BlockPermutation.conjugate(m, BlockPermutation.draw(d, c, features, labels, rng));
            for (int i = 0; i < avg.length; i++) {
                avg[i] += conj[i] / draws;
            }
        }
        double[] closed = Commutant.reynolds(m, d, c, features, labels);
        for (int i = 0; i < avg.length; i++) {
            assertEquals(closed[i], avg[i], 0.02, "entry " + i);
        }
    }

    @Test
    void reynolds_is_a_projection_fixing_exactly_the_commutant() {
        SplittableRandom rng = new SplittableRandom(3);
        double[] m = gaussian(49, rng);
        double[] r = Commutant.reynolds(m, 4, 3);
        assertArrayEquals(r, Commutant.reynolds(r, 4, 3), 1e-14);
        assertTrue(Commutant.asymmetry(m, 4, 3) > 0.3);
        assertEquals(0, Commutant.asymmetry(r, 4, 3), 1e-14);
        double[] p = BlockPermutation.conjugate(r, BlockPermutation.draw(4, 3, true, true, rng));
        assertArrayEquals(r, p, 0.0, "a commutant matrix commutes with every Pi");
    }

    @Test
    void abstraction_of_a_matrix_built_from_six_scalars_returns_those_scalars() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int[] dc : new int[][] {{8, 4}, {2, 2}, {5, 3}}) {
            double[] six = gaussian(6, rng);
            Commutant.Scalars s = new Commutant.Scalars(six[0], six[1], six[2], six[3], six[4], six[5]);
            double[] m = Commutant.matrix(s, dc[0], dc[1]);
            assertArrayEquals(six, Commutant.scalars(m, dc[0], dc[1]).toArray(), 1e-13);
        }
    }

    @Test
    void scalar_gradient_is_the_adjoint_of_the_six_scalar_map() {
        SplittableRandom rng = new SplittableRandom(9);
        double[] g = gaussian(49, rng);
        double[] six = gaussian(6, rng);
        Commutant.Scalars s = new Commutant.Scalars(six[0], six[1], six[2], six[3], six[4], six[5]);
        double[] m = Commutant.matrix(s, 4, 3);
        double left = 0;
        for (int i = 0; i < m.length; i++) {
            left += g[i] * m[i];
        }
        double[] gs = Commutant.scalarGradient(g, 4, 3).toArray();
        double right = 0;
        for (int k = 0; k < 6; k++) {
            right += gs[k] * six[k];
        }
        assertEquals(left, right, 1e-12, "<G, M(s)> = <M*(G), s>");
    }

    @Test
    void one_dimensional_blocks_have_no_off_diagonal_scalar() {
        double[] m = gaussian(9, new SplittableRandom(1));
        Commutant.Scalars s = Commutant.scalars(m, 1, 2);
        assertEquals(0.0, s.b());
        assertEquals(m[0], s.a(), 1e-15);
    }

    @Test
    void one_factor_commutants_have_the_documented_dimension() {
        // Dimension of the fixed space = rank of the projection, counted on a basis.
        int d = 4;
        int c = 3;
        int n = d + c;
        assertEquals(2 + 2 * c + c * c, rank(d, c, true, false, n));
        assertEquals(d * d + 2 * d + 2, rank(d, c, false, true, n));
        assertEquals(6, rank(d, c, true, true, n));
    }

    private static int rank(int d, int c, boolean features, boolean labels, int n) {
        double[][] rows = new double[n * n][];
        for (int k = 0; k < n * n; k++) {
            double[] e = new double[n * n];
            e[k] = 1;
            rows[k] = Commutant.reynolds(e, d, c, features, labels);
        }
        // Gaussian elimination.
        int rank = 0;
        for (int col = 0; col < n * n && rank < rows.length; col++) {
            int pivot = -1;
            for (int r = rank; r < rows.length; r++) {
                if (Math.abs(rows[r][col]) > 1e-9) {
                    pivot = r;
                    break;
                }
            }
            if (pivot < 0) {
                continue;
            }
            double[] t = rows[pivot];
            rows[pivot] = rows[rank];
            rows[rank] = t;
            for (int r = 0; r < rows.length; r++) {
                if (r != rank && Math.abs(rows[r][col]) > 0) {
                    double f = rows[r][col] / rows[rank][col];
                    for (int j = 0; j < n * n; j++) {
                        rows[r][j] -= f * rows[rank][j];
                    }
                }
            }
            rank++;
        }
        return rank;
    }
}
