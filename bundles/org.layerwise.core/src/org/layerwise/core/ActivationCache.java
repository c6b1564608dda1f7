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

    static String residPost(int layer) {
        return "blocks." + layer + ".hook_resid_post";
    }

    static String pattern(int layer) {
        return "blocks." + layer + ".attn.hook_pattern";
    }
}
