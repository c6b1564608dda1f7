package org.layerwise.io.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.layerwise.core.BadInputFileException;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.AttentionFactors;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.io.Json;
import org.layerwise.io.Safetensors;

/**
 * A model's files, config.json + model.safetensors with the tensor names of docs/file-formats.md, merged
 * or factored: written by every run, read back (checked by {@link ModelFileReader}) by the file
 * backend, the workbench and tools that look at a model without a pipeline.
 */
public final class ModelFiles {

    private ModelFiles() {
    }

    public static Map<String, Object> config(ModelConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "layerwise-transformer");
        m.put("version", 1);
        m.put("d_x", c.dX());
        m.put("d_y", c.dY());
        m.put("d_model", c.dModel());
        m.put("n_ctx", c.nCtx());
        m.put("n_layers", c.nLayers());
        m.put("n_heads", c.nHeads());
        m.put("attention", c.attention().key());
        m.put("keys", c.keys().key());
        m.put("parameterization", c.parameterization());
        m.put("d_head", c.dHead());
        m.put("dtype", c.dtype());
        m.put("task", c.task());
        return m;
    }

    /**
     * The weight tensors, F32 or F64 as the config says: QK and OV [H, D, D] per layer, or for a
     * model with factors W_Q, W_K, W_V [H, D, d_head] and W_O [H, d_head, D].
     */
    public static Map<String, Tensor> tensors(TransformerModel model) {
        ModelConfig c = model.config();
        AttentionFactors f = model.factors();
        int d = c.dModel();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int l = 0; l < c.nLayers(); l++) {
            String p = "blocks." + l + ".attn.";
            if (f != null) {
                out.put(p + "W_Q", stack(c, l, f.wq(), d, f.dHead()));
                out.put(p + "W_K", stack(c, l, f.wk(), d, f.dHead()));
                out.put(p + "W_V", stack(c, l, f.wv(), d, f.dHead()));
                out.put(p + "W_O", stack(c, l, f.wo(), f.dHead(), d));
            } else {
                double[][] qk = new double[c.nHeads()][];
                double[][] ov = new double[c.nHeads()][];
                for (int h = 0; h < c.nHeads(); h++) {
                    qk[h] = model.qk(l, h);
                    ov[h] = model.ov(l, h);
                }
                out.put(p + "QK", stack(c, 0, qk, d, d));
                out.put(p + "OV", stack(c, 0, ov, d, d));
            }
        }
        return out;
    }

    /** The H matrices of layer l (rows x cols each) as one [H, rows, cols] tensor. */
    private static Tensor stack(ModelConfig c, int layer, double[][] perHead, int rows, int cols) {
        int size = rows * cols;
        double[] data = new double[c.nHeads() * size];
        for (int h = 0; h < c.nHeads(); h++) {
            System.arraycopy(perHead[layer * c.nHeads() + h], 0, data, h * size, size);
        }
        Tensor t = Tensor.of(data, c.nHeads(), rows, cols);
        return "float32".equals(c.dtype()) ? t.toFloat32() : t;
    }

    public static void write(TransformerModel model, Path dir, Map<String, String> metadata) throws IOException {
        Json.write(dir.resolve("config.json"), config(model.config()));
        Safetensors.write(dir.resolve("model.safetensors"), tensors(model), metadata);
    }

    /**
     * The model a run directory (or any folder of config.json + model.safetensors / model.npz)
     * holds, checked against the task its config.json names. Factored weights come back
     * multiplied out (QK = W_Q W_K^T, OV = W_V W_O) with their factors kept.
     */
    public static TransformerModel read(Path dir) throws BadInputFileException {
        Path config = dir.resolve("config.json");
        Path st = dir.resolve("model.safetensors");
        Path npz = dir.resolve("model.npz");
        return read(config, Files.exists(st) || !Files.exists(npz) ? st : npz);
    }

    /** A model from its config.json and a weights file of that config (a run's model or one of its checkpoints). */
    public static TransformerModel read(Path config, Path weights) throws BadInputFileException {
        Map<String, Object> c;
        try {
            c = Json.readMap(config, ModelFileReader.MAX_CONFIG_BYTES);
        } catch (IOException | RuntimeException e) {
            throw new BadInputFileException(config, "not a readable config: " + e.getMessage(), e);
        }
        if (NetworkFileReader.describesNetwork(config)) {
            throw new BadInputFileException(config, "holds a model of the family " + c.get("architecture") + " (embeddings, "
                    + "attention, MLP, unembedding); this reads attention-only models only (NetworkFiles reads the family)", null);
        }
        TaskSpec task = new TaskSpec(String.valueOf(c.get("task")), number(c, "d_x"), number(c, "d_y"), number(c, "n_ctx"));
        return ModelFileReader.read(config, weights, task).model();
    }

    /** A key the reader checks again; here only read far enough to name the task (never wrapped: 0 if not an int). */
    private static int number(Map<String, Object> c, String key) {
        return c.get(key) instanceof Number n && n.doubleValue() == n.intValue() ? n.intValue() : 0;
    }
}
