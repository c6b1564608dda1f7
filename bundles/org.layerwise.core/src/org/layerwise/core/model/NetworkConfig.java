package org.layerwise.core.model;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shape of a transformer with embeddings, attention, MLPs and unembedding, named as
 * TransformerLens's HookedTransformerConfig names it (docs/file-formats.md). Not an attention-only
 * {@link ModelConfig}: the analyzers of that family must not read this one.
 *
 * @param dMlp          0 when {@code attnOnly}
 * @param normalization {@code "LN"} or null (no LayerNorm)
 * @param attnScale     the divisor of the attention scores (sqrt(d_head) by default, 1 without scaling)
 * @param dtype         {@code "float32"} or {@code "float64"}
 * @param task          the task the model was trained on, or null if the file does not say
 */
public record NetworkConfig(String family, int dVocab, int dVocabOut, int nCtx, int dModel, int nLayers,
        int nHeads, int dHead, int dMlp, boolean attnOnly, String actFn, String normalization, double lnEps,
        double attnScale, String dtype, String task) {

    public static final String TRANSFORMER = "transformer";
    public static final String LAYER_NORM = "LN";

    /** TransformerLens's buffers, held by every saved state dict and skipped by readers. */
    public static final String MASK = "mask";
    public static final String IGNORE = "IGNORE";

    public boolean layerNorm() {
        return LAYER_NORM.equals(normalization);
    }

    /** Every weight tensor, TransformerLens name to shape, in state_dict order: the one truth for readers and writers. */
    public Map<String, long[]> expectedShapes() {
        Map<String, long[]> m = new LinkedHashMap<>();
        long d = dModel;
        long h = nHeads;
        long k = dHead;
        m.put("embed.W_E", new long[] {dVocab, d});
        m.put("pos_embed.W_pos", new long[] {nCtx, d});
        for (int l = 0; l < nLayers; l++) {
            String b = "blocks." + l + ".";
            if (layerNorm()) {
                m.put(b + "ln1.w", new long[] {d});
                m.put(b + "ln1.b", new long[] {d});
                if (!attnOnly) {
                    m.put(b + "ln2.w", new long[] {d});
                    m.put(b + "ln2.b", new long[] {d});
                }
            }
            m.put(b + "attn.W_Q", new long[] {h, d, k});
            m.put(b + "attn.W_O", new long[] {h, k, d});
            m.put(b + "attn.b_Q", new long[] {h, k});
            m.put(b + "attn.b_O", new long[] {d});
            m.put(b + "attn.W_K", new long[] {h, d, k});
            m.put(b + "attn.W_V", new long[] {h, d, k});
            m.put(b + "attn.b_K", new long[] {h, k});
            m.put(b + "attn.b_V", new long[] {h, k});
            if (!attnOnly) {
                m.put(b + "mlp.W_in", new long[] {d, dMlp});
                m.put(b + "mlp.b_in", new long[] {dMlp});
                m.put(b + "mlp.W_out", new long[] {dMlp, d});
                m.put(b + "mlp.b_out", new long[] {d});
            }
        }
        if (layerNorm()) {
            m.put("ln_final.w", new long[] {d});
            m.put("ln_final.b", new long[] {d});
        }
        m.put("unembed.W_U", new long[] {d, dVocabOut});
        m.put("unembed.b_U", new long[] {dVocabOut});
        return m;
    }
}
