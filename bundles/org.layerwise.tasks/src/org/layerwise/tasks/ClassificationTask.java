package org.layerwise.tasks;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.layerwise.core.PromptBatch;
import org.layerwise.core.Seeds;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskGenerator;
import org.layerwise.core.TaskSpec;

/**
 * The in-context classification families of docs/mathematics.md section 2. A prompt draws its own
 * task (class vectors or prototypes), then N + 1 tokens (x, true label); the context tokens
 * show an observed label (possibly noisy or hidden, -1), the query's label block is zero.
 * Prompt p draws from Seeds.derive(seed, p), so batches generate in parallel and a prompt
 * does not depend on how many were asked for.
 */
public abstract class ClassificationTask implements TaskGenerator {

    /** The per-prompt task: what a token's features and true label are drawn from. */
    protected interface PromptTask {
        /** Writes x into z[offset .. offset + d) and returns its true label. */
        int sample(double[] z, int offset, SplittableRandom rng);
    }

    @Override
    public TaskSpec configure(Settings s) {
        return new TaskSpec(TaskSpec.CLASSIFICATION, s.integer("d"), s.integer("C"), s.integer("N"));
    }

    protected abstract PromptTask newPrompt(Settings s, int d, int classes, SplittableRandom rng);

    /**
     * The labels the context shows, given the true ones (in place): -1 hides a label. The
     * default shows them all.
     */
    protected void observe(Settings s, int[] labels, int classes, SplittableRandom rng) {
    }

    @Override
    public PromptBatch generate(Settings s, int count, long seed) {
        return generate(s, count, seed, null);
    }

    /** As {@link #generate(Settings, int, long)}, also filling the true context labels [P, N] when given. */
    PromptBatch generate(Settings s, int count, long seed, int[] trueContextLabels) {
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
            PromptTask task = newPrompt(s, d, classes, rng);
            int[] labels = new int[n];
            for (int i = 0; i <= n; i++) {
                int label = task.sample(z, (p * (n + 1) + i) * dim, rng);
                if (i < n) {
                    labels[i] = label;
                } else {
                    query[p] = label;
                }
            }
            if (trueContextLabels != null) {
                System.arraycopy(labels, 0, trueContextLabels, p * n, n);
            }
            observe(s, labels, classes, rng);
            for (int i = 0; i < n; i++) {
                context[p * n + i] = labels[i];
                if (labels[i] >= 0) {
                    z[(p * (n + 1) + i) * dim + d + labels[i]] = 1;
                }
            }
        });
        return new PromptBatch(count, d, classes, n, z, query, context);
    }

    static double[] gaussian(int n, SplittableRandom rng) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextGaussian();
        }
        return v;
    }

    /**
     * argmax_c &lt;w_c, f&gt; for class vectors w (C x m, row-major); the lowest index on ties. Four
     * classes' scores are summed side by side (each over k in order, as one alone would be).
     */
    static int argmax(double[] w, double[] f, int fOffset, int m, int classes) {
        int best = 0;
        double bestScore = Double.NEGATIVE_INFINITY;
        int c = 0;
        for (; c + 4 <= classes; c += 4) {
            int w0 = c * m;
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            for (int k = 0; k < m; k++) {
                double fk = f[fOffset + k];
                s0 += w[w0 + k] * fk;
                s1 += w[w0 + m + k] * fk;
                s2 += w[w0 + 2 * m + k] * fk;
                s3 += w[w0 + 3 * m + k] * fk;
            }
            if (s0 > bestScore) {
                bestScore = s0;
                best = c;
            }
            if (s1 > bestScore) {
                bestScore = s1;
                best = c + 1;
            }
            if (s2 > bestScore) {
                bestScore = s2;
                best = c + 2;
            }
            if (s3 > bestScore) {
                bestScore = s3;
                best = c + 3;
            }
        }
        for (; c < classes; c++) {
            double score = 0;
            for (int k = 0; k < m; k++) {
                score += w[c * m + k] * f[fOffset + k];
            }
            if (score > bestScore) {
                bestScore = score;
                best = c;
            }
        }
        return best;
    }
}
