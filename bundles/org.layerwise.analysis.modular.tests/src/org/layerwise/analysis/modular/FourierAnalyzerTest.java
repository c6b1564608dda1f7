package org.layerwise.analysis.modular;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntBinaryOperator;

import org.junit.jupiter.api.Test;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.ModelSeries;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Settings;
import org.layerwise.core.SharedResults;
import org.layerwise.core.Table;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkForward;
import org.layerwise.core.model.NetworkModel;

/** The fourier analyzer on hand-built networks, with hand-made logits and through the reference forward pass. */
class FourierAnalyzerTest {

    static Settings settings(long k) {
        return Settings.of(Map.of("k", k, "coverage", 0.8));
    }

    static AnalysisContext context(Settings s, NetworkModel network, Networks.Task task, ModelSeries.Series series,
            TrainedModel training) {
        return AnalysisContext.ofNetwork(s, network, task.spec(), task.dataset(), 5L, TrainingMonitor.NONE, new SharedResults(), series,
                training);
    }

    /** A network whose W_E rows 0..p-1 are a wave at frequency k (row p, "=", random). */
    static NetworkModel embeddingWave(int p, int k, SplittableRandom rng) {
        NetworkConfig c = Networks.config(p, 6, 1, 3, 8);
        NetworkModel random = Networks.random(c, 1, rng);
        var tensors = new java.util.LinkedHashMap<>(random.tensors());
        double[] wE = random.tensor("embed.W_E").toDoubles();
        System.arraycopy(FourierSharesTest.wave(p, 6, k, rng), 0, wE, 0, p * 6);
        tensors.put("embed.W_E", org.layerwise.core.Tensor.of(wE, p + 1, 6));
        return new NetworkModel(c, tensors);
    }

    static ModelSeries.Series series(int[] steps, NetworkModel... models) {
        List<ModelSeries.Checkpoint> out = new ArrayList<>();
        for (int t = 0; t < models.length; t++) {
            NetworkModel m = models[t];
            out.add(ModelSeries.Checkpoint.ofNetwork(steps[t], Path.of("ckpt", "step_" + steps[t] + ".safetensors"), () -> m));
        }
        return new ModelSeries.Series(out);
    }

    /** Logits given as a function of (a, b, c), whatever the network, counting the calls. */
    static FourierAnalyzer.AnswerLogits handMade(int p, AtomicInteger calls, FourierSharesTest.Triple f) {
        return (network, tokens, length, answer) -> {
            calls.incrementAndGet();
            assertEquals(3, length);
            assertEquals(2, answer);
            double[] l = new double[tokens.length / length * p];
            for (int e = 0; e < tokens.length / length; e++) {
                assertEquals(p, tokens[e * length + 2], "the token '=' at the answer position");
                for (int c = 0; c < p; c++) {
                    l[e * p + c] = f.at(tokens[e * length], tokens[e * length + 1], c);
                }
            }
            return l;
        };
    }

    static double[] rows(Table t, String matrix, int step) {
        return t.rows().stream().filter(r -> r.get(1).equals(matrix) && ((Number) r.get(0)).intValue() == step)
                .mapToDouble(r -> ((Number) r.get(3)).doubleValue()).toArray();
    }

    @Test
    void shares_at_every_checkpoint_from_hand_made_logits() throws Exception {
        int p = 7;
        SplittableRandom rng = new SplittableRandom(2);
        NetworkModel early = Networks.random(Networks.config(p, 6, 1, 3, 8), 1, rng);
        NetworkModel late = embeddingWave(p, 3, rng);
        AtomicInteger calls = new AtomicInteger();
        double[] noise = FourierSharesTest.gaussian(p * p * p, rng);
        // the hand-made logits: noise for the early network, a wave at frequency 2 of u = a + b - c for the late one
        FourierAnalyzer.AnswerLogits logits = (network, tokens, length, answer) -> network == early
                ? handMade(p, calls, (a, b, c) -> noise[(a * p + b) * p + c]).of(network, tokens, length, answer)
                : handMade(p, calls, (a, b, c) -> FourierSharesTest.cosOf(p, 2, Integer::sum, a, b, c)).of(network, tokens, length,
                        answer);
        Networks.Task task = Networks.Task.of(p, "add");
        AnalysisResult r = new FourierAnalyzer(logits).analyze(context(settings(1), late, task,
                series(new int[] {0, 300}, early, late), null));
        assertEquals(2, calls.get(), "one forward pass per checkpoint");

        Table t = r.tables().get("fourier");
        assertEquals(List.of("step", "matrix", "frequency", "share"), t.columns());
        assertEquals(2 * 2 * 4, t.rows().size());
        assertArrayEquals(new double[] {0, 0, 0, 1}, rows(t, "W_E", 300), 1e-12);
        assertArrayEquals(new double[] {0, 0, 1, 0}, rows(t, "logits", 300), 1e-12);
        assertArrayEquals(FourierShares.ofRows(early.tensor("embed.W_E").doubles(0, p * 6), p, 6), rows(t, "W_E", 0), 0);
        assertArrayEquals(FourierShares.ofLogits(noise, p, 1), rows(t, "logits", 0), 0);
        assertArrayEquals(new long[] {0, 300}, r.tensors().get("steps").toLongs());
        assertArrayEquals(new long[] {2, 4}, r.tensors().get("W_E.share").shape());
        assertArrayEquals(rows(t, "logits", 300), java.util.Arrays.copyOfRange(r.tensors().get("logits.share").toDoubles(), 4, 8), 0);

        Map<String, Double> s = r.scalars();
        assertEquals(1, s.get("embedding_top_k_share"), 1e-12);
        assertEquals(FourierShares.topK(rows(t, "W_E", 0), 1), s.get("embedding_top_k_share_initial"), 0);
        assertEquals(1, s.get("logit_top_k_share"), 1e-12);
        assertEquals(FourierShares.topK(rows(t, "logits", 0), 1), s.get("logit_top_k_share_initial"), 0);
        assertEquals(1, s.get("logit_structured_share"), 1e-12);
        assertEquals(1, s.get("embedding_key_frequencies"));
        assertEquals(1, s.get("logit_key_frequencies"));
        assertEquals(2.0 / 7, s.get("uniform_top_k"), 1e-15);
        assertEquals(2, s.get("checkpoints"));
        assertEquals(Map.of("W_E", List.of(3), "logits", List.of(2)), r.details().get("key_frequencies"));
    }

    @Test
    void a_large_p_runs_the_forward_pass_on_chunks_of_pairs_and_adds_them_up() throws Exception {
        int p = 167; // p^3 > CHUNK: the pairs go in two chunks of a
        assertTrue((long) p * p * p > FourierAnalyzer.CHUNK);
        AtomicInteger calls = new AtomicInteger();
        List<Integer> firstA = new ArrayList<>();
        FourierAnalyzer.AnswerLogits wave = handMade(p, calls, (a, b, c) -> FourierSharesTest.cosOf(p, 5, Integer::sum, a, b, c));
        FourierAnalyzer.AnswerLogits logits = (network, tokens, length, answer) -> {
            firstA.add(tokens[0]);
            return wave.of(network, tokens, length, answer);
        };
        NetworkConfig c = new NetworkConfig(NetworkConfig.TRANSFORMER, p + 1, p, 3, 2, 1, 1, 1, 2, false, "relu", null, 1e-5, 1,
                "float64", null);
        NetworkModel network = Networks.random(c, 1, new SplittableRandom(3));
        FourierAnalyzer.Measured m = new FourierAnalyzer(logits).measure(7, network, new ModularTask(p, 0));
        assertEquals(List.of(0, FourierAnalyzer.CHUNK / (p * p)), firstA);
        assertEquals(1, m.logits()[5], 1e-12);
        assertEquals(1, FourierAnalyzer.structured(m.logits()), 1e-12);
    }

    @Test
    void a_checkpoint_that_cannot_be_read_fails_the_analysis_naming_its_step_and_file() throws Exception {
        NetworkModel wave = embeddingWave(7, 1, new SplittableRandom(6));
        List<ModelSeries.Checkpoint> checkpoints = new ArrayList<>(series(new int[] {0}, wave).checkpoints());
        checkpoints.add(ModelSeries.Checkpoint.ofNetwork(20, Path.of("ckpt", "step_00000020.safetensors"), () -> {
            throw new java.io.IOException("truncated file");
        }));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new FourierAnalyzer(handMade(7,
                new AtomicInteger(), (a, b, c) -> c)).analyze(context(settings(1), wave, Networks.Task.of(7, "add"),
                        new ModelSeries.Series(checkpoints), null)));
        assertTrue(e.getMessage().contains("step 20") && e.getMessage().contains("step_00000020.safetensors")
                && e.getMessage().contains("truncated file"), e.getMessage());
    }

    @Test
    void multiply_and_divide_run_no_forward_pass_and_leave_the_logit_scalars_undefined() throws Exception {
        for (String op : new String[] {"multiply", "divide"}) {
            AtomicInteger calls = new AtomicInteger();
            Networks.Task task = Networks.Task.of(7, op);
            NetworkModel wave = embeddingWave(7, 1, new SplittableRandom(4));
            AnalysisResult r = new FourierAnalyzer(handMade(7, calls, (a, b, c) -> 1)).analyze(context(settings(2), wave, task,
                    ModelSeries.Series.EMPTY, TrainedModel.ofNetwork(wave, new double[40], false, Map.of(), null, null)));
            assertEquals(0, calls.get(), op);
            assertFalse(r.tensors().containsKey("logits.share"), op);
            assertTrue(r.tables().get("fourier").rows().stream().allMatch(row -> row.get(1).equals("W_E")), op);
            assertTrue(r.tables().get("fourier").rows().stream().allMatch(row -> row.get(0).equals(40)), "the final model at step 40");
            for (String name : List.of("logit_top_k_share", "logit_top_k_share_initial", "logit_structured_share", "logit_key_frequencies")) {
                assertTrue(Double.isNaN(r.scalars().get(name)), op + " " + name);
            }
            assertEquals(1, r.scalars().get("embedding_top_k_share"), 1e-12, op);
            assertEquals(0, r.scalars().get("checkpoints"));
        }
    }

    /**
     * The whole path through the reference forward pass: a hand-built network that computes a op b
     * and answers with the logits cos(2 pi 2 (a op b - c) / p) has all of its logit share at
     * frequency 2 for its own op and none for the other; its W_E is the identity, whose shares are
     * 1/p at frequency 0 and 2/p at every other.
     */
    @Test
    void end_to_end_on_networks_that_compute_add_and_subtract() throws Exception {
        int p = 5;
        IntBinaryOperator plus = Integer::sum;
        IntBinaryOperator minus = (a, b) -> a - b;
        for (IntBinaryOperator g : new IntBinaryOperator[] {plus, minus}) {
            NetworkModel network = Networks.lookup(p, 2, g);
            Networks.Task add = Networks.Task.of(p, "add");
            Networks.Task subtract = Networks.Task.of(p, "subtract");
            Networks.Task own = g == plus ? add : subtract;
            Networks.Task other = g == plus ? subtract : add;
            Forward.Result fwd = NetworkForward.run(network, own.dataset(), java.util.stream.IntStream.range(0, p * p).toArray(),
                    Forward.Hooks.NONE);
            assertEquals(1.0, Forward.accuracy(fwd.logits(), p, own.dataset().labels()), "the network computes its op");

            RecursionAnalyzer a = new FourierAnalyzer();
            a.configureNetwork(settings(1), network.config(), own.spec());
            AnalysisResult r = a.analyze(context(settings(1), network, own, ModelSeries.Series.EMPTY, null));
            double[] logits = r.tensors().get("logits.share").toDoubles();
            assertArrayEquals(new double[] {0, 0, 1}, logits, 1e-12);
            assertArrayEquals(new double[] {1.0 / p, 2.0 / p, 2.0 / p}, r.tensors().get("W_E.share").toDoubles(), 1e-12);
            assertEquals(2.0 / p, r.scalars().get("embedding_top_k_share"), 1e-12);
            assertEquals(r.scalars().get("uniform_top_k"), r.scalars().get("embedding_top_k_share"), 1e-12);
            assertEquals(1, r.scalars().get("logit_structured_share"), 1e-12);
            assertTrue(r.tables().get("fourier").rows().stream().allMatch(row -> row.get(0).equals(-1)), "a model of unknown step");

            AnalysisResult wrong = new FourierAnalyzer().analyze(context(settings(1), network, other, ModelSeries.Series.EMPTY, null));
            assertEquals(0, wrong.scalars().get("logit_structured_share"), 1e-12);
        }
    }

    @Test
    void refuses_tasks_and_networks_it_cannot_read() throws Exception {
        FourierAnalyzer a = new FourierAnalyzer();
        Networks.Task task = Networks.Task.of(7, "add");
        NetworkConfig fits = Networks.config(7, 6, 1, 3, 8);
        a.configureNetwork(settings(3), fits, task.spec());
        InvalidSettingException k = assertThrows(InvalidSettingException.class,
                () -> a.configureNetwork(settings(4), fits, task.spec()));
        assertEquals("k", k.setting());
        InvalidSettingException vocabulary = assertThrows(InvalidSettingException.class,
                () -> a.configureNetwork(settings(1), Networks.config(11, 6, 1, 3, 8), task.spec()));
        assertTrue(vocabulary.getMessage().contains("d_vocab = 12"), vocabulary.getMessage());
        NetworkConfig extraToken = new NetworkConfig(NetworkConfig.TRANSFORMER, 9, 7, 3, 6, 1, 1, 3, 8, false, "relu", null, 1e-5, 1,
                "float64", null);
        assertThrows(InvalidSettingException.class, () -> a.configureNetwork(settings(1), extraToken, task.spec()));
        NetworkConfig shortContext = new NetworkConfig(NetworkConfig.TRANSFORMER, 8, 7, 2, 6, 1, 1, 3, 8, false, "relu", null, 1e-5, 1,
                "float64", null);
        assertThrows(InvalidSettingException.class, () -> a.configureNetwork(settings(1), shortContext, task.spec()));
        InvalidSettingException inContext = assertThrows(InvalidSettingException.class,
                () -> a.configureNetwork(settings(1), fits, new TaskSpec(TaskSpec.CLASSIFICATION, 5, 3, 8)));
        assertTrue(inContext.getMessage().contains("'modulus'"), inContext.getMessage());
        assertThrows(InvalidSettingException.class, () -> a.configure(settings(1), null, new TaskSpec(TaskSpec.CLASSIFICATION, 5, 3, 8)));
    }

    @Test
    void registered_for_transformers_with_its_outputs_and_undefined_logit_scalars() throws Exception {
        ContributionDescriptor d = Networks.installed("fourier");
        assertEquals(Map.of("k", 5L, "coverage", 0.8), d.resolve(Map.of()).asMap());
        assertEquals(List.of("table", "scalars", "tensors"), d.outputs().stream().map(ContributionDescriptor.Output::kind).toList());
        assertEquals(List.of("embedding_top_k_share", "logit_top_k_share"), d.headlines().stream().map(h -> h.scalar()).toList());
        assertTrue(d.mayBeUndefined("logit_top_k_share") && !d.mayBeUndefined("embedding_top_k_share"));
        Networks.Task task = Networks.Task.of(7, "multiply");
        NetworkModel wave = embeddingWave(7, 1, new SplittableRandom(8));
        AnalysisResult r = d.create(RecursionAnalyzer.class).analyze(context(d.resolve(Map.of("k", "2")), wave, task,
                ModelSeries.Series.EMPTY, null));
        Networks.assertDeclared(d, r);
    }
}
