package org.layerwise.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.layerwise.core.Tensor;
import org.layerwise.core.TrainingCheckpoints;
import org.layerwise.io.Npz;

/**
 * A run's training state: {@value #FILE} in the run directory, written atomically each time the
 * backend saves, with the step in an array of its own ({@code np.load("checkpoint.npz")}).
 */
final class RunCheckpoints implements TrainingCheckpoints {

    static final String FILE = "checkpoint.npz";
    private static final String STEP = "__step__";

    private final Path file;

    RunCheckpoints(Path dir) {
        this.file = dir.resolve(FILE);
    }

    @Override
    public TrainingState latest() throws IOException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Map<String, Tensor> arrays = Npz.read(file);
        Tensor step = arrays.remove(STEP);
        if (step == null || step.size() != 1 || step.dtype() != Tensor.DType.I64) {
            throw new IOException(file + ": no '" + STEP + "' array of one int64; not a Layerwise training state");
        }
        return new TrainingState((int) step.toLongs()[0], arrays);
    }

    @Override
    public void save(TrainingState state) throws IOException {
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        arrays.put(STEP, Tensor.of(new long[] {state.step()}));
        arrays.putAll(new java.util.TreeMap<>(state.arrays())); // a fixed order: the same state, the same bytes
        Npz.write(file, arrays);
    }
}
