package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.core.runtime.OperationCanceledException;
import org.junit.jupiter.api.Test;
import org.layerwise.core.BackendContext;
import org.layerwise.core.ModelSeries;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.TrainingCheckpoints;
import org.layerwise.core.TrainingCheckpoints.TrainingState;
import org.layerwise.core.TrainingLoop;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.testing.Fixtures;
import org.layerwise.testing.MemoryCheckpoints;
import org.layerwise.testing.RecordingMonitor;

class TrainingLoopTest {

    static final ModelConfig CONFIG = Fixtures.config(1, 1, 1, 1, 1, ModelConfig.Attention.SOFTMAX, ModelConfig.Keys.CONTEXT,
            "float64");

    /** One parameter w: step k's loss is w (NaN at step nanAt), its accuracy k / 10, its update w = w / 2 + k + 1. */
    static final class Toy implements TrainingLoop.Trainee {
        final double[] w = {1};
        final int nanAt;
        final List<Integer> computed = new ArrayList<>();

        Toy(int nanAt) {
            this.nanAt = nanAt;
        }

        @Override
        public TrainingLoop.Step step(int step) {
            computed.add(step);
            return new TrainingLoop.Step(step == nanAt ? Double.NaN : w[0], step / 10.0, () -> w[0] = w[0] / 2 + step + 1);
        }

        @Override
        public TransformerModel model() {
            double[] qk = new double[4];
            qk[0] = w[0];
            return new TransformerModel(CONFIG, new double[][] {qk}, new double[][] {new double[4]});
        }

        @Override
        public void save(Map<String, Tensor> into) {
            into.put("w", TrainingState.copyOf(w));
        }

        @Override
        public void restore(TrainingState state) throws IOException {
            state.copyInto("w", 1, w);
        }
    }

    /** w after {@code k} steps of an uninterrupted run. */
    static double w(int k) {
        double w = 1;
        for (int i = 0; i < k; i++) {
            w = w / 2 + i + 1;
        }
        return w;
    }

    static BackendContext context(int steps, int checkpointEvery, String series, TrainingMonitor monitor,
            TrainingCheckpoints store, ModelSeries.Sink sink) {
        Settings s = Settings.of(Map.of("steps", (long) steps, "checkpoint_every", (long) checkpointEvery, "checkpoints", series));
        return new BackendContext(s, CONFIG, new TaskSpec(TaskSpec.CLASSIFICATION, 1, 1, 1), (step, size) -> null, null, null, 1, 2,
                monitor, store, sink);
    }

    static TrainingLoop.Result run(BackendContext ctx, Toy toy, Map<String, Object> facts) {
        return new TrainingLoop(ctx, facts).withAccuracy().run(toy);
    }

    @Test
    void trains_every_step_reports_progress_and_saves_at_the_cadence_and_at_the_end() throws Exception {
        MemoryCheckpoints store = new MemoryCheckpoints();
        RecordingMonitor monitor = new RecordingMonitor(0);
        Toy toy = new Toy(-1);
        Map<String, Object> facts = new LinkedHashMap<>();
        TrainingLoop.Result r = run(context(7, 3, "none", monitor, store, null), toy, facts);
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), toy.computed);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), monitor.steps());
        assertEquals(List.of(0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6), monitor.accuracies());
        for (int k = 0; k < 7; k++) {
            assertEquals(w(k), r.losses()[k], "the loss of step " + k + " is w before its update");
        }
        assertEquals(w(7), toy.w[0]);
        assertFalse(r.diverged());
        assertEquals(List.of(3, 6, 7), store.saved().stream().map(TrainingState::step).toList(), "every 3 steps, and the final state");
        TrainingState last = store.latest();
        assertArrayEquals(r.losses(), last.array("loss").toDoubles());
        assertArrayEquals(r.accuracies(), last.array("accuracy").toDoubles());
        assertEquals(w(7), last.array("w").toDoubles()[0]);
        assertEquals(w(3), store.saved().get(0).array("w").toDoubles()[0], "a saved state does not follow later steps");
        assertNull(store.changedArray());
        assertEquals(List.of("dtype", "steps_per_second"), List.copyOf(facts.keySet()));
        assertEquals(7, r.timedSteps(), "no warm-up: every step timed");
    }

    @Test
    void a_run_that_ends_on_a_saved_step_is_not_saved_twice() throws Exception {
        MemoryCheckpoints store = new MemoryCheckpoints();
        run(context(6, 3, "none", TrainingMonitor.NONE, store, null), new Toy(-1), new HashMap<>());
        assertEquals(List.of(3, 6), store.saved().stream().map(TrainingState::step).toList());
    }

    @Test
    void cancel_at_step_k_saves_the_state_after_k_steps_and_throws() throws Exception {
        MemoryCheckpoints store = new MemoryCheckpoints();
        Toy toy = new Toy(-1);
        assertThrows(OperationCanceledException.class,
                () -> run(context(10, 4, "none", new RecordingMonitor(6), store, null), toy, new HashMap<>()));
        assertEquals(List.of(0, 1, 2, 3, 4, 5), toy.computed, "no step after the cancel");
        assertEquals(List.of(4, 6), store.saved().stream().map(TrainingState::step).toList());
        assertEquals(w(6), store.latest().array("w").toDoubles()[0]);
        assertEquals(6, store.latest().array("loss").size());

        // cancelled again right after resuming: the state resumed from is not saved again
        assertThrows(OperationCanceledException.class, () -> run(context(10, 4, "none", () -> true, store, null), new Toy(-1),
                new HashMap<>()));
        assertEquals(2, store.saved().size());
    }

    @Test
    void resume_from_a_state_continues_at_its_step_and_ends_as_the_uninterrupted_run() throws Exception {
        TrainingLoop.Result reference = run(context(10, 0, "none", TrainingMonitor.NONE, TrainingCheckpoints.NONE, null), new Toy(-1),
                new HashMap<>());
        MemoryCheckpoints store = new MemoryCheckpoints();
        assertThrows(OperationCanceledException.class,
                () -> run(context(10, 0, "none", new RecordingMonitor(4), store, null), new Toy(-1), new HashMap<>()));
        Toy toy = new Toy(-1);
        RecordingMonitor rest = new RecordingMonitor(0);
        Map<String, Object> facts = new LinkedHashMap<>();
        TrainingLoop.Result resumed = new TrainingLoop(context(10, 0, "none", rest, store, null), facts).warmUp(2).withAccuracy()
                .run(toy);
        assertEquals(List.of(4, 5, 6, 7, 8, 9), toy.computed);
        assertEquals(List.of(5, 6, 7, 8, 9, 10), rest.steps());
        assertArrayEquals(reference.losses(), resumed.losses());
        assertArrayEquals(reference.accuracies(), resumed.accuracies());
        assertEquals(w(10), toy.w[0]);
        assertEquals(4, facts.get("resumed_from_step"));
        assertEquals(4, resumed.timedSteps(), "steps 6 .. 9: two warm-up steps after the resumed one");

        // resumed after the last step: nothing trained, nothing saved, no rate
        int saves = store.saved().size();
        Toy again = new Toy(-1);
        Map<String, Object> after = new LinkedHashMap<>();
        TrainingLoop.Result none = run(context(10, 0, "none", TrainingMonitor.NONE, store, null), again, after);
        assertTrue(again.computed.isEmpty());
        assertEquals(w(10), again.w[0], "restored");
        assertArrayEquals(reference.losses(), none.losses());
        assertEquals(saves, store.saved().size());
        assertEquals(List.of("resumed_from_step", "dtype"), List.copyOf(after.keySet()));
    }

    @Test
    void divergence_truncates_the_curves_skips_the_update_and_resumes_as_diverged() throws Exception {
        MemoryCheckpoints store = new MemoryCheckpoints();
        RecordingMonitor monitor = new RecordingMonitor(0);
        Toy toy = new Toy(4);
        TrainingLoop.Result r = run(context(10, 0, "none", monitor, store, null), toy, new HashMap<>());
        assertTrue(r.diverged());
        assertEquals(5, r.losses().length);
        assertEquals(5, r.accuracies().length);
        assertTrue(Double.isNaN(r.losses()[4]));
        assertEquals(w(4), toy.w[0], "the diverged step's update is not applied");
        assertEquals(List.of(1, 2, 3, 4), monitor.steps());
        TrainingState last = store.latest();
        assertEquals(4, last.step(), "4 updates");
        assertEquals(5, last.array("loss").size(), "and 5 losses");

        Toy again = new Toy(-1);
        RecordingMonitor rest = new RecordingMonitor(0);
        TrainingLoop.Result resumed = run(context(10, 0, "none", rest, store, null), again, new HashMap<>());
        assertTrue(resumed.diverged());
        assertArrayEquals(r.losses(), resumed.losses());
        assertTrue(again.computed.isEmpty() && rest.steps().isEmpty(), "nothing left to train");
        assertEquals(1, store.saved().size(), "nothing new to save");
    }

    @Test
    void the_series_takes_the_model_at_the_due_steps() {
        Map<Integer, Double> taken = new LinkedHashMap<>();
        ModelSeries.Sink sink = (step, model) -> taken.put(step, model.qk(0, 0)[0]);
        run(context(10, 0, "every:4", TrainingMonitor.NONE, TrainingCheckpoints.NONE, sink), new Toy(-1), new HashMap<>());
        assertEquals(Map.of(0, w(0), 4, w(4), 8, w(8), 10, w(10)), taken);
        assertEquals(List.of(0, 4, 8, 10), List.copyOf(taken.keySet()));

        // resumed at 5: no step-0 model again, the rest as due
        MemoryCheckpoints store = new MemoryCheckpoints();
        assertThrows(OperationCanceledException.class,
                () -> run(context(10, 0, "none", new RecordingMonitor(5), store, null), new Toy(-1), new HashMap<>()));
        taken.clear();
        run(context(10, 0, "every:4", TrainingMonitor.NONE, store, sink), new Toy(-1), new HashMap<>());
        assertEquals(List.of(8, 10), List.copyOf(taken.keySet()));
        assertEquals(w(8), taken.get(8));
    }

    @Test
    void without_accuracy_the_state_and_the_result_hold_the_loss_only() {
        MemoryCheckpoints store = new MemoryCheckpoints();
        TrainingLoop.Result r = new TrainingLoop(context(3, 0, "none", TrainingMonitor.NONE, store, null), new HashMap<>())
                .run(new Toy(-1));
        assertNull(r.accuracies());
        assertEquals(Map.of("loss", 3, "w", 1), sizes(store.latest()));
    }

    @Test
    void a_state_that_does_not_fit_is_refused_saying_why() {
        MemoryCheckpoints store = new MemoryCheckpoints();
        run(context(5, 0, "none", TrainingMonitor.NONE, store, null), new Toy(-1), new HashMap<>());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> run(context(4, 0, "none", TrainingMonitor.NONE, store, null), new Toy(-1), new HashMap<>()));
        assertEquals("cannot resume training: the saved training state is at step 5 but the run trains 4 steps", e.getMessage());

        Map<String, Tensor> arrays = new HashMap<>(store.latest().arrays());
        arrays.remove("w");
        store.resumeFrom(new TrainingState(5, arrays));
        e = assertThrows(IllegalStateException.class,
                () -> run(context(5, 0, "none", TrainingMonitor.NONE, store, null), new Toy(-1), new HashMap<>()));
        assertTrue(e.getMessage().startsWith("cannot resume training: ") && e.getMessage().contains("'w'"), e.getMessage());

        arrays.put("w", TrainingState.copyOf(new double[1]));
        arrays.put("loss", TrainingState.copyOf(new double[3]));
        store.resumeFrom(new TrainingState(5, arrays));
        e = assertThrows(IllegalStateException.class,
                () -> run(context(5, 0, "none", TrainingMonitor.NONE, store, null), new Toy(-1), new HashMap<>()));
        assertTrue(e.getMessage().contains("'loss' has 3 values, expected 5"), e.getMessage());
    }

    @Test
    void a_warm_up_longer_than_the_run_still_times_the_last_step() {
        Map<String, Object> facts = new HashMap<>();
        TrainingLoop.Result r = new TrainingLoop(context(3, 0, "none", TrainingMonitor.NONE, TrainingCheckpoints.NONE, null), facts)
                .warmUp(5).run(new Toy(-1));
        assertEquals(1, r.timedSteps());
        assertTrue((Double) facts.get("steps_per_second") > 0);
    }

    static Map<String, Integer> sizes(TrainingState s) {
        Map<String, Integer> m = new HashMap<>();
        s.arrays().forEach((k, v) -> m.put(k, v.size()));
        return m;
    }

    /** An evaluation of the toy: its weight, and the weight doubled, after {@code step} updates. */
    static TrainingLoop.Evaluation evaluation(Toy toy, List<Integer> asked) {
        return step -> {
            asked.add(step);
            Map<String, Double> m = new LinkedHashMap<>();
            m.put("w", toy.w[0]);
            m.put("twice_w", 2 * toy.w[0]);
            return m;
        };
    }

    @Test
    void evaluates_on_the_grid_and_after_the_last_step_each_value_that_of_the_model_after_so_many_updates() {
        Toy toy = new Toy(-1);
        List<Integer> asked = new ArrayList<>();
        TrainingLoop.Result r = new TrainingLoop(context(7, 100, "none", TrainingMonitor.NONE, new MemoryCheckpoints(), null),
                new HashMap<>()).withEvaluation(3, evaluation(toy, asked)).run(toy);
        assertEquals(List.of(0, 3, 6, 7), asked);
        assertArrayEquals(new long[] {0, 3, 6, 7}, r.evaluated().steps());
        for (int j = 0; j < 4; j++) {
            int k = (int) r.evaluated().steps()[j];
            assertEquals(w(k), r.evaluated().curve("w")[j], "grid step " + k);
            assertEquals(2 * w(k), r.evaluated().curve("twice_w")[j]);
        }
        assertEquals(6, r.evaluated().firstStepAtLeast("w", w(6)));
        assertEquals(-1, r.evaluated().firstStepAtLeast("w", w(7) + 1));
    }

    @Test
    void a_resumed_run_has_the_same_grid_as_an_uninterrupted_one_without_evaluating_a_step_twice() throws Exception {
        Toy whole = new Toy(-1);
        TrainingLoop.Result expected = new TrainingLoop(context(10, 4, "none", TrainingMonitor.NONE, new MemoryCheckpoints(), null),
                new HashMap<>()).withEvaluation(2, evaluation(whole, new ArrayList<>())).run(whole);

        MemoryCheckpoints store = new MemoryCheckpoints();
        Toy first = new Toy(-1);
        List<Integer> askedFirst = new ArrayList<>();
        assertThrows(OperationCanceledException.class, () -> new TrainingLoop(context(10, 4, "none", new RecordingMonitor(5), store,
                null), new HashMap<>()).withEvaluation(2, evaluation(first, askedFirst)).run(first));
        assertEquals(List.of(0, 2, 4), askedFirst);
        Toy second = new Toy(-1);
        List<Integer> askedSecond = new ArrayList<>();
        TrainingLoop.Result resumed = new TrainingLoop(context(10, 4, "none", TrainingMonitor.NONE, store, null), new HashMap<>())
                .withEvaluation(2, evaluation(second, askedSecond)).run(second);
        assertEquals(List.of(6, 8, 10), askedSecond, "steps 0-4 come from the saved state");
        assertEquals(expected.evaluated(), resumed.evaluated());
    }

    @Test
    void an_evaluation_that_changes_its_names_is_refused() {
        Toy toy = new Toy(-1);
        TrainingLoop.Evaluation fickle = step -> step == 0 ? Map.of("a", 1.0) : Map.of("b", 1.0);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new TrainingLoop(context(4, 100, "none",
                TrainingMonitor.NONE, new MemoryCheckpoints(), null), new HashMap<>()).withEvaluation(2, fickle).run(toy));
        assertTrue(e.getMessage().contains("[b]") && e.getMessage().contains("[a]"), e.getMessage());
    }
}
