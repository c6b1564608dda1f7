package org.layerwise.backend.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.layerwise.core.TokenDataset;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkForward;

/** The reference engine's exact gradient against central differences, its loss against NetworkForward, its determinism. */
class ReferenceEngineTest {

    /**
     * Central differences (eps 1e-6) of the float64 loss against the backward pass for every
     * entry of every tensor: L = 2, d_model = 8, H = 2, d_head = 4, d_mlp = 16; length 4 with
     * the answer at position 2, so position 3 must receive no gradient.
     */
    @ParameterizedTest(name = "attn_only {0}, LayerNorm {1}")
    @CsvSource({"false, false", "false, true", "true, false", "true, true"})
    void everyTensorsGradientMatchesCentralDifferences(boolean attnOnly, boolean layerNorm) {
        NetworkConfig c = Fixtures.config(6, 5, 4, 8, 2, 2, 4, 16, attnOnly, layerNorm);
        TokenDataset d = Fixtures.random(6, 5, 4, 2, 7, 11);
        ReferenceEngine engine = new ReferenceEngine(c, d, 1);
        double[][] w = Fixtures.gaussian(c, 0.5, 3).values();
        int[] rows = {0, 2, 3, 5, 6};
        double[][] g = Parameters.zerosLike(Parameters.sizes(c));
        engine.lossAndGradient(w, rows, g);
        List<String> names = Parameters.names(c);
        double eps = 1e-6;
        for (int i = 0; i < w.length; i++) {
            double largest = 0;
            for (int k = 0; k < w[i].length; k++) {
                double saved = w[i][k];
                w[i][k] = saved + eps;
                double up = engine.evaluate(w, rows).loss();
                w[i][k] = saved - eps;
                double down = engine.evaluate(w, rows).loss();
                w[i][k] = saved;
                double fd = (up - down) / (2 * eps);
                // the loss carries about 1e-14 of rounding, so a difference quotient with eps = 1e-6 carries up to
                // 3e-8 of noise (measured): the relative error is taken against at least 0.05
                double scale = Math.max(0.05, Math.max(Math.abs(fd), Math.abs(g[i][k])));
                assertEquals(fd, g[i][k], 1e-6 * scale, names.get(i) + "[" + k + "]");
                largest = Math.max(largest, Math.abs(g[i][k]));
            }
            if (names.get(i).endsWith("b_K")) {
                // a key bias adds q_i . b_K to every score of query i: softmax ignores it
                assertTrue(largest < 1e-12, names.get(i) + " moves the loss: " + largest);
            } else {
                assertTrue(largest > 1e-4, names.get(i) + " has no gradient above 1e-4 to check: " + largest);
            }
        }
        int wPos = names.indexOf("pos_embed.W_pos");
        for (int k = 3 * 8; k < 4 * 8; k++) {
            assertEquals(0, g[wPos][k], "position 3 comes after the answer");
        }
    }

    @Test
    void lossAndAccuracyAgreeWithNetworkForward() {
        for (boolean ln : new boolean[] {false, true}) {
            NetworkConfig c = Fixtures.config(6, 5, 3, 8, 2, 2, 4, 16, false, ln);
            TokenDataset d = Fixtures.random(6, 5, 3, 2, 40, 5);
            Parameters p = Fixtures.gaussian(c, 0.7, 8);
            int[] rows = {39, 1, 2, 17, 30, 31, 5};
            Engine.Evaluation e = new ReferenceEngine(c, d).evaluate(p.values(), rows);
            Forward.Result r = NetworkForward.run(p.toModel(), d, rows, Forward.Hooks.NONE);
            int[] labels = Arrays.stream(rows).map(i -> d.labels()[i]).toArray();
            assertEquals(Forward.crossEntropy(r.logits(), 5, labels), e.loss(), 1e-12);
            assertEquals(Forward.accuracy(r.logits(), 5, labels), e.accuracy(), 0);
            double[][] g = Parameters.zerosLike(Parameters.sizes(c));
            assertEquals(e, new ReferenceEngine(c, d).lossAndGradient(p.values(), rows, g), "the same loss with and without gradient");
        }
    }

    @Test
    void resultsDoNotDependOnTheThreadCountAndTheGradientIsOverwritten() {
        NetworkConfig c = Fixtures.config(6, 5, 3, 8, 2, 2, 4, 16, false, true);
        TokenDataset d = Fixtures.random(6, 5, 3, 2, 100, 9);
        double[][] w = Fixtures.gaussian(c, 0.5, 4).values();
        int[] rows = Fixtures.all(100);
        Fixtures.assertSameBitsOnThreads(t -> new ReferenceEngine(c, d, t), c, w, rows, 1, 2, 0);
    }

    @Test
    void refusesWhatItCannotCompute() {
        TokenDataset d = Fixtures.random(6, 5, 3, 2, 10, 9);
        NetworkConfig gelu = new NetworkConfig(NetworkConfig.TRANSFORMER, 6, 5, 3, 8, 1, 2, 4, 16, false, "gelu", null, 1e-5, 2,
                "float64", null);
        assertThrows(IllegalArgumentException.class, () -> new ReferenceEngine(gelu, d));
        assertThrows(IllegalArgumentException.class, () -> new ReferenceEngine(Fixtures.config(6, 5, 2, 8, 1, 2, 4, 16, false, false), d));
        assertThrows(IllegalArgumentException.class, () -> new ReferenceEngine(Fixtures.config(5, 5, 3, 8, 1, 2, 4, 16, false, false), d));
        NetworkConfig c = Fixtures.config(6, 5, 3, 8, 1, 2, 4, 16, false, false);
        double[][] w = Parameters.zeros(c).values();
        assertThrows(IllegalArgumentException.class, () -> new ReferenceEngine(c, d).lossAndGradient(w, new int[] {0}, new double[2][]));
    }
}
