package org.layerwise.backend.linear;

import org.layerwise.core.dynamics.ReducedClosedForm;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

import org.layerwise.core.BackendContext;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.MemoryBudget;
import org.layerwise.core.ModelBackend;
import org.layerwise.core.SeriesSchedule;
import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingLoop;
import org.layerwise.core.TrainingCheckpoints.TrainingState;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;

/**
 * Backend "linear-attention": the linear transformer of docs/mathematics.md section 9,
 * f(Z) = Z + Z W_Q' (Z'Z / N) W_P' per layer (one head, keys = all tokens, no MLP), on the
 * regression task of section 2 (d features, target width d, D = 2d), trained by plain SGD with
 * step eta on the mean over a batch of 1/2 ||y_hat - y||^2 on the query's y block.
 *
 * <p>Loss scaling: section 9's training loss is the SUM over the pool's P tasks of each task's
 * expected loss; the batch mean estimates the MEAN over the pool, so this backend's eta is P
 * times section 9's eta (tau_alpha = P / (eta Lambda2_alpha s_alpha^2) in steps; see
 * {@link ReducedClosedForm}). run.json's facts record eta and section 9's eta / P.
 *
 * <p>parameterization: reduced (p, q per mode of the task's U, stored factored) or full (every
 * entry of W_Q and W_P, stored merged); see {@link LinearParameters} for the storage. gradient:
 * sampled (the training batches, by hand: {@link LinearAttentionEngine}) or expected (the exact
 * gradient of the closed-form expected loss, reduced with one layer only: the closed form covers
 * nothing else).
 *
 * <p>Training state (BackendContext.checkpoints()), as softmax-attention keeps it: saved after the
 * steps checkpoint_every names (0: about every CheckpointSchedule.DEFAULT_SECONDS), when cancelled
 * and when training ends; it holds "theta.0", "theta.1", ... (reduced: p_0, q_0, p_1, ...; full:
 * QK_0, OV_0, ...), "layout" (I64, their lengths) and "loss" (the completed steps' losses). SGD has
 * no other state and the prompts depend only on the step, so a resumed run ends bit-identical.
 */
public class LinearAttentionBackend implements ModelBackend {

    /** Largest |U'U - I| entry accepted as an orthonormal basis. */
    static final double ORTHONORMAL_TOLERANCE = 1e-9;

    @Override
    public ModelConfig configure(Settings s, TaskSpec task) throws InvalidSettingException {
        if (!TaskSpec.REGRESSION.equals(task.kind())) {
            throw new InvalidSettingException(null, "linear-attention trains the linear-regression task of docs/mathematics.md section 9; the task "
                    + "produces kind '" + task.kind() + "'" + (task.isSequence() ? " (token sequences, not in-context prompts)" : ""));
        }
        if (task.features() != task.classes()) {
            throw new InvalidSettingException(null, "linear-attention needs targets as wide as the inputs (y = W x with W d x d); the task "
                    + "has d = " + task.features() + " features and targets of width " + task.classes());
        }
        try {
            SeriesSchedule.of(s);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("checkpoints", e.getMessage());
        }
        boolean reduced = reduced(s);
        if (reduced) {
            String problem = basisProblem(task);
            if (problem != null) {
                throw new InvalidSettingException("parameterization", "parameterization = reduced needs the task's covariance basis: "
                        + problem + "; use parameterization = full");
            }
        }
        if (expected(s)) {
            if (!reduced) {
                throw new InvalidSettingException("gradient", "gradient = expected is the closed-form expected gradient of docs/mathematics.md "
                        + "section 9, which covers the reduced parameterization's p and q only; with parameterization = full the "
                        + "off-diagonal entries and the y-x blocks get gradients the closed form does not give; use gradient = sampled");
            }
            if (s.integer("layers") != 1) {
                throw new InvalidSettingException("gradient", "gradient = expected is the closed form of docs/mathematics.md section 9 for one "
                        + "layer; with layers = " + s.integer("layers") + " use gradient = sampled");
            }
            try {
                ReducedClosedForm.of(task);
            } catch (IllegalArgumentException e) {
                throw new InvalidSettingException("gradient", "gradient = expected: " + e.getMessage());
            }
        }
        int d = task.features();
        return new ModelConfig(d, task.classes(), task.contextSize(), s.integer("layers"), 1, ModelConfig.Attention.LINEAR,
                ModelConfig.Keys.ALL, reduced ? "factored" : "merged", reduced ? d : task.tokenDim(), s.text("dtype"),
                TaskSpec.REGRESSION);
    }

    /** Null when the task's structure holds an orthonormal d x d "U", else what is wrong. */
    static String basisProblem(TaskSpec task) {
        double[] u = task.structure("U");
        int d = task.features();
        if (u == null) {
            return "the task's structure has no 'U' (it has " + task.structure().keySet() + ")";
        }
        if (u.length != d * d) {
            return "the task's 'U' has " + u.length + " values, expected d * d = " + d * d;
        }
        for (int a = 0; a < d; a++) {
            for (int b = 0; b < d; b++) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += u[i * d + a] * u[i * d + b];
                }
                if (!(Math.abs(dot - (a == b ? 1 : 0)) <= ORTHONORMAL_TOLERANCE)) {
                    return "the task's 'U' is not orthonormal (column " + a + " . column " + b + " = " + dot + ")";
                }
            }
        }
        return null;
    }

    private static boolean reduced(Settings s) {
        return "reduced".equals(s.text("parameterization"));
    }

    private static boolean expected(Settings s) {
        return "expected".equals(s.text("gradient"));
    }

    /**
     * Training's peak besides the model: two batches of prompts (the step's and the next) and, per
     * chunk of prompts, every layer's activations and a gradient buffer; expected gradients need
     * nothing worth counting.
     */
    @Override
    public long memoryEstimate(Settings s, ModelConfig c) {
        if (expected(s)) {
            return 0;
        }
        long batch = s.integer("batch");
        long t = c.tokens();
        long d = c.dModel();
        long l = c.nLayers();
        long prompts = MemoryBudget.product(2 * 8, batch, t, d);
        long chunks = (batch + LinearAttentionEngine.CHUNK - 1) / LinearAttentionEngine.CHUNK;
        long perChunk = MemoryBudget.sum(MemoryBudget.product(8, l + 3, t, d), MemoryBudget.product(8, 4 * l + 3, d, d));
        return MemoryBudget.sum(prompts, MemoryBudget.product(chunks, perChunk));
    }

    /** Only an enforcer that does nothing (no permutation, no tying, no edits): section 9's model has no symmetry to impose. */
    @Override
    public String enforcerProblem(SymmetryEnforcer enforcer, Settings enforcerSettings) {
        return SymmetryEnforcer.inert(enforcer, enforcerSettings) ? null : "linear-attention does not apply symmetry enforcers; remove the enforcer stage (or use enforcer none)";
    }

    @Override
    public TrainedModel build(BackendContext ctx) {
        if (ctx.enforcer() != null && enforcerProblem(ctx.enforcer(), ctx.enforcerSettings()) != null) {
            throw new IllegalStateException(enforcerProblem(ctx.enforcer(), ctx.enforcerSettings()));
        }
        Settings s = ctx.settings();
        ModelConfig config = ctx.config();
        boolean reduced = reduced(s);
        LinearParameters params = LinearParameters.initial(config, reduced, reduced ? ctx.task().structure("U") : null,
                "balanced".equals(s.text("init")), s.real("init_scale"), ctx.seed());
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("parameterization", params.description());
        facts.put("gradient", expected(s) ? "expected: the closed form of docs/mathematics.md section 9" : "sampled: the training batches");
        if (!expected(s)) {
            facts.put("engine", "float64, the last layer on the query row only; products by " + Kernels.BEST.description());
        }
        facts.put("eta", s.real("eta"));
        double[] pool = ctx.task().structure("P");
        if (pool != null && pool.length == 1) {
            facts.put("eta_section9", s.real("eta") / pool[0]);
            facts.put(TrainedModel.FLOW_TIME_PER_STEP, s.real("eta") / pool[0]); // what learning-dynamics reads
        }
        facts.put("loss", "mean over the batch of 1/2 ||y_hat - y||^2; its expectation is the mean over the pool of P tasks, "
                + "section 9 sums over the pool: eta here = P x section 9's eta");
        facts.put("init", s.text("init") + ", init_scale = " + s.real("init_scale"));
        return train(ctx, params, facts);
    }

    private static TrainedModel train(BackendContext ctx, LinearParameters params, Map<String, Object> facts) {
        Settings s = ctx.settings();
        int batchSize = s.integer("batch");
        double eta = s.real("eta");
        ReducedClosedForm closedForm = expected(s) ? ReducedClosedForm.of(ctx.task()) : null;
        LinearAttentionEngine engine = new LinearAttentionEngine(ctx.config());
        TrainingLoop.Result r = new TrainingLoop(ctx, facts).run(new TrainingLoop.Trainee() {
            @Override
            public TrainingLoop.Step step(int step) {
                if (closedForm != null) {
                    double[] a = params.products();
                    double loss = closedForm.loss(a);
                    double[][] gradient = params.expectedGradient(closedForm.gradient(a));
                    return new TrainingLoop.Step(loss, () -> params.step(eta, gradient));
                }
                LinearAttentionEngine.LossAndGradient lg = engine.lossAndGradient(ctx.prompts().batch(step, batchSize), params.qk(),
                        params.ov());
                double[][] gradient = params.gradient(lg.qkGrad(), lg.ovGrad());
                return new TrainingLoop.Step(lg.loss(), () -> params.step(eta, gradient));
            }

            @Override
            public TransformerModel model() {
                return params.model();
            }

            @Override
            public void save(Map<String, Tensor> into) {
                LinearAttentionBackend.save(params, into);
            }

            @Override
            public void restore(TrainingState state) throws IOException {
                LinearAttentionBackend.restore(state, params);
            }
        });
        // the last step overflowed: its loss was finite, the weights are not
        boolean diverged = r.diverged() || !params.finite();
        return new TrainedModel(params.model(), r.losses(), diverged, facts);
    }

    /** Into a training state: "theta.i" and "layout" (I64, their lengths). */
    static void save(LinearParameters params, Map<String, Tensor> into) {
        TrainingState.putParameters(into, params.theta);
    }

    /** Restores what {@link #save} saved; refuses, naming the array, a state of another parameterization or shape. */
    static void restore(TrainingState state, LinearParameters params) throws IOException {
        state.copyParametersInto(params.theta, params.description());
        params.sync();
    }
}
