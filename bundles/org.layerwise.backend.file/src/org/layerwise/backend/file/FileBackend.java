package org.layerwise.backend.file;

import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.LinkedHashMap;
import java.util.Map;

import org.layerwise.core.BackendContext;
import org.layerwise.core.BadInputFileException;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.NetworkBackend;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.io.model.ModelFileReader;
import org.layerwise.io.model.NetworkFileReader;

/**
 * Backend "file": a model trained elsewhere, attention-only (ModelConfig) or a transformer with
 * embeddings and MLPs in TransformerLens names (NetworkConfig), with the checkpoint series beside
 * it. Everything is read and checked at validation time (configure, configureNetwork), so a bad
 * file stops the pipeline before a run directory exists.
 */
public class FileBackend implements NetworkBackend {

    private static final Pattern STEP = Pattern.compile("step_([0-9]{1,9})\\.safetensors");

    private ModelFileReader.Loaded loaded;
    private NetworkFileReader.Loaded network;
    private TaskSpec task;
    private Path config;
    private Path weights;
    /** The checkpoint series beside the model, by step (empty when there is none). */
    private final TreeMap<Integer, Path> series = new TreeMap<>();

    @Override
    public NetworkConfig configureNetwork(Settings s, TaskSpec task) throws InvalidSettingException, BadInputFileException {
        locate(s);
        network = null;
        if (!NetworkFileReader.describesNetwork(config)) {
            return null;
        }
        network = NetworkFileReader.read(config, weights, task);
        this.task = task;
        for (Path checkpoint : series.values()) {
            NetworkConfig c = NetworkFileReader.read(config, checkpoint, task).model().config();
            if (!c.equals(network.model().config())) {
                throw new BadInputFileException(checkpoint, "the checkpoint's model is " + c + " but the series' model is "
                        + network.model().config(), null);
            }
        }
        return network.model().config();
    }

    @Override
    public ModelConfig configure(Settings s, TaskSpec task) throws InvalidSettingException, BadInputFileException {
        locate(s);
        if (task.isSequence()) {
            throw new InvalidSettingException(null, "file found an attention-only model at " + config.getParent() + " (the "
                    + "transformer of docs/mathematics.md section 3, for in-context prompts); the task produces kind '" + task.kind()
                    + "' (token sequences, not in-context prompts): load a transformer saved under TransformerLens names "
                    + "(docs/file-formats.md)");
        }
        loaded = ModelFileReader.read(config, weights, task);
        this.task = task;
        for (Path checkpoint : series.values()) { // every checkpoint checked now, before a run directory exists
            ModelFileReader.Loaded c = ModelFileReader.read(config, checkpoint, task);
            if (!c.model().config().equals(loaded.model().config())) {
                throw new BadInputFileException(checkpoint, "the checkpoint's model is " + c.model().config()
                        + " but the series' model is " + loaded.model().config(), null);
            }
        }
        return loaded.model().config();
    }

    /** config.json, the weights and the series that the setting "path" names. */
    private void locate(Settings s) throws InvalidSettingException, BadInputFileException {
        String raw = s.text("path");
        if (raw.isBlank()) {
            throw new InvalidSettingException("path", "no model given; set the directory of a run or of config.json and "
                    + "model.safetensors, e.g. --set backend.path=runs/quickstart-...");
        }
        Path path = Path.of(raw).toAbsolutePath();
        series.clear();
        if (Files.isDirectory(path)) {
            config = path.resolve("config.json");
            Path st = path.resolve("model.safetensors");
            Path npz = path.resolve("model.npz");
            weights = Files.exists(st) || !Files.exists(npz) ? st : npz;
            findSeries(Files.isDirectory(path.resolve("ckpt")) ? path.resolve("ckpt") : path);
            if (!Files.exists(st) && !Files.exists(npz) && !series.isEmpty()) {
                weights = series.lastEntry().getValue(); // a bare series: the model is its last checkpoint
            }
        } else {
            weights = path;
            config = path.resolveSibling("config.json");
        }
    }

    /** step_N.safetensors files of a folder: a series trained elsewhere, or a Layerwise run's ckpt/. */
    private void findSeries(Path dir) throws BadInputFileException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Matcher m = STEP.matcher(f.getFileName().toString());
                if (m.matches()) {
                    Path other = series.put(Integer.parseInt(m.group(1)), f);
                    if (other != null) {
                        throw new BadInputFileException(f, "step " + m.group(1) + " appears twice in the series (also "
                                + other.getFileName() + ")", null);
                    }
                }
            }
        } catch (IOException e) {
            throw new BadInputFileException(dir, "cannot be listed: " + e.getMessage(), e);
        }
    }

    @Override
    public TrainedModel build(BackendContext context) throws IOException, BadInputFileException {
        for (var e : series.entrySet()) {
            if (context.monitor().isCanceled()) {
                throw new org.eclipse.core.runtime.OperationCanceledException();
            }
            if (network != null) {
                context.series().take(e.getKey(), NetworkFileReader.read(config, e.getValue(), task).model());
            } else {
                context.series().take(e.getKey(), ModelFileReader.read(config, e.getValue(), task).model());
            }
        }
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("engine", "none (loaded)");
        facts.put("config", config.toString());
        facts.put("weights", weights.toString());
        if (!series.isEmpty()) {
            facts.put("series", series.size() + " checkpoints, steps " + series.firstKey() + " to " + series.lastKey());
        }
        if (network != null) {
            facts.put("sha256", network.sha256());
            facts.put("dtype", network.model().config().dtype());
            if (!network.warnings().isEmpty()) {
                facts.put("warnings", network.warnings());
            }
            return TrainedModel.ofNetwork(network.model(), new double[0], false, facts, null, null);
        }
        TransformerModel model = loaded.model();
        facts.put("sha256", loaded.sha256());
        facts.put("parameterization", model.config().parameterization());
        facts.put("file_n_ctx", loaded.fileContextSize());
        if (!loaded.warnings().isEmpty()) {
            facts.put("warnings", loaded.warnings());
        }
        return new TrainedModel(model, new double[0], false, facts);
    }
}
