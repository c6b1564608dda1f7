package org.layerwise.backend.transformer;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.layerwise.core.BackendContext;
import org.layerwise.core.EvaluatedCurves;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.MemoryBudget;
import org.layerwise.core.NetworkBackend;
import org.layerwise.core.Seeds;
import org.layerwise.core.SequenceShape;
import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.TokenDataset;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingCheckpoints.TrainingState;
import org.layerwise.core.TrainingLoop;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkModel;
import org.layerwise.core.model.TransformerModel;

/**
 * Backend "transformer": the model of the grokking experiments (token and position embeddings,
 * causal attention heads, a ReLU MLP, unembedding; LayerNorm optional) on a sequence task,
 * trained with AdamW in torch.optim.AdamW's order and Nanda's linear warm-up of the learning rate,
 * on the whole training split per step or on minibatches of it. Loss and accuracy on both splits
 * are evaluated every eval_every steps; the weights are written under TransformerLens names.
 */
public class TransformerBackend implements NetworkBackend {

    /** The last configured network and task (the runner asks memoryEstimate after configureNetwork). */
    private NetworkConfig configured;
    private TaskSpec configuredTask;

    @Override
    public NetworkConfig configureNetwork(Settings s, TaskSpec task) throws InvalidSettingException {
        if (!task.isSequence()) {
            throw new InvalidSettingException(null, "transformer trains on token-sequence tasks (kind '" + TaskSpec.SEQUENCE
                    + "', e.g. modular-arithmetic); the task produces kind '" + task.kind() + "': for in-context prompts use "
                    + "softmax-attention or linear-attention");
        }
        SequenceShape shape = task.sequence();
        int dMlp = s.integer("d_mlp");
        String normalization = "LN".equals(s.text("normalization")) ? NetworkConfig.LAYER_NORM : null;
        int dHead = s.integer("d_head");
        int batch = s.integer("batch");
        if (batch > shape.trainExamples()) {
            throw new InvalidSettingException("batch", "batch " + batch + " exceeds the " + shape.trainExamples()
                    + " training examples of the task; use 0 (the whole training split per step) or at most "
                    + shape.trainExamples());
        }
        configured = new NetworkConfig(NetworkConfig.TRANSFORMER, shape.vocabulary(), task.classes(), shape.length(),
                s.integer("d_model"), s.integer("layers"), s.integer("heads"), dHead, dMlp, dMlp == 0, "relu", normalization, 1e-5,
                Math.sqrt(dHead), s.text("dtype"), TaskSpec.SEQUENCE);
        configuredTask = task;
        if ("batched".equals(s.text("engine")) && batchedProblem(configured) != null) {
            throw new InvalidSettingException("engine", "engine batched: " + batchedProblem(configured) + "; use engine auto or reference");
        }
        return configured;
    }

    /** Never asked for a pipeline this backend accepts: configureNetwork answers for every task, refusing in-context ones. */
    @Override
    public ModelConfig configure(Settings s, TaskSpec task) throws InvalidSettingException {
        configureNetwork(s, task);
        throw new IllegalStateException("transformer builds networks; the runner reads configureNetwork");
    }

    /** Permutations of features and labels are no symmetry of a token model: only an inert enforcer is accepted. */
    @Override
    public String enforcerProblem(SymmetryEnforcer enforcer, Settings enforcerSettings) {
        return SymmetryEnforcer.inert(enforcer, enforcerSettings) ? null
                : "transformer applies no symmetry enforcer (its permutations act on the feature and label blocks of "
                        + "in-context prompts, which a token model does not have); remove the enforcer stage";
    }

    /**
     * The training peak besides the model: weights, gradient and AdamW's two moments in float64,
     * and the engine's activations of one step's examples (every position of every block).
     */
    @Override
    public long memoryEstimate(Settings s, ModelConfig ignored) {
        if (configured == null) {
            return 0;
        }
        NetworkConfig c = configured;
        long params = Arrays.stream(Parameters.sizes(c)).asLongStream().sum();
        long rows = s.integer("batch") == 0 ? configuredTask.sequence().trainExamples() : s.integer("batch");
        long t = c.nCtx();
        long perExample = MemoryBudget.sum(MemoryBudget.product(c.nLayers(), t,
                MemoryBudget.sum(8L * c.dModel(), 2L * c.nHeads() * t, 2L * c.dMlp())), MemoryBudget.product(2, c.dVocabOut()));
        long evaluation = MemoryBudget.product(8, configuredTask.sequence().examples(), c.dVocabOut());
        return MemoryBudget.sum(MemoryBudget.product(4 * 8, params), MemoryBudget.product(8, rows, perExample), evaluation);
    }

    @Override
    public TrainedModel build(BackendContext ctx) {
        Settings s = ctx.settings();
        NetworkConfig config = ctx.network();
        TokenDataset data = ctx.dataset();
        Map<String, Object> facts = new LinkedHashMap<>();
        Engine engine = engine(s.text("engine"), config, data, s.integer("threads"), facts);
        double[][] w = TransformerInit.initialize(config, Seeds.derive(ctx.seed(), "init"), s.real("init_scale")).values();
        int[] sizes = Parameters.sizes(config);
        double[][] g = Parameters.zerosLike(sizes);
        AdamW adam = new AdamW(sizes, s.real("beta1"), s.real("beta2"), s.real("eps"), s.real("weight_decay"));
        boolean f32 = "float32".equals(config.dtype());
        round(w, f32);
        Minibatches batches = new Minibatches(data.train(), s.integer("batch"), Seeds.derive(ctx.seed(), "batches"));
        double lr = s.real("lr");
        int warmup = s.integer("warmup");
        TrainingLoop loop = new TrainingLoop(ctx, facts).warmUp(3).withAccuracy().withEvaluation(s.integer("eval_every"), step -> {
            Engine.Evaluation train = engine.evaluate(w, data.train());
            Engine.Evaluation test = engine.evaluate(w, data.test());
            Map<String, Double> m = new LinkedHashMap<>();
            m.put(EvaluatedCurves.TRAIN_LOSS, train.loss());
            m.put(EvaluatedCurves.TRAIN_ACCURACY, train.accuracy());
            m.put(EvaluatedCurves.TEST_LOSS, test.loss());
            m.put(EvaluatedCurves.TEST_ACCURACY, test.accuracy());
            return m;
        });
        TrainingLoop.Result r = loop.run(new TrainingLoop.Trainee() {
            @Override
            public TrainingLoop.Step step(int step) {
                Engine.Evaluation e = engine.lossAndGradient(w, batches.rows(step), g);
                return new TrainingLoop.Step(e.loss(), e.accuracy(), () -> {
                    adam.step(w, g, warmup == 0 ? lr : lr * Math.min((double) step / warmup, 1));
                    round(w, f32);
                });
            }

            @Override
            public TransformerModel model() {
                return null;
            }

            @Override
            public NetworkModel network() {
                return new Parameters(config, w).toModel();
            }

            @Override
            public void save(Map<String, Tensor> into) {
                TrainingState.putParameters(into, w);
                for (int i = 0; i < w.length; i++) {
                    into.put("adam.m." + i, TrainingState.copyOf(adam.m()[i]));
                    into.put("adam.v." + i, TrainingState.copyOf(adam.v()[i]));
                }
                into.put("adam.t", Tensor.of(new long[] {adam.t()}, 1));
            }

            @Override
            public void restore(TrainingState state) throws IOException {
                state.copyParametersInto(w, "a " + config.family() + " of " + config.nLayers() + " layers, d_model " + config.dModel());
                long[] t = state.array("adam.t").toLongs();
                if (t.length != 1 || t[0] != state.step()) {
                    throw new IOException("the saved training state's array 'adam.t' is " + Arrays.toString(t) + ", expected ["
                            + state.step() + "]");
                }
                double[][] m = Parameters.zerosLike(sizes);
                double[][] v = Parameters.zerosLike(sizes);
                for (int i = 0; i < sizes.length; i++) {
                    state.copyInto("adam.m." + i, sizes[i], m[i]);
                    state.copyInto("adam.v." + i, sizes[i], v[i]);
                }
                adam.restore(m, v, t[0]);
            }
        });
        facts.put("optimizer", "AdamW (torch.optim.AdamW's order), warm-up " + warmup + " steps");
        facts.put("parameters", Arrays.stream(sizes).asLongStream().sum());
        facts.put("batch", s.integer("batch") == 0 ? "full (" + data.train().length + " examples)" : s.integer("batch"));
        return TrainedModel.ofNetwork(new Parameters(config, w).toModel(), r.losses(), r.diverged(), facts, r.accuracies(),
                r.evaluated());
    }

    /**
     * The engine a setting asks for: batched (float32, answer-pruned) wherever it covers the model,
     * else the float64 reference, which covers every model. Null when it covers it, else why not.
     */
    static String batchedProblem(NetworkConfig c) {
        String unsupported = BatchedEngine.unsupportedReason(c);
        if (unsupported != null) {
            return unsupported;
        }
        return "float64".equals(c.dtype()) ? "dtype float64: the batched engine computes in float32 (engine reference computes "
                + "float64)" : null;
    }

    private static Engine engine(String choice, NetworkConfig config, TokenDataset data, int threads, Map<String, Object> facts) {
        facts.put("threads", threads == 0 ? Runtime.getRuntime().availableProcessors() : threads);
        String problem = batchedProblem(config);
        if (!"reference".equals(choice) && problem == null) {
            BatchedEngine batched = new BatchedEngine(config, data, threads);
            facts.put("engine", "batched");
            facts.put("engine_reason", "auto".equals(choice) ? "engine = auto and the batched engine covers this model" : "engine = batched");
            facts.put("vector", batched.description());
            return batched;
        }
        facts.put("engine", "reference");
        facts.put("engine_reason", "reference".equals(choice) ? "engine = reference" : "the batched engine does not cover this model: "
                + problem);
        return new ReferenceEngine(config, data, threads);
    }

    /** Float32 training keeps float32 weights: each value rounded after every update. */
    private static void round(double[][] w, boolean f32) {
        if (f32) {
            for (double[] a : w) {
                for (int k = 0; k < a.length; k++) {
                    a[k] = (float) a[k];
                }
            }
        }
    }

    /**
     * The examples of each step: the whole training split (batch 0), or consecutive slices of a
     * permutation of it drawn afresh for every epoch from Seeds.derive(seed, "epoch/E"), so step k's
     * rows depend only on the seed and k (a resumed run draws the same).
     */
    static final class Minibatches {
        private final int[] train;
        private final int size;
        private final int perEpoch;
        private final long seed;
        private int epoch = -1;
        private int[] order;

        Minibatches(int[] train, int size, long seed) {
            this.train = train;
            this.size = size;
            this.perEpoch = size == 0 ? 1 : (train.length + size - 1) / size;
            this.seed = seed;
        }

        int[] rows(int step) {
            if (size == 0) {
                return train;
            }
            int e = step / perEpoch;
            if (e != epoch) {
                order = train.clone();
                SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, "epoch/" + e));
                for (int i = order.length - 1; i > 0; i--) {
                    int j = rng.nextInt(i + 1);
                    int x = order[i];
                    order[i] = order[j];
                    order[j] = x;
                }
                epoch = e;
            }
            int from = (step % perEpoch) * size;
            return Arrays.copyOfRange(order, from, Math.min(order.length, from + size));
        }
    }
}
