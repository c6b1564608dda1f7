package org.layerwise.backend.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.layerwise.core.BadInputFileException;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.io.Json;

/**
 * The model a run directory (or any folder of config.json + model.safetensors / model.npz)
 * holds, read and checked by the file backend's reader against the task config.json itself
 * names: for views and tools that look at a model without a pipeline. Factored weights come
 * back multiplied out (QK = W_Q W_K^T, OV = W_V W_O) with their factors kept.
 */
public final class ModelFile {

    private ModelFile() {
    }

    public static TransformerModel read(Path dir) throws BadInputFileException {
        Path config = dir.resolve("config.json");
        Path st = dir.resolve("model.safetensors");
        Path npz = dir.resolve("model.npz");
        Path weights = Files.exists(st) || !Files.exists(npz) ? st : npz;
        Map<String, Object> c;
        try {
            c = Json.readMap(config);
        } catch (IOException | RuntimeException e) {
            throw new BadInputFileException(config, "not a readable config: " + e.getMessage(), e);
        }
        TaskSpec task = new TaskSpec(String.valueOf(c.get("task")), number(c, "d_x"), number(c, "d_y"), number(c, "n_ctx"));
        return ModelFileReader.read(config, weights, task).model();
    }

    /** A key the reader checks again; here only read far enough to name the task. */
    private static int number(Map<String, Object> c, String key) {
        return c.get(key) instanceof Number n ? n.intValue() : 0;
    }
}
