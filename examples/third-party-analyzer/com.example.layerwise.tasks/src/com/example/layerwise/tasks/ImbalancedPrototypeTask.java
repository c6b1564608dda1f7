package com.example.layerwise.tasks;

import java.util.SplittableRandom;

import org.layerwise.core.PromptBatch;
import org.layerwise.core.Seeds;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskGenerator;
import org.layerwise.core.TaskSpec;

/**
 * Prototype classification with unequal class frequencies: per prompt, prototypes mu_c ~ N(0, I_d)
 * and a random ranking of the classes; every token draws its class with probability proportional
 * to (rank + 1)^-skew and x = mu_c + sigma eps. The ranking is new in every prompt, so the prior
 * can only be read from the context, and the task stays symmetric under relabelling.
 */
public final class ImbalancedPrototypeTask implements TaskGenerator {

    @Override
    public TaskSpec configure(Settings s) {
        return new TaskSpec(TaskSpec.CLASSIFICATION, s.integer("d"), s.integer("C"), s.integer("N"));
    }

    /** P(rank r) = (r + 1)^-skew / sum over ranks, r = 0 the most frequent class. */
    static double[] rankProbabilities(int classes, double skew) {
        double[] p = new double[classes];
        double sum = 0;
        for (int r = 0; r < classes; r++) {
            p[r] = Math.pow(r + 1, -skew);
            sum += p[r];
        }
        for (int r = 0; r < classes; r++) {
            p[r] /= sum;
        }
        return p;
    }

    @Override
    public PromptBatch generate(Settings s, int count, long seed) {
        int d = s.integer("d");
        int classes = s.integer("C");
        int n = s.integer("N");
        double sigma = s.real("sigma");
        double[] byRank = rankProbabilities(classes, s.real("skew"));
        int dim = d + classes;
        double[] z = new double[count * (n + 1) * dim];
        int[] query = new int[count];
        int[] context = new int[count * n];
        for (int p = 0; p < count; p++) {
            // each prompt from its own stream: a prompt does not depend on how many were asked for
            SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, p));
            double[] mu = new double[classes * d];
            for (int k = 0; k < mu.length; k++) {
                mu[k] = rng.nextGaussian();
            }
            int[] classOfRank = new int[classes];
            for (int c = 0; c < classes; c++) {
                classOfRank[c] = c;
            }
            for (int i = classes - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = classOfRank[i];
                classOfRank[i] = classOfRank[j];
                classOfRank[j] = t;
            }
            for (int i = 0; i <= n; i++) {
                int c = classOfRank[draw(byRank, rng)];
                int o = (p * (n + 1) + i) * dim;
                for (int k = 0; k < d; k++) {
                    z[o + k] = mu[c * d + k] + sigma * rng.nextGaussian();
                }
                if (i < n) {
                    z[o + d + c] = 1;
                    context[p * n + i] = c;
                } else {
                    query[p] = c;
                }
            }
        }
        return new PromptBatch(count, d, classes, n, z, query, context);
    }

    private static int draw(double[] probabilities, SplittableRandom rng) {
        double u = rng.nextDouble();
        for (int r = 0; r < probabilities.length - 1; r++) {
            u -= probabilities[r];
            if (u < 0) {
                return r;
            }
        }
        return probabilities.length - 1;
    }
}
