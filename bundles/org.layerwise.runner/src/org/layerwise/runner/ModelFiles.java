package org.layerwise.runner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.layerwise.core.Tensor;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.io.Json;
import org.layerwise.io.Safetensors;

/** config.json + model.safetensors in the merged parameterization of FORMATS.md. */
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

    /** The weight tensors, [H, D, D] per layer, F32 or F64 as the config says. */
    public static Map<String, Tensor> tensors(TransformerModel model) {
        ModelConfig c = model.config();
        int dd = c.dModel() * c.dModel();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int l = 0; l < c.nLayers(); l++) {
            double[] qk = new double[c.nHeads() * dd];
            double[] ov = new double[c.nHeads() * dd];
            for (int h = 0; h < c.nHeads(); h++) {
                System.arraycopy(model.qk(l, h), 0, qk, h * dd, dd);
                System.arraycopy(model.ov(l, h), 0, ov, h * dd, dd);
            }
            Tensor q = Tensor.of(qk, c.nHeads(), c.dModel(), c.dModel());
            Tensor o = Tensor.of(ov, c.nHeads(), c.dModel(), c.dModel());
            boolean f32 = "float32".equals(c.dtype());
            out.put("blocks." + l + ".attn.QK", f32 ? q.toFloat32() : q);
            out.put("blocks." + l + ".attn.OV", f32 ? o.toFloat32() : o);
        }
        return out;
    }

    public static void write(TransformerModel model, Path dir, Map<String, String> metadata) throws IOException {
        Json.write(dir.resolve("config.json"), config(model.config()));
        Safetensors.write(dir.resolve("model.safetensors"), tensors(model), metadata);
    }
}
