package org.layerwise.backend.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.layerwise.core.BackendContext;
import org.layerwise.core.BadInputFileException;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.ModelBackend;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.io.model.ModelFileReader;

/**
 * Backend "file": a model trained elsewhere. Everything is read and checked in configure, at
 * validation time, so a bad file stops the pipeline before a run directory exists.
 */
public class FileBackend implements ModelBackend {

    private ModelFileReader.Loaded loaded;

    @Override
    public ModelConfig configure(Settings s, TaskSpec task) throws InvalidSettingException, BadInputFileException {
        String raw = s.text("path");
        if (raw.isBlank()) {
            throw new InvalidSettingException("path", "no model given; set the directory of a run or of config.json and "
                    + "model.safetensors, e.g. --set backend.path=runs/quickstart-...");
        }
        Path path = Path.of(raw).toAbsolutePath();
        Path config;
        Path weights;
        if (Files.isDirectory(path)) {
            config = path.resolve("config.json");
            Path st = path.resolve("model.safetensors");
            Path npz = path.resolve("model.npz");
            weights = Files.exists(st) || !Files.exists(npz) ? st : npz;
        } else {
            weights = path;
            config = path.resolveSibling("config.json");
        }
        loaded = ModelFileReader.read(config, weights, task);
        return loaded.model().config();
    }

    @Override
    public TrainedModel build(BackendContext context) {
        TransformerModel model = loaded.model();
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("engine", "none (loaded)");
        facts.put("config", loaded.config().toString());
        facts.put("weights", loaded.weights().toString());
        facts.put("sha256", loaded.sha256());
        facts.put("parameterization", model.config().parameterization());
        facts.put("file_n_ctx", loaded.fileContextSize());
        if (!loaded.warnings().isEmpty()) {
            facts.put("warnings", loaded.warnings());
        }
        return new TrainedModel(model, new double[0], false, facts);
    }
}
