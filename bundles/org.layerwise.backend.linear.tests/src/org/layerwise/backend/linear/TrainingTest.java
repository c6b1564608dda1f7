package org.layerwise.backend.linear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.core.runtime.OperationCanceledException;
import org.junit.jupiter.api.Test;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.ModelSeries;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingCheckpoints;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.testing.MemoryCheckpoints;
import org.layerwise.testing.RecordingMonitor;

/** Settings refused, training state resumed bit for bit, divergence, progress and the series. */
class TrainingTest {

    static final Regression TASK = Regression.of(3, 6, new double[] {1.0, 0.6, 0.3}, 5, 41);

    static long[] bits(double[] a) {
        long[] b = new long[a.length];
        for (int i = 0; i < a.length; i++) {
            b[i] = Double.doubleToRawLongBits(a[i]);
        }
        return b;
    }

    static void assertSameTraining(TrainedModel expected, TrainedModel actual, String what) {
        assertTrue(expected.model().sameWeights(actual.model()), what + ": weights (factors included) bit for bit");
        assertArrayEquals(bits(expected.lossCurve()), bits(actual.lossCurve()), what + ": loss curve");
        assertEquals(expected.diverged(), actual.diverged(), what + ": diverged");
    }

    /** Cancelled after 11 and after 23 of 30 steps, resumed each time: the end is the uninterrupted run's, bit for bit. */
    @Test
    void cancelled_training_resumes_bit_identical() throws Exception {
        for (String parameterization : new String[] {"reduced", "full"}) {
            for (String dtype : new String[] {"float64", "float32"}) {
                Map<String, Object> s = Regression.settings("parameterization", parameterization, "layers", 2L, "steps", 30L,
                        "init", "random", "dtype", dtype);
                String what = parameterization + ", " + dtype;
                TrainedModel reference = TASK.train(s);
                MemoryCheckpoints store = new MemoryCheckpoints();
                for (int k : new int[] {11, 23}) {
                    RecordingMonitor m = new RecordingMonitor(k);
                    assertThrows(OperationCanceledException.class, () -> TASK.train(s, store, m, ModelSeries.Sink.NONE));
                    assertEquals(k, store.latest().step(), what + ": the state after the last completed step is saved at the cancel");
                }
                RecordingMonitor rest = new RecordingMonitor(0);
                TrainedModel resumed = TASK.train(s, store, rest, ModelSeries.Sink.NONE);
                assertSameTraining(reference, resumed, what);
                assertEquals(List.of(24, 25, 26, 27, 28, 29, 30), rest.steps(), what + ": progress continues after the resumed step");
                assertEquals(23, resumed.facts().get("resumed_from_step"));
                assertNull(reference.facts().get("resumed_from_step"));
                assertEquals(30, store.latest().step(), what + ": the final state is saved when training ends");
                RecordingMonitor none = new RecordingMonitor(0);
                assertSameTraining(reference, TASK.train(s, store, none, ModelSeries.Sink.NONE), what + ", resumed after the end");
                assertTrue(none.steps().isEmpty(), what + ": nothing left to train");
            }
        }
    }

    /** A state saved by the other parameterization is refused, naming the array. */
    @Test
    void a_state_of_another_parameterization_is_refused() throws Exception {
        MemoryCheckpoints store = new MemoryCheckpoints();
        TASK.train(Regression.settings("parameterization", "full", "steps", 3L), store, TrainingMonitor.NONE, ModelSeries.Sink.NONE);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> TASK.train(Regression.settings("steps", 3L), store, TrainingMonitor.NONE, ModelSeries.Sink.NONE));
        assertTrue(e.getMessage().contains("'theta.0'"), e.getMessage());
    }

    /** A huge eta diverges: the loss curve ends at the first non-finite loss, resume returns the same. */
    @Test
    void huge_eta_diverges() throws Exception {
        for (Map<String, Object> s : List.of(Regression.settings("parameterization", "full", "eta", 1e4, "steps", 50L),
                Regression.settings("eta", 1e4, "steps", 50L, "init_scale", 1.0),
                Regression.settings("gradient", "expected", "eta", 1e4, "steps", 50L, "init_scale", 1.0))) {
            MemoryCheckpoints store = new MemoryCheckpoints();
            TrainedModel m = TASK.train(s, store, TrainingMonitor.NONE, ModelSeries.Sink.NONE);
            assertTrue(m.diverged(), s.toString());
            double[] curve = m.lossCurve();
            assertTrue(curve.length < 50 && !Double.isFinite(curve[curve.length - 1]), "curve of " + curve.length);
            for (int i = 0; i < curve.length - 1; i++) {
                assertTrue(Double.isFinite(curve[i]));
            }
            assertSameTraining(m, TASK.train(s, store, TrainingMonitor.NONE, ModelSeries.Sink.NONE), "resumed after divergence");
        }
    }

    /** Every step is reported once, accuracy NaN; the series keeps the steps its schedule names; facts name the choices. */
    @Test
    void progress_series_and_facts() throws Exception {
        RecordingMonitor monitor = new RecordingMonitor(0);
        List<Integer> kept = new ArrayList<>();
        List<TransformerModel> models = new ArrayList<>();
        TrainedModel m = TASK.train(Regression.settings("steps", 12L, "checkpoints", "every:5"), TrainingCheckpoints.NONE, monitor,
                (step, model) -> {
                    kept.add(step);
                    models.add(model);
                });
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12), monitor.steps());
        assertTrue(monitor.accuracies().stream().allMatch(a -> Double.isNaN(a)));
        assertEquals(List.of(0, 5, 10, 12), kept);
        assertTrue(models.get(3).sameWeights(m.model()), "the last checkpoint is the trained model");
        assertFalse(models.get(0).sameWeights(m.model()), "checkpoints are not changed by later steps");
        assertEquals(0.05, m.facts().get("eta"));
        assertEquals(0.05 / 5, (Double) m.facts().get("eta_section9"), 1e-15);
        assertTrue(m.facts().get("parameterization").toString().startsWith("reduced"));
        assertTrue(m.facts().get("gradient").toString().startsWith("sampled"));
        assertTrue(m.facts().get("engine").toString().contains("Vector API"), "run.json says which kernel ran: " + m.facts().get("engine"));
    }

    /** Training lowers the loss (sampled, both parameterizations). */
    @Test
    void training_learns() throws Exception {
        for (String parameterization : new String[] {"reduced", "full"}) {
            double[] c = TASK.train(Regression.settings("parameterization", parameterization, "steps", 300L, "eta", 0.1)).lossCurve();
            double first = 0;
            double last = 0;
            for (int i = 0; i < 20; i++) {
                first += c[i];
                last += c[c.length - 1 - i];
            }
            assertTrue(last < 0.8 * first, parameterization + ": loss " + first / 20 + " -> " + last / 20);
        }
    }

    @Test
    void configure_declares_the_model_and_refuses_what_it_cannot_train() throws Exception {
        ModelConfig reduced = TASK.configure(Regression.settings());
        assertEquals(new ModelConfig(3, 3, 6, 1, 1, ModelConfig.Attention.LINEAR, ModelConfig.Keys.ALL, "factored", 3, "float64",
                TaskSpec.REGRESSION), reduced);
        ModelConfig full = TASK.configure(Regression.settings("parameterization", "full", "layers", 3L, "dtype", "float32"));
        assertEquals(new ModelConfig(3, 3, 6, 3, 1, ModelConfig.Attention.LINEAR, ModelConfig.Keys.ALL, "merged", 6, "float32",
                TaskSpec.REGRESSION), full);
        LinearAttentionBackend backend = new LinearAttentionBackend();
        assertRefused(backend, Regression.settings(), new TaskSpec(TaskSpec.CLASSIFICATION, 3, 3, 6), "classification");
        assertRefused(backend, Regression.settings(), new TaskSpec(TaskSpec.REGRESSION, 3, 2, 6, TASK.task().structure()), "width 2");
        assertRefused(backend, Regression.settings(), new TaskSpec(TaskSpec.REGRESSION, 3, 3, 6), "no 'U'");
        assertRefused(backend, Regression.settings(), new TaskSpec(TaskSpec.REGRESSION, 3, 3, 6,
                Map.of("U", new double[] {1, 0, 0, 0, 1, 0, 0, 0, 2})), "not orthonormal");
        assertRefused(backend, Regression.settings("gradient", "expected", "parameterization", "full"), TASK.task(), "reduced");
        assertRefused(backend, Regression.settings("gradient", "expected", "layers", 2L), TASK.task(), "one layer");
        assertRefused(backend, Regression.settings("gradient", "expected"), new TaskSpec(TaskSpec.REGRESSION, 3, 3, 6,
                Map.of("U", TASK.u())), "'s'");
        assertRefused(backend, Regression.settings("checkpoints", "log:1"), TASK.task(), "log:K needs K >= 2");
        new LinearAttentionBackend().configure(Settings.of(Regression.settings("parameterization", "full")),
                new TaskSpec(TaskSpec.REGRESSION, 3, 3, 6));
        assertTrue(backend.memoryEstimate(Settings.of(Regression.settings()), reduced) > 32 * 7 * 6 * 8);
    }

    static void assertRefused(LinearAttentionBackend backend, Map<String, Object> settings, TaskSpec task, String says) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> backend.configure(Settings.of(settings), task));
        assertTrue(e.getMessage().contains(says), e.getMessage());
    }
}
