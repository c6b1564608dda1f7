package org.layerwise.ui.results;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.layerwise.runner.RunDirectory;

/**
 * The lines of the Summary view from one run directory: accuracy with its interval next to the
 * baselines, asymmetry, recursion fidelity, seeds, versions and status. Absent analyzers give
 * no line; nothing is computed here.
 */
public final class SummaryRows {

    /** One line: what, its value, its interval ("" when none) and a note. */
    public record Row(String quantity, String value, String interval, String note) {
    }

    private SummaryRows() {
    }

    public static List<Row> of(RunDirectory run) {
        List<Row> rows = new ArrayList<>();
        Object cause = run.run().get("cause");
        rows.add(new Row("status", run.status().name(), "", cause == null ? "" : String.valueOf(cause).lines().findFirst().orElse("")));
        if (run.run().get("pipeline") instanceof Map<?, ?> p) {
            // the file's name: its folder is the explorer's, and run.json keeps the whole path
            rows.add(new Row("pipeline", String.valueOf(p.get("name")), "",
                    p.get("file") == null ? "" : java.nio.file.Path.of(String.valueOf(p.get("file"))).getFileName().toString()));
        }
        Map<String, Double> baselines = run.scalars("baselines");
        double accuracy = run.metric("accuracy");
        if (!Double.isNaN(accuracy)) {
            rows.add(new Row("accuracy (model)", percent(accuracy), interval(baselines, "accuracy_model", true),
                    String.format(Locale.ROOT, "chance %s, majority %s, %s prompts", percent(run.metric("chance")),
                            percent(run.metric("majority_rate")), integer(run.metric("eval_prompts")))));
        }
        double squared = run.metric("eval_loss");
        if (Double.isNaN(accuracy) && !Double.isNaN(run.metric("zero_predictor_loss"))) {
            // a regression run: the loss is 1/2 ||y_hat - y||^2, beside that of predicting 0
            rows.add(new Row("squared error (model)", number(squared), "", String.format(Locale.ROOT,
                    "1/2 ||y_hat - y||^2 per prompt; predicting 0: %s, %s prompts", number(run.metric("zero_predictor_loss")),
                    integer(run.metric("eval_prompts")))));
        }
        String[][] methods = {{"soft_nn", "soft nearest neighbour"}, {"ncm", "nearest class mean"}, {"logistic", "logistic regression"}};
        for (String[] m : methods) {
            Double a = baselines.get("accuracy_" + m[0]);
            if (a != null) {
                rows.add(new Row("accuracy (" + m[1] + ")", percent(a), interval(baselines, "accuracy_" + m[0], true), "baseline on the same prompts"));
            }
        }
        double loss = run.metric("final_train_loss");
        if (!Double.isNaN(loss)) {
            rows.add(new Row("final training loss", number(loss), "", integer(run.metric("steps")) + " steps ("
                    + (Double.isNaN(accuracy) && !Double.isNaN(run.metric("zero_predictor_loss")) ? "1/2 squared error" : "nats")
                    + " per prompt)"));
        }
        Map<String, Double> wa = run.scalars("weight-abstraction");
        if (!wa.isEmpty()) {
            rows.add(new Row("asymmetry (mean)", number(wa.getOrDefault("asymmetry_mean", Double.NaN)), "",
                    "Q " + number(wa.getOrDefault("asymmetry_q_mean", Double.NaN)) + ", V "
                            + number(wa.getOrDefault("asymmetry_v_mean", Double.NaN)) + ", max "
                            + number(wa.getOrDefault("asymmetry_max", Double.NaN))));
            rows.add(new Row("equivariance error", number(wa.getOrDefault("equivariance_error", Double.NaN)), "", ""));
        }
        Map<String, Double> cms = run.scalars("coupled-mean-shift");
        for (String form : List.of("full", "reduced")) {
            Double agreement = cms.get("agreement_" + form);
            if (agreement != null) {
                rows.add(new Row("recursion fidelity (" + form + ")", percent(agreement) + " agreement", "",
                        "logit R2 " + number(cms.getOrDefault("logit_r2_" + form, Double.NaN)) + ", hidden R2 min "
                                + number(cms.getOrDefault("hidden_r2_min_" + form, Double.NaN))));
            }
        }
        if (run.run().get("seeds") instanceof Map<?, ?> seeds) {
            rows.add(new Row("seeds", "master " + seeds.get("master"), "", "every stage's seed is derived from the master seed"));
            seeds.forEach((k, v) -> {
                if (!"master".equals(k)) {
                    rows.add(new Row("  seed " + k, String.valueOf(v), "", ""));
                }
            });
        }
        if (run.run().get("versions") instanceof Map<?, ?> v) {
            rows.add(new Row("versions", "layerwise " + v.get("layerwise"), "", "java " + v.get("java") + "; " + v.get("os")));
        }
        return rows;
    }

    private static String interval(Map<String, Double> s, String stem, boolean percent) {
        Double lo = s.get(stem + "_low");
        Double hi = s.get(stem + "_high");
        if (lo == null || hi == null) {
            return "";
        }
        return "[" + (percent ? percent(lo) : number(lo)) + ", " + (percent ? percent(hi) : number(hi)) + "]";
    }

    static String percent(double x) {
        return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * x);
    }

    static String number(double x) {
        return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.4g", x);
    }

    private static String integer(double x) {
        return Double.isNaN(x) ? "n/a" : Long.toString(Math.round(x));
    }
}
