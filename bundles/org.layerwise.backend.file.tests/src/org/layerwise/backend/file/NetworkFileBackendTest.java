package org.layerwise.backend.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.batch.Cli;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkModel;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.io.Safetensors;
import org.layerwise.io.model.NetworkFileReader;
import org.layerwise.io.model.NetworkFiles;
import org.layerwise.runner.ExitCode;

/**
 * The file backend on a transformer saved under TransformerLens names, run end to end on
 * modular addition: a hand-built model whose only mechanism is one head copying the first
 * operand to the answer must be right exactly on the pairs with b = 0.
 */
class NetworkFileBackendTest {

    static final int P = 5;

    @TempDir
    Path dir;

    /**
     * d_model = p + 3: token one-hot in the first p dimensions ("=" embeds to 0), position one-hot
     * in the last 3. One head whose query (position 2) attends with score 40 to the key at position
     * 0 and 0 elsewhere, values copying the token block; W_O writes it back; MLP zero; W_U reads the
     * token block. The answer's logits are then (nearly) one-hot at a.
     */
    static NetworkModel copyFirstOperand() {
        int d = P + 3;
        int dHead = P;
        NetworkConfig c = new NetworkConfig(NetworkConfig.TRANSFORMER, P + 1, P, 3, d, 1, 1, dHead, 4, false, "relu", null, 1e-5,
                Math.sqrt(dHead), "float32", "sequence");
        Map<String, Tensor> t = new LinkedHashMap<>();
        c.expectedShapes().forEach((name, shape) -> t.put(name, Tensor.of(new float[size(shape)], shape)));
        float[] wE = data(t, "embed.W_E");
        float[] wPos = data(t, "pos_embed.W_pos");
        float[] wQ = data(t, "blocks.0.attn.W_Q");
        float[] wK = data(t, "blocks.0.attn.W_K");
        float[] wV = data(t, "blocks.0.attn.W_V");
        float[] wO = data(t, "blocks.0.attn.W_O");
        float[] wU = data(t, "unembed.W_U");
        for (int a = 0; a < P; a++) {
            wE[a * d + a] = 1;
            wV[a * dHead + a] = 1;
            wO[a * d + a] = 1;
            wU[a * P + a] = 1;
        }
        for (int pos = 0; pos < 3; pos++) {
            wPos[pos * d + P + pos] = 1;
        }
        double scale = Math.sqrt(dHead);
        wQ[(P + 2) * dHead] = 1; // query at position 2: 1 in head dimension 0
        wK[P * dHead] = (float) (40 * scale); // key at position 0: 40 sqrt(d_head) in head dimension 0
        return new NetworkModel(c, t);
    }

    static int size(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return (int) n;
    }

    static float[] data(Map<String, Tensor> t, String name) {
        return (float[]) t.get(name).data();
    }

    Path pipeline() throws Exception {
        Path pipeline = dir.resolve("copy.layerwise");
        Files.writeString(pipeline, """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" \
                xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="copy" seed="3">
                  <stages role="task" contribution="modular-arithmetic"><settings key="p" value="5"/><settings key="train_fraction" value="0.4"/></stages>
                  <stages role="backend" contribution="file"/>
                </layerwise:Pipeline>
                """);
        return pipeline;
    }

    int run(Path model, Path out, ByteArrayOutputStream stdout, ByteArrayOutputStream stderr, String... extra) throws Exception {
        String[] args = Stream.concat(Stream.of("run", pipeline().toString(), "--out", out.toString(), "--set", "backend.path=" + model),
                Stream.of(extra)).toArray(String[]::new);
        return Cli.execute(args, new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true,
                StandardCharsets.UTF_8));
    }

    static Path onlyRun(Path out) throws java.io.IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.findFirst().orElseThrow();
        }
    }

    @Test
    void a_transformerlens_named_model_is_evaluated_on_both_splits_and_copying_a_is_right_exactly_when_b_is_0() throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        NetworkFiles.write(copyFirstOperand(), model, Map.of());
        Path out = dir.resolve("runs");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = run(model, out, stdout, stderr);
        assertEquals(0, code, stderr.toString(StandardCharsets.UTF_8));
        Path run = onlyRun(out);
        Map<String, Tensor> eval = Npz.read(run.resolve("eval.npz"));
        long[] tokens = eval.get("tokens").toLongs();
        long[] split = eval.get("split").toLongs();
        int[] zeroB = new int[2];
        int[] count = new int[2];
        for (int e = 0; e < split.length; e++) {
            count[(int) split[e]]++;
            zeroB[(int) split[e]] += tokens[3 * e + 1] == 0 ? 1 : 0;
        }
        assertEquals(P * P, split.length);
        assertEquals(10, count[0], "floor(0.4 * 25) training pairs");
        Map<String, Object> metrics = Json.readMap(run.resolve("metrics.json"));
        assertEquals(zeroB[1] / (double) count[1], ((Number) metrics.get("accuracy")).doubleValue(), 1e-12,
                "test accuracy = the share of test pairs with b = 0");
        assertEquals(zeroB[0] / (double) count[0], ((Number) metrics.get("train_accuracy")).doubleValue(), 1e-12);
        assertEquals(0.2, ((Number) metrics.get("chance")).doubleValue(), 1e-12);
        assertArrayEquals(new long[] {P * P, 1, 3, 3}, eval.get("blocks.0.attn.hook_pattern").shape());
        float[] pattern = (float[]) eval.get("blocks.0.attn.hook_pattern").data();
        assertEquals(1.0, pattern[2 * 3], 1e-6, "the answer attends to position 0");
        assertEquals(0.0, pattern[1], 0.0, "causal: position 0 does not see position 1");
        NetworkModel written = NetworkFiles.read(run);
        assertTrue(written.sameWeights(copyFirstOperand()), "model.safetensors holds the loaded weights");
        assertTrue(stdout.toString(StandardCharsets.UTF_8).contains("Test accuracy on 15 held-out examples"),
                stdout.toString(StandardCharsets.UTF_8));
    }

    @Test
    void a_model_for_another_modulus_stops_the_run_with_exit_code_8_naming_both_shapes_and_writes_nothing() throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        NetworkFiles.write(copyFirstOperand(), model, Map.of());
        Path out = dir.resolve("runs");
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = run(model, out, new ByteArrayOutputStream(), stderr, "--set", "task.p=7");
        String message = stderr.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCode.BAD_INPUT_FILE.code, code, message);
        assertTrue(message.contains("config.json") && message.contains("d_vocab = 6, d_vocab_out = 5")
                && message.contains("8 tokens, 7 answers"), message);
        assertTrue(!Files.exists(out) || Files.list(out).findAny().isEmpty(), "nothing is written");
    }

    @Test
    void a_series_of_transformerlens_checkpoints_is_listed_and_each_read_back() throws Exception {
        Path series = Files.createDirectories(dir.resolve("series"));
        NetworkModel m = copyFirstOperand();
        Json.write(series.resolve("config.json"), NetworkFiles.config(m.config()));
        for (int step : new int[] {0, 10, 100}) {
            Safetensors.write(series.resolve("step_" + step + ".safetensors"), m.tensors(), Map.of());
        }
        Path out = dir.resolve("runs");
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        assertEquals(0, run(series, out, new ByteArrayOutputStream(), stderr), stderr.toString(StandardCharsets.UTF_8));
        Path run = onlyRun(out);
        for (int step : new int[] {0, 10, 100}) {
            Path ckpt = run.resolve("ckpt").resolve(String.format("step_%08d.safetensors", step));
            assertTrue(Files.exists(ckpt), ckpt.toString());
            assertTrue(NetworkFileReader.read(run.resolve("config.json"), ckpt).model().sameWeights(m), "checkpoint " + step);
        }
        String runJson = Files.readString(run.resolve("run.json"));
        assertTrue(runJson.contains("ckpt/step_00000100.safetensors"), runJson);
    }

    @Test
    void an_analyzer_of_attention_only_models_is_refused_for_a_transformer_with_exit_code_6_naming_the_family() throws Exception {
        Path model = Files.createDirectories(dir.resolve("model"));
        NetworkFiles.write(copyFirstOperand(), model, Map.of());
        Path pipeline = dir.resolve("abstraction.layerwise");
        Files.writeString(pipeline, Files.readString(pipeline()).replace("</layerwise:Pipeline>",
                "  <stages role=\"analyzer\" contribution=\"weight-abstraction\"/>\n</layerwise:Pipeline>"));
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = Cli.execute(new String[] {"validate", pipeline.toString(), "--set", "backend.path=" + model},
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        String message = stderr.toString(StandardCharsets.UTF_8);
        assertEquals(ExitCode.INCOMPATIBLE_STAGES.code, code, message);
        assertTrue(message.contains("analyzer 'weight-abstraction' (bundle org.layerwise.analysis) reads models of the family "
                + "attention-only; backend 'file' builds a model of the family transformer"), message);
    }
}
