package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkModel;

/** The transformer family's tensor names and shapes, head slicing and the QK/OV circuits. */
class NetworkModelTest {

    /** d_model 3, two heads of width 2 (d != d_head, so a stride mix-up shows), LayerNorm, MLP. */
    static final NetworkConfig CONFIG = new NetworkConfig(NetworkConfig.TRANSFORMER, 5, 4, 3, 3, 1, 2, 2, 6, false, "relu",
            "LN", 1e-5, Math.sqrt(2), "float64", null);

    /** Every tensor of the config filled with distinct values (flat index / 100 + tensor number). */
    static Map<String, Tensor> tensors(NetworkConfig c) {
        Map<String, Tensor> m = new LinkedHashMap<>();
        int n = 0;
        for (var e : c.expectedShapes().entrySet()) {
            int size = 1;
            for (long s : e.getValue()) {
                size *= (int) s;
            }
            double[] v = new double[size];
            for (int i = 0; i < size; i++) {
                v[i] = n + i / 100.0;
            }
            m.put(e.getKey(), Tensor.of(v, e.getValue()));
            n++;
        }
        return m;
    }

    static NetworkModel circuits() {
        Map<String, Tensor> t = tensors(CONFIG);
        t.put("blocks.0.attn.W_Q", Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2, 3, 2));
        t.put("blocks.0.attn.W_K", Tensor.of(new double[] {19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8}, 2, 3, 2));
        t.put("blocks.0.attn.W_V", Tensor.of(new double[] {-5, 2, -2, 5, 1, -3, 4, 0, -4, 3, -1, -5}, 2, 3, 2));
        t.put("blocks.0.attn.W_O", Tensor.of(new double[] {-6, -1, 4, -4, 1, 6, -2, 3, -5, 0, 5, -3}, 2, 2, 3));
        return new NetworkModel(CONFIG, t);
    }

    @Test
    void namesAndShapesAreTransformerLensStateDict() {
        Map<String, long[]> s = CONFIG.expectedShapes();
        assertEquals(List.of("embed.W_E", "pos_embed.W_pos", "blocks.0.ln1.w", "blocks.0.ln1.b", "blocks.0.ln2.w",
                "blocks.0.ln2.b", "blocks.0.attn.W_Q", "blocks.0.attn.W_O", "blocks.0.attn.b_Q", "blocks.0.attn.b_O",
                "blocks.0.attn.W_K", "blocks.0.attn.W_V", "blocks.0.attn.b_K", "blocks.0.attn.b_V", "blocks.0.mlp.W_in",
                "blocks.0.mlp.b_in", "blocks.0.mlp.W_out", "blocks.0.mlp.b_out", "ln_final.w", "ln_final.b", "unembed.W_U",
                "unembed.b_U"), List.copyOf(s.keySet()));
        assertArrayEquals(new long[] {5, 3}, s.get("embed.W_E"));
        assertArrayEquals(new long[] {3, 4}, s.get("unembed.W_U"), "W_U is d_model x d_vocab_out");
        assertArrayEquals(new long[] {4}, s.get("unembed.b_U"));
        assertArrayEquals(new long[] {2, 3, 2}, s.get("blocks.0.attn.W_K"));
        assertArrayEquals(new long[] {2, 2, 3}, s.get("blocks.0.attn.W_O"));
        assertArrayEquals(new long[] {3, 6}, s.get("blocks.0.mlp.W_in"));
        assertArrayEquals(new long[] {6, 3}, s.get("blocks.0.mlp.W_out"));
        NetworkConfig bare = new NetworkConfig(NetworkConfig.TRANSFORMER, 5, 5, 3, 3, 2, 2, 2, 0, true, "relu", null, 1e-5, 1,
                "float32", null);
        assertTrue(bare.expectedShapes().keySet().stream().noneMatch(k -> k.contains("mlp") || k.contains("ln")),
                "attention-only without LayerNorm: " + bare.expectedShapes().keySet());
        assertTrue(bare.expectedShapes().containsKey("blocks.1.attn.b_V"));
    }

    @Test
    void headSlicesTheHeadAxis() {
        NetworkModel m = circuits();
        assertArrayEquals(new double[] {7, 8, 9, 10, 11, 12}, m.head("W_Q", 0, 1));
        assertArrayEquals(new double[] {-6, -1, 4, -4, 1, 6}, m.head("W_O", 0, 0));
        assertThrows(IllegalArgumentException.class, () -> m.head("W_Q", 0, 2));
    }

    @Test
    void qkIsQueryTimesKeyTransposedPerHead() {
        NetworkModel m = circuits();
        assertArrayEquals(new double[] {55, 49, 43, 129, 115, 101, 203, 181, 159}, m.qk(0, 0));
        assertArrayEquals(new double[] {187, 157, 127, 237, 199, 161, 287, 241, 195}, m.qk(0, 1));
    }

    @Test
    void ovIsValueTimesOutputPerHead() {
        NetworkModel m = circuits();
        assertArrayEquals(new double[] {22, 7, -8, -8, 7, 22, 6, -4, -14}, m.ov(0, 0));
        assertArrayEquals(new double[] {-8, 12, -20, 8, 3, 11, 2, -28, 20}, m.ov(0, 1));
    }

    @Test
    void refusesTensorsThatDoNotFitTheConfig() {
        Map<String, Tensor> missing = tensors(CONFIG);
        missing.remove("ln_final.b");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new NetworkModel(CONFIG, missing)).getMessage()
                .contains("'ln_final.b' is missing"));
        Map<String, Tensor> transposed = tensors(CONFIG);
        transposed.put("unembed.W_U", Tensor.of(new double[12], 4, 3));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new NetworkModel(CONFIG, transposed)).getMessage()
                .contains("'unembed.W_U' is F64 [4, 3]; expected F64 [3, 4]"));
        Map<String, Tensor> extra = tensors(CONFIG);
        extra.put("blocks.1.attn.W_Q", Tensor.of(new double[12], 2, 3, 2));
        assertThrows(IllegalArgumentException.class, () -> new NetworkModel(CONFIG, extra));
        Map<String, Tensor> f32 = tensors(CONFIG);
        f32.put("embed.W_E", f32.get("embed.W_E").toFloat32());
        assertThrows(IllegalArgumentException.class, () -> new NetworkModel(CONFIG, f32));
    }

    @Test
    void problemNamesTheFirstNonFiniteWeight() {
        Map<String, Tensor> t = tensors(CONFIG);
        assertNull(new NetworkModel(CONFIG, t).problem());
        double[] b = ((double[]) t.get("blocks.0.mlp.b_in").data()).clone();
        b[4] = Double.NaN;
        t.put("blocks.0.mlp.b_in", Tensor.of(b, 6));
        assertEquals("tensor 'blocks.0.mlp.b_in' holds NaN at flat index 4; every weight must be finite",
                new NetworkModel(CONFIG, t).problem());
    }

    @Test
    void sameWeightsSeesOneBitAndTheModelKeepsItsOwnCopy() {
        Map<String, Tensor> t = tensors(CONFIG);
        NetworkModel a = new NetworkModel(CONFIG, t);
        NetworkModel b = new NetworkModel(CONFIG, tensors(CONFIG));
        assertTrue(a.sameWeights(b));
        ((double[]) t.get("pos_embed.W_pos").data())[2] = 99; // the caller's array, not the model's
        assertTrue(a.sameWeights(b));
        Map<String, Tensor> u = tensors(CONFIG);
        double[] w = (double[]) u.get("pos_embed.W_pos").data();
        w[2] = Math.nextUp(w[2]);
        assertFalse(a.sameWeights(new NetworkModel(CONFIG, u)));
        NetworkConfig otherTask = new NetworkConfig(CONFIG.family(), 5, 4, 3, 3, 1, 2, 2, 6, false, "relu", "LN", 1e-5,
                Math.sqrt(2), "float64", "modular-addition");
        assertFalse(a.sameWeights(new NetworkModel(otherTask, tensors(CONFIG))));
    }
}
