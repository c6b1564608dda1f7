package org.layerwise.io.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.layerwise.core.BadInputFileException;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkModel;
import org.layerwise.io.Json;
import org.layerwise.io.Safetensors;

/**
 * A transformer's files: config.json with Layerwise's three keys and TransformerLens's cfg
 * names verbatim, and model.safetensors with the state_dict names (docs/file-formats.md), both written
 * atomically and read back by {@link NetworkFileReader}.
 */
public final class NetworkFiles {

    private NetworkFiles() {
    }

    public static Map<String, Object> config(NetworkConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "layerwise-transformer");
        m.put("version", 1);
        m.put("architecture", c.family());
        m.put("d_model", c.dModel());
        m.put("n_heads", c.nHeads());
        m.put("d_head", c.dHead());
        m.put("d_mlp", c.attnOnly() ? null : c.dMlp());
        m.put("n_layers", c.nLayers());
        m.put("d_vocab", c.dVocab());
        m.put("d_vocab_out", c.dVocabOut());
        m.put("n_ctx", c.nCtx());
        m.put("act_fn", c.actFn());
        m.put("normalization_type", c.normalization());
        m.put("attn_only", c.attnOnly());
        m.put("positional_embedding_type", "standard");
        m.put("attention_dir", "causal");
        m.put("use_attn_scale", true);
        m.put("attn_scale", c.attnScale());
        m.put("eps", c.lnEps());
        m.put("dtype", c.dtype());
        if (c.task() != null) {
            m.put("task", c.task());
        }
        return m;
    }

    public static void write(NetworkModel model, Path dir, Map<String, String> metadata) throws IOException {
        Json.write(dir.resolve("config.json"), config(model.config()));
        Safetensors.write(dir.resolve("model.safetensors"), model.tensors(), metadata);
    }

    /** The model of a directory holding config.json + model.safetensors (or model.npz), checked. */
    public static NetworkModel read(Path dir) throws BadInputFileException {
        Path st = dir.resolve("model.safetensors");
        Path npz = dir.resolve("model.npz");
        return NetworkFileReader.read(dir.resolve("config.json"), Files.exists(st) || !Files.exists(npz) ? st : npz).model();
    }
}
