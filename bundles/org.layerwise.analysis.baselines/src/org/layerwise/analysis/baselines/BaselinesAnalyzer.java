package org.layerwise.analysis.baselines;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Seeds;
import org.layerwise.core.Settings;
import org.layerwise.core.Table;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.stats.Bootstrap;

/**
 * The baselines of docs/mathematics.md section 8 on the run's evaluation prompts, each predicting the
 * query's class from that prompt's labeled context alone, next to the model's own accuracy:
 * soft nearest neighbour with a temperature fitted on a seeded half of the prompts, nearest
 * class mean, and multinomial logistic regression fitted per prompt. Every accuracy is a
 * mean over prompts with a percentile bootstrap interval; all methods share one bootstrap
 * seed, so their intervals come from the same resamples. On regression prompts it compares
 * least squares, ridge and the pool posterior with the model instead ({@link RegressionComparison}).
 */
public class BaselinesAnalyzer implements RecursionAnalyzer {

    /** The rows of baselines.csv, in order, and their per-prompt predictions in baselines.npz. */
    public static final List<String> METHODS = List.of("model", "soft_nn", "ncm", "logistic");

    @Override
    public void configure(Settings s, ModelConfig model, TaskSpec task) throws InvalidSettingException {
        if (!TaskSpec.CLASSIFICATION.equals(task.kind()) && !TaskSpec.REGRESSION.equals(task.kind())) {
            throw new InvalidSettingException(null, "baselines compares classifiers or regressors; the task is '" + task.kind()
                    + "', neither " + TaskSpec.CLASSIFICATION + " nor " + TaskSpec.REGRESSION);
        }
        if (!(s.real("t_max") > s.real("t_min"))) {
            throw new InvalidSettingException("t_max", "t_max (" + s.real("t_max") + ") must exceed t_min (" + s.real("t_min")
                    + ")");
        }
    }

    @Override
    public AnalysisResult analyze(AnalysisContext ctx) {
        if (ctx.evaluation().isRegression()) {
            return RegressionComparison.analyze(ctx);
        }
        Settings s = ctx.settings();
        PromptBatch batch = ctx.evaluation();
        int count = batch.count;
        int classes = batch.classes;
        int[] truth = batch.queryLabels;
        int resamples = s.integer("resamples");
        double level = s.real("level");
        double lambda = s.real("lambda");
        int maxIterations = s.integer("max_iterations");
        double tolerance = s.real("tolerance");

        LabeledContext[] contexts = new LabeledContext[count];
        IntStream.range(0, count).parallel().forEach(p -> contexts[p] = LabeledContext.of(batch, p));

        double[] logits = ctx.cache().values("logits", count * classes);
        int[] model = Forward.predictions(logits, classes);

        int[] ncm = new int[count];
        int[] logistic = new int[count];
        int[] iterations = new int[count];
        double[] gradient = new double[count];
        boolean[] converged = new boolean[count];
        IntStream.range(0, count).parallel().forEach(p -> {
            ncm[p] = NearestClassMean.predict(contexts[p]);
            MultinomialLogisticRegression.Fit fit = MultinomialLogisticRegression.fit(contexts[p], lambda, maxIterations,
                    tolerance);
            logistic[p] = fit.predict(contexts[p].query);
            iterations[p] = fit.iterations();
            gradient[p] = fit.gradientNorm();
            converged[p] = fit.converged();
        });

        // The temperature is fitted on a seeded fit part and tested on the rest.
        long splitSeed = Seeds.derive(ctx.seed(), "split");
        boolean[] inFit = split(count, s.real("fit_fraction"), splitSeed);
        int fitCount = 0;
        for (boolean b : inFit) {
            fitCount += b ? 1 : 0;
        }
        LabeledContext[] fitContexts = new LabeledContext[fitCount];
        int[] fitTruth = new int[fitCount];
        for (int p = 0, k = 0; p < count; p++) {
            if (inFit[p]) {
                fitContexts[k] = contexts[p];
                fitTruth[k++] = truth[p];
            }
        }
        SoftNearestNeighbour.Fit tfit = SoftNearestNeighbour.fit(fitContexts, fitTruth, s.real("t_min"), s.real("t_max"),
                s.integer("grid"));
        double temperature = tfit.temperature();
        int[] softNn = new int[count];
        if (Double.isNaN(temperature)) {
            Arrays.fill(softNn, -1); // no usable fit prompt: the method is undefined (NaN accuracy)
        } else {
            IntStream.range(0, count).parallel().forEach(p -> softNn[p] = SoftNearestNeighbour.predict(contexts[p], temperature));
        }

        long bootSeed = Seeds.derive(ctx.seed(), "bootstrap");
        Map<String, int[]> predictions = new LinkedHashMap<>();
        predictions.put("model", model);
        predictions.put("soft_nn", softNn);
        predictions.put("ncm", ncm);
        predictions.put("logistic", logistic);
        boolean[] all = new boolean[count];
        Arrays.fill(all, true);
        boolean[] test = new boolean[count];
        for (int p = 0; p < count; p++) {
            test[p] = !inFit[p];
        }
        boolean softDefined = !Double.isNaN(temperature);
        // Every interval resamples the prompts with the same seed (paired), from one index matrix per prompt count.
        Map<String, double[]> values = new LinkedHashMap<>();
        for (var e : predictions.entrySet()) {
            values.put(e.getKey(), correct(e.getValue(), truth, all, e.getKey().equals("soft_nn") && !softDefined));
        }
        values.put("soft_nn_test", correct(softNn, truth, test, !softDefined));
        values.put("model_test", correct(model, truth, test, false));
        for (String m : METHODS.subList(1, METHODS.size())) {
            values.put("gap/" + m, minus(values.get("model"), values.get(m)));
        }
        values.put("gap/soft_nn_test", minus(values.get("model_test"), values.get("soft_nn_test")));
        Map<String, Bootstrap.Interval> acc = new LinkedHashMap<>();
        Map<String, Bootstrap.Interval> gap = new LinkedHashMap<>();
        intervals(values, resamples, level, bootSeed, acc, gap);
        Bootstrap.Interval softTest = acc.get("soft_nn_test");
        Bootstrap.Interval modelTest = acc.get("model_test");
        Bootstrap.Interval gapTest = gap.get("soft_nn_test");

        int notConverged = 0;
        int maxIterationsUsed = 0;
        double worstGradient = 0;
        for (int p = 0; p < count; p++) {
            notConverged += converged[p] ? 0 : 1;
            maxIterationsUsed = Math.max(maxIterationsUsed, iterations[p]);
            worstGradient = Math.max(worstGradient, gradient[p]);
        }
        int noLabels = 0;
        int queryClassAbsent = 0;
        for (int p = 0; p < count; p++) {
            noLabels += contexts[p].size == 0 ? 1 : 0;
            queryClassAbsent += contexts[p].has(truth[p]) ? 0 : 1;
        }

        AnalysisResult result = new AnalysisResult();
        scalars(result, "model", acc.get("model"));
        scalars(result, "model_test", modelTest);
        scalars(result, "soft_nn", acc.get("soft_nn"));
        scalars(result, "soft_nn_test", softTest);
        scalars(result, "ncm", acc.get("ncm"));
        scalars(result, "logistic", acc.get("logistic"));
        result.scalar("soft_nn_temperature", temperature);
        result.scalar("soft_nn_fit_log_likelihood", tfit.meanLogLikelihood());

        String tText = softDefined ? String.format(Locale.ROOT, "%.4g", temperature) : "undefined";
        Table table = Table.of("method", "accuracy", "low", "high", "n", "notes");
        row(table, "model", acc.get("model"), "argmax of the model's logits (ties: lowest class)");
        row(table, "soft_nn", acc.get("soft_nn"), "soft nearest neighbour, p(c) ~ sum_{i in c} exp(-||x_q - x_i||^2 / T), T = "
                + tText + " fitted by maximum likelihood on the " + fitCount + " fit prompts (included here)");
        row(table, "soft_nn_test", softTest, "soft nearest neighbour on the " + (count - fitCount)
                + " held-out prompts not used to fit T");
        row(table, "model_test", modelTest, "the model on the same held-out prompts");
        row(table, "ncm", acc.get("ncm"), "nearest class mean of the labeled context; absent classes never predicted");
        row(table, "logistic", acc.get("logistic"), String.format(Locale.ROOT,
                "softmax regression on the labeled context, intercept, L2 lambda = %s on the weights, Newton to |grad| <= %s; "
                        + "%d of %d fits did not converge", num(lambda), num(tolerance), notConverged, count));
        result.table("baselines", table);

        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (var e : predictions.entrySet()) {
            tensors.put(e.getKey(), Tensor.of(Arrays.stream(e.getValue()).asLongStream().toArray(), count));
        }
        tensors.put("labels", Tensor.of(Arrays.stream(truth).asLongStream().toArray(), count));
        long[] fitMask = new long[count];
        for (int p = 0; p < count; p++) {
            fitMask[p] = inFit[p] ? 1 : 0;
        }
        tensors.put("fit_prompts", Tensor.of(fitMask, count));
        tensors.forEach(result::tensor);

        Map<String, Object> soft = new LinkedHashMap<>();
        soft.put("form", "distance: p(c) proportional to sum over labeled context tokens i of class c of exp(-||x_q - x_i||^2 / T)");
        soft.put("objective", "maximum likelihood: mean over fit prompts of log p(true class of the query)");
        soft.put("search", "log grid of " + s.integer("grid") + " temperatures in [t_min, t_max], refined by golden-section search "
                + "in ln T between the neighbours of the best grid point");
        soft.put("golden_section_tolerance_ln_t", SoftNearestNeighbour.LN_T_TOLERANCE);
        soft.put("temperature", temperature);
        soft.put("fit_log_likelihood", tfit.meanLogLikelihood());
        soft.put("fit_prompts", fitCount);
        soft.put("fit_prompts_used", tfit.used());
        soft.put("test_prompts", count - fitCount);
        soft.put("split_seed", splitSeed);
        soft.put("at_grid_boundary", tfit.atBoundary());
        soft.put("grid_temperature", tfit.grid());
        soft.put("grid_log_likelihood", tfit.gridLogLikelihood());
        result.detail("soft_nn", soft);
        Map<String, Object> lr = new LinkedHashMap<>();
        lr.put("objective", "(1/n) sum_i -log softmax(W x_i + b)_{y_i} + (lambda/2) ||W||_F^2 over the classes present in the "
                + "context; intercepts unpenalized with sum_k b_k = 0");
        lr.put("solver", "Newton with backtracking line search from zero");
        lr.put("lambda", lambda);
        lr.put("tolerance", tolerance);
        lr.put("not_converged", notConverged);
        lr.put("max_iterations_used", maxIterationsUsed);
        lr.put("max_gradient_norm", worstGradient);
        result.detail("logistic", lr);
        bootstrapDetails(result, resamples, level, bootSeed, gap);
        result.detail("prompts", count);
        result.detail("prompts_without_labeled_context", noLabels);
        result.detail("prompts_query_class_absent_from_context", queryClassAbsent);
        result.detail("ties", "lowest class index; a prompt without labeled context is predicted as class 0 by every baseline");

        summary(result, count, level, resamples, acc, softTest, modelTest, gap, gapTest, tText, fitCount, tfit, lambda,
                notConverged, queryClassAbsent);
        return result;
    }

    /**
     * The intervals of every per-prompt series, from the same resamples: a series named
     * "gap/m" (paired model - m) goes to gap under m, the others to means under their name.
     */
    static void intervals(Map<String, double[]> values, int resamples, double level, long seed,
            Map<String, Bootstrap.Interval> means, Map<String, Bootstrap.Interval> gap) {
        List<String> keys = List.copyOf(values.keySet());
        Bootstrap.Interval[] ci = Bootstrap.means(List.copyOf(values.values()), resamples, level, seed);
        for (int k = 0; k < keys.size(); k++) {
            if (keys.get(k).startsWith("gap/")) {
                gap.put(keys.get(k).substring(4), ci[k]);
            } else {
                means.put(keys.get(k), ci[k]);
            }
        }
    }

    /** baselines.json's "bootstrap" (the resampling) and "model_minus_baseline" (the paired differences). */
    static void bootstrapDetails(AnalysisResult result, int resamples, double level, long seed,
            Map<String, Bootstrap.Interval> gap) {
        Map<String, Object> boot = new LinkedHashMap<>();
        boot.put("resamples", resamples);
        boot.put("level", level);
        boot.put("seed", seed);
        boot.put("paired", "every method uses the same resamples of the prompts");
        result.detail("bootstrap", boot);
        Map<String, Object> diff = new LinkedHashMap<>();
        gap.forEach((m, interval) -> diff.put(m, interval.toMap()));
        result.detail("model_minus_baseline", diff);
    }

    /** A seeded split: round(fraction P) prompts, at least one and at most P - 1 when P >= 2, go to the fit part. */
    static boolean[] split(int count, double fraction, long seed) {
        int fit = (int) Math.round(fraction * count);
        if (count >= 2) {
            fit = Math.max(1, Math.min(count - 1, fit));
        }
        int[] order = IntStream.range(0, count).toArray();
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = count - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        boolean[] in = new boolean[count];
        for (int i = 0; i < fit; i++) {
            in[order[i]] = true;
        }
        return in;
    }

    /** 1 where the prediction is right, 0 where not, over the selected prompts; all NaN (undefined) when the method is. */
    private static double[] correct(int[] pred, int[] truth, boolean[] selected, boolean undefined) {
        double[] v = values(pred, truth, selected);
        if (undefined) {
            Arrays.fill(v, Double.NaN);
        }
        return v;
    }

    /** Paired per-prompt differences a - b (NaN where either is). */
    static double[] minus(double[] a, double[] b) {
        double[] out = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            out[i] = a[i] - b[i];
        }
        return out;
    }

    private static double[] values(int[] pred, int[] truth, boolean[] selected) {
        int n = 0;
        for (boolean b : selected) {
            n += b ? 1 : 0;
        }
        double[] v = new double[n];
        for (int p = 0, k = 0; p < pred.length; p++) {
            if (selected[p]) {
                v[k++] = pred[p] == truth[p] ? 1 : 0;
            }
        }
        return v;
    }

    private static void scalars(AnalysisResult r, String method, Bootstrap.Interval ci) {
        scalars(r, "accuracy_", method, ci);
    }

    /** prefix + method, with _low and _high: the interval as scalars. */
    static void scalars(AnalysisResult r, String prefix, String method, Bootstrap.Interval ci) {
        r.scalar(prefix + method, ci.mean()).scalar(prefix + method + "_low", ci.low()).scalar(prefix + method + "_high", ci.high());
    }

    static void row(Table t, String method, Bootstrap.Interval ci, String notes) {
        t.add(method, ci.mean(), ci.low(), ci.high(), ci.n(), notes);
    }

    static String num(double v) {
        return new BigDecimal(Double.toString(v)).stripTrailingZeros().toString();
    }

    private static String pct(Bootstrap.Interval ci) {
        if (ci.n() == 0 || Double.isNaN(ci.mean())) {
            return "undefined";
        }
        return String.format(Locale.ROOT, "%.1f%% [%.1f, %.1f]", 100 * ci.mean(), 100 * ci.low(), 100 * ci.high());
    }

    private static String gap(Bootstrap.Interval ci) {
        if (ci.n() == 0 || Double.isNaN(ci.mean())) {
            return "";
        }
        return String.format(Locale.ROOT, "; model - baseline %+.1f points [%+.1f, %+.1f]", 100 * ci.mean(), 100 * ci.low(),
                100 * ci.high());
    }

    private static void summary(AnalysisResult r, int count, double level, int resamples, Map<String, Bootstrap.Interval> acc,
            Bootstrap.Interval softTest, Bootstrap.Interval modelTest, Map<String, Bootstrap.Interval> gap,
            Bootstrap.Interval gapTest, String tText, int fitCount, SoftNearestNeighbour.Fit tfit, double lambda,
            int notConverged, int queryClassAbsent) {
        r.summary(String.format(Locale.ROOT,
                "Baselines from each prompt's labeled context, on the %d evaluation prompts (accuracy, %s%% percentile bootstrap interval over prompts, %d resamples):",
                count, num(100 * level), resamples));
        r.summary(line("model", pct(acc.get("model"))));
        r.summary(line("soft nearest neighbour, T = " + tText, pct(acc.get("soft_nn")) + gap(gap.get("soft_nn"))
                + (tfit.atBoundary() ? " (the fitted T is at an end of the grid: widen t_min, t_max)" : "")));
        r.summary(line("  held out (" + (count - fitCount) + " prompts not used to fit T)", pct(softTest) + " vs model "
                + pct(modelTest) + gap(gapTest)));
        r.summary(line("nearest class mean", pct(acc.get("ncm")) + gap(gap.get("ncm"))));
        r.summary(line("logistic regression, lambda = " + num(lambda), pct(acc.get("logistic")) + gap(gap.get("logistic"))
                + (notConverged > 0 ? "; " + notConverged + (notConverged == 1 ? " fit" : " fits") + " did not converge" : "")));
        if (queryClassAbsent > 0) {
            r.summary(String.format(Locale.ROOT,
                    "  (in %d %s the query's class is absent from the labeled context: no baseline can predict it)",
                    queryClassAbsent, queryClassAbsent == 1 ? "prompt" : "prompts"));
        }
    }

    static String line(String label, String value) {
        return String.format(Locale.ROOT, "  %-46s %s", label, value);
    }
}
