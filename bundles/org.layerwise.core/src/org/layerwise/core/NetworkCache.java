package org.layerwise.core;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.symmetry.BlockPermutation;

/** The activation cache of a model on prompts, able to run the same model on permuted prompts. */
final class NetworkCache implements ActivationCache {

    private final TransformerModel model;
    private final double[] z;
    private final Map<String, Tensor> activations = new LinkedHashMap<>();

    NetworkCache(TransformerModel model, double[] z, Forward.Result fwd) {
        ModelConfig c = model.config();
        this.model = model;
        this.z = z;
        int p = fwd.count();
        activations.put("logits", Tensor.of(fwd.logits(), p, c.dY()));
        for (int l = 0; l < c.nLayers(); l++) {
            activations.put(ActivationCache.residPost(l), Tensor.of(fwd.residPost()[l], p, c.tokens(), c.dModel()));
            activations.put(ActivationCache.pattern(l), Tensor.of(fwd.patterns()[l], p, c.nHeads(), c.tokens(), c.numKeys()));
        }
    }

    @Override
    public Tensor get(String name) {
        Tensor t = activations.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no activation '" + name + "'; cached: " + activations.keySet());
        }
        return t;
    }

    @Override
    public Set<String> names() {
        return activations.keySet();
    }

    @Override
    public ActivationCache permuted(int[] pi, int prompts) {
        ModelConfig c = model.config();
        double[] zp = BlockPermutation.permuteColumns(Arrays.copyOf(z, prompts * c.tokens() * c.dModel()), pi);
        return new NetworkCache(model, zp, Forward.run(model, zp, prompts, true));
    }
}
