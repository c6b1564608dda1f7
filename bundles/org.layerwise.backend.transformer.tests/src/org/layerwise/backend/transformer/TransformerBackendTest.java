package org.layerwise.backend.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.eclipse.core.runtime.OperationCanceledException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.batch.Cli;
import org.layerwise.core.BackendContext;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.core.EvaluatedCurves;
import org.layerwise.core.ModelSeries;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.TokenDataset;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingCheckpoints;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkModel;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.runner.ExitCode;
import org.layerwise.tasks.ModularArithmeticTask;
import org.layerwise.testing.MemoryCheckpoints;
import org.layerwise.testing.RecordingMonitor;

/** The backend as the runner drives it: settings, the training loop, evaluation grid, resume, series, refusals. */
class TransformerBackendTest {

    static final ContributionRegistry REGISTRY = ContributionRegistry.load();

    @TempDir
    Path dir;

    static final Map<String, Object> SMALL = Map.of("d_model", 16L, "heads", 2L, "d_head", 4L, "d_mlp", 32L, "steps", 60L, "lr",
            0.01, "weight_decay", 0.5, "eval_every", 7L, "dtype", "float64");

    /** The backend's defaults with {@code overrides}. */
    static Settings settings(Map<String, Object> overrides) throws Exception {
        Map<String, String> raw = new HashMap<>();
        overrides.forEach((k, v) -> raw.put(k, String.valueOf(v)));
        return REGISTRY.find(Role.BACKEND, "transformer").resolve(raw);
    }

    record Setup(TransformerBackend backend, NetworkConfig config, TaskSpec task, TokenDataset data, Settings settings) {
        BackendContext context(TrainingMonitor monitor, TrainingCheckpoints checkpoints, ModelSeries.Sink sink) {
            return BackendContext.ofNetwork(settings, config, task, data, 11, monitor, checkpoints, sink);
        }
    }

    static Setup setup(Map<String, Object> overrides) throws Exception {
        ModularArithmeticTask t = new ModularArithmeticTask();
        Settings ts = REGISTRY.find(Role.TASK, "modular-arithmetic").resolve(Map.of("p", "7", "train_fraction", "0.5"));
        TaskSpec spec = t.configure(ts);
        Map<String, Object> all = new LinkedHashMap<>(SMALL);
        all.putAll(overrides);
        Settings s = settings(all);
        TransformerBackend b = new TransformerBackend();
        NetworkConfig c = b.configureNetwork(s, spec);
        return new Setup(b, c, spec, t.dataset(ts, 5), s);
    }

    @Test
    void the_evaluation_grid_matches_the_per_step_curve_and_a_resumed_run_ends_bit_identical() throws Exception {
        Setup s = setup(Map.of());
        TrainedModel whole = s.backend().build(s.context(TrainingMonitor.NONE, new MemoryCheckpoints(), null));
        EvaluatedCurves e = whole.evaluated();
        assertArrayEquals(new long[] {0, 7, 14, 21, 28, 35, 42, 49, 56, 60}, e.steps());
        for (int j = 0; j < e.size() - 1; j++) {
            int step = (int) e.steps()[j];
            assertEquals(whole.lossCurve()[step], e.curve(EvaluatedCurves.TRAIN_LOSS)[j], 0.0,
                    "full batch: the step's loss is the training split's loss of the same weights (step " + step + ")");
            assertEquals(whole.accuracyCurve()[step], e.curve(EvaluatedCurves.TRAIN_ACCURACY)[j], 0.0);
        }
        assertTrue(e.curve(EvaluatedCurves.TRAIN_LOSS)[e.size() - 1] < 0.5 * e.curve(EvaluatedCurves.TRAIN_LOSS)[0],
                "60 steps of AdamW lower the training loss: " + e);

        MemoryCheckpoints store = new MemoryCheckpoints();
        Setup first = setup(Map.of("checkpoint_every", 10L));
        assertThrows(OperationCanceledException.class, () -> first.backend().build(first.context(new RecordingMonitor(25), store,
                null)));
        assertEquals(List.of(10, 20, 25), store.saved().stream().map(TrainingCheckpoints.TrainingState::step).toList());
        Setup second = setup(Map.of("checkpoint_every", 10L));
        TrainedModel resumed = second.backend().build(second.context(TrainingMonitor.NONE, store, null));
        assertTrue(resumed.network().sameWeights(whole.network()), "resumed weights equal the uninterrupted run's, bit for bit");
        assertArrayEquals(whole.lossCurve(), resumed.lossCurve(), 0.0);
        assertEquals(whole.evaluated(), resumed.evaluated());
    }

    @Test
    void training_is_deterministic_and_independent_of_the_thread_count_and_minibatches_cover_the_split() throws Exception {
        NetworkModel one = build(Map.of("threads", 1L));
        NetworkModel two = build(Map.of("threads", 2L));
        assertTrue(one.sameWeights(two), "1 and 2 threads give the same bits");
        assertTrue(one.sameWeights(build(Map.of("threads", 1L))), "same seed, same bits");
        NetworkModel batched = build(Map.of("threads", 1L, "dtype", "float32"));
        assertTrue(batched.sameWeights(build(Map.of("threads", 2L, "dtype", "float32"))), "the batched engine too");
        assertTrue(!batched.sameWeights(build(Map.of("threads", 1L, "dtype", "float32", "engine", "reference"))),
                "float32 auto runs the batched engine, whose float32 arithmetic differs from the reference's float64");
        NetworkModel mini = build(Map.of("batch", 5L, "threads", 2L));
        assertTrue(!mini.sameWeights(one), "minibatches train differently from the full batch");
        assertTrue(mini.sameWeights(build(Map.of("batch", 5L, "threads", 1L))));
        TransformerBackend.Minibatches m = new TransformerBackend.Minibatches(new int[] {3, 4, 8, 9, 12, 20, 21}, 3, 9);
        List<Integer> epoch = new ArrayList<>();
        for (int step = 0; step < 3; step++) {
            for (int r : m.rows(step)) {
                epoch.add(r);
            }
        }
        assertEquals(List.of(3, 4, 8, 9, 12, 20, 21), epoch.stream().sorted().toList(), "an epoch of 3 steps sees every row once");
        assertArrayEquals(m.rows(1), new TransformerBackend.Minibatches(new int[] {3, 4, 8, 9, 12, 20, 21}, 3, 9).rows(1),
                "a step's rows depend only on the seed and the step");
    }

    NetworkModel build(Map<String, Object> overrides) throws Exception {
        Map<String, Object> o = new LinkedHashMap<>(overrides);
        o.put("steps", 15L);
        Setup s = setup(o);
        return s.backend().build(s.context(TrainingMonitor.NONE, TrainingCheckpoints.NONE, null)).network();
    }

    @Test
    void the_series_receives_the_network_at_the_due_steps_under_its_tensor_names() throws Exception {
        Setup s = setup(Map.of("checkpoints", "every:20"));
        Map<Integer, NetworkModel> taken = new LinkedHashMap<>();
        ModelSeries.Sink sink = new ModelSeries.Sink() {
            @Override
            public void take(int step, TransformerModel model) {
                throw new AssertionError("an attention-only model was handed over");
            }

            @Override
            public void take(int step, NetworkModel network) {
                taken.put(step, network);
            }
        };
        TrainedModel r = s.backend().build(s.context(TrainingMonitor.NONE, TrainingCheckpoints.NONE, sink));
        assertEquals(List.of(0, 20, 40, 60), List.copyOf(taken.keySet()));
        assertTrue(taken.get(60).sameWeights(r.network()));
        assertTrue(!taken.get(0).sameWeights(r.network()));
    }

    @Test
    void a_pipeline_trains_through_the_batch_product_and_its_refusals_have_their_exit_codes() throws Exception {
        Path pipeline = dir.resolve("grok.layerwise");
        Files.writeString(pipeline, """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" \
                xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="grok" seed="2">
                  <stages role="task" contribution="modular-arithmetic"><settings key="p" value="7"/></stages>
                  <stages role="backend" contribution="transformer"><settings key="d_model" value="16"/><settings key="d_head" value="4"/>\
                <settings key="d_mlp" value="16"/><settings key="steps" value="30"/><settings key="lr" value="0.01"/></stages>
                </layerwise:Pipeline>
                """);
        Path out = dir.resolve("runs");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(0, cli(err, "run", pipeline.toString(), "--out", out.toString()), err.toString(StandardCharsets.UTF_8));
        Path run;
        try (Stream<Path> runs = Files.list(out)) {
            run = runs.findFirst().orElseThrow();
        }
        Map<String, Tensor> training = Npz.read(run.resolve("training.npz"));
        assertEquals(List.of("loss", "accuracy", "step", "train_loss", "train_accuracy", "test_loss", "test_accuracy"),
                List.copyOf(training.keySet()));
        double[] testAccuracy = training.get("test_accuracy").toDoubles();
        Map<String, Object> metrics = Json.readMap(run.resolve("metrics.json"));
        assertEquals(testAccuracy[testAccuracy.length - 1], ((Number) metrics.get("accuracy")).doubleValue(), 1e-12,
                "the engine's last test accuracy is the run's (NetworkForward on the written model)");
        String runJson = Files.readString(run.resolve("run.json"));
        assertTrue(runJson.contains("AdamW"), runJson);

        Files.writeString(pipeline, Files.readString(pipeline).replace("</layerwise:Pipeline>",
                "  <stages role=\"enforcer\" contribution=\"random-conjugation\"/>\n</layerwise:Pipeline>"));
        err.reset();
        assertEquals(ExitCode.INCOMPATIBLE_STAGES.code, cli(err, "validate", pipeline.toString()));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("transformer applies no symmetry enforcer"), err.toString());
        err.reset();
        assertEquals(ExitCode.INVALID_SETTING.code, cli(err, "validate", pipeline.toString(), "--set", "backend.batch=100"));
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("exceeds the 14 training examples"), err.toString());
    }

    private static int cli(ByteArrayOutputStream err, String... args) throws IOException {
        return Cli.execute(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
    }
}
