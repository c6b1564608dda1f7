package org.layerwise.backend.softmax;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.eclipse.core.runtime.OperationCanceledException;
import org.layerwise.core.BackendContext;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.ModelBackend;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.symmetry.BlockPermutation;

/**
 * Backend "softmax-attention": trains the merged-parameterization model with Adam on fresh
 * batches of prompts, the enforcer's permutations conjugating every layer and head at every
 * step. The gradient comes from {@link SoftmaxAttentionGraph} (ND4J SameDiff, the reference
 * engine); the optimizer runs in float64 on the Java side, so the trajectory is deterministic.
 */
public class SoftmaxAttentionBackend implements ModelBackend {

    public static final String ND4J_VERSION = "1.0.0-M2.1";

    @Override
    public ModelConfig configure(Settings s, TaskSpec task) throws InvalidSettingException {
        if (!TaskSpec.CLASSIFICATION.equals(task.kind())) {
            throw new InvalidSettingException(null, "softmax-attention trains classification tasks; the task produces "
                    + task.kind());
        }
        int dim = task.tokenDim();
        return new ModelConfig(task.features(), task.classes(), task.contextSize(), s.integer("layers"), s.integer("heads"),
                ModelConfig.Attention.SOFTMAX, "all".equals(s.text("keys")) ? ModelConfig.Keys.ALL : ModelConfig.Keys.CONTEXT,
                "merged", dim, s.text("dtype"), TaskSpec.CLASSIFICATION);
    }

    /** Initial weights: i.i.d. N(0, init_scale^2), drawn from the backend's seed in a fixed order. */
    static TransformerModel initialModel(ModelConfig config, double scale, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = config.nLayers() * config.nHeads();
        int dd = config.dModel() * config.dModel();
        boolean f32 = "float32".equals(config.dtype());
        double[][] qk = new double[n][dd];
        double[][] ov = new double[n][dd];
        for (int i = 0; i < n; i++) {
            for (double[] m : new double[][] {qk[i], ov[i]}) {
                for (int j = 0; j < dd; j++) {
                    double v = scale * rng.nextGaussian();
                    m[j] = f32 ? (float) v : v;
                }
            }
        }
        return new TransformerModel(config, qk, ov);
    }

    @Override
    public TrainedModel build(BackendContext ctx) {
        Settings s = ctx.settings();
        ModelConfig config = ctx.config();
        int steps = s.integer("steps");
        int batchSize = s.integer("batch");
        boolean f32 = "float32".equals(config.dtype());
        TransformerModel init = initialModel(config, s.real("init_scale"), ctx.seed());
        int n = config.nLayers() * config.nHeads();
        double[][] qk = new double[n][];
        double[][] ov = new double[n][];
        for (int i = 0; i < n; i++) {
            qk[i] = init.qk(i / config.nHeads(), i % config.nHeads()).clone();
            ov[i] = init.ov(i / config.nHeads(), i % config.nHeads()).clone();
        }
        Adam adam = new Adam(s.real("beta1"), s.real("beta2"), s.real("eps"), s.real("weight_decay"), n,
                config.dModel() * config.dModel());
        boolean cosine = "cosine".equals(s.text("schedule"));
        SoftmaxAttentionGraph.useThreads(s.integer("threads"));
        SoftmaxAttentionGraph graph = new SoftmaxAttentionGraph(config, batchSize);
        SplittableRandom enforcerRng = new SplittableRandom(ctx.enforcerSeed());
        double[] losses = new double[steps];
        boolean diverged = false;
        int[][] perms = new int[n][];
        long timedFrom = 0;
        int timedSteps = 0;
        for (int step = 0; step < steps; step++) {
            if (step == Math.min(5, steps - 1)) {
                timedFrom = System.nanoTime(); // after warm-up: graph construction and JIT are not training
            }
            if (ctx.monitor().isCanceled()) {
                throw new OperationCanceledException();
            }
            PromptBatch batch = ctx.prompts().batch(step, batchSize);
            for (int i = 0; i < n; i++) {
                int[] p = ctx.enforcer() == null ? null
                        : ctx.enforcer().permutation(ctx.enforcerSettings(), config.dX(), config.dY(), enforcerRng);
                if (p != null && !BlockPermutation.isBlockPermutation(p, config.dX(), config.dY())) {
                    throw new IllegalStateException("the enforcer returned " + java.util.Arrays.toString(p)
                            + ", which is not a block permutation of " + config.dX() + " features and " + config.dY() + " labels");
                }
                perms[i] = p;
            }
            graph.setWeights(qk, ov);
            SoftmaxAttentionGraph.LossAndGradient lg = graph.lossAndGradient(batch, perms);
            losses[step] = lg.loss();
            if (!Double.isFinite(lg.loss())) {
                diverged = true;
                losses = java.util.Arrays.copyOf(losses, step + 1);
                break;
            }
            double lr = cosine ? s.real("lr") * 0.5 * (1 + Math.cos(Math.PI * step / steps)) : s.real("lr");
            adam.step(lr, qk, ov, lg.qkGrad(), lg.ovGrad(), f32);
            ctx.monitor().step(step + 1, steps, lg.loss());
            if (timedFrom != 0) {
                timedSteps++;
            }
        }
        double seconds = (System.nanoTime() - timedFrom) / 1e9;
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("engine", "nd4j");
        facts.put("engine_reason", "the ND4J SameDiff reference engine (the only engine of this backend so far)");
        facts.put("nd4j", ND4J_VERSION);
        facts.put("dtype", config.dtype());
        facts.put("nd4j_threads", s.integer("threads"));
        if (timedSteps > 0) {
            facts.put("steps_per_second", timedSteps / seconds);
            facts.put("prompts_per_second", timedSteps * (double) batchSize / seconds);
        }
        return new TrainedModel(new TransformerModel(config, qk, ov), losses, diverged, facts);
    }

    /**
     * Adam (Kingma and Ba) with bias correction and decoupled weight decay (AdamW), in float64;
     * float32 models are rounded after each step.
     */
    static final class Adam {
        private final double decay;
        private final double beta1;
        private final double beta2;
        private final double eps;
        private final double[][] m;
        private final double[][] v;
        private int t;

        Adam(double beta1, double beta2, double eps, double decay, int matrices, int size) {
            this.decay = decay;
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
            this.m = new double[2 * matrices][size];
            this.v = new double[2 * matrices][size];
        }

        void step(double lr, double[][] qk, double[][] ov, double[][] gqk, double[][] gov, boolean f32) {
            t++;
            double c1 = 1 - Math.pow(beta1, t);
            double c2 = 1 - Math.pow(beta2, t);
            for (int i = 0; i < qk.length; i++) {
                update(lr, qk[i], gqk[i], m[2 * i], v[2 * i], c1, c2, f32);
                update(lr, ov[i], gov[i], m[2 * i + 1], v[2 * i + 1], c1, c2, f32);
            }
        }

        private void update(double lr, double[] w, double[] g, double[] mm, double[] vv, double c1, double c2, boolean f32) {
            for (int j = 0; j < w.length; j++) {
                mm[j] = beta1 * mm[j] + (1 - beta1) * g[j];
                vv[j] = beta2 * vv[j] + (1 - beta2) * g[j] * g[j];
                double next = w[j] - lr * ((mm[j] / c1) / (Math.sqrt(vv[j] / c2) + eps) + decay * w[j]);
                w[j] = f32 ? (float) next : next;
            }
        }
    }
}
