package org.layerwise.report.tests;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.layerwise.core.Tensor;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.report.RunDirectory;

/** A softmax run with a loss curve and spectral-dynamics.csv written by hand: a plateau, a drop, the ranks chosen. */
final class SyntheticEmergenceRun implements SyntheticStudy.Run {

    int steps = 1000;
    double plateau = 1.386;
    double after = 1.0;
    /** The loss falls linearly from plateau to after between these steps. */
    int dropFrom = 200;
    int dropTo = 400;
    /** QK's and OV's effective rank before and after the drop (it jumps at dropFrom + 100). */
    double rankBefore = 9;
    double rankAfter = 7;

    @Override
    public RunDirectory write(Path dir) throws IOException {
        Json.write(dir.resolve("run.json"), Map.of("status", "OK", "wall_seconds", 1.5, "pipeline", Map.of("name", "emergence",
                "stages", List.of(Map.of("role", "task", "id", "linear", "settings", Map.of("d", 8)), Map.of("role", "backend", "id",
                        "softmax-attention", "settings", Map.of("layers", 2, "steps", steps, "batch", 64, "lr", 0.003))))));
        Json.write(dir.resolve("metrics.json"), Map.of("analyzers", Map.of("spectral-dynamics", Map.of("checkpoints", 11))));
        double[] loss = new double[steps];
        for (int i = 0; i < steps; i++) {
            int step = i + 1;
            double f = step <= dropFrom ? 0 : step >= dropTo ? 1 : (step - dropFrom) / (double) (dropTo - dropFrom);
            loss[i] = plateau + f * (after - plateau) + ((i % 2 == 0) ? 0.01 : -0.01);
        }
        Npz.write(dir.resolve("training.npz"), Map.of("loss", Tensor.of(loss, steps)));
        List<List<Object>> rows = new ArrayList<>();
        for (int k = 0; k <= 10; k++) {
            long step = k * (long) steps / 10;
            double rank = step <= dropFrom + 100 ? rankBefore : rankAfter;
            for (String m : List.of("QK", "OV")) {
                for (int layer = 0; layer < 2; layer++) {
                    rows.add(List.of(step, layer, 0, m, rank, rank - 1, 1 - step / (double) steps, 4));
                }
            }
        }
        Csv.write(dir.resolve("spectral-dynamics.csv"), List.of("step", "layer", "head", "matrix", "effective_rank",
                "marginal_effective_rank", "subspace_distance", "r"), rows);
        return RunDirectory.open(dir);
    }
}
