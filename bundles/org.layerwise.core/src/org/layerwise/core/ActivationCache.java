package org.layerwise.core;

import java.util.Set;

import org.layerwise.core.model.Forward;
import org.layerwise.core.model.TransformerModel;

/**
 * What the network did on the evaluation prompts, computed once per run and asked for by
 * TransformerLens-style name: "logits", "blocks.{l}.hook_resid_post" [P, N+1, D] and
 * "blocks.{l}.attn.hook_pattern" [P, H, N+1, K]. It is the only way an analyzer sees the
 * network run: measures that need the network on other inputs ask it for them.
 */
public interface ActivationCache {

    Tensor get(String name);

    Set<String> names();

    /** The values of an activation as doubles, checked to number size. */
    default double[] values(String name, int size) {
        Tensor t = get(name);
        if (t.size() != size) {
            throw new IllegalStateException("activation '" + name + "' has shape " + t.shapeString() + " (" + t.size()
                    + " values), expected " + size);
        }
        return t.toDoubles();
    }

    /**
     * The cache of the same network on the first {@code prompts} evaluation prompts with the
     * coordinates of every token permuted by pi, Z Pi (docs/mathematics.md section 4), computed when
     * asked. A cache of stored activations has no network to run.
     */
    default ActivationCache permuted(int[] pi, int prompts) {
        throw new UnsupportedOperationException("this activation cache holds stored activations, not a network to run");
    }

    /** The cache of one forward pass with hooks of the model on prompts z: logits, every layer's output and attention. */
    static ActivationCache of(TransformerModel model, double[] z, Forward.Result fwd) {
        return new NetworkCache(model, z, fwd);
    }

    static String residPost(int layer) {
        return "blocks." + layer + ".hook_resid_post";
    }

    static String pattern(int layer) {
        return "blocks." + layer + ".attn.hook_pattern";
    }
}
