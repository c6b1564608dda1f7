package org.layerwise.io.model;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.layerwise.core.BadInputFileException;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.AttentionFactors;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.io.Safetensors;

/**
 * Reads config.json and the weights (safetensors or npz) of FORMATS.md and checks everything
 * before use: keys and their consistency with the task, the exact set of tensor names, each
 * shape and dtype, finiteness. Factored weights are multiplied out into QK and OV.
 */
public final class ModelFileReader {

    /** The model, the files it came from, the weights' SHA-256, the context size its config names, and warnings. */
    public record Loaded(TransformerModel model, Path config, Path weights, String sha256, int fileContextSize, List<String> warnings) {
    }

    private static final Set<String> KNOWN_KEYS = Set.of("format", "version", "d_x", "d_y", "d_model", "n_ctx", "n_layers",
            "n_heads", "attention", "keys", "parameterization", "d_head", "dtype", "task");

    private ModelFileReader() {
    }

    public static Loaded read(Path configFile, Path weightsFile, TaskSpec task) throws BadInputFileException {
        Map<String, Object> c = readConfig(configFile);
        List<String> warnings = new ArrayList<>();
        for (String key : c.keySet()) {
            if (!KNOWN_KEYS.contains(key)) {
                warnings.add(configFile.getFileName() + ": unknown key '" + key + "' ignored");
            }
        }
        String format = text(c, configFile, "format", "layerwise-transformer");
        long version = integer(c, configFile, "version");
        if (!"layerwise-transformer".equals(format) || version != 1) {
            throw new BadInputFileException(configFile, "format '" + format + "' version " + version
                    + " is not supported; expected \"format\": \"layerwise-transformer\", \"version\": 1", null);
        }
        int dx = (int) integer(c, configFile, "d_x");
        int dy = (int) integer(c, configFile, "d_y");
        int dModel = (int) integer(c, configFile, "d_model");
        int nCtx = (int) integer(c, configFile, "n_ctx");
        int layers = (int) integer(c, configFile, "n_layers");
        int heads = (int) integer(c, configFile, "n_heads");
        int dHead = (int) integer(c, configFile, "d_head");
        String attention = text(c, configFile, "attention", "softmax", "linear");
        String keys = text(c, configFile, "keys", "context", "all");
        String parameterization = text(c, configFile, "parameterization", "merged", "factored");
        String dtype = text(c, configFile, "dtype", "float32", "float64");
        String kind = text(c, configFile, "task", "classification", "regression");
        if (dModel != dx + dy) {
            throw new BadInputFileException(configFile, "d_model is " + dModel + " but d_x + d_y = " + (dx + dy), null);
        }
        if (dx != task.features() || dy != task.classes()) {
            throw new BadInputFileException(configFile, "the model has d_x = " + dx + ", d_y = " + dy
                    + " but the pipeline's task has d = " + task.features() + ", C = " + task.classes()
                    + "; set task.d and task.C to match (e.g. --set task.d=" + dx + " --set task.C=" + dy + ")", null);
        }
        if (!kind.equals(task.kind())) {
            throw new BadInputFileException(configFile, "the model is for a " + kind + " task, the pipeline's task is " + task.kind(), null);
        }
        if (nCtx != task.contextSize()) {
            warnings.add(configFile.getFileName() + ": the model was trained with n_ctx = " + nCtx + ", evaluated with N = "
                    + task.contextSize() + " (attention does not depend on N)");
        }
        for (var e : Map.of("n_layers", layers, "n_heads", heads, "d_head", dHead, "d_x", dx, "d_y", dy).entrySet()) {
            if (e.getValue() < 1) {
                throw new BadInputFileException(configFile, "'" + e.getKey() + "' is " + e.getValue() + "; expected at least 1", null);
            }
        }
        ModelConfig config = new ModelConfig(dx, dy, task.contextSize(), layers, heads,
                "linear".equals(attention) ? ModelConfig.Attention.LINEAR : ModelConfig.Attention.SOFTMAX,
                "all".equals(keys) ? ModelConfig.Keys.ALL : ModelConfig.Keys.CONTEXT, parameterization, dHead, dtype, kind);

        Map<String, Tensor> tensors = readTensors(weightsFile);
        Map<String, long[]> expected = expectedShapes(config);
        for (var e : expected.entrySet()) {
            if (!tensors.containsKey(e.getKey())) {
                throw new BadInputFileException(weightsFile, "tensor '" + e.getKey() + "' is missing; expected shape "
                        + Arrays.toString(e.getValue()) + " (" + parameterization + " parameterization, config.json: n_layers = "
                        + layers + ", n_heads = " + heads + ")", null);
            }
        }
        for (var e : tensors.entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            long[] shape = expected.get(name);
            if (shape == null) {
                throw new BadInputFileException(weightsFile, "unexpected tensor '" + name + "'; a " + parameterization
                        + " model with " + layers + " layers holds exactly: " + String.join(", ", expected.keySet()), null);
            }
            if (!Arrays.equals(shape, t.shape())) {
                throw new BadInputFileException(weightsFile, "tensor '" + name + "' has shape " + t.shapeString()
                        + "; expected " + Arrays.toString(shape), null);
            }
            Tensor.DType want = "float64".equals(dtype) ? Tensor.DType.F64 : Tensor.DType.F32;
            if (t.dtype() != want) {
                throw new BadInputFileException(weightsFile, "tensor '" + name + "' is " + t.dtype() + " but config.json says dtype "
                        + dtype + " (" + want + ")", null);
            }
            double[] v = t.toDoubles();
            for (int i = 0; i < v.length; i++) {
                if (!Double.isFinite(v[i])) {
                    throw new BadInputFileException(weightsFile, "tensor '" + name + "' holds " + v[i] + " at flat index " + i
                            + "; every weight must be finite", null);
                }
            }
        }
        TransformerModel model = merged(config, tensors);
        return new Loaded(model, configFile, weightsFile, sha256(weightsFile), nCtx, warnings);
    }

    private static Map<String, Object> readConfig(Path file) throws BadInputFileException {
        try {
            return Json.readMap(file);
        } catch (NoSuchFileException e) {
            throw new BadInputFileException(file, "file not found; a model directory needs config.json (FORMATS.md)", e);
        } catch (IOException | RuntimeException e) {
            throw new BadInputFileException(file, "not a valid config: " + e.getMessage(), e);
        }
    }

    private static Map<String, Tensor> readTensors(Path file) throws BadInputFileException {
        String name = file.getFileName().toString();
        try {
            if (name.endsWith(".npz")) {
                return Npz.read(file);
            }
            if (name.endsWith(".safetensors")) {
                return Safetensors.read(file).tensors();
            }
            throw new BadInputFileException(file, "unknown weight file type; expected .safetensors or .npz", null);
        } catch (NoSuchFileException e) {
            throw new BadInputFileException(file, "file not found; expected model.safetensors or model.npz beside config.json", e);
        } catch (IOException e) {
            // the io layer's messages already name the file and tensor
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new BadInputFileException(file, msg.startsWith(file.toString()) || msg.contains(name)
                    ? msg.substring(msg.indexOf(':') + 1).trim() : msg, e);
        }
    }

    static Map<String, long[]> expectedShapes(ModelConfig c) {
        Map<String, long[]> m = new LinkedHashMap<>();
        long h = c.nHeads();
        long d = c.dModel();
        long k = c.dHead();
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "blocks." + l + ".attn.";
            if ("factored".equals(c.parameterization())) {
                m.put(p + "W_Q", new long[] {h, d, k});
                m.put(p + "W_K", new long[] {h, d, k});
                m.put(p + "W_V", new long[] {h, d, k});
                m.put(p + "W_O", new long[] {h, k, d});
            } else {
                m.put(p + "QK", new long[] {h, d, d});
                m.put(p + "OV", new long[] {h, d, d});
            }
        }
        return m;
    }

    /** Merged files as stored; factored ones keep their factors and are multiplied out (FORMATS.md). */
    private static TransformerModel merged(ModelConfig c, Map<String, Tensor> t) {
        int heads = c.nHeads();
        int n = c.nLayers() * heads;
        int d = c.dModel();
        int k = c.dHead();
        boolean factored = "factored".equals(c.parameterization());
        double[][] qk = new double[n][];
        double[][] ov = new double[n][];
        AttentionFactors f = new AttentionFactors(d, k, new double[n][], new double[n][], new double[n][], new double[n][]);
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "blocks." + l + ".attn.";
            for (int h = 0; h < heads; h++) {
                int i = l * heads + h;
                if (factored) {
                    f.wq()[i] = slice(t.get(p + "W_Q"), h, d * k);
                    f.wk()[i] = slice(t.get(p + "W_K"), h, d * k);
                    f.wv()[i] = slice(t.get(p + "W_V"), h, d * k);
                    f.wo()[i] = slice(t.get(p + "W_O"), h, k * d);
                } else {
                    qk[i] = slice(t.get(p + "QK"), h, d * d);
                    ov[i] = slice(t.get(p + "OV"), h, d * d);
                }
            }
        }
        return factored ? f.merged(c) : new TransformerModel(c, qk, ov);
    }

    private static double[] slice(Tensor t, int head, int size) {
        return Arrays.copyOfRange(t.toDoubles(), head * size, (head + 1) * size);
    }

    private static long integer(Map<String, Object> c, Path file, String key) throws BadInputFileException {
        Object v = c.get(key);
        if (v == null) {
            throw new BadInputFileException(file, "key '" + key + "' is missing (FORMATS.md lists the keys of config.json)", null);
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
            throw new BadInputFileException(file, "key '" + key + "' is " + v + "; expected an integer", null);
        }
        return n.longValue();
    }

    private static String text(Map<String, Object> c, Path file, String key, String... allowed) throws BadInputFileException {
        Object v = c.get(key);
        if (v == null) {
            throw new BadInputFileException(file, "key '" + key + "' is missing (FORMATS.md lists the keys of config.json)", null);
        }
        if (!(v instanceof String s) || (allowed.length > 1 && !Arrays.asList(allowed).contains(s))) {
            throw new BadInputFileException(file, "key '" + key + "' is " + v + "; expected "
                    + (allowed.length > 1 ? "one of " + String.join(", ", allowed) : "a string"), null);
        }
        return s;
    }

    private static String sha256(Path file) throws BadInputFileException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new BadInputFileException(file, "cannot be read: " + e.getMessage(), e);
        }
    }
}
