package org.layerwise.backend.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.batch.Cli;
import org.layerwise.core.BadInputFileException;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.AttentionFactors;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.io.Safetensors;
import org.layerwise.runner.ExitCode;
import org.layerwise.io.model.ModelFiles;
import org.layerwise.tasks.LinearTask;

class FileBackendTest {

    static final TaskSpec TASK = new TaskSpec(TaskSpec.CLASSIFICATION, 4, 3, 6);

    @TempDir
    Path dir;

    static TransformerModel randomModel(String dtype, int layers, int heads, long seed) {
        ModelConfig c = new ModelConfig(4, 3, 6, layers, heads, ModelConfig.Attention.SOFTMAX, ModelConfig.Keys.CONTEXT,
                "merged", 7, dtype, "classification");
        SplittableRandom rng = new SplittableRandom(seed);
        double[][] qk = new double[layers * heads][49];
        double[][] ov = new double[layers * heads][49];
        for (double[][] ms : new double[][][] {qk, ov}) {
            for (double[] m : ms) {
                for (int j = 0; j < m.length; j++) {
                    double v = 0.4 * rng.nextGaussian();
                    m[j] = "float32".equals(dtype) ? (float) v : v;
                }
            }
        }
        return new TransformerModel(c, qk, ov);
    }

    static TransformerModel load(Path path) throws Exception {
        FileBackend b = new FileBackend();
        b.configure(Settings.of(Map.of("path", path.toString())), TASK);
        return b.build(null).model();
    }

    static PromptBatch prompts() {
        return new LinearTask().generate(Settings.of(Map.of("d", 4L, "C", 3L, "N", 6L, "seed", -1L)), 32, 7);
    }

    @Test
    void a_model_saved_by_layerwise_loads_back_to_identical_predictions() throws Exception {
        for (String dtype : new String[] {"float32", "float64"}) {
            TransformerModel m = randomModel(dtype, 2, 2, 3);
            Path d = Files.createDirectories(dir.resolve(dtype));
            ModelFiles.write(m, d, Map.of());
            TransformerModel back = load(d);
            assertTrue(back.sameWeights(m), dtype);
            assertArrayEquals(Forward.run(m, prompts(), false).logits(), Forward.run(back, prompts(), false).logits(), 0.0);
        }
    }

    @Test
    void a_factored_model_saved_by_layerwise_keeps_its_factors_and_predictions() throws Exception {
        for (String dtype : new String[] {"float32", "float64"}) {
            ModelConfig c = new ModelConfig(4, 3, 6, 2, 2, ModelConfig.Attention.SOFTMAX, ModelConfig.Keys.CONTEXT, "factored", 3,
                    dtype, "classification");
            TransformerModel m = AttentionFactors.gaussian(c, 0.3, new SplittableRandom(8)).merged(c);
            Path d = Files.createDirectories(dir.resolve("factored-" + dtype));
            ModelFiles.write(m, d, Map.of());
            Map<String, Tensor> saved = Safetensors.read(d.resolve("model.safetensors")).tensors();
            assertEquals(java.util.Set.of("W_Q", "W_K", "W_V", "W_O"), saved.keySet().stream()
                    .map(k -> k.substring(k.lastIndexOf('.') + 1)).collect(java.util.stream.Collectors.toSet()));
            assertArrayEquals(new long[] {2, 7, 3}, saved.get("blocks.1.attn.W_V").shape());
            assertArrayEquals(new long[] {2, 3, 7}, saved.get("blocks.1.attn.W_O").shape());
            TransformerModel back = load(d);
            assertTrue(back.sameWeights(m), dtype);
            assertArrayEquals(Forward.run(m, prompts(), false).logits(), Forward.run(back, prompts(), false).logits(), 0.0);
        }
    }

    @Test
    void factored_npz_weights_multiply_out_to_qk_and_ov() throws Exception {
        int k = 3;
        SplittableRandom rng = new SplittableRandom(5);
        Map<String, Tensor> t = new LinkedHashMap<>();
        double[] wq = gaussian(7 * k, rng);
        double[] wk = gaussian(7 * k, rng);
        double[] wv = gaussian(7 * k, rng);
        double[] wo = gaussian(k * 7, rng);
        t.put("blocks.0.attn.W_Q", Tensor.of(wq, 1, 7, k));
        t.put("blocks.0.attn.W_K", Tensor.of(wk, 1, 7, k));
        t.put("blocks.0.attn.W_V", Tensor.of(wv, 1, 7, k));
        t.put("blocks.0.attn.W_O", Tensor.of(wo, 1, k, 7));
        Map<String, Object> config = config(1, 1, "factored", k, "float64");
        Json.write(dir.resolve("config.json"), config);
        Npz.write(dir.resolve("model.npz"), t);
        TransformerModel m = load(dir);
        for (int a = 0; a < 7; a++) {
            for (int b = 0; b < 7; b++) {
                double q = 0;
                double o = 0;
                for (int j = 0; j < k; j++) {
                    q += wq[a * k + j] * wk[b * k + j];
                    o += wv[a * k + j] * wo[j * 7 + b];
                }
                assertEquals(q, m.qk(0, 0)[a * 7 + b], 1e-12);
                assertEquals(o, m.ov(0, 0)[a * 7 + b], 1e-12);
            }
        }
        assertEquals("factored", m.config().parameterization());
    }

    static double[] gaussian(int n, SplittableRandom rng) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextGaussian();
        }
        return v;
    }

    static Map<String, Object> config(int layers, int heads, String parameterization, int dHead, String dtype) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("format", "layerwise-transformer");
        c.put("version", 1);
        c.put("d_x", 4);
        c.put("d_y", 3);
        c.put("d_model", 7);
        c.put("n_ctx", 6);
        c.put("n_layers", layers);
        c.put("n_heads", heads);
        c.put("attention", "softmax");
        c.put("keys", "context");
        c.put("parameterization", parameterization);
        c.put("d_head", dHead);
        c.put("dtype", dtype);
        c.put("task", "classification");
        return c;
    }

    /** Saves a good model, lets the case break it, and expects a message with every fragment. */
    private void rejects(String name, Consumer<Path> breakIt, String... fragments) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        ModelFiles.write(randomModel("float32", 2, 1, 9), d, Map.of());
        breakIt.accept(d);
        BadInputFileException e = assertThrows(BadInputFileException.class, () -> load(d), name);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), name + ": '" + f + "' not in: " + e.getMessage());
        }
    }

    private static void rewriteTensors(Path d, Consumer<Map<String, Tensor>> change) {
        try {
            Map<String, Tensor> t = new LinkedHashMap<>(Safetensors.read(d.resolve("model.safetensors")).tensors());
            change.accept(t);
            Safetensors.write(d.resolve("model.safetensors"), t);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void rewriteConfig(Path d, Consumer<Map<String, Object>> change) {
        try {
            Map<String, Object> c = new LinkedHashMap<>(Json.readMap(d.resolve("config.json")));
            change.accept(c);
            Json.write(d.resolve("config.json"), c);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void every_malformed_input_is_rejected_naming_file_item_and_expectation() throws Exception {
        rejects("missing", d -> rewriteTensors(d, t -> t.remove("blocks.1.attn.OV")), "model.safetensors",
                "tensor 'blocks.1.attn.OV' is missing; expected shape [1, 7, 7]");
        rejects("extra", d -> rewriteTensors(d, t -> t.put("blocks.2.attn.QK", Tensor.of(new float[49], 1, 7, 7))),
                "unexpected tensor 'blocks.2.attn.QK'");
        rejects("shape", d -> rewriteTensors(d, t -> t.put("blocks.0.attn.QK", Tensor.of(new float[42], 1, 7, 6))),
                "tensor 'blocks.0.attn.QK' has shape [1, 7, 6]; expected [1, 7, 7]");
        rejects("dtype", d -> rewriteTensors(d, t -> t.put("blocks.0.attn.QK", Tensor.of(new double[49], 1, 7, 7))),
                "tensor 'blocks.0.attn.QK' is F64 but config.json says dtype float32");
        rejects("nonfinite", d -> rewriteTensors(d, t -> {
            float[] v = new float[49];
            v[10] = Float.NaN;
            t.put("blocks.1.attn.QK", Tensor.of(v, 1, 7, 7));
        }), "tensor 'blocks.1.attn.QK' holds NaN at flat index 10");
        rejects("task", d -> rewriteConfig(d, c -> {
            c.put("d_x", 5);
            c.put("d_model", 8);
        }), "config.json", "d_x = 5", "task has d = 4");
        rejects("key", d -> rewriteConfig(d, c -> c.remove("n_heads")), "config.json", "key 'n_heads' is missing");
        rejects("truncated", d -> {
            try {
                byte[] b = Files.readAllBytes(d.resolve("model.safetensors"));
                Files.write(d.resolve("model.safetensors"), java.util.Arrays.copyOf(b, 5));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }, "model.safetensors");
        rejects("offsets", d -> {
            try {
                byte[] b = Files.readAllBytes(d.resolve("model.safetensors"));
                Files.write(d.resolve("model.safetensors"), java.util.Arrays.copyOf(b, b.length - 40));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }, "model.safetensors", "blocks.");
        rejects("nofile", d -> {
            try {
                Files.delete(d.resolve("model.safetensors"));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }, "model.safetensors", "file not found");
    }

    @Test
    void a_bad_model_file_stops_the_batch_run_with_exit_code_8_and_writes_nothing() throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        ModelFiles.write(randomModel("float32", 1, 1, 2), model, Map.of());
        rewriteTensors(model, t -> t.remove("blocks.0.attn.QK"));
        Path pipeline = dir.resolve("analyze.layerwise");
        Files.writeString(pipeline, """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" \
                xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="analyze" seed="1">
                  <stages role="task" contribution="linear"><settings key="d" value="4"/><settings key="C" value="3"/><settings key="N" value="6"/></stages>
                  <stages role="backend" contribution="file"/>
                  <stages role="analyzer" contribution="weight-abstraction"/>
                </layerwise:Pipeline>
                """);
        Path out = dir.resolve("runs");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.execute(new String[] {"run", pipeline.toString(), "--out", out.toString(), "--set",
                "backend.path=" + model}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        String message = err.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCode.BAD_INPUT_FILE.code, code, message);
        assertTrue(message.contains("model.safetensors: tensor 'blocks.0.attn.QK' is missing"), message);
        assertTrue(!Files.exists(out) || isEmpty(out), "nothing is written");

        ModelFiles.write(randomModel("float32", 1, 1, 2), model, Map.of());
        ByteArrayOutputStream ok = new ByteArrayOutputStream();
        code = Cli.execute(new String[] {"run", pipeline.toString(), "--out", out.toString(), "--eval-prompts", "32", "--set",
                "backend.path=" + model}, new PrintStream(ok, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream()));
        assertEquals(0, code, ok.toString(StandardCharsets.UTF_8));
        assertTrue(ok.toString(StandardCharsets.UTF_8).contains("Weight abstraction"), "the loaded model is analyzed without training");
    }

    private static boolean isEmpty(Path d) throws java.io.IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.findAny().isEmpty();
        }
    }
}
