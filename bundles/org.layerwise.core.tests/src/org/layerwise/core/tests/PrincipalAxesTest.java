package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.core.stats.PrincipalAxes;

class PrincipalAxesTest {

    /** n points with independent coordinates of standard deviation sd[j] around centre. */
    private static double[][] gaussian(int n, double[] centre, double[] sd, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] out = new double[n][centre.length];
        for (double[] p : out) {
            for (int j = 0; j < centre.length; j++) {
                p[j] = centre[j] + sd[j] * nextGaussian(rng);
            }
        }
        return out;
    }

    private static double nextGaussian(SplittableRandom rng) {
        return Math.sqrt(-2 * Math.log(1 - rng.nextDouble())) * Math.cos(2 * Math.PI * rng.nextDouble());
    }

    /** A random rotation of R^dim (Gram-Schmidt on Gaussian columns). */
    private static double[][] rotation(int dim, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] q = new double[dim][dim];
        for (int c = 0; c < dim; c++) {
            double[] v = new double[dim];
            for (int j = 0; j < dim; j++) {
                v[j] = nextGaussian(rng);
            }
            for (int b = 0; b < c; b++) {
                double dot = 0;
                for (int j = 0; j < dim; j++) {
                    dot += v[j] * q[b][j];
                }
                for (int j = 0; j < dim; j++) {
                    v[j] -= dot * q[b][j];
                }
            }
            double norm = Math.sqrt(dot(v, v));
            for (int j = 0; j < dim; j++) {
                q[c][j] = v[j] / norm;
            }
        }
        return q;
    }

    private static double dot(double[] a, double[] b) {
        double s = 0;
        for (int j = 0; j < a.length; j++) {
            s += a[j] * b[j];
        }
        return s;
    }

    @Test
    void the_axes_are_the_covariances_leading_eigenvectors_in_order_each_with_its_largest_component_positive() {
        int dim = 6;
        double[][] q = rotation(dim, 3);
        // independent coordinates of standard deviation 5, 3, 1, ... along the rows of q
        double[][] latent = gaussian(4000, new double[dim], new double[] {5, 3, 1, 0.5, 0.3, 0.2}, 11);
        double[][] points = new double[latent.length][dim];
        for (int i = 0; i < latent.length; i++) {
            for (int c = 0; c < dim; c++) {
                for (int j = 0; j < dim; j++) {
                    points[i][j] += latent[i][c] * q[c][j];
                }
            }
        }
        PrincipalAxes pca = PrincipalAxes.fit(points, 3);
        assertEquals(3, pca.count());
        for (int a = 0; a < 3; a++) {
            double[] axis = pca.axis(a);
            assertEquals(1, dot(axis, axis), 1e-12, "unit axis " + a);
            assertTrue(Math.abs(dot(axis, q[a])) > 0.99, "axis " + a + " is the direction of the " + (a + 1) + ". largest spread: "
                    + dot(axis, q[a]));
            int largest = 0;
            for (int j = 1; j < dim; j++) {
                largest = Math.abs(axis[j]) > Math.abs(axis[largest]) ? j : largest;
            }
            assertTrue(axis[largest] > 0, "the sign rule: the largest component of axis " + a + " is positive");
            for (int b = 0; b < a; b++) {
                assertEquals(0, dot(axis, pca.axis(b)), 1e-12, "axes " + a + " and " + b + " are orthogonal");
            }
        }
        // the projected coordinates have the eigenvalue as variance, and no covariance
        double[] m = new double[3];
        double[][] c = new double[3][3];
        for (double[] p : points) {
            double[] y = pca.apply(p);
            for (int a = 0; a < 3; a++) {
                m[a] += y[a] / points.length;
                for (int b = 0; b < 3; b++) {
                    c[a][b] += y[a] * y[b] / points.length;
                }
            }
        }
        for (int a = 0; a < 3; a++) {
            assertEquals(0, m[a], 1e-9, "centred coordinates");
            assertEquals(pca.variance(a), c[a][a], 1e-9 * pca.variance(a), "variance along axis " + a);
            for (int b = 0; b < a; b++) {
                assertEquals(0, c[a][b], 1e-9, "no covariance between axes " + a + " and " + b);
            }
        }
        assertTrue(pca.variance(0) > pca.variance(1) && pca.variance(1) > pca.variance(2));
        double total = 0;
        for (int j = 0; j < dim; j++) {
            double mj = 0;
            for (double[] p : points) {
                mj += p[j] / points.length;
            }
            for (double[] p : points) {
                total += (p[j] - mj) * (p[j] - mj) / points.length;
            }
        }
        assertEquals(pca.variance(0) / total, pca.explained(0), 1e-12);
    }

    @Test
    void the_same_points_in_any_order_and_any_sign_of_the_data_give_the_same_axes() {
        double[][] points = gaussian(300, new double[] {1, -2, 0.5, 3}, new double[] {2, 1.5, 0.7, 0.2}, 5);
        PrincipalAxes pca = PrincipalAxes.fit(points);
        List<double[]> shuffled = new ArrayList<>(List.of(points));
        Collections.shuffle(shuffled, new Random(8));
        PrincipalAxes again = PrincipalAxes.fit(shuffled.toArray(double[][]::new));
        // p -> 2c - p mirrors the cloud: the covariance, so the axes, are unchanged; a rule that took the
        // sign from the data (a power iteration's start, a projection's skew) would flip them
        double[] c = pca.centre();
        double[][] mirrored = new double[points.length][];
        for (int i = 0; i < points.length; i++) {
            mirrored[i] = new double[c.length];
            for (int j = 0; j < c.length; j++) {
                mirrored[i][j] = 2 * c[j] - points[i][j];
            }
        }
        PrincipalAxes mirror = PrincipalAxes.fit(mirrored);
        for (int a = 0; a < 2; a++) {
            assertArrayEquals(pca.axis(a), again.axis(a), 1e-12, "row order, axis " + a);
            assertArrayEquals(pca.axis(a), mirror.axis(a), 1e-12, "mirrored data, axis " + a);
        }
        assertArrayEquals(pca.centre(), again.centre(), 1e-12);
    }

    @Test
    void every_axis_of_any_cloud_has_its_largest_component_positive() {
        for (int seed = 0; seed < 40; seed++) {
            int dim = 2 + seed % 7;
            double[][] q = rotation(dim, 100 + seed);
            double[] sd = new double[dim];
            for (int j = 0; j < dim; j++) {
                sd[j] = dim - j;
            }
            double[][] latent = gaussian(200, new double[dim], sd, seed);
            double[][] points = new double[latent.length][dim];
            for (int i = 0; i < latent.length; i++) {
                for (int c = 0; c < dim; c++) {
                    for (int j = 0; j < dim; j++) {
                        points[i][j] += latent[i][c] * q[c][j];
                    }
                }
            }
            PrincipalAxes pca = PrincipalAxes.fit(points, dim);
            for (int a = 0; a < dim; a++) {
                double[] axis = pca.axis(a);
                int largest = 0;
                for (int j = 1; j < dim; j++) {
                    largest = Math.abs(axis[j]) > Math.abs(axis[largest]) ? j : largest;
                }
                assertTrue(axis[largest] > 0, "seed " + seed + ", axis " + a + ": " + java.util.Arrays.toString(axis));
                if (a > 0) {
                    assertTrue(pca.variance(a) <= pca.variance(a - 1), "seed " + seed + ": decreasing variance");
                }
            }
        }
    }

    @Test
    void a_single_coordinate_or_no_point_is_refused() {
        assertThrows(IllegalArgumentException.class, () -> PrincipalAxes.fit(new double[][] {{1}, {2}}));
        assertThrows(IllegalArgumentException.class, () -> PrincipalAxes.fit(new double[0][]));
        assertThrows(IllegalArgumentException.class, () -> PrincipalAxes.fit(new double[][] {{1, 2}, {3}}));
    }
}
