package org.layerwise.core;

import java.util.Set;

/**
 * What the network did on the evaluation prompts, computed once per run and asked for by
 * TransformerLens-style name: "logits", "blocks.{l}.hook_resid_post" [P, N+1, D] and
 * "blocks.{l}.attn.hook_pattern" [P, H, N+1, K].
 */
public interface ActivationCache {

    Tensor get(String name);

    Set<String> names();

    /** The cache of one forward pass with hooks: logits, every layer's output and attention. */
    static ActivationCache of(org.layerwise.core.model.ModelConfig c, org.layerwise.core.model.Forward.Result fwd) {
        java.util.Map<String, Tensor> m = new java.util.LinkedHashMap<>();
        int p = fwd.count();
        m.put("logits", Tensor.of(fwd.logits(), p, c.dY()));
        for (int l = 0; l < c.nLayers(); l++) {
            m.put(residPost(l), Tensor.of(fwd.residPost()[l], p, c.tokens(), c.dModel()));
            m.put(pattern(l), Tensor.of(fwd.patterns()[l], p, c.nHeads(), c.tokens(), c.numKeys()));
        }
        return new ActivationCache() {
            @Override
            public Tensor get(String name) {
                Tensor t = m.get(name);
                if (t == null) {
                    throw new IllegalArgumentException("no activation '" + name + "'; cached: " + m.keySet());
                }
                return t;
            }

            @Override
            public Set<String> names() {
                return m.keySet();
            }
        };
    }

    static String residPost(int layer) {
        return "blocks." + layer + ".hook_resid_post";
    }

    static String pattern(int layer) {
        return "blocks." + layer + ".attn.hook_pattern";
    }
}
