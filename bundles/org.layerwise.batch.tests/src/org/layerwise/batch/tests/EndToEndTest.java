package org.layerwise.batch.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.batch.tests.CliHarness.Outcome;
import org.layerwise.core.Tensor;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.io.Safetensors;
import org.layerwise.runner.ExitCode;

/** A small pipeline through the batch application, and the run directory of docs/file-formats.md it writes. */
class EndToEndTest {

    @TempDir
    Path dir;

    private Path runDirectory(Path out) throws Exception {
        try (Stream<Path> s = Files.list(out)) {
            List<Path> runs = s.filter(Files::isDirectory).toList();
            assertEquals(1, runs.size(), "one run directory in " + out + ": " + runs);
            return runs.get(0);
        }
    }

    @Test
    void several_pipelines_run_in_one_process_each_into_its_own_directory_and_a_bad_one_stops_all_before_training()
            throws Exception {
        Path a = CliHarness.pipeline(dir, "first", CliHarness.TINY_TASK + CliHarness.TINY_BACKEND);
        Path b = CliHarness.pipeline(dir, "second", CliHarness.TINY_TASK + CliHarness.TINY_BACKEND + CliHarness.ABSTRACTION);
        Path out = dir.resolve("runs");
        Outcome o = CliHarness.run("run", a.toString(), b.toString(), "--out", out.toString(), "--eval-prompts", "16");
        assertEquals(0, o.exitCode(), o.toString());
        List<String> names;
        try (Stream<Path> s = Files.list(out)) {
            names = s.map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(2, names.size(), names.toString());
        assertTrue(names.get(0).startsWith("first-") && names.get(1).startsWith("second-"), names.toString());
        for (String n : names) {
            assertEquals("OK", Json.readMap(out.resolve(n).resolve("run.json")).get("status"), n);
        }
        assertTrue(Files.exists(out.resolve(names.get(1)).resolve("abstraction.csv")));

        Path bad = CliHarness.pipeline(dir, "bad", CliHarness.TINY_TASK.replace("value=\"3\"", "value=\"1\"")
                + CliHarness.TINY_BACKEND);
        Path out2 = dir.resolve("runs2");
        Outcome stopped = CliHarness.run("run", a.toString(), bad.toString(), "--out", out2.toString());
        assertEquals(ExitCode.INVALID_SETTING.code, stopped.exitCode(), stopped.toString());
        assertTrue(stopped.err().contains("bad.layerwise"), stopped.toString());
        assertTrue(!Files.exists(out2) || Files.list(out2).findAny().isEmpty(), "nothing ran before the bad pipeline was found");
    }

    @Test
    void a_small_pipeline_writes_a_complete_run_directory() throws Exception {
        Path f = CliHarness.pipeline(dir, "e2e", CliHarness.TINY_TASK + CliHarness.TINY_BACKEND + CliHarness.CONJUGATION
                + CliHarness.ABSTRACTION);
        Path out = dir.resolve("runs");
        Outcome o = CliHarness.run("run", f.toString(), "--out", out.toString(), "--eval-prompts", "64", "--set",
                "backend.heads=2");
        assertEquals(0, o.exitCode(), o.toString());
        assertTrue(o.out().contains("Accuracy on 64 evaluation prompts"), o.toString());
        assertTrue(o.out().contains("Weight abstraction"), o.toString());
        assertTrue(o.err().contains("training step 40/40"), o.toString());
        assertTrue(java.util.regex.Pattern.compile("training step 40/40  loss \\d+\\.\\d{4}  acc \\d{1,3}%").matcher(o.err()).find(),
                "the progress line shows the training accuracy: " + o.err());
        Path run = runDirectory(out);

        Map<String, Object> runJson = Json.readMap(run.resolve("run.json"));
        assertEquals("OK", runJson.get("status"));
        assertEquals(Boolean.TRUE, runJson.get("complete"));
        @SuppressWarnings("unchecked")
        Map<String, Object> seeds = (Map<String, Object>) runJson.get("seeds");
        assertEquals(3, ((Number) seeds.get("master")).longValue());
        assertTrue(seeds.containsKey("backend") && seeds.containsKey("enforcer") && seeds.containsKey("task/eval"));
        assertTrue(Json.toString(runJson.get("pipeline")).contains("\"heads\": 2"), "overrides applied in run.json");
        assertEquals(List.of("backend.heads=2"), ((Map<?, ?>) runJson.get("pipeline")).get("overrides"));
        assertTrue(Json.toString(runJson.get("versions")).contains("java"));

        Map<String, Object> config = Json.readMap(run.resolve("config.json"));
        assertEquals("layerwise-transformer", config.get("format"));
        assertEquals(7, ((Number) config.get("d_model")).intValue());
        assertEquals(2, ((Number) config.get("n_heads")).intValue());

        Map<String, Tensor> weights = Safetensors.read(run.resolve("model.safetensors")).tensors();
        assertEquals(4, weights.size());
        assertArrayEquals(new long[] {2, 7, 7}, weights.get("blocks.1.attn.OV").shape());
        assertEquals(Tensor.DType.F32, weights.get("blocks.0.attn.QK").dtype());

        Map<String, Tensor> eval = Npz.read(run.resolve("eval.npz"));
        assertArrayEquals(new long[] {64, 9, 7}, eval.get("Z").shape());
        assertArrayEquals(new long[] {64}, eval.get("labels").shape());
        assertArrayEquals(new long[] {64, 8}, eval.get("context_labels").shape());
        assertArrayEquals(new long[] {64, 3}, eval.get("logits").shape());
        assertArrayEquals(new long[] {64, 9, 7}, eval.get("blocks.1.hook_resid_post").shape());
        assertArrayEquals(new long[] {64, 2, 9, 8}, eval.get("blocks.0.attn.hook_pattern").shape());

        Csv.Table abstraction = Csv.read(run.resolve("abstraction.csv"));
        assertEquals(List.of("layer", "head", "matrix", "a", "b", "f", "g", "c", "e", "asymmetry"), abstraction.header());
        assertEquals(2 * 2 * 2, abstraction.rows().size());

        Map<String, Object> metrics = Json.readMap(run.resolve("metrics.json"));
        double accuracy = ((Number) metrics.get("accuracy")).doubleValue();
        assertTrue(accuracy >= 0 && accuracy <= 1);
        assertEquals(1.0 / 3, ((Number) metrics.get("chance")).doubleValue(), 1e-12);
        assertTrue(metrics.containsKey("final_train_loss") && metrics.containsKey("asymmetry")
                && metrics.containsKey("equivariance_error"), metrics.toString());
    }

    @Test
    void the_same_pipeline_and_seed_give_bit_identical_weights_and_another_seed_does_not() throws Exception {
        Path f = CliHarness.pipeline(dir, "det", CliHarness.TINY_TASK + CliHarness.TINY_BACKEND + CliHarness.CONJUGATION);
        Map<String, Tensor> a = trainedWeights(f, "a", "11");
        Map<String, Tensor> b = trainedWeights(f, "b", "11");
        Map<String, Tensor> c = trainedWeights(f, "c", "12");
        for (String name : a.keySet()) {
            assertArrayEquals((float[]) a.get(name).data(), (float[]) b.get(name).data(), 0f, name);
        }
        assertNotEquals(a.get("blocks.0.attn.QK"), c.get("blocks.0.attn.QK"));
    }

    private Map<String, Tensor> trainedWeights(Path pipeline, String out, String seed) throws Exception {
        Path o = dir.resolve(out);
        Outcome r = CliHarness.run("run", pipeline.toString(), "--out", o.toString(), "--seed", seed, "--eval-prompts", "16");
        assertEquals(0, r.exitCode(), r.toString());
        return Safetensors.read(runDirectory(o).resolve("model.safetensors")).tensors();
    }
}
