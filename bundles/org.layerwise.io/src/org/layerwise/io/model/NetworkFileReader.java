package org.layerwise.io.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.layerwise.core.BadInputFileException;
import org.layerwise.core.SequenceShape;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.MemoryBudget;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkModel;
import org.layerwise.io.Npz;
import org.layerwise.io.Safetensors;

/**
 * Reads config.json and the weights of a transformer saved under TransformerLens's names
 * (docs/file-formats.md) and checks everything before use: the keys, TransformerLens features this
 * family does not have, the exact set of tensor names and shapes, one float dtype, the
 * causal-mask buffers, finiteness. The IGNORE buffers are skipped by name.
 */
public final class NetworkFileReader {

    /** The model, the files it came from, the weights' SHA-256, and warnings. */
    public record Loaded(NetworkModel model, Path config, Path weights, String sha256, List<String> warnings) {
    }

    private static final Set<String> KNOWN_KEYS = Set.of("format", "version", "architecture", "d_model", "n_heads", "d_head",
            "d_mlp", "n_layers", "d_vocab", "d_vocab_out", "n_ctx", "act_fn", "normalization_type", "attn_only",
            "positional_embedding_type", "attention_dir", "use_attn_scale", "attn_scale", "eps", "dtype", "task");
    private static final Pattern BUFFER = Pattern.compile("blocks\\.(\\d+)\\.attn\\.(mask|IGNORE)");

    private NetworkFileReader() {
    }

    /**
     * Reads the network and checks it against the pipeline's task: a sequence task whose tokens,
     * answers and example length the model's d_vocab, d_vocab_out and n_ctx fit.
     */
    public static Loaded read(Path configFile, Path weightsFile, TaskSpec task) throws BadInputFileException {
        Loaded loaded = read(configFile, weightsFile);
        NetworkConfig c = loaded.model().config();
        String trainedOn = c.task() == null ? "" : "; config.json says it was trained on task " + c.task();
        if (!task.isSequence()) {
            throw new BadInputFileException(configFile, "the model is a " + c.family() + " over token sequences but the pipeline's "
                    + "task produces " + task.kind() + " prompts; use a sequence task such as modular-arithmetic" + trainedOn, null);
        }
        SequenceShape shape = task.sequence();
        if (c.dVocab() != shape.vocabulary() || c.dVocabOut() != task.classes() || c.nCtx() < shape.length()) {
            throw new BadInputFileException(configFile, "the model has d_vocab = " + c.dVocab() + ", d_vocab_out = " + c.dVocabOut()
                    + ", n_ctx = " + c.nCtx() + " but the pipeline's task has " + shape.vocabulary() + " tokens, " + task.classes()
                    + " answers and examples of " + shape.length() + " tokens; set the task's settings to those the model was "
                    + "trained with" + trainedOn, null);
        }
        return loaded;
    }

    /**
     * Whether a config.json describes a network of this reader ("architecture": "transformer", or a
     * bare TransformerLens config) rather than an attention-only model, whose config has the same
     * "format" but no "architecture"; false when it cannot be read (the reader then asked says why).
     */
    public static boolean describesNetwork(Path configFile) {
        try {
            Map<String, Object> c = ConfigKeys.readConfig(configFile);
            return NetworkConfig.TRANSFORMER.equals(c.get("architecture")) || (!c.containsKey("format") && c.containsKey("d_vocab"));
        } catch (BadInputFileException | RuntimeException e) {
            return false;
        }
    }

    public static Loaded read(Path configFile, Path weightsFile) throws BadInputFileException {
        Map<String, Object> c = ConfigKeys.readConfig(configFile);
        if (!c.containsKey("format") && c.containsKey("d_vocab")) {
            throw new BadInputFileException(configFile, "a TransformerLens config: add \"format\": \"layerwise-transformer\", "
                    + "\"version\": 1, \"architecture\": \"transformer\" as docs/file-formats.md shows", null);
        }
        ConfigKeys.formatVersion(c, configFile);
        String architecture = ConfigKeys.text(c, configFile, "architecture");
        if (!NetworkConfig.TRANSFORMER.equals(architecture)) {
            throw new BadInputFileException(configFile, "key 'architecture' is " + architecture + "; expected one of "
                    + NetworkConfig.TRANSFORMER, null);
        }
        List<String> warnings = new ArrayList<>();
        for (String key : c.keySet()) {
            if (!KNOWN_KEYS.contains(key)) {
                warnings.add(configFile.getFileName() + ": unknown key '" + key + "' ignored");
            }
        }
        refuseFeatures(c, configFile);
        int dModel = ConfigKeys.integer(c, configFile, "d_model", 1, 2 * ModelFileReader.MAX_WIDTH);
        int nHeads = ConfigKeys.integer(c, configFile, "n_heads", 1, ModelFileReader.MAX_HEADS);
        int dHead = ConfigKeys.integer(c, configFile, "d_head", 1, 2 * ModelFileReader.MAX_WIDTH);
        int nLayers = ConfigKeys.integer(c, configFile, "n_layers", 1, ModelFileReader.MAX_LAYERS);
        int dVocab = ConfigKeys.integer(c, configFile, "d_vocab", 1, ModelFileReader.MAX_CONTEXT);
        int nCtx = ConfigKeys.integer(c, configFile, "n_ctx", 1, ModelFileReader.MAX_CONTEXT);
        boolean attnOnly = bool(c, configFile, "attn_only", false);
        int dMlp = attnOnly && c.containsKey("d_mlp") && c.get("d_mlp") == null ? 0
                : ConfigKeys.integer(c, configFile, "d_mlp", attnOnly ? 0 : 1, 8 * ModelFileReader.MAX_WIDTH);
        if (attnOnly) {
            dMlp = 0; // TransformerLens keeps a d_mlp in attention-only configs; no tensor uses it
        }
        int dVocabOut = c.get("d_vocab_out") == null || c.get("d_vocab_out") instanceof Number n && n.doubleValue() == -1 ? dVocab
                : ConfigKeys.integer(c, configFile, "d_vocab_out", 1, ModelFileReader.MAX_CONTEXT);
        String actFn = ConfigKeys.text(c, configFile, "act_fn");
        // required, and null (no LayerNorm) is a value: a missing key is named, a null one is not read
        String normalization = c.containsKey("normalization_type") && c.get("normalization_type") == null ? null
                : ConfigKeys.text(c, configFile, "normalization_type");
        double attnScale = !bool(c, configFile, "use_attn_scale", true) ? 1.0
                : positive(c, configFile, "attn_scale", Math.sqrt(dHead));
        double eps = positive(c, configFile, "eps", 1e-5);
        String dtype = c.get("dtype") == null ? null : ConfigKeys.text(c, configFile, "dtype", "float32", "float64");
        String task = c.get("task") == null ? null : ConfigKeys.text(c, configFile, "task");

        NetworkConfig shape = new NetworkConfig(NetworkConfig.TRANSFORMER, dVocab, dVocabOut, nCtx, dModel, nLayers, nHeads,
                dHead, dMlp, attnOnly, actFn, normalization, eps, attnScale, dtype == null ? "float32" : dtype, task);
        Map<String, long[]> expected = shape.expectedShapes();
        long elements = ConfigKeys.fileElements(configFile, expected);
        // as read, widened to double for the checks, and the model's copy
        String problem = MemoryBudget.problem("the model of config.json (n_layers = " + nLayers + ", d_model = " + dModel
                + ", d_mlp = " + dMlp + ", d_vocab = " + dVocab + ")", MemoryBudget.product(elements, 3 * Double.BYTES));
        if (problem != null) {
            throw new BadInputFileException(configFile, problem, null);
        }

        Map<String, Npz.ArrayHeader> headers = ConfigKeys.readHeaders(weightsFile);
        String held = "a transformer with " + nLayers + (nLayers == 1 ? " layer" : " layers") + " holds exactly: "
                + String.join(", ", expected.keySet()) + " (and the buffers mask and IGNORE, which are skipped)";
        for (var e : expected.entrySet()) {
            if (!headers.containsKey(e.getKey())) {
                throw new BadInputFileException(weightsFile, "tensor '" + e.getKey() + "' is missing; expected shape "
                        + Arrays.toString(e.getValue()) + "; " + held, null);
            }
        }
        Tensor.DType want = dtype == null ? null : "float64".equals(dtype) ? Tensor.DType.F64 : Tensor.DType.F32;
        String first = null;
        for (var e : headers.entrySet()) {
            String name = e.getKey();
            Npz.ArrayHeader t = e.getValue();
            Matcher buffer = BUFFER.matcher(name);
            if (buffer.matches() && Integer.parseInt(buffer.group(1)) < nLayers) {
                if (NetworkConfig.MASK.equals(buffer.group(2)) && !Arrays.equals(t.shape(), new long[] {nCtx, nCtx})) {
                    throw new BadInputFileException(weightsFile, "tensor '" + name + "' has shape " + t.shapeString()
                            + "; expected [" + nCtx + ", " + nCtx + "] (n_ctx x n_ctx)", null);
                }
                continue;
            }
            long[] s = expected.get(name);
            if (s == null) {
                throw new BadInputFileException(weightsFile, "unexpected tensor '" + name + "'; " + held, null);
            }
            if (!Arrays.equals(s, t.shape())) {
                throw new BadInputFileException(weightsFile, "tensor '" + name + "' has shape " + t.shapeString()
                        + "; expected " + Arrays.toString(s), null);
            }
            if (t.dtype() != Tensor.DType.F32 && t.dtype() != Tensor.DType.F64) {
                throw new BadInputFileException(weightsFile, "tensor '" + name + "' is " + t.dtype() + "; expected F32 or F64", null);
            }
            if (want == null) {
                want = t.dtype();
                first = name;
            } else if (t.dtype() != want) {
                throw new BadInputFileException(weightsFile, "tensor '" + name + "' is " + t.dtype() + " but "
                        + (first == null ? "config.json says dtype " + dtype : "tensor '" + first + "' is " + want)
                        + "; every weight must have the same dtype", null);
            }
        }

        Map<String, Tensor> weights = new LinkedHashMap<>();
        for (var e : ConfigKeys.readTensors(weightsFile, headers.keySet()).entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            Matcher buffer = BUFFER.matcher(name);
            if (buffer.matches() && Integer.parseInt(buffer.group(1)) < nLayers) {
                if (NetworkConfig.MASK.equals(buffer.group(2))) {
                    checkCausal(weightsFile, name, buffer.group(1), t, nCtx);
                }
                continue;
            }
            if (!Arrays.equals(expected.get(name), t.shape()) || t.dtype() != want) {
                throw new BadInputFileException(weightsFile, "tensor '" + name + "' changed while it was read", null);
            }
            weights.put(name, t);
        }
        NetworkConfig config = new NetworkConfig(NetworkConfig.TRANSFORMER, dVocab, dVocabOut, nCtx, dModel, nLayers, nHeads,
                dHead, dMlp, attnOnly, actFn, normalization, eps, attnScale, want == Tensor.DType.F64 ? "float64" : "float32", task);
        NetworkModel model = new NetworkModel(config, weights);
        String bad = model.problem();
        if (bad != null) {
            throw new BadInputFileException(weightsFile, bad, null);
        }
        halfPrecision(weightsFile, warnings);
        return new Loaded(model, configFile, weightsFile, ConfigKeys.sha256(weightsFile), warnings);
    }

    /** F16 and BF16 weights arrive widened to F32 (exactly); the run says so, since the model trained at lower precision. */
    private static void halfPrecision(Path weightsFile, List<String> warnings) throws BadInputFileException {
        if (!weightsFile.getFileName().toString().endsWith(".safetensors")) {
            return;
        }
        Map<String, String> stored = ConfigKeys.readWeights(weightsFile, () -> Safetensors.storedTypes(weightsFile));
        List<String> half = stored.entrySet().stream().filter(e -> !BUFFER.matcher(e.getKey()).matches()
                && ("F16".equals(e.getValue()) || "BF16".equals(e.getValue()))).map(e -> e.getKey() + " (" + e.getValue() + ")")
                .toList();
        if (!half.isEmpty()) {
            warnings.add(weightsFile.getFileName() + ": " + half.size() + " tensors stored in half precision were widened to F32 "
                    + "exactly: " + String.join(", ", half.subList(0, Math.min(3, half.size()))) + (half.size() > 3 ? ", ..." : ""));
        }
    }

    /** TransformerLens's causal mask is tril(ones(n_ctx, n_ctx)); any other mask is attention this family does not compute. */
    private static void checkCausal(Path file, String name, String layer, Tensor mask, int nCtx) throws BadInputFileException {
        double[] m = mask.toDoubles();
        for (int i = 0; i < nCtx; i++) {
            for (int j = 0; j < nCtx; j++) {
                if (m[i * nCtx + j] != (j <= i ? 1 : 0)) {
                    throw new BadInputFileException(file, "the causal mask of block " + layer + " ('" + name + "') is not "
                            + "lower-triangular (entry [" + i + ", " + j + "] is " + m[i * nCtx + j]
                            + "): only causal attention is supported", null);
                }
            }
        }
    }

    /** TransformerLens options this family does not implement, refused by the key that asks for them. */
    private static void refuseFeatures(Map<String, Object> c, Path file) throws BadInputFileException {
        Object norm = c.get("normalization_type");
        if (norm instanceof String && !NetworkConfig.LAYER_NORM.equals(norm)) {
            throw new BadInputFileException(file, "key 'normalization_type' is " + norm
                    + "; only LayerNorm is supported: save with normalization_type LN or null", null);
        }
        Object pos = c.get("positional_embedding_type");
        if (pos != null && !"standard".equals(pos)) {
            throw new BadInputFileException(file, "key 'positional_embedding_type' is " + pos
                    + "; expected standard (rotary, shortformer and alibi are not supported)", null);
        }
        Object dir = c.get("attention_dir");
        if (dir != null && !"causal".equals(dir)) {
            throw new BadInputFileException(file, "key 'attention_dir' is " + dir + "; expected causal", null);
        }
        Object act = c.get("act_fn");
        if (act instanceof String && !"relu".equals(act)) {
            throw new BadInputFileException(file, "key 'act_fn' is " + act + "; expected one of relu", null);
        }
        if (c.get("n_key_value_heads") != null) {
            throw new BadInputFileException(file, "key 'n_key_value_heads' is " + c.get("n_key_value_heads")
                    + "; grouped-query attention (_W_K, _W_V) is not supported", null);
        }
        if (Boolean.TRUE.equals(c.get("gated_mlp"))) {
            throw new BadInputFileException(file, "key 'gated_mlp' is true; gated MLPs (W_gate) are not supported", null);
        }
    }

    private static boolean bool(Map<String, Object> c, Path file, String key, boolean absent) throws BadInputFileException {
        Object v = c.get(key);
        if (v == null) {
            return absent;
        }
        if (!(v instanceof Boolean b)) {
            throw new BadInputFileException(file, "key '" + key + "' is " + v + "; expected true or false", null);
        }
        return b;
    }

    private static double positive(Map<String, Object> c, Path file, String key, double absent) throws BadInputFileException {
        Object v = c.get(key);
        if (v == null) {
            return absent;
        }
        if (!(v instanceof Number n) || !(n.doubleValue() > 0) || !Double.isFinite(n.doubleValue())) {
            throw new BadInputFileException(file, "key '" + key + "' is " + v + "; expected a positive number", null);
        }
        return n.doubleValue();
    }
}
