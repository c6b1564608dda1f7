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

/** A run directory written by hand with chosen numbers, so a test knows what every claim must say. */
final class SyntheticRun implements SyntheticStudy.Run {

    double accuracy = 0.7;
    double accuracyLow = 0.67;
    double accuracyHigh = 0.73;
    double asymmetry = 0.05;
    double agreement = 0.97;
    double logitR2 = 0.98;
    /** Network Fisher ratio (x) per layer 0..L; the recursion's is the same times 1.01. */
    double[] fisher = {0.3, 0.4, 0.5, 0.6, 0.7};
    double[] labelMargin = {0.0, 0.1, 0.3, 0.6, 0.9};
    double[] featureMargin = {1.0, 1.2, 1.4, 1.6, 1.8};
    double halfWidth = 0.01;

    @Override
    public RunDirectory write(Path dir) throws IOException {
        int layers = fisher.length - 1;
        Map<String, Object> settings = Map.of("layers", layers, "steps", 100, "batch", 8);
        Json.write(dir.resolve("run.json"), Map.of("status", "OK", "wall_seconds", 1.5, "pipeline",
                Map.of("name", "synthetic", "stages", List.of(Map.of("role", "task", "id", "linear", "settings", Map.of("d", 8)),
                        Map.of("role", "backend", "id", "softmax-attention", "settings", settings)))));
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("accuracy", accuracy);
        metrics.put("chance", 0.25);
        metrics.put("asymmetry", asymmetry);
        metrics.put("equivariance_error", asymmetry / 2);
        metrics.put("analyzers", Map.of("coupled-mean-shift", Map.of("agreement_full", agreement, "logit_r2_full", logitR2,
                "agreement_reduced", agreement - 0.01, "logit_r2_reduced", logitR2 - 0.01),
                "weight-abstraction", Map.of("asymmetry_mean", asymmetry)));
        Json.write(dir.resolve("metrics.json"), metrics);

        List<List<Object>> baselines = new ArrayList<>();
        baselines.add(List.of("model", accuracy, accuracyLow, accuracyHigh, 100, ""));
        baselines.add(List.of("soft_nn", 0.6, 0.55, 0.65, 100, ""));
        baselines.add(List.of("ncm", 0.58, 0.52, 0.62, 100, ""));
        baselines.add(List.of("logistic", 0.61, 0.57, 0.66, 100, ""));
        Csv.write(dir.resolve("baselines.csv"), List.of("method", "accuracy", "low", "high", "n", "notes"), baselines);

        List<List<Object>> dynamics = new ArrayList<>();
        for (String source : List.of("network", "recursion")) {
            double scale = "network".equals(source) ? 1.0 : 1.01;
            for (int l = 0; l <= layers; l++) {
                dynamics.add(row(source, l, "x", "fisher_ratio", scale * fisher[l]));
                dynamics.add(row(source, l, "y", "label_margin", scale * labelMargin[l]));
                dynamics.add(row(source, l, "x", "feature_margin", scale * featureMargin[l]));
            }
        }
        Csv.write(dir.resolve("layer-dynamics.csv"), List.of("source", "layer", "block", "head", "measure", "mean", "low", "high", "n"),
                dynamics);

        List<String> columns = List.of("layer", "head", "q_a", "q_b", "q_f", "q_g", "q_c", "q_e", "v_a", "v_b", "v_f", "v_g", "v_c",
                "v_e", "alpha", "beta", "gamma", "delta", "q_asymmetry", "v_asymmetry");
        List<List<Object>> coefficients = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            List<Object> r = new ArrayList<>(List.of(l, 0));
            for (int k = 2; k < columns.size(); k++) {
                r.add(0.1 * (k - 8) + 0.05 * l + asymmetry);
            }
            coefficients.add(r);
        }
        Csv.write(dir.resolve("coupled-mean-shift-coefficients.csv"), columns, coefficients);
        return RunDirectory.open(dir);
    }

    private List<Object> row(String source, int layer, String block, String measure, double mean) {
        return List.of(source, layer, block, "-", measure, mean, mean - halfWidth, mean + halfWidth, 100);
    }
}
