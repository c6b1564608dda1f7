package org.layerwise.testing;

import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import org.layerwise.core.ActivationCache;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer.Factors;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.ModelConfig.Attention;
import org.layerwise.core.model.ModelConfig.Keys;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.symmetry.Commutant;

/**
 * Models, prompts, activation caches and analysis contexts for the test fragments, built
 * the way the runner builds them. The small shape (d = 5, C = 3, N = 12) has tails in every
 * block and runs in milliseconds.
 */
public final class Fixtures {

    public static final int D_X = 5;
    public static final int C = 3;
    public static final int N = 12;

    private Fixtures() {
    }

    /** A classification model of the small shape in float64. */
    public static ModelConfig config(int layers, int heads, Keys keys, Attention attention) {
        return config(D_X, C, N, layers, heads, attention, keys, "float64");
    }

    /** A merged classification model with d_head = D. */
    public static ModelConfig config(int d, int classes, int n, int layers, int heads, Attention attention, Keys keys,
            String dtype) {
        return new ModelConfig(d, classes, n, layers, heads, attention, keys, "merged", d + classes, dtype, "classification");
    }

    /** Every QK and OV entry N(0, scale^2). */
    public static TransformerModel generic(ModelConfig config, double scale, SplittableRandom rng) {
        return TransformerModel.gaussian(config, scale, rng);
    }

    /** The Reynolds projection of a generic model: weights exactly in the commutant. */
    public static TransformerModel commutant(ModelConfig config, double scale, SplittableRandom rng) {
        return generic(config, scale, rng).map((l, h, isOv, m) -> Commutant.reynolds(m, config.dX(), config.dY()));
    }

    /** Copies of every QK (qk) or OV matrix of a model, layer-major then head. */
    public static double[][] weights(TransformerModel m, boolean qk) {
        ModelConfig c = m.config();
        double[][] out = new double[c.nLayers() * c.nHeads()][];
        for (int l = 0; l < c.nLayers(); l++) {
            for (int h = 0; h < c.nHeads(); h++) {
                out[l * c.nHeads() + h] = (qk ? m.qk(l, h) : m.ov(l, h)).clone();
            }
        }
        return out;
    }

    public static PromptBatch prompts(ModelConfig config, int count, SplittableRandom rng) {
        return prompts(config, count, 0, rng);
    }

    /**
     * x ~ N(0, I), labels uniform, one-hot y on the context, zero y on the query; each context
     * token is unlabeled (label -1, y = 0) with probability {@code unlabeled}.
     */
    public static PromptBatch prompts(ModelConfig config, int count, double unlabeled, SplittableRandom rng) {
        int d = config.dX();
        int classes = config.dY();
        int n = config.nCtx();
        int dim = config.dModel();
        double[] z = new double[count * (n + 1) * dim];
        int[] query = new int[count];
        int[] context = new int[count * n];
        for (int p = 0; p < count; p++) {
            for (int i = 0; i <= n; i++) {
                int o = (p * (n + 1) + i) * dim;
                for (int k = 0; k < d; k++) {
                    z[o + k] = rng.nextGaussian();
                }
                int label = rng.nextInt(classes);
                if (i < n && unlabeled > 0 && rng.nextDouble() < unlabeled) {
                    context[p * n + i] = -1;
                } else if (i < n) {
                    z[o + d + label] = 1;
                    context[p * n + i] = label;
                } else {
                    query[p] = label;
                }
            }
        }
        return new PromptBatch(count, d, classes, n, z, query, context);
    }

    /** The activation cache the runner would build: one forward pass of the network. */
    public static ActivationCache cache(TransformerModel model, PromptBatch batch) {
        return ActivationCache.of(model, batch.z, Forward.run(model, batch, true));
    }

    /** A cache of stored activations only (no network behind it). */
    public static ActivationCache stored(Map<String, Tensor> activations) {
        return new ActivationCache() {
            @Override
            public Tensor get(String name) {
                return activations.get(name);
            }

            @Override
            public Set<String> names() {
                return activations.keySet();
            }
        };
    }

    /** The context the runner would give an analyzer (seed 7) on the network's cache. */
    public static AnalysisContext context(TransformerModel model, PromptBatch batch, Factors enforced,
            Map<String, Object> settings) {
        ModelConfig c = model.config();
        return new AnalysisContext(Settings.of(settings), model, new TaskSpec(TaskSpec.CLASSIFICATION, c.dX(), c.dY(), c.nCtx()),
                batch, cache(model, batch), enforced, 7L, TrainingMonitor.NONE);
    }

    /** max |a - b| / max |b| over all entries. */
    public static double relativeError(double[] a, double[] b) {
        double err = 0;
        double scale = 0;
        for (int i = 0; i < b.length; i++) {
            err = Math.max(err, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return err / scale;
    }

    /** The repository's root: the nearest folder above the working directory with examples/quickstart.layerwise. */
    public static java.nio.file.Path repository() {
        for (java.nio.file.Path p = java.nio.file.Path.of(System.getProperty("user.dir")).toAbsolutePath(); p != null;
                p = p.getParent()) {
            if (java.nio.file.Files.isRegularFile(p.resolve("examples/quickstart.layerwise"))) {
                return p;
            }
        }
        throw new IllegalStateException("no repository root (examples/quickstart.layerwise) above " + System.getProperty("user.dir"));
    }
}
