package org.layerwise.tasks;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.layerwise.core.PromptBatch;
import org.layerwise.core.Seeds;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskGenerator;
import org.layerwise.core.TaskSpec;

/**
 * The hard linear task of SCIENCE.md section 2: fresh class vectors per prompt, Gaussian
 * features, label = argmax_c &lt;w_c, x&gt;, no margin and no rejection near boundaries.
 * Prompt p draws from its own stream Seeds.derive(seed, p), so batches generate in parallel
 * and a prompt does not depend on how many were asked for.
 */
public class LinearTask implements TaskGenerator {

    @Override
    public TaskSpec configure(Settings s) {
        return new TaskSpec(TaskSpec.CLASSIFICATION, s.integer("d"), s.integer("C"), s.integer("N"));
    }

    @Override
    public PromptBatch generate(Settings s, int count, long seed) {
        TaskSpec spec = configure(s);
        int d = spec.features();
        int classes = spec.classes();
        int n = spec.contextSize();
        int dim = d + classes;
        double[] z = new double[count * (n + 1) * dim];
        int[] query = new int[count];
        int[] context = new int[count * n];
        IntStream.range(0, count).parallel().forEach(p -> {
            SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, p));
            double[] w = new double[classes * d];
            for (int i = 0; i < w.length; i++) {
                w[i] = rng.nextGaussian();
            }
            for (int i = 0; i <= n; i++) {
                int o = (p * (n + 1) + i) * dim;
                for (int k = 0; k < d; k++) {
                    z[o + k] = rng.nextGaussian();
                }
                int label = argmax(w, z, o, d, classes);
                if (i < n) {
                    z[o + d + label] = 1;
                    context[p * n + i] = label;
                } else {
                    query[p] = label;
                }
            }
        });
        return new PromptBatch(count, d, classes, n, z, query, context);
    }

    static int argmax(double[] w, double[] z, int offset, int d, int classes) {
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            double s = 0;
            for (int k = 0; k < d; k++) {
                s += w[c * d + k] * z[offset + k];
            }
            if (s > bestScore) {
                bestScore = s;
                best = c;
            }
        }
        return best;
    }
}
