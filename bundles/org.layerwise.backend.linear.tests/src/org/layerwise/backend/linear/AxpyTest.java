package org.layerwise.backend.linear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/** The vector kernel and the scalar fallback give the same bits, so a run does not depend on which one the JVM offers. */
class AxpyTest {

    @Test
    void the_tests_run_the_vector_kernel() {
        assertInstanceOf(VectorAxpy.class, Axpy.BEST, "the test JVM starts with --add-modules=jdk.incubator.vector: " + Axpy.BEST.description());
    }

    @Test
    void vector_and_scalar_kernels_are_bit_identical_at_every_length_and_offset() {
        SplittableRandom rng = new SplittableRandom(11);
        Axpy scalar = new Axpy.Scalar("test");
        Axpy vector = new VectorAxpy();
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
                scalar.run(x, v, off + 1, ys, off, n);
                vector.run(x, v, off + 1, yv, off, n);
                assertArrayEquals(ys, yv, 0.0, "n = " + n + ", offset " + off);
                for (int i = 0; i < n; i++) {
                    if (ys[off + i] != Math.fma(x, v[off + 1 + i], y[off + i])) {
                        throw new AssertionError("element " + i + " is not one fused multiply-add");
                    }
                }
            }
        }
    }
}
