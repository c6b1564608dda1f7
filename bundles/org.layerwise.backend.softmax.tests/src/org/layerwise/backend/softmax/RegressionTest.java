package org.layerwise.backend.softmax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.layerwise.testing.Fixtures.relativeError;
import static org.layerwise.testing.Fixtures.weights;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.core.BackendContext;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.ModelConfig.Keys;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.symmetry.NoSymmetry;
import org.layerwise.symmetry.RandomConjugation;
import org.layerwise.symmetry.TiedCommutant;

/**
 * Regression tasks (issue 14): half the squared error of the query's label block against its
 * target. Fused against ND4J gradients, the graph against finite differences, a short training
 * run that learns, and enforcers refused.
 */
class RegressionTest {

    /** Pool of POOL fixed W (d x d, entries N(0, 1/d)) from which every prompt draws its task. */
    static final int POOL = 3;

    /**
     * In-context linear regression prompts: W from the fixed pool, x ~ N(0, I_d), y = W x; N
     * context tokens [x ; y], the query [x ; 0] with target W x.
     */
    static PromptBatch prompts(int d, int n, int count, long seed) {
        SplittableRandom pool = new SplittableRandom(42);
        double[][] w = new double[POOL][d * d];
        for (double[] m : w) {
            for (int k = 0; k < m.length; k++) {
                m[k] = pool.nextGaussian() / Math.sqrt(d);
            }
        }
        SplittableRandom rng = new SplittableRandom(seed);
        int dim = 2 * d;
        double[] z = new double[count * (n + 1) * dim];
        double[] targets = new double[count * d];
        for (int p = 0; p < count; p++) {
            double[] m = w[rng.nextInt(POOL)];
            for (int i = 0; i <= n; i++) {
                int off = (p * (n + 1) + i) * dim;
                for (int k = 0; k < d; k++) {
                    z[off + k] = rng.nextGaussian();
                }
                for (int r = 0; r < d; r++) {
                    double y = 0;
                    for (int k = 0; k < d; k++) {
                        y += m[r * d + k] * z[off + k];
                    }
                    if (i < n) {
                        z[off + d + r] = y;
                    } else {
                        targets[p * d + r] = y;
                    }
                }
            }
        }
        return PromptBatch.regression(count, d, d, n, z, targets);
    }

    static ModelConfig config(int d, int n, int layers, int heads, Keys keys, boolean factored, String dtype) {
        return new ModelConfig(d, d, n, layers, heads, ModelConfig.Attention.SOFTMAX, keys, factored ? "factored" : "merged",
                factored ? 3 : 2 * d, dtype, TaskSpec.REGRESSION);
    }

    /** Worst relative difference (loss and every gradient) of the engine against the graph over all cases. */
    private static double worstAgainstGraph(String dtype, FusedEngine.Precision precision) {
        double worst = 0;
        int batch = 20;
        for (int d : new int[] {2, 4}) {
            for (boolean factored : new boolean[] {false, true}) {
                for (int layers = 1; layers <= 2; layers++) {
                    for (int heads = 1; heads <= 2; heads++) {
                        Keys keys = (layers + heads) % 2 == 0 ? Keys.CONTEXT : Keys.ALL;
                        ModelConfig c = config(d, 9, layers, heads, keys, factored, dtype);
                        long seed = 13L * d + 5L * layers + heads + (factored ? 100 : 0);
                        TransformerModel m = SoftmaxAttentionBackend.initialModel(c, FusedEngineTest.INIT, seed);
                        double[][] qk = weights(m, true);
                        double[][] ov = weights(m, false);
                        PromptBatch b = prompts(d, 9, batch, seed + 1);
                        SoftmaxAttentionGraph graph = new SoftmaxAttentionGraph(c, batch);
                        graph.setWeights(qk, ov);
                        try (FusedEngine engine = new FusedEngine(c, batch, 2, precision)) {
                            for (int[][] p : new int[][][] {null, FusedEngineTest.perms(c, seed + 2)}) {
                                SoftmaxAttentionGraph.LossAndGradient ref = graph.lossAndGradient(b,
                                        p == null ? new int[qk.length][] : p);
                                SoftmaxAttentionGraph.LossAndGradient got = engine.lossAndGradient(b, p, qk, ov);
                                assertTrue(Double.isNaN(got.accuracy()) && Double.isNaN(ref.accuracy()), "accuracy is NaN");
                                double e = Math.abs(got.loss() - ref.loss()) / Math.abs(ref.loss());
                                for (int i = 0; i < qk.length; i++) {
                                    e = Math.max(e, Math.max(relativeError(got.qkGrad()[i], ref.qkGrad()[i]),
                                            relativeError(got.ovGrad()[i], ref.ovGrad()[i])));
                                }
                                System.out.printf(Locale.ROOT, "RegressionTest %s d=%d %s L=%d H=%d keys=%s perms=%s: %.2e%n", dtype, d,
                                        factored ? "factored" : "merged", layers, heads, keys.key(), p == null ? "none" : "random", e);
                                worst = Math.max(worst, e);
                            }
                        }
                    }
                }
            }
        }
        System.out.println("RegressionTest " + precision + " against the " + dtype + " graph: worst relative difference " + worst);
        return worst;
    }

    @Test
    void float32_engine_matches_the_float32_graph_on_regression() {
        double worst = worstAgainstGraph("float32", FusedEngine.Precision.FLOAT32_VECTOR);
        assertTrue(worst < 1e-5, "worst relative difference " + worst);
    }

    @Test
    void float64_twin_matches_the_float64_graph_on_regression() {
        double worst = worstAgainstGraph("float64", FusedEngine.Precision.FLOAT64_SCALAR);
        assertTrue(worst < 1e-10, "worst relative difference " + worst);
    }

    /** The float64 graph's gradient of every QK and OV entry against central differences of its loss. */
    @Test
    void regression_gradient_matches_finite_differences() {
        ModelConfig c = config(2, 5, 2, 1, Keys.CONTEXT, false, "float64");
        TransformerModel m = SoftmaxAttentionBackend.initialModel(c, 0.5, 9);
        double[][] qk = weights(m, true);
        double[][] ov = weights(m, false);
        PromptBatch b = prompts(2, 5, 6, 10);
        int[][] none = new int[qk.length][];
        SoftmaxAttentionGraph graph = new SoftmaxAttentionGraph(c, 6);
        graph.setWeights(qk, ov);
        SoftmaxAttentionGraph.LossAndGradient g = graph.lossAndGradient(b, none);
        double h = 1e-5;
        double worst = 0;
        for (int i = 0; i < qk.length; i++) {
            for (double[][] w : new double[][][] {qk, ov}) {
                double[] grad = w == qk ? g.qkGrad()[i] : g.ovGrad()[i];
                for (int k = 0; k < w[i].length; k++) {
                    double keep = w[i][k];
                    w[i][k] = keep + h;
                    graph.setWeights(qk, ov);
                    double up = graph.lossAndGradient(b, none).loss();
                    w[i][k] = keep - h;
                    graph.setWeights(qk, ov);
                    double down = graph.lossAndGradient(b, none).loss();
                    w[i][k] = keep;
                    double fd = (up - down) / (2 * h);
                    worst = Math.max(worst, Math.abs(fd - grad[k]) / (1e-3 + Math.abs(grad[k])));
                }
            }
        }
        System.out.println("RegressionTest finite differences: worst relative difference " + worst);
        assertTrue(worst < 1e-6, "worst " + worst);
        // loss by hand: the mean of half the squared error of the reference forward's outputs
        double[] out = org.layerwise.core.model.Forward.run(new TransformerModel(c, qk, ov), b, false).logits();
        double loss = 0;
        for (int k = 0; k < out.length; k++) {
            loss += 0.5 * (out[k] - b.queryTargets[k]) * (out[k] - b.queryTargets[k]) / 6;
        }
        assertEquals(loss, g.loss(), 1e-12 * loss);
    }

    static Map<String, Object> settings(String engine, long steps, String parameterization) {
        Map<String, Object> m = new HashMap<>(Map.ofEntries(Map.entry("layers", 2L), Map.entry("heads", 1L), Map.entry("keys", "context"),
                Map.entry("parameterization", parameterization), Map.entry("d_head", "factored".equals(parameterization) ? 4L : 0L),
                Map.entry("steps", steps), Map.entry("batch", 64L), Map.entry("lr", 0.01), Map.entry("beta1", 0.9),
                Map.entry("beta2", 0.999), Map.entry("eps", 1e-8), Map.entry("init_scale", 0.1), Map.entry("dtype", "float32"),
                Map.entry("threads", 2L), Map.entry("nd4j_threads", 1L), Map.entry("engine", engine),
                Map.entry("schedule", "constant"), Map.entry("weight_decay", 0.0), Map.entry("checkpoints", "none"),
                Map.entry("checkpoint_every", 0L)));
        return m;
    }

    static TrainedModel train(String engine, long steps, String parameterization) throws Exception {
        SoftmaxAttentionBackend backend = new SoftmaxAttentionBackend();
        TaskSpec task = new TaskSpec(TaskSpec.REGRESSION, 3, 3, 16);
        Settings s = Settings.of(settings(engine, steps, parameterization));
        ModelConfig c = backend.configure(s, task);
        assertEquals(TaskSpec.REGRESSION, c.task());
        assertNull(backend.enforcerProblem(new NoSymmetry(), Settings.of(Map.of())));
        return backend.build(new BackendContext(s, c, task, (step, size) -> prompts(3, 16, size, 5000 + step), null,
                Settings.of(Map.of()), 5, 6, TrainingMonitor.NONE));
    }

    private static double mean(double[] curve, int from, int n) {
        double sum = 0;
        for (int i = from; i < from + n; i++) {
            sum += curve[i] / n;
        }
        return sum;
    }

    @Test
    void training_on_linear_regression_prompts_lowers_the_loss_on_both_engines() throws Exception {
        for (String parameterization : new String[] {"merged", "factored"}) {
            TrainedModel fused = train("fused", 300, parameterization);
            TrainedModel nd4j = train("nd4j", 30, parameterization);
            assertEquals("fused", fused.facts().get("engine"));
            double worst = 0;
            for (int i = 0; i < 30; i++) {
                worst = Math.max(worst, Math.abs(fused.lossCurve()[i] - nd4j.lossCurve()[i]) / nd4j.lossCurve()[i]);
                assertTrue(Double.isNaN(fused.accuracyCurve()[i]) && Double.isNaN(nd4j.accuracyCurve()[i]), "accuracy is NaN");
            }
            double first = mean(fused.lossCurve(), 0, 20);
            double last = mean(fused.lossCurve(), 280, 20);
            System.out.printf(Locale.ROOT, "RegressionTest training %s: loss %.4f -> %.4f over 300 steps; fused vs nd4j over 30 steps %.2e%n",
                    parameterization, first, last, worst);
            assertTrue(worst < 1e-3, "fused and nd4j trajectories differ by " + worst);
            assertTrue(last < 0.8 * first, "loss " + first + " -> " + last);
        }
    }

    @Test
    void regression_refuses_enforcers_that_act_and_classification_keeps_them() throws Exception {
        SoftmaxAttentionBackend backend = new SoftmaxAttentionBackend();
        Settings s = Settings.of(settings("auto", 10, "merged"));
        backend.configure(s, new TaskSpec(TaskSpec.REGRESSION, 3, 3, 16));
        assertNotNull(backend.enforcerProblem(new RandomConjugation(), Settings.of(Map.of("factor", "both"))));
        assertNotNull(backend.enforcerProblem(new TiedCommutant(), Settings.of(Map.of())));
        assertNull(backend.enforcerProblem(new NoSymmetry(), Settings.of(Map.of())));
        backend.configure(s, new TaskSpec(TaskSpec.CLASSIFICATION, 3, 3, 16));
        assertNull(backend.enforcerProblem(new RandomConjugation(), Settings.of(Map.of("factor", "both"))));
        // and build refuses one that slipped past the validator
        Settings r = Settings.of(settings("fused", 3, "merged"));
        TaskSpec task = new TaskSpec(TaskSpec.REGRESSION, 3, 3, 16);
        ModelConfig c = backend.configure(r, task);
        assertThrows(IllegalStateException.class, () -> backend.build(new BackendContext(r, c, task,
                (step, size) -> prompts(3, 16, size, step), new RandomConjugation(), Settings.of(Map.of("factor", "both")), 5, 6,
                TrainingMonitor.NONE)));
    }
}
