package org.layerwise.io.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.BadInputFileException;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkModel;
import org.layerwise.io.Json;
import org.layerwise.io.model.NetworkFileReader;
import org.layerwise.io.model.NetworkFiles;

/**
 * Files as a TransformerLens HookedTransformer saves them (state_dict names, the mask and
 * IGNORE buffers, TL's cfg names) read back, the writer's files read back bit for bit, and
 * each refusal naming file, key or tensor and what was expected.
 */
class NetworkFileReaderTest {

    @TempDir
    Path dir;

    /** One layer, d_vocab 5, d_vocab_out 4, n_ctx 3, d_model 4, 2 heads of 2, d_mlp 8, LayerNorm. */
    static final int V = 5;
    static final int VOUT = 4;
    static final int CTX = 3;
    static final int D = 4;
    static final int H = 2;
    static final int K = 2;
    static final int MLP = 8;

    /** The state_dict of such a model, as docs/file-formats.md names it, in TL's order, buffers included. */
    static LinkedHashMap<String, long[]> stateDict() {
        LinkedHashMap<String, long[]> m = new LinkedHashMap<>();
        m.put("embed.W_E", new long[] {V, D});
        m.put("pos_embed.W_pos", new long[] {CTX, D});
        m.put("blocks.0.ln1.w", new long[] {D});
        m.put("blocks.0.ln1.b", new long[] {D});
        m.put("blocks.0.ln2.w", new long[] {D});
        m.put("blocks.0.ln2.b", new long[] {D});
        m.put("blocks.0.attn.W_Q", new long[] {H, D, K});
        m.put("blocks.0.attn.W_O", new long[] {H, K, D});
        m.put("blocks.0.attn.b_Q", new long[] {H, K});
        m.put("blocks.0.attn.b_O", new long[] {D});
        m.put("blocks.0.attn.W_K", new long[] {H, D, K});
        m.put("blocks.0.attn.W_V", new long[] {H, D, K});
        m.put("blocks.0.attn.b_K", new long[] {H, K});
        m.put("blocks.0.attn.b_V", new long[] {H, K});
        m.put("blocks.0.attn.mask", new long[] {CTX, CTX});
        m.put("blocks.0.attn.IGNORE", new long[] {});
        m.put("blocks.0.mlp.W_in", new long[] {D, MLP});
        m.put("blocks.0.mlp.b_in", new long[] {MLP});
        m.put("blocks.0.mlp.W_out", new long[] {MLP, D});
        m.put("blocks.0.mlp.b_out", new long[] {D});
        m.put("ln_final.w", new long[] {D});
        m.put("ln_final.b", new long[] {D});
        m.put("unembed.W_U", new long[] {D, VOUT});
        m.put("unembed.b_U", new long[] {VOUT});
        return m;
    }

    static Map<String, Object> tlConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("format", "layerwise-transformer");
        c.put("version", 1);
        c.put("architecture", "transformer");
        c.put("d_model", D);
        c.put("n_heads", H);
        c.put("d_head", K);
        c.put("d_mlp", MLP);
        c.put("n_layers", 1);
        c.put("d_vocab", V);
        c.put("d_vocab_out", VOUT);
        c.put("n_ctx", CTX);
        c.put("act_fn", "relu");
        c.put("normalization_type", "LN");
        return c;
    }

    /** The value of element i of a weight: distinct per tensor and element, exact in float32. */
    static float value(int tensor, int i) {
        return tensor + i / 64f;
    }

    /**
     * A safetensors file written byte by byte, as torch's save_file would: weights F32, the mask
     * BOOL tril(ones) unless overridden, IGNORE a F32 scalar -inf.
     */
    static void writeHandBuilt(Path file, LinkedHashMap<String, long[]> shapes, Map<String, String> dtypes,
            Map<String, byte[]> data) throws IOException {
        StringBuilder header = new StringBuilder("{");
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int n = 0;
        for (var e : shapes.entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            String dtype = dtypes.getOrDefault(name, name.endsWith(".mask") ? "BOOL" : "F32");
            byte[] bytes = data.get(name);
            if (bytes == null) {
                int size = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
                if (name.endsWith(".mask")) {
                    bytes = new byte[size];
                    for (int i = 0; i < CTX; i++) {
                        for (int j = 0; j <= i; j++) {
                            bytes[i * CTX + j] = 1;
                        }
                    }
                } else if (name.endsWith(".IGNORE")) {
                    bytes = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(Float.NEGATIVE_INFINITY).array();
                } else if ("F64".equals(dtype)) {
                    ByteBuffer b = ByteBuffer.allocate(8 * size).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < size; i++) {
                        b.putDouble(value(n, i));
                    }
                    bytes = b.array();
                } else {
                    ByteBuffer b = ByteBuffer.allocate(4 * size).order(ByteOrder.LITTLE_ENDIAN);
                    for (int i = 0; i < size; i++) {
                        b.putFloat(value(n, i));
                    }
                    bytes = b.array();
                }
            }
            header.append(header.length() > 1 ? "," : "").append('"').append(name).append("\":{\"dtype\":\"").append(dtype)
                    .append("\",\"shape\":").append(Arrays.toString(shape).replace(" ", "")).append(",\"data_offsets\":[")
                    .append(body.size()).append(',').append(body.size() + bytes.length).append("]}");
            body.write(bytes);
            n++;
        }
        header.append('}');
        while (header.length() % 8 != 0) {
            header.append(' ');
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(8 + h.length + body.size()).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(h.length).put(h).put(body.toByteArray());
        Files.write(file, out.array());
    }

    Path config;
    Path weights;

    private void write(Map<String, Object> cfg, LinkedHashMap<String, long[]> shapes, Map<String, String> dtypes,
            Map<String, byte[]> data) throws IOException {
        config = dir.resolve("config.json");
        weights = dir.resolve("model.safetensors");
        Json.write(config, cfg);
        writeHandBuilt(weights, shapes, dtypes, data);
    }

    private String refusal(Path expectedFile) {
        BadInputFileException e = assertThrows(BadInputFileException.class, () -> NetworkFileReader.read(config, weights));
        assertEquals(expectedFile, e.file());
        assertTrue(e.getMessage().contains(expectedFile.getFileName().toString()), e.getMessage());
        return e.getMessage();
    }

    private static void assertContains(String message, String... parts) {
        for (String p : parts) {
            assertTrue(message.contains(p), "'" + p + "' not in: " + message);
        }
    }

    @Test
    void readsAHandBuiltTransformerLensFile() throws Exception {
        write(tlConfig(), stateDict(), Map.of(), Map.of());
        NetworkFileReader.Loaded loaded = NetworkFileReader.read(config, weights);
        NetworkModel m = loaded.model();
        NetworkConfig c = m.config();
        assertEquals(new NetworkConfig("transformer", V, VOUT, CTX, D, 1, H, K, MLP, false, "relu", "LN", 1e-5, Math.sqrt(K),
                "float32", null), c);
        assertEquals(List.of(), loaded.warnings());
        assertEquals(64, loaded.sha256().length());
        List<String> names = List.copyOf(stateDict().keySet());
        assertEquals(names.stream().filter(s -> !s.endsWith(".mask") && !s.endsWith(".IGNORE")).toList(),
                List.copyOf(m.tensors().keySet()));
        // every weight holds what the file put at its place in the file
        for (var e : m.tensors().entrySet()) {
            int n = names.indexOf(e.getKey());
            float[] v = (float[]) e.getValue().data();
            for (int i = 0; i < v.length; i++) {
                assertEquals(value(n, i), v[i], e.getKey() + "[" + i + "]");
            }
        }
        assertArrayEquals(new long[] {D, VOUT}, m.tensor("unembed.W_U").shape());
    }

    @Test
    void attentionOnlyWithoutLayerNormAndTlDefaults() throws Exception {
        Map<String, Object> cfg = tlConfig();
        cfg.put("attn_only", true);
        cfg.put("d_mlp", null);
        cfg.put("normalization_type", null);
        cfg.put("d_vocab_out", -1);
        cfg.put("use_attn_scale", false);
        LinkedHashMap<String, long[]> sd = stateDict();
        sd.keySet().removeIf(k -> k.contains("mlp") || k.contains("ln"));
        sd.put("unembed.W_U", new long[] {D, V});
        sd.put("unembed.b_U", new long[] {V});
        write(cfg, sd, Map.of(), Map.of());
        NetworkConfig c = NetworkFileReader.read(config, weights).model().config();
        assertTrue(c.attnOnly());
        assertNull(c.normalization());
        assertEquals(V, c.dVocabOut(), "d_vocab_out -1 means d_vocab");
        assertEquals(1.0, c.attnScale());
        cfg.put("d_mlp", 512);
        write(cfg, sd, Map.of(), Map.of());
        assertEquals(0, NetworkFileReader.read(config, weights).model().config().dMlp(), "attention-only: d_mlp unused");
        cfg.put("version", 2);
        write(cfg, sd, Map.of(), Map.of());
        assertContains(refusal(config), "format 'layerwise-transformer' version 2 is not supported");
    }

    @Test
    void writerThenReaderIsBitExact() throws Exception {
        for (String dtype : List.of("float32", "float64")) {
            NetworkConfig c = new NetworkConfig("transformer", V, VOUT, CTX, D, 2, H, K, MLP, false, "relu", "LN", 1e-6, 1.5,
                    dtype, "modular-addition");
            Map<String, Tensor> t = new LinkedHashMap<>();
            java.util.SplittableRandom rng = new java.util.SplittableRandom(7);
            for (var e : c.expectedShapes().entrySet()) {
                double[] v = new double[(int) Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b)];
                for (int i = 0; i < v.length; i++) {
                    v[i] = rng.nextGaussian();
                }
                Tensor x = Tensor.of(v, e.getValue());
                t.put(e.getKey(), "float32".equals(dtype) ? x.toFloat32() : x);
            }
            NetworkModel written = new NetworkModel(c, t);
            Path d = Files.createDirectories(dir.resolve(dtype));
            NetworkFiles.write(written, d, Map.of("run", "test"));
            NetworkModel read = NetworkFiles.read(d);
            assertEquals(c, read.config());
            assertTrue(written.sameWeights(read), dtype);
        }
    }

    @Test
    void refusesAMissingKey() throws Exception {
        Map<String, Object> cfg = tlConfig();
        cfg.remove("d_mlp");
        write(cfg, stateDict(), Map.of(), Map.of());
        assertContains(refusal(config), "key 'd_mlp' is missing (docs/file-formats.md lists the keys of config.json)");
    }

    @Test
    void refusesAnotherActivation() throws Exception {
        Map<String, Object> cfg = tlConfig();
        cfg.put("act_fn", "gelu_new");
        write(cfg, stateDict(), Map.of(), Map.of());
        assertContains(refusal(config), "key 'act_fn' is gelu_new; expected one of relu");
    }

    @Test
    void refusesOtherNormalizations() throws Exception {
        Map<String, Object> cfg = tlConfig();
        cfg.put("normalization_type", "RMS");
        write(cfg, stateDict(), Map.of(), Map.of());
        assertContains(refusal(config), "'normalization_type' is RMS", "save with normalization_type LN or null");
    }

    @Test
    void refusesRotaryEmbeddings() throws Exception {
        Map<String, Object> cfg = tlConfig();
        cfg.put("positional_embedding_type", "rotary");
        write(cfg, stateDict(), Map.of(), Map.of());
        assertContains(refusal(config), "'positional_embedding_type' is rotary", "expected standard");
    }

    @Test
    void refusesBidirectionalAttentionGroupedQueriesAndGatedMlps() throws Exception {
        Map<String, Object> cfg = tlConfig();
        cfg.put("attention_dir", "bidirectional");
        write(cfg, stateDict(), Map.of(), Map.of());
        assertContains(refusal(config), "key 'attention_dir' is bidirectional; expected causal");

        cfg = tlConfig();
        cfg.put("n_key_value_heads", 2);
        write(cfg, stateDict(), Map.of(), Map.of());
        assertContains(refusal(config), "key 'n_key_value_heads' is 2", "grouped-query attention");

        cfg = tlConfig();
        cfg.put("gated_mlp", true);
        write(cfg, stateDict(), Map.of(), Map.of());
        assertContains(refusal(config), "key 'gated_mlp' is true", "not supported");

        // their TransformerLens defaults are accepted
        cfg = tlConfig();
        cfg.put("attention_dir", "causal");
        cfg.put("n_key_value_heads", null);
        cfg.put("gated_mlp", false);
        write(cfg, stateDict(), Map.of(), Map.of());
        NetworkFileReader.read(config, weights);
    }

    @Test
    void namesABareTransformerLensConfig() throws Exception {
        Map<String, Object> cfg = tlConfig();
        cfg.remove("format");
        cfg.remove("version");
        cfg.remove("architecture");
        write(cfg, stateDict(), Map.of(), Map.of());
        assertContains(refusal(config), "a TransformerLens config: add \"format\": \"layerwise-transformer\", \"version\": 1");
    }

    @Test
    void refusesAnotherArchitecture() throws Exception {
        Map<String, Object> cfg = tlConfig();
        cfg.put("architecture", "attention-only");
        write(cfg, stateDict(), Map.of(), Map.of());
        assertContains(refusal(config), "key 'architecture' is attention-only; expected one of transformer");
    }

    @Test
    void refusesAWrongShapeNamingTheExpectedOne() throws Exception {
        LinkedHashMap<String, long[]> sd = stateDict();
        sd.put("blocks.0.mlp.W_in", new long[] {MLP, D});
        write(tlConfig(), sd, Map.of(), Map.of());
        assertContains(refusal(weights), "tensor 'blocks.0.mlp.W_in' has shape [8, 4]; expected [4, 8]");
    }

    @Test
    void refusesAnUnembeddingOfVocabularyWidth() throws Exception {
        LinkedHashMap<String, long[]> sd = stateDict();
        sd.put("unembed.W_U", new long[] {D, V});
        write(tlConfig(), sd, Map.of(), Map.of());
        assertContains(refusal(weights), "tensor 'unembed.W_U' has shape [4, 5]; expected [4, 4]");
    }

    @Test
    void refusesAnUnexpectedTensorListingTheExpectedOnes() throws Exception {
        LinkedHashMap<String, long[]> sd = stateDict();
        sd.put("x", new long[] {1});
        write(tlConfig(), sd, Map.of(), Map.of());
        assertContains(refusal(weights), "unexpected tensor 'x'; a transformer with 1 layer holds exactly: embed.W_E, ",
                "unembed.b_U (and the buffers mask and IGNORE, which are skipped)");
    }

    @Test
    void refusesAMissingTensor() throws Exception {
        LinkedHashMap<String, long[]> sd = stateDict();
        sd.remove("blocks.0.ln2.b");
        write(tlConfig(), sd, Map.of(), Map.of());
        assertContains(refusal(weights), "tensor 'blocks.0.ln2.b' is missing; expected shape [4]");
    }

    @Test
    void refusesANonFiniteWeight() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4 * MLP).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < MLP; i++) {
            b.putFloat(i == 7 ? Float.NaN : 0.5f);
        }
        write(tlConfig(), stateDict(), Map.of(), Map.of("blocks.0.mlp.b_in", b.array()));
        assertContains(refusal(weights), "tensor 'blocks.0.mlp.b_in' holds NaN at flat index 7; every weight must be finite");
    }

    @Test
    void refusesAMaskThatIsNotCausal() throws Exception {
        byte[] full = new byte[CTX * CTX];
        Arrays.fill(full, (byte) 1);
        write(tlConfig(), stateDict(), Map.of(), Map.of("blocks.0.attn.mask", full));
        assertContains(refusal(weights), "the causal mask of block 0", "is not lower-triangular",
                "only causal attention is supported");
    }

    @Test
    void refusesMixedFloatTypes() throws Exception {
        write(tlConfig(), stateDict(), Map.of("ln_final.w", "F64"), Map.of());
        assertContains(refusal(weights), "tensor 'ln_final.w' is F64 but tensor 'embed.W_E' is F32");
    }

    @Test
    void skipsIgnoreOnlyByItsName() throws Exception {
        LinkedHashMap<String, long[]> sd = stateDict();
        sd.put("blocks.0.attn.IGNORED", new long[] {});
        write(tlConfig(), sd, Map.of(), Map.of());
        assertContains(refusal(weights), "unexpected tensor 'blocks.0.attn.IGNORED'");
    }

    @Test
    void halfPrecisionWeightsAreWidenedExactlyAndTheLoadSaysSo() throws Exception {
        LinkedHashMap<String, long[]> shapes = stateDict();
        Map<String, String> dtypes = new LinkedHashMap<>();
        Map<String, byte[]> data = new LinkedHashMap<>();
        for (var e : shapes.entrySet()) {
            String name = e.getKey();
            if (name.endsWith(".mask") || name.endsWith(".IGNORE")) {
                continue;
            }
            int size = (int) Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
            ByteBuffer b = ByteBuffer.allocate(2 * size).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < size; i++) {
                b.putShort((short) (Float.floatToRawIntBits(0.5f + i / 8f) >>> 16)); // exact in bfloat16 for i < 16
            }
            dtypes.put(name, "BF16");
            data.put(name, b.array());
        }
        write(tlConfig(), shapes, dtypes, data);
        NetworkFileReader.Loaded loaded = NetworkFileReader.read(config, weights);
        assertEquals("float32", loaded.model().config().dtype());
        double[] bU = loaded.model().tensor("unembed.b_U").toDoubles();
        for (int i = 0; i < bU.length; i++) {
            assertEquals(0.5 + i / 8.0, bU[i], 0.0, "b_U[" + i + "] widened exactly");
        }
        assertTrue(loaded.warnings().stream().anyMatch(w -> w.contains("half precision") && w.contains("(BF16)")),
                loaded.warnings().toString());
        write(tlConfig(), shapes, Map.of(), Map.of());
        assertTrue(NetworkFileReader.read(config, weights).warnings().stream().noneMatch(w -> w.contains("half precision")));
    }
}
