package org.layerwise.backend.transformer;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import org.layerwise.core.Seeds;
import org.layerwise.core.model.NetworkConfig;

/**
 * TransformerLens's default ("gpt2") initialisation: every weight matrix W_* (W_E, W_pos, W_Q,
 * W_K, W_V, W_O, W_in, W_out, W_U) drawn from normal(0, scale), every bias 0, every LayerNorm
 * weight 1. The default scale is TransformerLens's initializer_range, 0.8 / sqrt(d_model).
 */
public final class TransformerInit {

    private TransformerInit() {
    }

    /** 0.8 / sqrt(d_model). */
    public static double defaultScale(NetworkConfig config) {
        return 0.8 / Math.sqrt(config.dModel());
    }

    /**
     * The initial weights from {@code seed}; {@code initScale} > 0 replaces the default scale.
     * Each tensor draws from its own stream, Seeds.derive(seed, its name), so a config with
     * more tensors (LayerNorm, another layer) leaves the others' values unchanged.
     */
    public static Parameters initialize(NetworkConfig config, long seed, double initScale) {
        double scale = initScale > 0 ? initScale : defaultScale(config);
        List<String> names = Parameters.names(config);
        Parameters p = Parameters.zeros(config);
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            String leaf = name.substring(name.lastIndexOf('.') + 1);
            double[] v = p.values()[i];
            if (leaf.startsWith("W_")) {
                SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, name));
                for (int k = 0; k < v.length; k++) {
                    v[k] = scale * rng.nextGaussian();
                }
            } else if (leaf.equals("w")) {
                Arrays.fill(v, 1);
            }
        }
        return p;
    }
}
