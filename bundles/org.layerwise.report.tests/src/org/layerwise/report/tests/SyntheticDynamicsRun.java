package org.layerwise.report.tests;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.runner.RunDirectory;

/** A learning-dynamics run directory written by hand with chosen numbers, for the paper B claims. */
final class SyntheticDynamicsRun implements SyntheticStudy.Run {

    String parameterization = "reduced";
    double eta = 0.01;
    long steps = 40000;
    double maxDeviation = 0.005;
    /** The deviation of every mode at the last checkpoint; NaN: maxDeviation. */
    double finalDeviation = Double.NaN;
    double drift = 1e-4;
    double stagedOrder = 1;
    double[] s = {1, 0.5, 0.25, 0.125};
    double[] tau = {100, 400, 1600, 6400};
    /** The simulated half-step of each mode is the closed form's plus this many of its tau. */
    double[] halfStepOffByTau = {0.01, 0.01, 0.01, 0.01};

    @Override
    public RunDirectory write(Path dir) throws IOException {
        Map<String, Object> backend = new LinkedHashMap<>();
        backend.put("parameterization", parameterization);
        backend.put("gradient", "expected");
        backend.put("eta", eta);
        backend.put("steps", steps);
        backend.put("batch", 256);
        backend.put("init", "random");
        backend.put("checkpoints", "log:60");
        Json.write(dir.resolve("run.json"), Map.of("status", "OK", "wall_seconds", 1.5, "pipeline",
                Map.of("name", "synthetic", "stages", List.of(Map.of("role", "task", "id", "linear-regression", "settings", Map.of("N", 20)),
                        Map.of("role", "backend", "id", "linear-attention", "settings", backend)))));
        Json.write(dir.resolve("metrics.json"), Map.of("analyzers", Map.of("learning-dynamics", Map.of("max_deviation", maxDeviation,
                "conservation_drift", drift, "staged_order", stagedOrder, "agreement", maxDeviation <= 0.01 ? 1 : 0))));
        List<List<Object>> modes = new ArrayList<>();
        List<List<Object>> points = new ArrayList<>();
        for (int m = 0; m < s.length; m++) {
            double closed = 5 * tau[m];
            modes.add(List.of(m, s[m], 64, tau[m], 1 / s[m], 1e-4, 0.01, closed + halfStepOffByTau[m] * tau[m], closed, m + 1, m + 1));
            points.add(List.of(0, m, s[m], 0.1, 0.1, 0.01, 0.01, 0, 0.01));
            points.add(List.of(steps, m, s[m], 1, 1, 1 / s[m], 1 / s[m], Double.isNaN(finalDeviation) ? maxDeviation : finalDeviation,
                    0.01 - drift));
        }
        Csv.write(dir.resolve("learning-dynamics-modes.csv"), List.of("mode", "s", "lambda2", "tau", "a_inf", "a0", "c0",
                "half_step_simulated", "half_step_closed", "order_by_s", "order_by_half_step"), modes);
        Csv.write(dir.resolve("learning-dynamics.csv"), List.of("step", "mode", "s", "p", "q", "a_simulated", "a_closed", "deviation",
                "c"), points);
        return RunDirectory.open(dir);
    }
}
