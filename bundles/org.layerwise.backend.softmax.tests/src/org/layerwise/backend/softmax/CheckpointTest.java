package org.layerwise.backend.softmax;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.eclipse.core.runtime.OperationCanceledException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.layerwise.core.BackendContext;
import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingCheckpoints;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.symmetry.RandomConjugation;
import org.layerwise.symmetry.ReynoldsProjection;
import org.layerwise.symmetry.TiedCommutant;
import org.layerwise.tasks.LinearTask;
import org.layerwise.testing.MemoryCheckpoints;
import org.layerwise.testing.RecordingMonitor;

/**
 * Training state saved and resumed: a run cancelled (or crashed after a save) and resumed
 * ends with the weights and curves, bit for bit, of the run that was never interrupted.
 */
class CheckpointTest {

    /**
     * One pipeline's task (linear, d, C, N) and backend stage with its enforcer; build() trains
     * it with a store and a monitor.
     */
    record Run(Map<String, Object> settings, SymmetryEnforcer enforcer, Settings enforcerSettings, TaskSpec task) {

        static Run of(String engine, String parameterization, SymmetryEnforcer enforcer, Map<String, Object> overrides) {
            return of(SoftmaxAttentionGraphTest.D, SoftmaxAttentionGraphTest.C, SoftmaxAttentionGraphTest.N, engine, parameterization,
                    enforcer, overrides);
        }

        static Run of(int d, int classes, int n, String engine, String parameterization, SymmetryEnforcer enforcer,
                Map<String, Object> overrides) {
            Map<String, Object> m = new HashMap<>(Map.ofEntries(Map.entry("layers", 2L), Map.entry("heads", 2L),
                    Map.entry("keys", "context"), Map.entry("parameterization", parameterization),
                    Map.entry("d_head", "factored".equals(parameterization) ? 3L : 0L), Map.entry("steps", 40L),
                    Map.entry("batch", 32L), Map.entry("lr", 0.01), Map.entry("beta1", 0.9), Map.entry("beta2", 0.999),
                    Map.entry("eps", 1e-8), Map.entry("init_scale", 0.1), Map.entry("dtype", "float32"),
                    Map.entry("threads", 2L), Map.entry("nd4j_threads", 1L), Map.entry("engine", engine),
                    Map.entry("schedule", "cosine"), Map.entry("weight_decay", 0.01), Map.entry("checkpoint_every", 0L)));
            m.putAll(overrides);
            Settings es = Settings.of(enforcer instanceof RandomConjugation ? Map.of("factor", "both") : Map.of());
            return new Run(m, enforcer, es, new TaskSpec(TaskSpec.CLASSIFICATION, d, classes, n));
        }

        /** A regression run (RegressionTest's prompts, d features and d targets), without an enforcer. */
        static Run regression(int d, int n, String engine, String parameterization, Map<String, Object> overrides) {
            Run r = of(d, d, n, engine, parameterization, null, overrides);
            return new Run(r.settings, null, r.enforcerSettings, new TaskSpec(TaskSpec.REGRESSION, d, d, n));
        }

        Run with(String name, Object value) {
            Map<String, Object> m = new HashMap<>(settings);
            m.put(name, value);
            return new Run(m, enforcer, enforcerSettings, task);
        }

        TrainedModel build(TrainingCheckpoints store, TrainingMonitor monitor) throws Exception {
            SoftmaxAttentionBackend backend = new SoftmaxAttentionBackend();
            Settings s = Settings.of(settings);
            ModelConfig c = backend.configure(s, task);
            Settings linear = Settings.of(Map.of("d", (long) task.features(), "C", (long) task.classes(), "N",
                    (long) task.contextSize(), "seed", -1L));
            boolean regression = TaskSpec.REGRESSION.equals(task.kind());
            return backend.build(new BackendContext(s, c, task, (step, size) -> regression
                    ? RegressionTest.prompts(task.features(), task.contextSize(), size, 7000 + step)
                    : new LinearTask().generate(linear, size, 7000 + step), enforcer, enforcerSettings, 11, 12, monitor, store));
        }

        TrainedModel uninterrupted() throws Exception {
            return build(TrainingCheckpoints.NONE, TrainingMonitor.NONE);
        }

        /** Trains until cancelled after {@code k} steps; returns the state saved at the cancel. */
        TrainingCheckpoints.TrainingState cancelAfter(MemoryCheckpoints store, int k) throws Exception {
            RecordingMonitor m = new RecordingMonitor(k);
            assertThrows(OperationCanceledException.class, () -> build(store, m));
            assertEquals(k, store.latest().step(), "the state after the last completed step is saved at the cancel");
            return store.latest();
        }
    }

    /** Weights (every QK and OV, as bit patterns), both curves and divergence equal. */
    static void assertSameTraining(TrainedModel expected, TrainedModel actual, String what) {
        ModelConfig c = expected.model().config();
        for (int l = 0; l < c.nLayers(); l++) {
            for (int h = 0; h < c.nHeads(); h++) {
                assertArrayEquals(bits(expected.model().qk(l, h)), bits(actual.model().qk(l, h)), what + ": QK " + l + "," + h);
                assertArrayEquals(bits(expected.model().ov(l, h)), bits(actual.model().ov(l, h)), what + ": OV " + l + "," + h);
            }
        }
        if (expected.model().factors() != null) {
            for (int i = 0; i < c.nLayers() * c.nHeads(); i++) {
                assertArrayEquals(bits(expected.model().factors().wo()[i]), bits(actual.model().factors().wo()[i]), what + ": W_O " + i);
                assertArrayEquals(bits(expected.model().factors().wq()[i]), bits(actual.model().factors().wq()[i]), what + ": W_Q " + i);
            }
        }
        assertArrayEquals(bits(expected.lossCurve()), bits(actual.lossCurve()), what + ": loss curve");
        assertArrayEquals(bits(expected.accuracyCurve()), bits(actual.accuracyCurve()), what + ": accuracy curve");
        assertEquals(expected.diverged(), actual.diverged(), what + ": diverged");
    }

    static long[] bits(double[] a) {
        long[] b = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Double.doubleToRawLongBits(a[i]);
        }
        return b;
    }

    /** Cancel after k1, resume, cancel after k2, resume to the end; the monitor sees every step once, in order. */
    static void assertResumesExactly(Run run, long seed) throws Exception {
        int steps = ((Long) run.settings().get("steps")).intValue();
        TrainedModel reference = run.uninterrupted();
        SplittableRandom rng = new SplittableRandom(seed);
        int k1 = rng.nextInt(1, steps - 1);
        int k2 = rng.nextInt(k1 + 1, steps);
        MemoryCheckpoints store = new MemoryCheckpoints();
        run.cancelAfter(store, k1);
        run.cancelAfter(store, k2);
        RecordingMonitor rest = new RecordingMonitor(0);
        TrainedModel resumed = run.build(store, rest);
        assertSameTraining(reference, resumed, "cancelled after " + k1 + " and " + k2 + " of " + steps + " steps");
        assertEquals(k2 + 1, rest.steps().get(0), "the monitor's steps continue after the resumed one");
        assertEquals(steps, rest.steps().get(rest.steps().size() - 1));
        assertEquals(steps - k2, rest.steps().size());
        assertEquals(k2, resumed.facts().get("resumed_from_step"));
        assertNull(reference.facts().get("resumed_from_step"));
        assertEquals(steps, store.latest().step(), "the final state is saved when training ends");
        assertNull(store.changedArray(), "the saved arrays are copies");
    }

    @Test
    void regression_training_resumes_bit_identical_after_cancels_on_both_engines() throws Exception {
        assertResumesExactly(Run.regression(3, 8, "fused", "merged", Map.of()), 21);
        assertResumesExactly(Run.regression(3, 8, "fused", "factored", Map.of()), 22);
        assertResumesExactly(Run.regression(3, 8, "nd4j", "merged", Map.of("steps", 12L)), 23);
    }

    @Test
    void fused_merged_training_with_random_conjugation_resumes_bit_identical_after_cancels() throws Exception {
        Run run = Run.of("fused", "merged", new RandomConjugation(), Map.of());
        assertResumesExactly(run, 1);
        assertResumesExactly(run.with("threads", 1L).with("steps", 25L), 2);
    }

    @Test
    void an_uninterrupted_run_that_saves_every_step_trains_exactly_as_one_that_saves_nothing() throws Exception {
        for (Run run : new Run[] {Run.of("fused", "merged", new RandomConjugation(), Map.of()),
                Run.of("fused", "merged", new TiedCommutant(), Map.of()),
                Run.of("fused", "factored", new RandomConjugation(), Map.of())}) {
            TrainedModel none = run.uninterrupted();
            MemoryCheckpoints store = new MemoryCheckpoints();
            TrainedModel saving = run.with("checkpoint_every", 1L).build(store, TrainingMonitor.NONE);
            assertSameTraining(none, saving, run.settings().get("parameterization") + " " + run.enforcer().getClass().getSimpleName());
            assertEquals(40, store.saved().size(), "one state per step, the last one also the final state");
            for (int k = 0; k < 40; k++) {
                assertEquals(k + 1, store.saved().get(k).step());
                assertEquals(k + 1, store.saved().get(k).arrays().get("loss").size());
            }
            TrainedModel timed = run.build(new MemoryCheckpoints(), TrainingMonitor.NONE);
            assertSameTraining(none, timed, "time-based saving");
        }
    }

    /**
     * checkpoint_every = 4, cancelled after 17 steps (states at 4, 8, 12, 16, 17); the process
     * then "crashed" so that the store holds an earlier state: resuming from each of them ends
     * where the uninterrupted run does.
     */
    @Test
    void tied_projected_and_factored_training_resume_from_earlier_saved_states() throws Exception {
        for (Run run : new Run[] {Run.of("fused", "merged", new TiedCommutant(), Map.of("checkpoint_every", 4L)),
                Run.of("nd4j", "merged", new TiedCommutant(), Map.of("checkpoint_every", 4L, "dtype", "float64")),
                Run.of("fused", "merged", new ReynoldsProjection(), Map.of("checkpoint_every", 4L)),
                Run.of("fused", "factored", new RandomConjugation(), Map.of("checkpoint_every", 4L)),
                Run.of("fused", "factored", new RandomConjugation(), Map.of("checkpoint_every", 4L, "schedule", "constant",
                        "d_head", 2L))}) {
            String what = run.settings().get("parameterization") + " " + run.enforcer().getClass().getSimpleName() + " "
                    + run.settings().get("dtype") + " d_head " + run.settings().get("d_head");
            TrainedModel reference = run.uninterrupted();
            MemoryCheckpoints store = new MemoryCheckpoints();
            run.cancelAfter(store, 17);
            List<Integer> savedAt = store.saved().stream().map(TrainingCheckpoints.TrainingState::step).toList();
            assertEquals(List.of(4, 8, 12, 16, 17), savedAt, what);
            for (TrainingCheckpoints.TrainingState earlier : List.copyOf(store.saved())) {
                MemoryCheckpoints crashed = new MemoryCheckpoints();
                crashed.resumeFrom(earlier);
                RecordingMonitor m = new RecordingMonitor(0);
                TrainedModel resumed = run.build(crashed, m);
                assertSameTraining(reference, resumed, what + ", resumed from step " + earlier.step());
                assertEquals(earlier.step() + 1, m.steps().get(0), what);
            }
            // the saved arrays are copies: training on after a save leaves the saved state as it was
            assertNull(store.changedArray(), "the saved arrays are copies");
            assertNotEquals(store.saved().get(0).arrays().get("theta.0"), store.saved().get(4).arrays().get("theta.0"), what);
        }
    }

    @Test
    void the_saved_state_names_its_arrays_and_records_the_layout() throws Exception {
        MemoryCheckpoints store = new MemoryCheckpoints();
        Run.of("fused", "factored", new RandomConjugation(), Map.of("checkpoint_every", 5L, "steps", 10L)).build(store,
                TrainingMonitor.NONE);
        TrainingCheckpoints.TrainingState s = store.saved().get(0);
        assertEquals(5, s.step());
        int arrays = 4 * 4; // 2 layers x 2 heads, W_Q, W_K, W_V, W_O each
        for (int i = 0; i < arrays; i++) {
            assertEquals(7 * 3, s.array("theta." + i).size(), "D x d_head or d_head x D");
            assertEquals(7 * 3, s.array("adam.m." + i).size());
            assertEquals(7 * 3, s.array("adam.v." + i).size());
        }
        assertNull(s.arrays().get("theta." + arrays));
        assertEquals(arrays, s.array("layout").size());
        assertArrayEquals(new long[] {5}, s.array("adam.t").toLongs());
        assertEquals(5, s.array("loss").size());
        assertEquals(5, s.array("accuracy").size());
        assertNull(s.arrays().get("qk.0"), "factored matrices follow from the factors");
        MemoryCheckpoints tied = new MemoryCheckpoints();
        Run.of("fused", "merged", new TiedCommutant(), Map.of("checkpoint_every", 5L, "steps", 5L)).build(tied, TrainingMonitor.NONE);
        assertEquals(6, tied.saved().get(0).array("theta.0").size(), "six commutant scalars");
        assertEquals(49, tied.saved().get(0).array("qk.3").size(), "tied: the engines' matrices too");
    }

    @Test
    void nd4j_training_is_deterministic_and_resumes_bit_identical() throws Exception {
        Run run = Run.of("nd4j", "merged", new RandomConjugation(), Map.of("steps", 20L, "layers", 2L, "heads", 1L));
        assertSameTraining(run.uninterrupted(), run.uninterrupted(), "two uninterrupted ND4J runs");
        Run omp2 = run.with("nd4j_threads", 2L).with("batch", 256L);
        assertSameTraining(omp2.uninterrupted(), omp2.uninterrupted(), "two uninterrupted ND4J runs, 2 OMP threads");
        assertResumesExactly(run, 3);
        Run f64 = run.with("dtype", "float64").with("parameterization", "factored").with("d_head", 3L);
        assertResumesExactly(f64, 4);
    }

    @Test
    void a_state_saved_by_a_model_of_another_shape_is_refused_naming_the_array() throws Exception {
        Run run = Run.of("fused", "factored", new RandomConjugation(), Map.of("checkpoint_every", 5L));
        MemoryCheckpoints store = new MemoryCheckpoints();
        run.cancelAfter(store, 7);

        MemoryCheckpoints other = new MemoryCheckpoints();
        other.resumeFrom(store.latest());
        RecordingMonitor m = new RecordingMonitor(0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> run.with("d_head", 2L).build(other, m));
        assertTrue(e.getMessage().contains("'theta.0'") && e.getMessage().contains("21") && e.getMessage().contains("14"),
                e.getMessage());
        assertTrue(e.getMessage().startsWith("cannot resume training"), e.getMessage());

        e = assertThrows(IllegalStateException.class, () -> run.with("layers", 3L).build(other, m));
        assertTrue(e.getMessage().contains("'layout'") && e.getMessage().contains("16") && e.getMessage().contains("24"),
                e.getMessage());

        e = assertThrows(IllegalStateException.class, () -> run.with("parameterization", "merged").with("d_head", 0L).build(other, m));
        assertTrue(e.getMessage().contains("'layout'"), e.getMessage());

        e = assertThrows(IllegalStateException.class, () -> run.with("steps", 6L).build(other, m));
        assertTrue(e.getMessage().contains("step 7") && e.getMessage().contains("6 steps"), e.getMessage());

        Map<String, org.layerwise.core.Tensor> arrays = new HashMap<>(store.latest().arrays());
        arrays.put("adam.v.3", org.layerwise.core.Tensor.of(new double[14], 14));
        other.resumeFrom(new TrainingCheckpoints.TrainingState(7, arrays));
        e = assertThrows(IllegalStateException.class, () -> run.build(other, m));
        assertTrue(e.getMessage().contains("'adam.v.3'"), e.getMessage());

        arrays.remove("adam.v.3");
        other.resumeFrom(new TrainingCheckpoints.TrainingState(7, arrays));
        e = assertThrows(IllegalStateException.class, () -> run.build(other, m));
        assertTrue(e.getMessage().contains("'adam.v.3'"), e.getMessage());
        assertTrue(m.steps().isEmpty(), "nothing trained");
    }

    @Test
    void a_state_after_the_last_step_returns_the_trained_model_without_a_step() throws Exception {
        Run run = Run.of("fused", "merged", new RandomConjugation(), Map.of());
        MemoryCheckpoints store = new MemoryCheckpoints();
        TrainedModel trained = run.build(store, TrainingMonitor.NONE);
        assertEquals(40, store.latest().step());
        int saves = store.saved().size();
        RecordingMonitor m = new RecordingMonitor(0);
        TrainedModel again = run.build(store, m);
        assertTrue(m.steps().isEmpty(), "no step computed: " + m.steps());
        assertSameTraining(trained, again, "resumed after the last step");
        assertEquals(40, again.facts().get("resumed_from_step"));
        assertFalse(again.facts().containsKey("steps_per_second"));
        assertEquals(saves, store.saved().size(), "nothing new to save");
        assertNotNull(again.facts().get("engine"));
    }

    @Test
    void a_state_of_a_run_that_diverged_returns_the_diverged_model() throws Exception {
        Run run = Run.of("fused", "merged", new RandomConjugation(), Map.of("steps", 10L));
        MemoryCheckpoints store = new MemoryCheckpoints();
        TrainedModel trained = run.build(store, TrainingMonitor.NONE);
        // a state as the loop saves it when step 6's loss is not finite: 6 optimizer steps, 7 losses
        TrainingCheckpoints.TrainingState at6 = null;
        MemoryCheckpoints every = new MemoryCheckpoints();
        run.with("checkpoint_every", 1L).build(every, TrainingMonitor.NONE);
        at6 = every.saved().get(5);
        Map<String, org.layerwise.core.Tensor> arrays = new HashMap<>(at6.arrays());
        double[] loss = java.util.Arrays.copyOf(trained.lossCurve(), 7);
        loss[6] = Double.NaN;
        arrays.put("loss", org.layerwise.core.Tensor.of(loss, 7));
        arrays.put("accuracy", org.layerwise.core.Tensor.of(java.util.Arrays.copyOf(trained.accuracyCurve(), 7), 7));
        store.resumeFrom(new TrainingCheckpoints.TrainingState(6, arrays));
        RecordingMonitor m = new RecordingMonitor(0);
        TrainedModel resumed = run.build(store, m);
        assertTrue(resumed.diverged());
        assertEquals(7, resumed.lossCurve().length);
        assertTrue(m.steps().isEmpty());
    }

    /**
     * Cost of saving, quickstart shape (d = 8, C = 4, L = 4, H = 1, 6000 steps of curves): one
     * state built, and 300 steps with checkpoint_every = 1 against 0 (time-based). A measurement,
     * not a check: skipped unless -Dlayerwise.bench=true is in the test JVM's argLine.
     */
    @Test
    @EnabledIfSystemProperty(named = "layerwise.bench", matches = "true")
    void benchmark() throws Exception {
        // quickstart-sized state: D = 12, 4 heads of free QK and OV, curves of 6000 steps
        ModelConfig c = org.layerwise.testing.Fixtures.config(8, 4, 32, 4, 1, ModelConfig.Attention.SOFTMAX,
                ModelConfig.Keys.CONTEXT, "float32");
        SoftmaxAttentionBackend.Parameters params = new SoftmaxAttentionBackend.Parameters(
                SoftmaxAttentionBackend.initialModel(c, 0.02, 1), false);
        SoftmaxAttentionBackend.Adam adam = new SoftmaxAttentionBackend.Adam(0.9, 0.999, 1e-8, 0, params.theta);
        double[] curve = new double[6000];
        long[] nanos = new long[2000];
        for (int rep = 0; rep < nanos.length; rep++) {
            long t0 = System.nanoTime();
            TrainingCheckpoints.TrainingState s = org.layerwise.core.TrainingLoop.state(6000, into -> {
                params.save(into);
                adam.save(into);
            }, curve, curve, 6000);
            nanos[rep] = System.nanoTime() - t0;
            if (s.step() != 6000) {
                throw new AssertionError();
            }
        }
        java.util.Arrays.sort(nanos);
        System.out.printf("CheckpointTest.benchmark: one state of the quickstart model (6000 steps of curves), %d times: best %.1f us,"
                + " median %.1f us%n", nanos.length, nanos[0] / 1e3, nanos[nanos.length / 2] / 1e3);
        Run run = Run.of(8, 4, 32, "fused", "merged", new RandomConjugation(), Map.of("steps", 300L, "layers", 4L, "heads", 1L,
                "batch", 128L));
        double[] best = new double[2];
        for (int rep = 0; rep < 4; rep++) { // alternating, best of each: the machine is shared
            for (int every = 0; every <= 1; every++) {
                MemoryCheckpoints store = new MemoryCheckpoints();
                long t0 = System.nanoTime();
                run.with("checkpoint_every", (long) every).build(store, TrainingMonitor.NONE);
                double rate = 300 / ((System.nanoTime() - t0) / 1e9);
                best[every] = Math.max(best[every], rate);
                System.out.printf("CheckpointTest.benchmark: 300 steps, checkpoint_every %d: %.1f steps/s, %d states saved%n", every,
                        rate, store.saved().size());
            }
        }
        System.out.printf("CheckpointTest.benchmark: best steps/s, checkpoint_every 1 / 0 = %.1f / %.1f = %.3f%n", best[1], best[0],
                best[1] / best[0]);
    }
}
