package org.layerwise.analysis.baselines;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.Seeds;
import org.layerwise.core.Settings;
import org.layerwise.core.Table;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.stats.Bootstrap;
import org.layerwise.tasks.RegressionBaselines;

/**
 * The baselines of docs/mathematics.md section 8 for a regression task: per evaluation prompt, from its
 * context alone, ordinary least squares, ridge and, when the task's structure carries the
 * pool ("U" and "pool", targets of width d), the pool's posterior mean (the Bayes-optimal
 * predictor under squared error), each scored by 1/2 ||y_hat - y||^2 next to the model's own
 * prediction and predicting 0. Means over prompts with percentile bootstrap intervals, all
 * from the same resamples (the classification baselines' seed).
 */
final class RegressionComparison {

    /** The rows of baselines-regression.csv, in order (posterior only when the task has a pool). */
    static final List<String> METHODS = List.of("model", "ols", "ridge", "posterior", "zero");

    private RegressionComparison() {
    }

    static AnalysisResult analyze(AnalysisContext ctx) {
        Settings s = ctx.settings();
        PromptBatch batch = ctx.evaluation();
        int count = batch.count;
        int width = batch.classes;
        int resamples = s.integer("resamples");
        double level = s.real("level");
        double lambda = s.real("ridge_lambda");
        double sigma2 = s.real("posterior_sigma2");
        TaskSpec task = ctx.task();
        double[] u = task.structure("U");
        double[] pool = task.structure("pool");
        boolean hasPool = u != null && pool != null && width == batch.features;

        double[] model = ctx.cache().values("logits", count * width);
        double[] ols = new double[count * width];
        double[] ridge = new double[count * width];
        double[] posterior = new double[count * width];
        double[] maxWeight = new double[count];
        boolean[] olsUndefined = new boolean[count];
        IntStream.range(0, count).parallel().forEach(p -> {
            RegressionBaselines.Context c = RegressionBaselines.Context.of(batch, p);
            double[] o;
            try {
                o = RegressionBaselines.ols(c);
            } catch (IllegalArgumentException e) { // a rank-deficient context: least squares is not unique
                olsUndefined[p] = true;
                o = new double[width];
                Arrays.fill(o, Double.NaN);
            }
            System.arraycopy(o, 0, ols, p * width, width);
            System.arraycopy(RegressionBaselines.ridge(c, lambda), 0, ridge, p * width, width);
            if (hasPool) {
                RegressionBaselines.Posterior post = RegressionBaselines.poolPosterior(c, u, pool, sigma2);
                System.arraycopy(post.prediction(), 0, posterior, p * width, width);
                maxWeight[p] = Arrays.stream(post.weights()).max().orElse(Double.NaN);
            }
        });

        Map<String, double[]> predictions = new LinkedHashMap<>();
        predictions.put("model", model);
        predictions.put("ols", ols);
        predictions.put("ridge", ridge);
        if (hasPool) {
            predictions.put("posterior", posterior);
        }
        predictions.put("zero", new double[count * width]);
        Map<String, double[]> values = new LinkedHashMap<>();
        predictions.forEach((m, pred) -> values.put(m, losses(pred, batch.queryTargets, width)));
        for (String m : predictions.keySet()) {
            if (!m.equals("model")) {
                values.put("gap/" + m, BaselinesAnalyzer.minus(values.get("model"), values.get(m)));
            }
        }
        long bootSeed = Seeds.derive(ctx.seed(), "bootstrap");
        Map<String, Bootstrap.Interval> loss = new LinkedHashMap<>();
        Map<String, Bootstrap.Interval> gap = new LinkedHashMap<>();
        BaselinesAnalyzer.intervals(values, resamples, level, bootSeed, loss, gap);
        int undefined = 0;
        for (boolean b : olsUndefined) {
            undefined += b ? 1 : 0;
        }
        double meanMaxWeight = hasPool ? Arrays.stream(maxWeight).average().orElse(Double.NaN) : Double.NaN;

        AnalysisResult result = new AnalysisResult();
        Bootstrap.Interval none = new Bootstrap.Interval(Double.NaN, Double.NaN, Double.NaN, 0);
        for (String m : METHODS) {
            BaselinesAnalyzer.scalars(result, "loss_", m, loss.getOrDefault(m, none));
        }
        result.scalar("ridge_lambda", lambda);
        result.scalar("posterior_sigma2", hasPool ? sigma2 : Double.NaN);

        Map<String, String> notes = new LinkedHashMap<>();
        notes.put("model", "the model's prediction of the query's target (its output at the query's label block)");
        notes.put("ols", "least squares on the context, y_hat = B' x_q with B = argmin ||Y - X B||^2 (minimum norm when N < d)"
                + (undefined > 0 ? "; undefined on " + undefined + " rank-deficient contexts" : ""));
        notes.put("ridge", "ridge on the context, B = (X'X + lambda I)^-1 X'Y, lambda = " + BaselinesAnalyzer.num(lambda));
        notes.put("posterior", "posterior mean of W_k x_q over the task's pool of " + (hasPool ? pool.length / width : 0)
                + " (uniform prior, Gaussian likelihood of the context with sigma2 = " + BaselinesAnalyzer.num(sigma2)
                + "): Bayes-optimal under squared error");
        notes.put("zero", "predicting 0 (the runner's zero_predictor_loss)");
        Table table = Table.of("method", "loss", "low", "high", "n", "notes");
        loss.forEach((m, interval) -> BaselinesAnalyzer.row(table, m, interval, notes.get(m)));
        result.table("baselines-regression", table);

        values.forEach((m, v) -> {
            if (!m.startsWith("gap/")) {
                result.tensor("loss_" + m, Tensor.of(v, count));
            }
        });
        predictions.forEach((m, pred) -> {
            if (!m.equals("zero")) {
                result.tensor("prediction_" + m, Tensor.of(pred, count, width));
            }
        });
        result.tensor("targets", Tensor.of(batch.queryTargets.clone(), count, width));

        Map<String, Object> methods = new LinkedHashMap<>();
        methods.put("loss", "mean over prompts of 1/2 ||y_hat - y||^2 summed over the " + width + " outputs");
        methods.put("ridge_lambda", lambda);
        methods.put("ols_undefined_prompts", undefined);
        methods.put("posterior", hasPool ? "pool of " + pool.length / width + " tasks from the task structure"
                : "not computed: the task structure has no \"U\" and \"pool\" with targets of width d");
        methods.put("posterior_sigma2", sigma2);
        methods.put("posterior_mean_max_weight", meanMaxWeight);
        result.detail("regression", methods);
        BaselinesAnalyzer.bootstrapDetails(result, resamples, level, bootSeed, gap);
        result.detail("prompts", count);

        result.summary(String.format(Locale.ROOT,
                "Regression baselines from each prompt's context, on the %d evaluation prompts (1/2 ||y_hat - y||^2, %s%% percentile bootstrap interval over prompts, %d resamples):",
                count, BaselinesAnalyzer.num(100 * level), resamples));
        result.summary(BaselinesAnalyzer.line("model", text(loss.get("model"), null)));
        result.summary(BaselinesAnalyzer.line("least squares" + (undefined > 0 ? " (" + undefined + " undefined)" : ""),
                text(loss.get("ols"), gap.get("ols"))));
        result.summary(BaselinesAnalyzer.line("ridge, lambda = " + BaselinesAnalyzer.num(lambda),
                text(loss.get("ridge"), gap.get("ridge"))));
        if (hasPool) {
            result.summary(BaselinesAnalyzer.line("pool posterior mean, sigma2 = " + BaselinesAnalyzer.num(sigma2),
                    text(loss.get("posterior"), gap.get("posterior"))));
        }
        result.summary(BaselinesAnalyzer.line("predicting 0", text(loss.get("zero"), gap.get("zero"))));
        return result;
    }

    /** 1/2 ||y_hat - y||^2 per prompt (NaN where the prediction is). */
    static double[] losses(double[] predictions, double[] targets, int width) {
        double[] out = new double[targets.length / width];
        for (int p = 0; p < out.length; p++) {
            double t = 0;
            for (int j = 0; j < width; j++) {
                double e = predictions[p * width + j] - targets[p * width + j];
                t += e * e;
            }
            out[p] = 0.5 * t;
        }
        return out;
    }

    private static String text(Bootstrap.Interval ci, Bootstrap.Interval gap) {
        if (ci.n() == 0 || Double.isNaN(ci.mean())) {
            return "undefined";
        }
        String s = String.format(Locale.ROOT, "%.4g [%.4g, %.4g]", ci.mean(), ci.low(), ci.high());
        if (gap != null && gap.n() > 0 && !Double.isNaN(gap.mean())) {
            s += String.format(Locale.ROOT, "; model - baseline %+.4g [%+.4g, %+.4g]", gap.mean(), gap.low(), gap.high());
        }
        return s;
    }
}
