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
import org.layerwise.runner.RunDirectory;

/** A softmax run with a loss curve and spectral-dynamics.csv written by hand: a plateau, a drop, the ranks chosen. */
final class SyntheticEmergenceRun implements SyntheticStudy.Run {

    /** The loss curve's shape: the plateau-then-drop below, or a curve that falls steadily from step 1. */
    enum Shape {
        /** plateau until dropFrom, linear fall to after at dropTo, flat after it */
        PLATEAU_THEN_DROP,
        /** after + (plateau - after) exp(-step / tau), tau = dropTo / 3: gradient descent on a convex loss */
        EXPONENTIAL,
        /** linear in log(step) from plateau at step 1 to after at the last step: a power-law-like steady decline */
        LOG_LINEAR
    }

    /** The run's pipeline name and task id as run.json records them. */
    String name = "emergence";
    String task = "linear";
    Shape shape = Shape.PLATEAU_THEN_DROP;
    int steps = 1000;
    double plateau = 1.386;
    double after = 1.0;
    /** The loss falls linearly from plateau to after between these steps. */
    int dropFrom = 200;
    int dropTo = 400;
    /** QK's and OV's effective rank before and after the drop (it jumps at dropFrom + 100). */
    double rankBefore = 9;
    double rankAfter = 7;
    /** The subspace distance to the final falls linearly in the step, from this at step 0 to 0 at the last step. */
    double distanceAtStart = 1;
    /** Also rows of the matrices a transformer adds (W_E, W_U with layer and head -1, W_in with head -1), rank 50 and distance 0.5. */
    boolean transformerKinds;

    /**
     * The regression run on which the rule holds: squared error from 1.9 on its plateau to 0.35 (a drop of 82% of it)
     * between steps 300 and 600, QK's and OV's effective rank from 4 to 5.5.
     */
    static SyntheticEmergenceRun regression() {
        SyntheticEmergenceRun r = new SyntheticEmergenceRun();
        r.name = "emergence-regression";
        r.task = "linear-regression";
        r.plateau = 1.9;
        r.after = 0.35;
        r.dropFrom = 300;
        r.dropTo = 600;
        r.rankBefore = 4;
        r.rankAfter = 5.5;
        return r;
    }

    @Override
    public RunDirectory write(Path dir) throws IOException {
        Json.write(dir.resolve("run.json"), Map.of("status", "OK", "wall_seconds", 1.5, "pipeline", Map.of("name", name,
                "stages", List.of(Map.of("role", "task", "id", task, "settings", Map.of("d", 8)), Map.of("role", "backend", "id",
                        "softmax-attention", "settings", Map.of("layers", 2, "steps", steps, "batch", 64, "lr", 0.003))))));
        Json.write(dir.resolve("metrics.json"), Map.of("analyzers", Map.of("spectral-dynamics", Map.of("checkpoints", 11))));
        double[] loss = new double[steps];
        for (int i = 0; i < steps; i++) {
            int step = i + 1;
            double f = switch (shape) {
                case PLATEAU_THEN_DROP -> step <= dropFrom ? 0 : step >= dropTo ? 1 : (step - dropFrom) / (double) (dropTo - dropFrom);
                case EXPONENTIAL -> 1 - Math.exp(-step / (dropTo / 3.0));
                case LOG_LINEAR -> Math.log(step) / Math.log(steps);
            };
            loss[i] = plateau + f * (after - plateau) + ((i % 2 == 0) ? 0.01 : -0.01);
        }
        Npz.write(dir.resolve("training.npz"), Map.of("loss", Tensor.of(loss, steps)));
        List<List<Object>> rows = new ArrayList<>();
        for (int k = 0; k <= 10; k++) {
            long step = k * (long) steps / 10;
            double rank = step <= dropFrom + 100 ? rankBefore : rankAfter;
            for (String m : List.of("QK", "OV")) {
                for (int layer = 0; layer < 2; layer++) {
                    rows.add(List.of(step, layer, 0, m, rank, rank - 1, distanceAtStart * (1 - step / (double) steps), 4));
                }
            }
            if (transformerKinds) {
                rows.add(List.of(step, -1, -1, "W_E", 50.0, 49.0, 0.5, 60));
                rows.add(List.of(step, 0, -1, "W_in", 50.0, 49.0, 0.5, 60));
                rows.add(List.of(step, -1, -1, "W_U", 50.0, 49.0, 0.5, 60));
            }
        }
        Csv.write(dir.resolve("spectral-dynamics.csv"), List.of("step", "layer", "head", "matrix", "effective_rank",
                "marginal_effective_rank", "subspace_distance", "r"), rows);
        return RunDirectory.open(dir);
    }
}
