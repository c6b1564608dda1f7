package org.layerwise.analysis.recursion.tests;

import java.util.LinkedHashMap;
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

/** Models, prompts and analysis contexts for the recursion tests. */
final class Fixtures {

    static final int D_X = 5;
    static final int C = 3;
    static final int N = 12;

    private Fixtures() {
    }

    static ModelConfig config(int layers, int heads, Keys keys, Attention attention) {
        return new ModelConfig(D_X, C, N, layers, heads, attention, keys, "merged", D_X + C, "float64", "classification");
    }

    /** Every QK and OV entry N(0, scale^2). */
    static TransformerModel generic(ModelConfig config, double scale, SplittableRandom rng) {
        return TransformerModel.gaussian(config, scale, rng);
    }

    /** The Reynolds projection of a generic model: weights exactly in the commutant. */
    static TransformerModel commutant(ModelConfig config, double scale, SplittableRandom rng) {
        return generic(config, scale, rng).map((l, h, isOv, m) -> Commutant.reynolds(m, config.dX(), config.dY()));
    }

    /** x ~ N(0, I), labels uniform, one-hot y on the context, zero y on the query. */
    static PromptBatch prompts(ModelConfig config, int count, SplittableRandom rng) {
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
                if (i < n) {
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
    static ActivationCache cache(TransformerModel model, PromptBatch batch) {
        return ActivationCache.of(model, batch.z, Forward.run(model, batch, true));
    }

    static AnalysisContext context(TransformerModel model, PromptBatch batch, Factors enforced, Map<String, Object> settings) {
        ModelConfig c = model.config();
        return new AnalysisContext(Settings.of(settings), model,
                new TaskSpec(TaskSpec.CLASSIFICATION, c.dX(), c.dY(), c.nCtx()), batch, cache(model, batch), enforced, 7L,
                TrainingMonitor.NONE);
    }

    /** max |a - b| / max |b| over all entries. */
    static double relativeError(double[] a, double[] b) {
        double err = 0;
        double scale = 0;
        for (int i = 0; i < b.length; i++) {
            err = Math.max(err, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(b[i]));
        }
        return err / scale;
    }
}
