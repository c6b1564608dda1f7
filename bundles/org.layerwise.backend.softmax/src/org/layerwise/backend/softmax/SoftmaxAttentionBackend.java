package org.layerwise.backend.softmax;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.layerwise.core.BackendContext;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.MemoryBudget;
import org.layerwise.core.ModelBackend;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.SeriesSchedule;
import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingLoop;
import org.layerwise.core.TrainingCheckpoints.TrainingState;
import org.layerwise.core.model.AttentionFactors;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.symmetry.BlockPermutation;
import org.layerwise.core.symmetry.Commutant;

/**
 * Backend "softmax-attention": trains the model (merged QK and OV, or factored) with Adam on fresh
 * batches of prompts, the enforcer's permutations conjugating every layer and head at every
 * step. The gradient comes from {@link SoftmaxAttentionGraph} (ND4J SameDiff, the reference
 * engine); the loss is the query's cross-entropy, or for a regression task half its squared
 * error (no enforcer then: see {@link #enforcerProblem}); the optimizer runs in float64 on the Java side, so the trajectory is deterministic.
 *
 * <p>Training state (BackendContext.checkpoints()): saved after the steps checkpoint_every
 * names (0: about every CheckpointSchedule.DEFAULT_SECONDS), when cancelled and when training
 * ends; a run resumed from it ends with the weights and curves, to the last bit, of the run
 * that was never interrupted. The state holds theta, Adam's moments and step count and the
 * curves so far; the enforcer's random stream is not saved but replayed (its draws depend only
 * on its seed and the number of steps).
 */
public class SoftmaxAttentionBackend implements ModelBackend {

    public static final String ND4J_VERSION = "1.0.0-M2.1";

    /** The task kind of the last configure (the validator asks enforcerProblem after it). */
    private String taskKind = TaskSpec.CLASSIFICATION;

    @Override
    public ModelConfig configure(Settings s, TaskSpec task) throws InvalidSettingException {
        if (!TaskSpec.CLASSIFICATION.equals(task.kind()) && !TaskSpec.REGRESSION.equals(task.kind())) {
            throw new InvalidSettingException(null, "softmax-attention trains in-context classification and regression tasks; the task "
                    + "produces kind '" + task.kind() + "'" + (task.isSequence() ? " (token sequences, not in-context prompts)" : ""));
        }
        taskKind = task.kind();
        try {
            SeriesSchedule.of(s);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("checkpoints", e.getMessage());
        }
        int dim = task.tokenDim();
        boolean factored = "factored".equals(s.text("parameterization"));
        if (!factored && s.integer("d_head") != 0) {
            throw new InvalidSettingException("d_head", "d_head applies to parameterization = factored only; the merged "
                    + "parameterization trains full D x D matrices (D = " + dim + ")");
        }
        int dHead = factored && s.integer("d_head") != 0 ? s.integer("d_head") : dim;
        ModelConfig config = new ModelConfig(task.features(), task.classes(), task.contextSize(), s.integer("layers"), s.integer("heads"),
                ModelConfig.Attention.SOFTMAX, "all".equals(s.text("keys")) ? ModelConfig.Keys.ALL : ModelConfig.Keys.CONTEXT,
                factored ? "factored" : "merged", dHead, s.text("dtype"), task.kind());
        if ("fused".equals(s.text("engine")) && !FusedEngine.supports(config)) {
            throw new InvalidSettingException("engine", "the fused engine does not cover this model: "
                    + FusedEngine.unsupportedReason(config) + "; use engine = auto or nd4j");
        }
        return config;
    }

    /**
     * Regression: only an enforcer that does nothing. Conjugation permutes the target
     * coordinates too, which is no symmetry of a regression task, and the commutant ties them.
     */
    @Override
    public String enforcerProblem(SymmetryEnforcer enforcer, Settings enforcerSettings) {
        return problem(taskKind, enforcer, enforcerSettings);
    }

    private static String problem(String taskKind, SymmetryEnforcer enforcer, Settings enforcerSettings) {
        if (!TaskSpec.REGRESSION.equals(taskKind) || SymmetryEnforcer.inert(enforcer, enforcerSettings)) {
            return null;
        }
        return "softmax-attention applies no symmetry enforcer to a regression task (permuting the target coordinates is no"
                + " symmetry of it); remove the enforcer stage (or use enforcer none)";
    }

    /** One engine's step: loss and gradients of the (conjugated) model on a batch. */
    private interface GradientEngine extends AutoCloseable {
        SoftmaxAttentionGraph.LossAndGradient lossAndGradient(PromptBatch batch, int[][] perms, double[][] qk, double[][] ov);

        @Override
        void close();
    }

    /**
     * engine = auto uses the fused float32 engine wherever it covers the model (it is 50-100x
     * faster here) and the ND4J reference otherwise; facts records which ran and why.
     */
    private static GradientEngine engine(Settings s, ModelConfig config, int batch, Map<String, Object> facts) {
        String choice = s.text("engine");
        String unsupported = FusedEngine.unsupportedReason(config);
        if (!"nd4j".equals(choice) && unsupported == null) {
            int threads = s.integer("threads") == 0 ? Runtime.getRuntime().availableProcessors() : s.integer("threads");
            FusedEngine fused = new FusedEngine(config, batch, threads);
            facts.put("engine", "fused");
            facts.put("engine_reason", "auto".equals(choice) ? "engine = auto and the fused engine covers this model" : "engine = fused");
            facts.put("threads", threads);
            facts.put("vector", FusedEngine.vectorDescription());
            return new GradientEngine() {
                @Override
                public SoftmaxAttentionGraph.LossAndGradient lossAndGradient(PromptBatch b, int[][] perms, double[][] qk, double[][] ov) {
                    return fused.lossAndGradient(b, perms, qk, ov);
                }

                @Override
                public void close() {
                    fused.close();
                }
            };
        }
        SoftmaxAttentionGraph.useThreads(s.integer("nd4j_threads"));
        SoftmaxAttentionGraph graph = new SoftmaxAttentionGraph(config, batch);
        facts.put("engine", "nd4j");
        facts.put("engine_reason", "nd4j".equals(choice) ? "engine = nd4j" : "the fused engine does not cover this model: " + unsupported);
        facts.put("nd4j", ND4J_VERSION);
        facts.put("nd4j_threads", s.integer("nd4j_threads"));
        return new GradientEngine() {
            @Override
            public SoftmaxAttentionGraph.LossAndGradient lossAndGradient(PromptBatch b, int[][] perms, double[][] qk, double[][] ov) {
                graph.setWeights(qk, ov);
                return graph.lossAndGradient(b, perms);
            }

            @Override
            public void close() {
                // SameDiff holds no threads; its native memory goes with the GC
            }
        };
    }

    /**
     * Initial weights drawn from the backend's seed in a fixed order: every QK and OV entry
     * N(0, init_scale^2), or factors whose products have that spread (AttentionFactors.gaussian).
     */
    static TransformerModel initialModel(ModelConfig config, double scale, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        return "factored".equals(config.parameterization()) ? AttentionFactors.gaussian(config, scale, rng).merged(config)
                : TransformerModel.gaussian(config, scale, rng);
    }

    /**
     * Training's peak besides the model: two batches of prompts in float64 (the step's and the
     * next), the optimizer's copies of the parameters, and the engine's activations: per thread
     * for the fused engine (it works prompt by prompt), for the whole batch in ND4J's graph.
     */
    @Override
    public long memoryEstimate(Settings s, ModelConfig c) {
        long batch = s.integer("batch");
        long t = c.tokens();
        long d = c.dModel();
        long k = c.numKeys();
        long lh = MemoryBudget.product(c.nLayers(), c.nHeads());
        long prompts = MemoryBudget.product(2 * 8, batch, t, d);
        long optimizer = MemoryBudget.product(5 * 2 * 8, lh, d, d);
        long perPrompt = MemoryBudget.sum(MemoryBudget.product(c.nLayers(), d, t), MemoryBudget.product(lh,
                MemoryBudget.sum(MemoryBudget.product(2, d, t), MemoryBudget.product(k, t))));
        long engine;
        if (!"nd4j".equals(s.text("engine")) && FusedEngine.unsupportedReason(c) == null) {
            long threads = s.integer("threads") == 0 ? Runtime.getRuntime().availableProcessors() : s.integer("threads");
            engine = MemoryBudget.product(4 * 2, Math.min(threads, batch), perPrompt);
        } else {
            engine = MemoryBudget.product(8 * 3, batch, perPrompt);
        }
        return MemoryBudget.sum(prompts, optimizer, engine);
    }

    @Override
    public TrainedModel build(BackendContext ctx) {
        Settings s = ctx.settings();
        ModelConfig config = ctx.config();
        if (ctx.enforcer() != null && problem(config.task(), ctx.enforcer(), ctx.enforcerSettings()) != null) {
            throw new IllegalStateException(problem(config.task(), ctx.enforcer(), ctx.enforcerSettings()));
        }
        int batchSize = s.integer("batch");
        TransformerModel init = initialModel(config, s.real("init_scale"), ctx.seed());
        boolean tied = ctx.enforcer() != null && ctx.enforcer().tied(ctx.enforcerSettings());
        Parameters params = new Parameters(init, tied);
        Adam adam = new Adam(s.real("beta1"), s.real("beta2"), s.real("eps"), s.real("weight_decay"), params.theta);
        Map<String, Object> facts = new LinkedHashMap<>();
        try (GradientEngine engine = engine(s, config, batchSize, facts)) {
            return train(ctx, params, adam, engine, facts);
        }
    }

    /**
     * One step: the enforcer's permutation of every layer and head, the engine's loss and
     * gradient, Adam (with the cosine schedule if asked), then the enforcer's hook. The training
     * state holds the arrays of {@link Parameters#save} and {@link Adam#save}.
     */
    private static TrainedModel train(BackendContext ctx, Parameters params, Adam adam, GradientEngine engine,
            Map<String, Object> facts) {
        Settings s = ctx.settings();
        ModelConfig config = ctx.config();
        int steps = s.integer("steps");
        int batchSize = s.integer("batch");
        boolean f32 = "float32".equals(config.dtype());
        boolean cosine = "cosine".equals(s.text("schedule"));
        SplittableRandom enforcerRng = new SplittableRandom(ctx.enforcerSeed());
        int[][] perms = new int[config.nLayers() * config.nHeads()][];
        TrainingLoop loop = new TrainingLoop(ctx, facts).warmUp(5).withAccuracy(); // graph construction and JIT are not training
        TrainingLoop.Result r = loop.run(new TrainingLoop.Trainee() {
            @Override
            public TrainingLoop.Step step(int step) {
                PromptBatch batch = ctx.prompts().batch(step, batchSize);
                for (int i = 0; i < perms.length; i++) {
                    int[] p = ctx.enforcer() == null ? null
                            : ctx.enforcer().permutation(ctx.enforcerSettings(), config.dX(), config.dY(), enforcerRng);
                    if (p != null && !BlockPermutation.isBlockPermutation(p, config.dX(), config.dY())) {
                        throw new IllegalStateException("the enforcer returned " + Arrays.toString(p) + ", which is not a block "
                                + "permutation of " + config.dX() + " features and " + config.dY() + " labels");
                    }
                    perms[i] = p;
                }
                SoftmaxAttentionGraph.LossAndGradient lg = engine.lossAndGradient(batch, perms, params.qk, params.ov);
                return new TrainingLoop.Step(lg.loss(), lg.accuracy(), () -> {
                    double lr = cosine ? s.real("lr") * 0.5 * (1 + Math.cos(Math.PI * step / steps)) : s.real("lr");
                    adam.step(lr, params.theta, params.gradient(lg.qkGrad(), lg.ovGrad()), f32);
                    params.sync(f32);
                    if (ctx.enforcer() != null) {
                        ctx.enforcer().afterStep(ctx.enforcerSettings(), params.qk, params.ov, config.dX(), config.dY());
                        params.roundAfterHook(f32);
                    }
                });
            }

            @Override
            public TransformerModel model() {
                return params.model(config);
            }

            @Override
            public void save(Map<String, Tensor> into) {
                params.save(into);
                adam.save(into);
            }

            /** Also replays the enforcer's draws of the steps before the state's (they depend only on its seed and the step). */
            @Override
            public void restore(TrainingState state) throws IOException {
                params.restore(state);
                adam.restore(state, state.step());
                if (ctx.enforcer() != null) {
                    for (long i = 0; i < (long) state.step() * perms.length; i++) {
                        ctx.enforcer().permutation(ctx.enforcerSettings(), config.dX(), config.dY(), enforcerRng);
                    }
                }
            }
        });
        if (r.timedSteps() > 0) {
            facts.put("prompts_per_second", r.timedSteps() * (double) batchSize / r.seconds());
        }
        facts.put("parameterization", params.description());
        return new TrainedModel(params.model(config), r.losses(), r.diverged(), facts, r.accuracies());
    }

    /**
     * What Adam trains: every entry of each QK and OV (free), the six commutant scalars of each
     * (tied, docs/mathematics.md section 5), or the factors W_Q, W_K, W_V, W_O (factored). theta holds
     * each head's parameters in turn; qk and ov are the matrices the engines see, rebuilt from
     * theta after every step.
     */
    static final class Parameters {
        final double[][] qk;
        final double[][] ov;
        final double[][] theta;
        final boolean tied;
        private final AttentionFactors factors;
        private final int d;
        private final int classes;

        Parameters(TransformerModel init, boolean tied) {
            ModelConfig c = init.config();
            int n = c.nLayers() * c.nHeads();
            this.tied = tied;
            this.factors = init.factors();
            if (tied && factors != null) {
                throw new IllegalArgumentException("tied commutant scalars and factors exclude each other");
            }
            this.d = c.dX();
            this.classes = c.dY();
            qk = new double[n][];
            ov = new double[n][];
            theta = new double[(factors != null ? 4 : 2) * n][];
            for (int i = 0; i < n; i++) {
                qk[i] = init.qk(i / c.nHeads(), i % c.nHeads()).clone();
                ov[i] = init.ov(i / c.nHeads(), i % c.nHeads()).clone();
                if (factors != null) {
                    theta[4 * i] = factors.wq()[i];
                    theta[4 * i + 1] = factors.wk()[i];
                    theta[4 * i + 2] = factors.wv()[i];
                    theta[4 * i + 3] = factors.wo()[i];
                } else {
                    theta[2 * i] = tied ? Commutant.scalars(qk[i], d, classes).toArray() : qk[i];
                    theta[2 * i + 1] = tied ? Commutant.scalars(ov[i], d, classes).toArray() : ov[i];
                }
            }
            sync(false);
        }

        String description() {
            return factors != null ? "factored: W_Q, W_K, W_V, W_O with d_head = " + factors.dHead()
                    : tied ? "tied: six commutant scalars per matrix" : "free: every QK and OV entry";
        }

        /** The gradient with respect to theta, from the gradients with respect to the matrices. */
        double[][] gradient(double[][] gqk, double[][] gov) {
            double[][] g = new double[theta.length][];
            for (int i = 0; i < qk.length; i++) {
                if (factors != null) {
                    System.arraycopy(factors.gradient(i, gqk[i], gov[i]), 0, g, 4 * i, 4);
                } else if (tied) {
                    g[2 * i] = Commutant.scalarGradient(gqk[i], d, classes).toArray();
                    g[2 * i + 1] = Commutant.scalarGradient(gov[i], d, classes).toArray();
                } else {
                    g[2 * i] = gqk[i];
                    g[2 * i + 1] = gov[i];
                }
            }
            return g;
        }

        /**
         * Rebuilds the matrices from tied scalars or factors (free matrices are theta itself).
         * Products of factors are not rounded: a factored model saved in float32 multiplies out
         * to these same matrices when loaded back.
         */
        void sync(boolean f32) {
            for (int i = 0; i < qk.length; i++) {
                if (factors != null) {
                    qk[i] = factors.qk(i);
                    ov[i] = factors.ov(i);
                } else if (tied) {
                    qk[i] = round(Commutant.matrix(scalars(theta[2 * i]), d, classes), f32);
                    ov[i] = round(Commutant.matrix(scalars(theta[2 * i + 1]), d, classes), f32);
                }
            }
        }

        /**
         * After an enforcer changed the matrices in place (or replaced them): theta follows.
         * The validator keeps enforcers that edit matrices away from factored models.
         */
        void roundAfterHook(boolean f32) {
            if (factors != null) {
                return;
            }
            for (int i = 0; i < qk.length; i++) {
                round(qk[i], f32);
                round(ov[i], f32);
                if (tied) {
                    theta[2 * i] = Commutant.scalars(qk[i], d, classes).toArray();
                    theta[2 * i + 1] = Commutant.scalars(ov[i], d, classes).toArray();
                } else {
                    theta[2 * i] = qk[i];
                    theta[2 * i + 1] = ov[i];
                }
            }
        }

        /**
         * Into a training state: "layout" (I64, the length of every theta array, what a state
         * must match to be resumed), "theta.0" .. (each theta array: free matrices, six tied
         * scalars, or a head's W_Q, W_K, W_V, W_O in turn) and, tied only, "qk.0" .., "ov.0" ..:
         * the matrices the engines see, which are not a bit-exact function of the scalars (they
         * are rounded, and the scalars are read back from them after each step).
         */
        void save(Map<String, Tensor> into) {
            TrainingState.putParameters(into, theta);
            if (tied) {
                for (int i = 0; i < qk.length; i++) {
                    into.put("qk." + i, TrainingState.copyOf(qk[i]));
                    into.put("ov." + i, TrainingState.copyOf(ov[i]));
                }
            }
        }

        /** Restores what {@link #save} saved, in place (theta of factored models is the factors' arrays). */
        void restore(TrainingState state) throws IOException {
            state.copyParametersInto(theta, description());
            if (tied) {
                for (int i = 0; i < qk.length; i++) {
                    state.copyInto("qk." + i, qk[i].length, qk[i]);
                    state.copyInto("ov." + i, ov[i].length, ov[i]);
                }
            } else if (factors != null) {
                sync(false); // products of factors are not rounded
            }
        }

        /** The trained model; a factored one carries its factors. */
        TransformerModel model(ModelConfig config) {
            return new TransformerModel(config, qk, ov, factors);
        }

        private static Commutant.Scalars scalars(double[] t) {
            return new Commutant.Scalars(t[0], t[1], t[2], t[3], t[4], t[5]);
        }

        private static double[] round(double[] m, boolean f32) {
            if (f32) {
                for (int j = 0; j < m.length; j++) {
                    m[j] = (float) m[j];
                }
            }
            return m;
        }
    }

    /**
     * Adam (Kingma and Ba) with bias correction and decoupled weight decay (AdamW), in float64,
     * over any list of parameter arrays; float32 parameters are rounded after each step.
     */
    static final class Adam {
        private final double decay;
        private final double beta1;
        private final double beta2;
        private final double eps;
        private final double[][] m;
        private final double[][] v;
        private int t;

        Adam(double beta1, double beta2, double eps, double decay, double[][] shapeOf) {
            this.beta1 = beta1;
            this.beta2 = beta2;
            this.eps = eps;
            this.decay = decay;
            this.m = new double[shapeOf.length][];
            this.v = new double[shapeOf.length][];
            for (int i = 0; i < shapeOf.length; i++) {
                m[i] = new double[shapeOf[i].length];
                v[i] = new double[shapeOf[i].length];
            }
        }

        /** Into a training state: "adam.m.0" .., "adam.v.0" .. (moments per theta array), "adam.t" (I64 [1]). */
        void save(Map<String, Tensor> into) {
            for (int i = 0; i < m.length; i++) {
                into.put("adam.m." + i, TrainingState.copyOf(m[i]));
                into.put("adam.v." + i, TrainingState.copyOf(v[i]));
            }
            into.put("adam.t", Tensor.of(new long[] {t}, 1));
        }

        /** Restores what {@link #save} saved; t must be the state's step (one optimizer step per training step). */
        void restore(TrainingState state, int step) throws IOException {
            long[] saved = state.array("adam.t").toLongs();
            if (saved.length != 1 || saved[0] != step) {
                throw new IOException("the saved training state's array 'adam.t' is " + Arrays.toString(saved) + ", expected [" + step
                        + "]");
            }
            for (int i = 0; i < m.length; i++) {
                state.copyInto("adam.m." + i, m[i].length, m[i]);
                state.copyInto("adam.v." + i, v[i].length, v[i]);
            }
            t = step;
        }

        void step(double lr, double[][] w, double[][] g, boolean f32) {
            t++;
            double c1 = 1 - Math.pow(beta1, t);
            double c2 = 1 - Math.pow(beta2, t);
            for (int i = 0; i < w.length; i++) {
                double[] wi = w[i];
                double[] gi = g[i];
                double[] mi = m[i];
                double[] vi = v[i];
                for (int j = 0; j < wi.length; j++) {
                    mi[j] = beta1 * mi[j] + (1 - beta1) * gi[j];
                    vi[j] = beta2 * vi[j] + (1 - beta2) * gi[j] * gi[j];
                    double next = wi[j] - lr * ((mi[j] / c1) / (Math.sqrt(vi[j] / c2) + eps) + decay * wi[j]);
                    wi[j] = f32 ? (float) next : next;
                }
            }
        }
    }
}
