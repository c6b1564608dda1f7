package org.layerwise.backend.softmax;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.layerwise.testing.Fixtures.relativeError;
import static org.layerwise.testing.Fixtures.weights;

import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.core.BackendContext;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.Settings;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.ModelConfig.Keys;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.symmetry.BlockPermutation;
import org.layerwise.symmetry.RandomConjugation;
import org.layerwise.tasks.LinearTask;
import org.layerwise.testing.Fixtures;

/** The ND4J graph against the float64 reference forward and against finite differences. */
class SoftmaxAttentionGraphTest {

    static final int D = 4;
    static final int C = 3;
    static final int N = 6;

    static ModelConfig config(int layers, int heads, Keys keys, String dtype) {
        return Fixtures.config(D, C, N, layers, heads, ModelConfig.Attention.SOFTMAX, keys, dtype);
    }

    static PromptBatch prompts(int count, long seed) {
        Settings s = Settings.of(Map.of("d", (long) D, "C", (long) C, "N", (long) N, "seed", -1L));
        return new LinearTask().generate(s, count, seed);
    }

    @Test
    void graph_logits_equal_the_reference_forward_in_float64() {
        for (Keys keys : Keys.values()) {
            ModelConfig c = config(3, 2, keys, "float64");
            TransformerModel m = SoftmaxAttentionBackend.initialModel(c, 0.4, 5);
            SoftmaxAttentionGraph g = new SoftmaxAttentionGraph(c, 16);
            g.setWeights(weights(m, true), weights(m, false));
            PromptBatch b = prompts(16, 9);
            double err = relativeError(g.logits(b), Forward.run(m, b, false).logits());
            assertTrue(err < 1e-10, keys + ": relative difference " + err);
        }
    }

    @Test
    void gradient_matches_central_finite_differences_in_float64_with_conjugation() {
        ModelConfig c = config(2, 2, Keys.CONTEXT, "float64");
        TransformerModel m = SoftmaxAttentionBackend.initialModel(c, 0.4, 17);
        PromptBatch b = prompts(8, 23);
        SplittableRandom rng = new SplittableRandom(4);
        int n = c.nLayers() * c.nHeads();
        int[][] perms = new int[n][];
        for (int i = 0; i < n; i++) {
            perms[i] = BlockPermutation.draw(D, C, true, true, rng);
        }
        SoftmaxAttentionGraph g = new SoftmaxAttentionGraph(c, 8);
        double[][] qk = weights(m, true);
        double[][] ov = weights(m, false);
        g.setWeights(qk, ov);
        SoftmaxAttentionGraph.LossAndGradient lg = g.lossAndGradient(b, perms);
        assertEquals(loss(c, qk, ov, perms, b), lg.loss(), 1e-12, "graph loss equals the conjugated reference loss");
        double h = 1e-6;
        double worst = 0;
        for (int i = 0; i < n; i++) {
            for (int which = 0; which < 2; which++) {
                double[] w = which == 0 ? qk[i] : ov[i];
                double[] grad = which == 0 ? lg.qkGrad()[i] : lg.ovGrad()[i];
                for (int j = 0; j < w.length; j++) {
                    double keep = w[j];
                    w[j] = keep + h;
                    double up = loss(c, qk, ov, perms, b);
                    w[j] = keep - h;
                    double down = loss(c, qk, ov, perms, b);
                    w[j] = keep;
                    double fd = (up - down) / (2 * h);
                    worst = Math.max(worst, Math.abs(fd - grad[j]) / Math.max(1e-3, Math.abs(fd)));
                }
            }
        }
        assertTrue(worst < 1e-6, "worst relative gradient error " + worst);
    }

    @Test
    void training_with_random_conjugation_lowers_the_loss() {
        ModelConfig c = config(2, 1, Keys.CONTEXT, "float32");
        Settings s = Settings.of(Map.ofEntries(Map.entry("layers", 2L), Map.entry("heads", 1L), Map.entry("keys", "context"),
                Map.entry("steps", 150L), Map.entry("batch", 64L), Map.entry("lr", 0.02), Map.entry("beta1", 0.9),
                Map.entry("beta2", 0.999), Map.entry("eps", 1e-8), Map.entry("init_scale", 0.1), Map.entry("dtype", "float32"), Map.entry("threads", 1L), Map.entry("nd4j_threads", 1L), Map.entry("engine", "nd4j"), Map.entry("schedule", "constant"), Map.entry("weight_decay", 0.0)));
        Settings enforcer = Settings.of(Map.of("factor", "both"));
        BackendContext ctx = new BackendContext(s, c, null, (step, size) -> prompts(size, 1000 + step), new RandomConjugation(),
                enforcer, 1, 2, TrainingMonitor.NONE);
        TrainedModel t = new SoftmaxAttentionBackend().build(ctx);
        double first = mean(t.lossCurve(), 0, 20);
        double last = mean(t.lossCurve(), 130, 150);
        assertTrue(last < first - 0.05, "loss " + first + " -> " + last);
        assertEquals("nd4j", t.facts().get("engine"));
    }

    @Test
    void tied_and_projection_enforcers_keep_every_matrix_in_the_commutant_while_learning() {
        ModelConfig c = config(2, 2, Keys.CONTEXT, "float64");
        Settings s = Settings.of(Map.ofEntries(Map.entry("layers", 2L), Map.entry("heads", 2L), Map.entry("keys", "context"),
                Map.entry("steps", 60L), Map.entry("batch", 32L), Map.entry("lr", 0.02), Map.entry("beta1", 0.9),
                Map.entry("beta2", 0.999), Map.entry("eps", 1e-8), Map.entry("init_scale", 0.3), Map.entry("dtype", "float64"),
                Map.entry("threads", 1L), Map.entry("nd4j_threads", 1L), Map.entry("engine", "nd4j"), Map.entry("schedule", "constant"), Map.entry("weight_decay", 0.0)));
        for (org.layerwise.core.SymmetryEnforcer e : new org.layerwise.core.SymmetryEnforcer[] {new org.layerwise.symmetry.TiedCommutant(),
                new org.layerwise.symmetry.ReynoldsProjection()}) {
            BackendContext ctx = new BackendContext(s, c, null, (step, size) -> prompts(size, 500 + step), e, Settings.of(Map.of()),
                    1, 2, TrainingMonitor.NONE);
            TrainedModel t = new SoftmaxAttentionBackend().build(ctx);
            for (int l = 0; l < 2; l++) {
                for (int h = 0; h < 2; h++) {
                    for (double[] m : new double[][] {t.model().qk(l, h), t.model().ov(l, h)}) {
                        assertTrue(org.layerwise.core.symmetry.Commutant.asymmetry(m, D, C) < 1e-12, e.getClass().getSimpleName());
                    }
                }
            }
            assertTrue(mean(t.lossCurve(), 50, 60) < mean(t.lossCurve(), 0, 10), e.getClass().getSimpleName() + " learns");
        }
    }

    @Test
    void fused_and_nd4j_engines_follow_the_same_loss_and_accuracy_trajectory_for_the_same_seed() {
        ModelConfig c = config(2, 1, Keys.CONTEXT, "float32");
        double[][] curves = new double[2][];
        double[][] accuracies = new double[2][];
        String[] engines = {"fused", "nd4j"};
        for (int e = 0; e < 2; e++) {
            Settings s = Settings.of(Map.ofEntries(Map.entry("layers", 2L), Map.entry("heads", 1L), Map.entry("keys", "context"),
                    Map.entry("steps", 100L), Map.entry("batch", 32L), Map.entry("lr", 0.01), Map.entry("beta1", 0.9),
                    Map.entry("beta2", 0.999), Map.entry("eps", 1e-8), Map.entry("init_scale", 0.1), Map.entry("dtype", "float32"),
                    Map.entry("threads", 2L), Map.entry("nd4j_threads", 1L), Map.entry("engine", engines[e]),
                    Map.entry("schedule", "cosine"), Map.entry("weight_decay", 0.0)));
            BackendContext ctx = new BackendContext(s, c, null, (step, size) -> prompts(size, 2000 + step), new RandomConjugation(),
                    Settings.of(Map.of("factor", "both")), 3, 4, TrainingMonitor.NONE);
            TrainedModel t = new SoftmaxAttentionBackend().build(ctx);
            assertEquals(engines[e], t.facts().get("engine"));
            curves[e] = t.lossCurve();
            accuracies[e] = t.accuracyCurve();
        }
        double worst = 0;
        for (int i = 0; i < 100; i++) {
            worst = Math.max(worst, Math.abs(curves[0][i] - curves[1][i]) / curves[1][i]);
        }
        assertTrue(worst < 1e-3, "worst relative loss difference over 100 steps " + worst);
        // Training accuracy: each step's batch, from each engine's own forward pass. The engines
        // agree but for the rare prompt whose two largest logits are within float32 rounding.
        int equal = 0;
        for (int i = 0; i < 100; i++) {
            for (double[] a : accuracies) {
                double hits = a[i] * 32;
                assertTrue(a[i] >= 0 && a[i] <= 1 && Math.abs(hits - Math.rint(hits)) < 1e-9, "step " + i + ": " + a[i]);
            }
            assertEquals(accuracies[1][i], accuracies[0][i], 2.0 / 32 + 1e-12, "step " + i + ": at most two prompts flip");
            if (accuracies[0][i] == accuracies[1][i]) {
                equal++;
            }
        }
        System.out.println("SoftmaxAttentionGraphTest: training accuracy equal on " + equal + " of 100 steps; fused "
                + mean(accuracies[0], 0, 10) + " -> " + mean(accuracies[0], 90, 100));
        assertTrue(equal >= 99, "accuracy equal on " + equal + " of 100 steps");
    }

    @Test
    void the_graphs_training_accuracy_is_the_argmax_rate_of_the_reference_logits() {
        ModelConfig c = config(2, 2, Keys.CONTEXT, "float64");
        for (long seed = 0; seed < 3; seed++) {
            TransformerModel m = SoftmaxAttentionBackend.initialModel(c, 0.6, 40 + seed);
            PromptBatch b = prompts(32, 50 + seed);
            SplittableRandom rng = new SplittableRandom(60 + seed);
            int[][] perms = new int[4][];
            for (int i = 0; i < 4; i++) {
                perms[i] = BlockPermutation.draw(D, C, true, true, rng);
            }
            SoftmaxAttentionGraph g = new SoftmaxAttentionGraph(c, 32);
            g.setWeights(weights(m, true), weights(m, false));
            double got = g.lossAndGradient(b, perms).accuracy();
            assertEquals(referenceAccuracy(c, weights(m, true), weights(m, false), perms, b), got, 0, "seed " + seed);
        }
    }

    /** Forward.accuracy of the reference forward with every head conjugated by its permutation. */
    static double referenceAccuracy(ModelConfig c, double[][] qk, double[][] ov, int[][] perms, PromptBatch b) {
        int n = qk.length;
        double[][] q = new double[n][];
        double[][] o = new double[n][];
        for (int i = 0; i < n; i++) {
            q[i] = perms == null || perms[i] == null ? qk[i] : BlockPermutation.conjugate(qk[i], perms[i]);
            o[i] = perms == null || perms[i] == null ? ov[i] : BlockPermutation.conjugate(ov[i], perms[i]);
        }
        return Forward.accuracy(Forward.run(new TransformerModel(c, q, o), b, false).logits(), c.dY(), b.queryLabels);
    }

    private static double mean(double[] x, int from, int to) {
        double s = 0;
        for (int i = from; i < to; i++) {
            s += x[i];
        }
        return s / (to - from);
    }

    /** Cross-entropy of the reference forward with every head conjugated by its permutation. */
    private static double loss(ModelConfig c, double[][] qk, double[][] ov, int[][] perms, PromptBatch b) {
        int n = qk.length;
        double[][] q = new double[n][];
        double[][] o = new double[n][];
        for (int i = 0; i < n; i++) {
            q[i] = BlockPermutation.conjugate(qk[i], perms[i]);
            o[i] = BlockPermutation.conjugate(ov[i], perms[i]);
        }
        return Forward.crossEntropy(Forward.run(new TransformerModel(c, q, o), b, false).logits(), C, b.queryLabels);
    }
}
