package org.layerwise.backend.linear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The vector kernel and the scalar fallback give the same bits, so a run does not depend on which one the JVM offers. */
class KernelsTest {

    @Test
    void the_tests_run_the_vector_kernel() {
        assertInstanceOf(VectorKernels.class, Kernels.BEST, "the test JVM starts with --add-modules=jdk.incubator.vector: " + Kernels.BEST.description());
    }

    @Test
    void axpy_vector_and_scalar_are_bit_identical_at_every_length_and_offset() {
        SplittableRandom rng = new SplittableRandom(11);
        Kernels scalar = new Kernels.Scalar("test");
        Kernels vector = new VectorKernels();
        for (int n = 0; n <= 41; n++) {
            for (int off = 0; off < 3; off++) {
                double[] v = new double[n + off + 2];
                double[] y = new double[n + off + 3];
                for (int i = 0; i < v.length; i++) {
                    v[i] = rng.nextGaussian() * Math.exp(10 * rng.nextGaussian());
                }
                for (int i = 0; i < y.length; i++) {
                    y[i] = rng.nextGaussian();
                }
                double x = rng.nextGaussian();
                double[] ys = y.clone();
                double[] yv = y.clone();
                scalar.axpy(x, v, off + 1, ys, off, n);
                vector.axpy(x, v, off + 1, yv, off, n);
                assertArrayEquals(ys, yv, 0.0, "n = " + n + ", offset " + off);
                for (int i = 0; i < n; i++) {
                    if (ys[off + i] != Math.fma(x, v[off + 1 + i], y[off + i])) {
                        throw new AssertionError("element " + i + " is not one fused multiply-add");
                    }
                }
            }
        }
    }

    /** sumRows: each element the chain fma(c_r, m_r, ...) over the rows in order, vector and scalar alike. */
    @Test
    void sum_rows_vector_and_scalar_are_bit_identical_chains_of_fmas() {
        SplittableRandom rng = new SplittableRandom(12);
        Kernels scalar = new Kernels.Scalar("test");
        Kernels vector = new VectorKernels();
        for (int n = 1; n <= 37; n += 3) {
            for (int rows = 0; rows <= 34; rows += 17) {
                for (boolean accumulate : new boolean[] {false, true}) {
                    int cs = 2;
                    int ms = n + 3;
                    double[] c = new double[1 + rows * cs];
                    double[] m = new double[2 + rows * ms + n];
                    for (int i = 0; i < c.length; i++) {
                        c[i] = rng.nextGaussian();
                    }
                    for (int i = 0; i < m.length; i++) {
                        m[i] = rng.nextGaussian() * Math.exp(8 * rng.nextGaussian());
                    }
                    double[] out = new double[n + 4];
                    for (int i = 0; i < out.length; i++) {
                        out[i] = rng.nextGaussian();
                    }
                    double[] os = out.clone();
                    double[] ov = out.clone();
                    scalar.sumRows(c, 1, cs, m, 2, ms, rows, os, 1, n, accumulate);
                    vector.sumRows(c, 1, cs, m, 2, ms, rows, ov, 1, n, accumulate);
                    assertArrayEquals(os, ov, 0.0, "n = " + n + ", rows " + rows + ", accumulate " + accumulate);
                    for (int j = 0; j < n; j++) {
                        double acc = accumulate ? out[1 + j] : 0;
                        for (int r = 0; r < rows; r++) {
                            acc = Math.fma(c[1 + r * cs], m[2 + r * ms + j], acc);
                        }
                        if (acc != os[1 + j]) {
                            throw new AssertionError("element " + j + " is not the chain of fused multiply-adds in row order");
                        }
                    }
                    if (os[0] != out[0] || os[n + 1] != out[n + 1]) {
                        throw new AssertionError("sumRows wrote outside [o, o + n)");
                    }
                }
            }
        }
    }
}
