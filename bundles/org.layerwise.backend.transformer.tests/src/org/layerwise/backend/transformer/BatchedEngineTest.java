package org.layerwise.backend.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.layerwise.core.TokenDataset;
import org.layerwise.core.model.NetworkConfig;

/** The float32 answer-pruned engine against the float64 reference, its determinism and its kernels. */
class BatchedEngineTest {

    /**
     * Widths that leave scalar tails after the vectors (d 12, H d_head 15, d_mlp 20, 13 classes)
     * and widths of several vectors; 150 examples make two full chunks and a partial one; length 4
     * with the answer at 2, so the pruned engine must ignore position 3.
     */
    @ParameterizedTest(name = "d {0}, heads {1} x {2}, d_mlp {3}, attn_only {4}, LayerNorm {5}")
    @CsvSource({"12, 3, 5, 20, false, false", "12, 3, 5, 20, true, false", "40, 2, 24, 72, false, false", "12, 3, 5, 20, false, true",
        "12, 3, 5, 20, true, true", "40, 2, 24, 72, false, true"})
    void lossAndGradientAgreeWithTheReferenceEngine(int d, int heads, int dHead, int dMlp, boolean attnOnly, boolean layerNorm) {
        NetworkConfig c = Fixtures.config(9, 13, 4, d, 1, heads, dHead, dMlp, attnOnly, layerNorm);
        TokenDataset data = Fixtures.random(9, 13, 4, 2, 160, 21);
        double[][] w = Fixtures.gaussian(c, 0.4, 6).values();
        int[] rows = Arrays.copyOfRange(Fixtures.all(160), 5, 155);
        double[][] gr = Parameters.zerosLike(Parameters.sizes(c));
        double[][] gb = Parameters.zerosLike(Parameters.sizes(c));
        Engine.Evaluation r = new ReferenceEngine(c, data).lossAndGradient(w, rows, gr);
        Engine.Evaluation b = new BatchedEngine(c, data).lossAndGradient(w, rows, gb);
        assertEquals(r.loss(), b.loss(), 1e-4 * r.loss());
        assertEquals(r.accuracy(), b.accuracy(), 0);
        assertEquals(b, new BatchedEngine(c, data).evaluate(w, rows), "evaluate gives the loss of lossAndGradient");
        List<String> names = Parameters.names(c);
        for (int i = 0; i < w.length; i++) {
            double largest = Arrays.stream(gr[i]).map(Math::abs).max().orElseThrow();
            if (names.get(i).endsWith("b_K")) {
                assertTrue(Arrays.stream(gb[i]).allMatch(x -> Math.abs(x) < 1e-6), names.get(i) + " must stay about 0");
                continue;
            }
            assertTrue(largest > 1e-3, names.get(i) + " has too small a gradient to compare: " + largest);
            for (int k = 0; k < gr[i].length; k++) {
                assertEquals(gr[i][k], gb[i][k], 1e-4 * largest, names.get(i) + "[" + k + "]");
            }
        }
    }

    @Test
    void bitsDoNotDependOnTheThreadCount() {
        NetworkConfig c = Fixtures.config(9, 13, 3, 40, 1, 2, 24, 72, false, false);
        TokenDataset data = Fixtures.random(9, 13, 3, 2, 300, 4);
        double[][] w = Fixtures.gaussian(c, 0.4, 2).values();
        int[] rows = Fixtures.all(300);
        Fixtures.assertSameBitsOnThreads(t -> new BatchedEngine(c, data, t), c, w, rows, 1, 2, 0);
    }

    @Test
    void vectorAndScalarProductsGiveTheSameBits() {
        Gemm vector = Gemm.create();
        assertTrue(vector.description().startsWith("Vector API"), "the test runtime must offer the Vector API: " + vector.description());
        Gemm scalar = new Gemm.Scalar("for the test");
        SplittableRandom rng = new SplittableRandom(1);
        float[] a = new float[40 * 50];
        float[] b = new float[50 * 71];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) rng.nextGaussian();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) rng.nextGaussian();
        }
        for (boolean accumulate : new boolean[] {false, true}) {
            // C [7 x 67] in a row stride of 71 from A read transposed (A(r, s) = a[3 + r + 40 s]) and B's columns 2..68
            float[] cv = new float[7 * 71];
            float[] cs = new float[7 * 71];
            Arrays.fill(cv, 0.5f);
            Arrays.fill(cs, 0.5f);
            vector.gemm(cv, 1, 71, a, 3, 1, 40, b, 2, 71, 7, 50, 67, accumulate);
            scalar.gemm(cs, 1, 71, a, 3, 1, 40, b, 2, 71, 7, 50, 67, accumulate);
            assertArrayEquals(cs, cv, 0);
            assertEquals(0.5f, cv[0], 0, "outside C is left alone");
            double expected = accumulate ? 0.5 : 0;
            for (int s = 0; s < 50; s++) {
                expected += (double) a[3 + 2 + 40 * s] * b[2 + 5 + 71 * s];
            }
            assertEquals(expected, cv[1 + 2 * 71 + 5], 1e-4, "C[2][5]");
        }
    }

    @Test
    void refusesDeeperModelsNamingTheReferenceEngine() {
        TokenDataset data = Fixtures.random(9, 13, 3, 2, 10, 4);
        IllegalArgumentException deep = assertThrows(IllegalArgumentException.class,
                () -> new BatchedEngine(Fixtures.config(9, 13, 3, 8, 2, 2, 4, 16, false, false), data));
        assertTrue(deep.getMessage().contains("n_layers = 2") && deep.getMessage().contains("reference"), deep.getMessage());
        assertNull(BatchedEngine.unsupportedReason(Fixtures.config(9, 13, 3, 8, 1, 2, 4, 16, false, true)));
        assertNull(BatchedEngine.unsupportedReason(Fixtures.config(9, 13, 3, 8, 1, 2, 4, 16, true, false)));
    }
}
