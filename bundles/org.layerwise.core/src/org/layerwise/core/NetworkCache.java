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
        this.model = model;
        this.z = z;
        store(fwd);
    }

    private void store(Forward.Result fwd) {
        ModelConfig c = model.config();
        int p = fwd.count();
        activations.put("logits", Tensor.of(fwd.logits(), p, c.dY()));
        for (int l = 0; l < c.nLayers(); l++) {
            activations.put(ActivationCache.residPost(l), Tensor.of(fwd.residPost()[l], p, c.tokens(), c.dModel()));
            if (fwd.patterns() != null) {
                activations.put(ActivationCache.pattern(l), Tensor.of(fwd.patterns()[l], p, c.nHeads(), c.tokens(), c.numKeys()));
            }
        }
    }

    @Override
    public synchronized Tensor get(String name) {
        Tensor t = activations.get(name);
        if (t == null && name.endsWith(".attn.hook_pattern") && !activations.containsKey(ActivationCache.pattern(0))) {
            // a cache of permuted prompts keeps no attention until someone asks for it
            store(Forward.run(model, z, (int) activations.get("logits").dim(0), Forward.Hooks.ALL));
            t = activations.get(name);
        }
        if (t == null) {
            throw new IllegalArgumentException("no activation '" + name + "'; cached: " + activations.keySet());
        }
        return t;
    }

    @Override
    public synchronized Set<String> names() {
        Set<String> names = new java.util.LinkedHashSet<>(activations.keySet());
        for (int l = 0; l < model.config().nLayers(); l++) {
            names.add(ActivationCache.pattern(l));
        }
        return names;
    }

    @Override
    public ActivationCache permuted(int[] pi, int prompts) {
        ModelConfig c = model.config();
        double[] zp = BlockPermutation.permuteColumns(Arrays.copyOf(z, prompts * c.tokens() * c.dModel()), pi);
        return new NetworkCache(model, zp, Forward.run(model, zp, prompts, Forward.Hooks.RESID));
    }
}
