package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.core.Tensor;
import org.layerwise.core.TokenDataset;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkForward;
import org.layerwise.core.model.NetworkModel;

/** The float64 reference forward of the transformer family on numbers computed by hand, and its head slicing. */
class NetworkForwardTest {

    private static final double LN3 = Math.log(3);

    /**
     * d_model 2, one head of width 1, two tokens [0, 1] with W_E = I and W_pos = 0, attn_scale 1.
     * W_Q = [ln 3, ln 3]^T and W_K = [1, 2]^T or [1, 0]^T, W_V = [1, 0]^T, W_O = [2, -1], b_O = [0, 1/4].
     */
    private static Map<String, Tensor> tiny(NetworkConfig c, double[] wK) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (var e : c.expectedShapes().entrySet()) {
            int size = 1;
            for (long s : e.getValue()) {
                size *= (int) s;
            }
            t.put(e.getKey(), Tensor.of(new double[size], e.getValue()));
        }
        t.put("embed.W_E", Tensor.of(new double[] {1, 0, 0, 1}, 2, 2));
        t.put("blocks.0.attn.W_Q", Tensor.of(new double[] {LN3, LN3}, 1, 2, 1));
        t.put("blocks.0.attn.W_K", Tensor.of(wK, 1, 2, 1));
        t.put("blocks.0.attn.W_V", Tensor.of(new double[] {1, 0}, 1, 2, 1));
        t.put("blocks.0.attn.W_O", Tensor.of(new double[] {2, -1}, 1, 1, 2));
        t.put("blocks.0.attn.b_O", Tensor.of(new double[] {0, 0.25}, 2));
        t.put("unembed.W_U", Tensor.of(new double[] {1, 0, 0, 1}, 2, 2));
        t.put("unembed.b_U", Tensor.of(new double[] {0, 1}, 2));
        return t;
    }

    @Test
    void noLayerNormWithMlpMatchesTheHandComputation() {
        NetworkConfig c = new NetworkConfig(NetworkConfig.TRANSFORMER, 2, 2, 2, 2, 1, 1, 1, 2, false, "relu", null, 1e-5, 1,
                "float64", null);
        Map<String, Tensor> t = tiny(c, new double[] {1, 2});
        t.put("blocks.0.mlp.W_in", Tensor.of(new double[] {1, -1, 1, 0}, 2, 2));
        t.put("blocks.0.mlp.W_out", Tensor.of(new double[] {1, 1, 5, 5}, 2, 2));
        t.put("blocks.0.mlp.b_out", Tensor.of(new double[] {0.1, 0}, 2));
        Forward.Result r = NetworkForward.run(new NetworkModel(c, t), new int[] {0, 1}, 2, 1, Forward.Hooks.ALL);
        // keys k = [1, 2]; position 0 sees only itself (without the mask: 1/4, 3/4), position 1 softmax(ln 3, 2 ln 3)
        assertArrayEquals(new double[] {1, 0, 0.25, 0.75}, r.patterns()[0], 1e-15);
        // z = [1, 1/4]; resid_mid = [3, -3/4], [1/2, 1]; relu(x W_in) = [9/4, 0], [3/2, 0]; times W_out, plus b_out
        assertArrayEquals(new double[] {3 + 2.25 + 0.1, -0.75 + 2.25, 0.5 + 1.5 + 0.1, 1 + 1.5}, r.residPost()[0], 1e-14);
        assertArrayEquals(new double[] {2.1, 2.5 + 1}, r.logits(), 1e-14);
        assertEquals(1, r.count());
        assertEquals(2, r.classes());
    }

    @Test
    void layerNormIsTransformerLensLayerNorm() {
        // eps 3/4 makes var + eps = 1 for the embeddings [1, 0] and [0, 1]
        NetworkConfig c = new NetworkConfig(NetworkConfig.TRANSFORMER, 2, 2, 2, 2, 1, 1, 1, 0, true, "relu", "LN", 0.75, 1,
                "float64", null);
        Map<String, Tensor> t = tiny(c, new double[] {1, 0});
        t.put("blocks.0.ln1.w", Tensor.of(new double[] {2, 1}, 2));
        t.put("blocks.0.ln1.b", Tensor.of(new double[] {0, 1}, 2));
        t.put("ln_final.w", Tensor.of(new double[] {7, 14}, 2));
        t.put("ln_final.b", Tensor.of(new double[] {0, 1}, 2));
        Forward.Result r = NetworkForward.run(new NetworkModel(c, t), new int[] {0, 1}, 2, 1, Forward.Hooks.ALL);
        // ln1: [1/2, -1/2] w + b = [1, 1/2] and [-1, 3/2]; q = [3/2, 1/2] ln 3, k = [1, -1], v = [1, -1]
        assertArrayEquals(new double[] {1, 0, 0.75, 0.25}, r.patterns()[0], 1e-15);
        // z = [1, 1/2]; resid_post = [3, -3/4], [1, 3/4]
        assertArrayEquals(new double[] {3, -0.75, 1, 0.75}, r.residPost()[0], 1e-15);
        // ln_final of [1, 3/4]: centred [1/8, -1/8] / sqrt(1/64 + 3/4) = [1/7, -1/7]; times [7, 14] plus [0, 1] = [1, -1]
        assertArrayEquals(new double[] {1, 0}, r.logits(), 1e-14);
    }

    @Test
    void hooksAreKeptOnlyWhenAsked() {
        NetworkConfig c = new NetworkConfig(NetworkConfig.TRANSFORMER, 2, 2, 2, 2, 1, 1, 1, 0, true, "relu", null, 1e-5, 1,
                "float64", null);
        NetworkModel m = new NetworkModel(c, tiny(c, new double[] {1, 2}));
        Forward.Result none = NetworkForward.run(m, new int[] {0, 1, 1, 0}, 2, 1, Forward.Hooks.NONE);
        assertNull(none.residPost());
        assertNull(none.patterns());
        Forward.Result resid = NetworkForward.run(m, new int[] {0, 1, 1, 0}, 2, 1, Forward.Hooks.RESID);
        assertEquals(2 * 2 * 2, resid.residPost()[0].length);
        assertNull(resid.patterns());
        assertArrayEquals(none.logits(), resid.logits(), 0);
        assertThrows(IllegalArgumentException.class, () -> NetworkForward.run(m, new int[] {0, 2}, 2, 1, Forward.Hooks.NONE));
        assertThrows(IllegalArgumentException.class, () -> NetworkForward.run(m, new int[] {0, 1, 0}, 3, 1, Forward.Hooks.NONE));
    }

    /** d_model 3, d_head 2, two heads, random weights: every tensor random except what the test sets. */
    private static Map<String, Tensor> random(NetworkConfig c, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (var e : c.expectedShapes().entrySet()) {
            int size = 1;
            for (long s : e.getValue()) {
                size *= (int) s;
            }
            double[] v = new double[size];
            for (int i = 0; i < size; i++) {
                v[i] = rng.nextGaussian();
            }
            t.put(e.getKey(), Tensor.of(v, e.getValue()));
        }
        return t;
    }

    private static double[] slice(Tensor t, int head) {
        int size = t.size() / (int) t.dim(0);
        return t.doubles(head * size, size);
    }

    private static long[] oneHead(long[] shape) {
        long[] s = shape.clone();
        s[0] = 1;
        return s;
    }

    @Test
    void eachHeadReadsItsOwnSliceOfTheHeadAxis() {
        NetworkConfig two = new NetworkConfig(NetworkConfig.TRANSFORMER, 4, 3, 3, 3, 1, 2, 2, 0, true, "relu", null, 1e-5,
                Math.sqrt(2), "float64", null);
        NetworkConfig one = new NetworkConfig(NetworkConfig.TRANSFORMER, 4, 3, 3, 3, 1, 1, 2, 0, true, "relu", null, 1e-5,
                Math.sqrt(2), "float64", null);
        Map<String, Tensor> both = random(two, 5);
        both.put("blocks.0.attn.b_O", Tensor.of(new double[3], 3));
        NetworkModel m = new NetworkModel(two, both);
        // the two-head model is the sum of its heads, each run as a one-head model, less the model without a head
        Map<String, Tensor>[] heads = new Map[3];
        for (int h = 0; h < 3; h++) {
            Map<String, Tensor> t = new LinkedHashMap<>(both);
            for (String w : new String[] {"W_Q", "W_K", "W_V", "W_O", "b_Q", "b_K", "b_V"}) {
                Tensor full = both.get("blocks.0.attn." + w);
                double[] s = h < 2 ? slice(full, h) : new double[full.size() / 2];
                t.put("blocks.0.attn." + w, Tensor.of(s, oneHead(full.shape())));
            }
            heads[h] = t;
        }
        int[] tokens = {0, 3, 1, 2, 2, 0, 3, 1, 1};
        Forward.Result r = NetworkForward.run(m, tokens, 3, 2, Forward.Hooks.ALL);
        Forward.Result h0 = NetworkForward.run(new NetworkModel(one, heads[0]), tokens, 3, 2, Forward.Hooks.ALL);
        Forward.Result h1 = NetworkForward.run(new NetworkModel(one, heads[1]), tokens, 3, 2, Forward.Hooks.ALL);
        Forward.Result none = NetworkForward.run(new NetworkModel(one, heads[2]), tokens, 3, 2, Forward.Hooks.NONE);
        for (int i = 0; i < r.logits().length; i++) {
            assertEquals(h0.logits()[i] + h1.logits()[i] - none.logits()[i], r.logits()[i], 1e-12, "logit " + i);
        }
        for (int e = 0; e < 3; e++) {
            for (int i = 0; i < 9; i++) {
                assertEquals(h0.patterns()[0][e * 9 + i], r.patterns()[0][(e * 2) * 9 + i], 1e-15, "head 0 of example " + e);
                assertEquals(h1.patterns()[0][e * 9 + i], r.patterns()[0][(e * 2 + 1) * 9 + i], 1e-15, "head 1 of example " + e);
            }
        }
    }

    @Test
    void float32ModelsAreComputedInFloat64AndRowsSelectExamples() {
        NetworkConfig c64 = new NetworkConfig(NetworkConfig.TRANSFORMER, 4, 3, 3, 3, 2, 2, 2, 5, false, "relu", "LN", 1e-5,
                Math.sqrt(2), "float64", null);
        NetworkConfig c32 = new NetworkConfig(NetworkConfig.TRANSFORMER, 4, 3, 3, 3, 2, 2, 2, 5, false, "relu", "LN", 1e-5,
                Math.sqrt(2), "float32", null);
        Map<String, Tensor> t64 = random(c64, 9);
        Map<String, Tensor> t32 = new LinkedHashMap<>();
        t64.replaceAll((name, t) -> Tensor.of(t.toFloat32().toDoubles(), t.shape()));
        t64.forEach((name, t) -> t32.put(name, t.toFloat32()));
        int[] tokens = {0, 3, 1, 2, 2, 0, 3, 1, 1};
        TokenDataset d = new TokenDataset(4, 3, 3, 2, tokens, new int[] {0, 1, 2}, new int[] {0, 2}, new int[] {1});
        Forward.Result a = NetworkForward.run(new NetworkModel(c64, t64), d, new int[] {2, 0}, Forward.Hooks.RESID);
        Forward.Result b = NetworkForward.run(new NetworkModel(c32, t32), d, new int[] {2, 0}, Forward.Hooks.RESID);
        assertArrayEquals(a.logits(), b.logits(), 0, "the same float32 values computed in float64 give the same bits");
        Forward.Result all = NetworkForward.run(new NetworkModel(c64, t64), tokens, 3, 2, Forward.Hooks.NONE);
        assertArrayEquals(Arrays.copyOfRange(all.logits(), 6, 9), Arrays.copyOfRange(a.logits(), 0, 3), 0);
        assertArrayEquals(Arrays.copyOfRange(all.logits(), 0, 3), Arrays.copyOfRange(a.logits(), 3, 6), 0);
    }
}
