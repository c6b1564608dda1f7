package org.layerwise.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.layerwise.core.ModelSeries;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.model.NetworkModel;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.io.Safetensors;
import org.layerwise.io.model.ModelFileReader;
import org.layerwise.io.model.ModelFiles;
import org.layerwise.io.model.NetworkFileReader;

/**
 * A run's checkpoint series on disk: {@code ckpt/step_NNNNNNNN.safetensors} (eight digits, the
 * number of optimizer steps), each with the tensor names of model.safetensors and read back
 * through the run's config.json. The series is what the folder holds, so a resumed run's
 * checkpoints from before the interruption count too.
 */
final class RunSeries implements ModelSeries.Sink {

    static final String DIR = "ckpt";
    private static final Pattern NAME = Pattern.compile("step_([0-9]{8})\\.safetensors");

    private final Path run;

    RunSeries(Path run) {
        this.run = run;
    }

    static String fileName(int step) {
        return String.format(java.util.Locale.ROOT, "step_%08d.safetensors", step);
    }

    @Override
    public void take(int step, TransformerModel model) throws IOException {
        write(step, ModelFiles.tensors(model));
    }

    @Override
    public void take(int step, NetworkModel network) throws IOException {
        write(step, network.tensors());
    }

    private void write(int step, Map<String, org.layerwise.core.Tensor> tensors) throws IOException {
        if (step < 0) {
            throw new IllegalArgumentException("a checkpoint of step " + step);
        }
        Files.createDirectories(run.resolve(DIR));
        Safetensors.write(run.resolve(DIR).resolve(fileName(step)), tensors, Map.of("step", Integer.toString(step)));
    }

    /** The checkpoints in the folder, by step; each loads through the run's config.json, checked like any model file. */
    ModelSeries.Series series(TaskSpec task) throws IOException {
        return series((step, f, config) -> new ModelSeries.Checkpoint(step, f, () -> ModelFileReader.read(config, f, task).model()));
    }

    /** The checkpoints of a network in the folder, by step, each read through the run's config.json like any network file. */
    ModelSeries.Series networkSeries() throws IOException {
        return series((step, f, config) -> ModelSeries.Checkpoint.ofNetwork(step, f, () -> NetworkFileReader.read(config, f).model()));
    }

    @FunctionalInterface
    private interface Reader {
        ModelSeries.Checkpoint checkpoint(int step, Path file, Path config);
    }

    private ModelSeries.Series series(Reader reader) throws IOException {
        Path dir = run.resolve(DIR);
        if (!Files.isDirectory(dir)) {
            return ModelSeries.Series.EMPTY;
        }
        List<ModelSeries.Checkpoint> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                Matcher m = NAME.matcher(f.getFileName().toString());
                if (m.matches()) {
                    out.add(reader.checkpoint(Integer.parseInt(m.group(1)), f, run.resolve("config.json")));
                }
            }
        }
        return new ModelSeries.Series(out);
    }

    /** run.json's list of the series: step and file, relative to the run directory. */
    static List<Map<String, Object>> listing(ModelSeries.Series series, Path run) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ModelSeries.Checkpoint c : series.checkpoints()) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("step", c.step());
            e.put("file", run.relativize(c.file()).toString());
            out.add(e);
        }
        return out;
    }
}
