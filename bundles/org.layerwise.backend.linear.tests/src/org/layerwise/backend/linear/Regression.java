package org.layerwise.backend.linear;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.layerwise.core.BackendContext;
import org.layerwise.core.ModelSeries;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.Seeds;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingCheckpoints;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.ModelConfig;

/**
 * A synthetic linear-regression task as docs/mathematics.md section 2 describes it, built here so that the
 * tests do not depend on the task bundle: x ~ N(0, U diag(s) U'), y = U diag(lambda_k) U' x with
 * task k drawn uniformly from a pool of P, lambda_{k,alpha} ~ N(0, 1); structure "U", "s",
 * "lambda2", "pool", "P" as the task declares them.
 */
record Regression(int d, int n, double[] u, double[] s, double[] pool, TaskSpec task, long seed) {

    static Regression of(int d, int n, double[] s, int p, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] u = orthonormal(d, rng);
        double[] pool = new double[p * d];
        double[] lambda2 = new double[d];
        for (int k = 0; k < p; k++) {
            for (int a = 0; a < d; a++) {
                pool[k * d + a] = rng.nextGaussian();
                lambda2[a] += pool[k * d + a] * pool[k * d + a];
            }
        }
        Map<String, double[]> structure = Map.of("U", u, "s", s.clone(), "lambda2", lambda2, "pool", pool, "P", new double[] {p});
        return new Regression(d, n, u, s, pool, new TaskSpec(TaskSpec.REGRESSION, d, d, n, structure), seed);
    }

    /** Gram-Schmidt on a Gaussian matrix: columns orthonormal. */
    private static double[] orthonormal(int d, SplittableRandom rng) {
        double[] u = new double[d * d];
        for (int i = 0; i < u.length; i++) {
            u[i] = rng.nextGaussian();
        }
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < a; b++) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += u[i * d + a] * u[i * d + b];
                }
                for (int i = 0; i < d; i++) {
                    u[i * d + a] -= dot * u[i * d + b];
                }
            }
            double norm = 0;
            for (int i = 0; i < d; i++) {
                norm += u[i * d + a] * u[i * d + a];
            }
            for (int i = 0; i < d; i++) {
                u[i * d + a] /= Math.sqrt(norm);
            }
        }
        return u;
    }

    /** The batch of a step, deterministic in (seed, step): context tokens [x ; y], the query [x_q ; 0]. */
    PromptBatch batch(long step, int size) {
        SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, step));
        int t = n + 1;
        int dim = 2 * d;
        double[] z = new double[size * t * dim];
        double[] targets = new double[size * d];
        double[] g = new double[d];
        for (int p = 0; p < size; p++) {
            int k = rng.nextInt(pool.length / d);
            for (int i = 0; i < t; i++) {
                for (int a = 0; a < d; a++) {
                    g[a] = Math.sqrt(s[a]) * rng.nextGaussian();
                }
                int row = (p * t + i) * dim;
                for (int r = 0; r < d; r++) {
                    double x = 0;
                    double y = 0;
                    for (int a = 0; a < d; a++) {
                        x += u[r * d + a] * g[a];
                        y += u[r * d + a] * pool[k * d + a] * g[a];
                    }
                    z[row + r] = x;
                    if (i < n) {
                        z[row + d + r] = y;
                    } else {
                        targets[p * d + r] = y;
                    }
                }
            }
        }
        return PromptBatch.regression(size, d, d, n, z, targets);
    }

    /** The backend's settings with these overrides. */
    static Map<String, Object> settings(Object... overrides) {
        Map<String, Object> m = new HashMap<>(Map.ofEntries(Map.entry("layers", 1L), Map.entry("parameterization", "reduced"),
                Map.entry("gradient", "sampled"), Map.entry("steps", 20L), Map.entry("batch", 32L), Map.entry("eta", 0.05),
                Map.entry("init", "balanced"), Map.entry("init_scale", 0.1), Map.entry("dtype", "float64"),
                Map.entry("checkpoints", "none"), Map.entry("checkpoint_every", 0L)));
        for (int i = 0; i < overrides.length; i += 2) {
            m.put((String) overrides[i], overrides[i + 1]);
        }
        return m;
    }

    ModelConfig configure(Map<String, Object> settings) throws Exception {
        return new LinearAttentionBackend().configure(Settings.of(settings), task);
    }

    TrainedModel train(Map<String, Object> settings, TrainingCheckpoints store, TrainingMonitor monitor, ModelSeries.Sink series)
            throws Exception {
        LinearAttentionBackend backend = new LinearAttentionBackend();
        Settings s = Settings.of(settings);
        ModelConfig c = backend.configure(s, task);
        return backend.build(new BackendContext(s, c, task, this::batch, null, null, 17, 18, monitor, store, series));
    }

    TrainedModel train(Map<String, Object> settings) throws Exception {
        return train(settings, TrainingCheckpoints.NONE, TrainingMonitor.NONE, ModelSeries.Sink.NONE);
    }

    /** p_alpha = (U' W_Q[x rows])_{alpha,alpha} of a layer's factor (W_Q or W_K), as an analyzer reads it. */
    double[] diagonal(double[] factor) {
        double[] out = new double[d];
        for (int a = 0; a < d; a++) {
            for (int i = 0; i < d; i++) {
                out[a] += u[i * d + a] * factor[i * d + a];
            }
        }
        return out;
    }
}
