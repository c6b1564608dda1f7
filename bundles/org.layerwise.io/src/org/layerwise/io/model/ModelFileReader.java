package org.layerwise.io.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.layerwise.core.BadInputFileException;
import org.layerwise.core.MemoryBudget;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.AttentionFactors;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.io.Npz;

/**
 * Reads config.json and the weights (safetensors or npz) of docs/file-formats.md and checks everything
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

    /** Upper bounds of config.json's integers: far above any model studied here, far below overflow. */
    public static final int MAX_WIDTH = 4096;
    public static final int MAX_LAYERS = 1024;
    public static final int MAX_HEADS = 1024;
    public static final int MAX_CONTEXT = 1 << 20;
    /** config.json is a few hundred bytes; more than this is not a config. */
    public static final int MAX_CONFIG_BYTES = 1 << 20;

    public static Loaded read(Path configFile, Path weightsFile, TaskSpec task) throws BadInputFileException {
        Map<String, Object> c = ConfigKeys.readConfig(configFile);
        List<String> warnings = new ArrayList<>();
        for (String key : c.keySet()) {
            if (!KNOWN_KEYS.contains(key)) {
                warnings.add(configFile.getFileName() + ": unknown key '" + key + "' ignored");
            }
        }
        ConfigKeys.formatVersion(c, configFile);
        int dx = ConfigKeys.integer(c, configFile, "d_x", 1, MAX_WIDTH);
        int dy = ConfigKeys.integer(c, configFile, "d_y", 1, MAX_WIDTH);
        int dModel = ConfigKeys.integer(c, configFile, "d_model", 1, 2 * MAX_WIDTH);
        int nCtx = ConfigKeys.integer(c, configFile, "n_ctx", 0, MAX_CONTEXT);
        int layers = ConfigKeys.integer(c, configFile, "n_layers", 1, MAX_LAYERS);
        int heads = ConfigKeys.integer(c, configFile, "n_heads", 1, MAX_HEADS);
        int dHead = ConfigKeys.integer(c, configFile, "d_head", 1, 2 * MAX_WIDTH);
        String attention = ConfigKeys.text(c, configFile, "attention", "softmax", "linear");
        String keys = ConfigKeys.text(c, configFile, "keys", "context", "all");
        String parameterization = ConfigKeys.text(c, configFile, "parameterization", "merged", "factored");
        String dtype = ConfigKeys.text(c, configFile, "dtype", "float32", "float64");
        String kind = ConfigKeys.text(c, configFile, "task", "classification", "regression");
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
        ModelConfig config = new ModelConfig(dx, dy, task.contextSize(), layers, heads,
                "linear".equals(attention) ? ModelConfig.Attention.LINEAR : ModelConfig.Attention.SOFTMAX,
                "all".equals(keys) ? ModelConfig.Keys.ALL : ModelConfig.Keys.CONTEXT, parameterization, dHead, dtype, kind);
        Map<String, long[]> expected = expectedShapes(config);
        Tensor.DType want = "float64".equals(dtype) ? Tensor.DType.F64 : Tensor.DType.F32;
        checkMemory(configFile, config, expected, want);
        // names, shapes and dtypes from the headers, before any data is read
        Map<String, Npz.ArrayHeader> headers = ConfigKeys.readHeaders(weightsFile);
        for (var e : expected.entrySet()) {
            if (!headers.containsKey(e.getKey())) {
                throw new BadInputFileException(weightsFile, "tensor '" + e.getKey() + "' is missing; expected shape "
                        + Arrays.toString(e.getValue()) + " (" + parameterization + " parameterization, config.json: n_layers = "
                        + layers + ", n_heads = " + heads + ")", null);
            }
        }
        for (var e : headers.entrySet()) {
            String name = e.getKey();
            Npz.ArrayHeader t = e.getValue();
            long[] shape = expected.get(name);
            if (shape == null) {
                throw new BadInputFileException(weightsFile, "unexpected tensor '" + name + "'; a " + parameterization
                        + " model with " + layers + " layers holds exactly: " + String.join(", ", expected.keySet()), null);
            }
            if (!Arrays.equals(shape, t.shape())) {
                throw new BadInputFileException(weightsFile, "tensor '" + name + "' has shape " + t.shapeString()
                        + "; expected " + Arrays.toString(shape), null);
            }
            if (t.dtype() != want) {
                throw new BadInputFileException(weightsFile, "tensor '" + name + "' is " + t.dtype() + " but config.json says dtype "
                        + dtype + " (" + want + ")", null);
            }
        }
        Map<String, double[]> weights = new LinkedHashMap<>();
        for (var e : ConfigKeys.readTensors(weightsFile, expected.keySet()).entrySet()) {
            String name = e.getKey();
            Tensor t = e.getValue();
            if (!Arrays.equals(expected.get(name), t.shape()) || t.dtype() != want) {
                throw new BadInputFileException(weightsFile, "tensor '" + name + "' changed while it was read", null);
            }
            double[] v = t.toDoubles();
            for (int i = 0; i < v.length; i++) {
                if (!Double.isFinite(v[i])) {
                    throw new BadInputFileException(weightsFile, "tensor '" + name + "' holds " + v[i] + " at flat index " + i
                            + "; every weight must be finite", null);
                }
            }
            weights.put(name, v);
        }
        TransformerModel model = merged(config, weights);
        return new Loaded(model, configFile, weightsFile, ConfigKeys.sha256(weightsFile), nCtx, warnings);
    }

    /**
     * The model's memory from its shape, held against the heap before anything is read: the
     * file's tensors as read, each as doubles, the merged QK and OV [L*H][D*D] of doubles and,
     * for factored files, the factors kept beside them.
     */
    private static void checkMemory(Path configFile, ModelConfig c, Map<String, long[]> expected, Tensor.DType dtype)
            throws BadInputFileException {
        long fileElements = ConfigKeys.fileElements(configFile, expected);
        long n = (long) c.nLayers() * c.nHeads();
        long merged = MemoryBudget.product(2, n, c.dModel(), c.dModel(), Double.BYTES);
        long bytes = MemoryBudget.sum(MemoryBudget.product(fileElements, dtype.bytes + Double.BYTES), merged);
        String problem = MemoryBudget.problem("the model of config.json (n_layers = " + c.nLayers() + ", n_heads = "
                + c.nHeads() + ", d_model = " + c.dModel() + ", d_head = " + c.dHead() + ", " + c.parameterization() + ", "
                + c.dtype() + ")", bytes);
        if (problem != null) {
            throw new BadInputFileException(configFile, problem, null);
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

    /** Merged files as stored; factored ones keep their factors and are multiplied out (docs/file-formats.md). */
    private static TransformerModel merged(ModelConfig c, Map<String, double[]> t) {
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

    private static double[] slice(double[] all, int head, int size) {
        return Arrays.copyOfRange(all, head * size, (head + 1) * size);
    }
}
