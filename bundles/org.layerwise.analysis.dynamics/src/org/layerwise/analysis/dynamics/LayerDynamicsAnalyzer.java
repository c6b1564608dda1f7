package org.layerwise.analysis.dynamics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

import org.layerwise.core.ActivationCache;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.ContributionException;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer.Factors;
import org.layerwise.core.Table;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.RecursionResults;
import org.layerwise.core.stats.Bootstrap;

/**
 * The per-layer measurements of docs/mathematics.md section 7, on the network (from the activation
 * cache) and on the full coupled mean-shift recursion run from the same prompts, side by side.
 * Layer t is the state after t layers (layer 0 = the prompts); the attention measures at layer
 * t use the pattern of layer t, i.e. attention computed from the states at layer t, so they
 * exist for t = 0 .. L-1. Every measure is a mean over prompts with a percentile bootstrap
 * interval ({@link Bootstrap}); a prompt on which a measure is undefined is left out and n
 * says how many prompts remain.
 */
public class LayerDynamicsAnalyzer implements RecursionAnalyzer {

    static final String ID = "layer-dynamics";
    static final String NETWORK = "network";
    static final String RECURSION = "recursion";

    /** The measures in output order: name, block, whether it is an attention measure. */
    static final String[][] MEASURES = {{"fisher_ratio", "x"}, {"fisher_ratio", "y"}, {"distance_ratio", "x"},
            {"distance_ratio", "y"}, {"label_margin", "y"}, {"feature_margin", "x"}, {"same_class_mass", "-"},
            {"entropy", "-"}, {"entropy_normalized", "-"}};
    private static final int STATE_MEASURES = 6;

    static final Map<String, String> DEFINITIONS = definitions();

    @Override
    public void configure(Settings settings, ModelConfig model, TaskSpec task) throws InvalidSettingException {
        if (task != null && !TaskSpec.CLASSIFICATION.equals(task.kind())) {
            throw new InvalidSettingException(null, "layer dynamics measure class separation; the task is " + task.kind());
        }
        double level = settings.real("level");
        if (!(level > 0 && level < 1)) {
            throw new InvalidSettingException("level", level + " is not a level in (0, 1)");
        }
    }

    /** One measure on one source, layer, block and head: the value of every prompt. */
    record Series(String source, int layer, String block, String head, String measure, double[] values) {
    }

    @Override
    public AnalysisResult analyze(AnalysisContext ctx) throws ContributionException {
        ModelConfig c = ctx.model().config();
        PromptBatch eval = ctx.evaluation();
        Settings s = ctx.settings();
        int resamples = s.integer("resamples");
        double level = s.real("level");
        boolean withRecursion = s.bool("recursion");
        int layers = c.nLayers();
        int count = eval.count;

        double[][] netStates = new double[layers + 1][];
        double[][] netPatterns = new double[layers][];
        netStates[0] = eval.z;
        for (int l = 0; l < layers; l++) {
            netStates[l + 1] = ctx.cache().values(ActivationCache.residPost(l), count * c.tokens() * c.dModel());
            netPatterns[l] = ctx.cache().values(ActivationCache.pattern(l), count * c.nHeads() * c.tokens() * c.numKeys());
        }
        List<Series> series = new ArrayList<>(measure(NETWORK, c, eval, netStates, netPatterns));
        if (withRecursion) {
            Forward.Result r = ctx.require(RecursionResults.TRAJECTORIES);
            double[][] recStates = new double[layers + 1][];
            recStates[0] = eval.z;
            System.arraycopy(r.residPost(), 0, recStates, 1, layers);
            series.addAll(measure(RECURSION, c, eval, recStates, r.patterns()));
        }

        long seed = ctx.seed();
        // One seed for every series: each interval is Bootstrap.mean(values, resamples, level, seed),
        // so network and recursion (and all measures) are resampled with the same prompts.
        Bootstrap.Interval[] intervals = Bootstrap.means(series.stream().map(Series::values).toList(), resamples, level,
                seed);

        Table table = Table.of("source", "layer", "block", "head", "measure", "mean", "low", "high", "n");
        Map<String, Bootstrap.Interval> byKey = new LinkedHashMap<>();
        for (int i = 0; i < series.size(); i++) {
            Series x = series.get(i);
            Bootstrap.Interval v = intervals[i];
            table.add(x.source(), x.layer(), x.block(), x.head(), x.measure(), v.mean(), v.low(), v.high(), v.n());
            byKey.put(key(x.source(), x.layer(), x.block(), x.head(), x.measure()), v);
        }

        AnalysisResult result = new AnalysisResult();
        result.table(ID, table);
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("resamples", resamples);
        settings.put("level", level);
        settings.put("seed", seed);
        settings.put("recursion", withRecursion);
        settings.put("prompts", count);
        result.detail("section", "docs/mathematics.md section 7");
        result.detail("settings", settings);
        result.detail("layers", "layer t = the states after t layers (0 = the prompts, " + layers + " = the output); the "
                + "attention measures at layer t use the pattern of layer t, computed from the states at layer t (t = 0.."
                + (layers - 1) + "); head 'mean' averages each prompt's value over the " + c.nHeads() + " head(s)");
        result.detail("definitions", DEFINITIONS);
        Factors enforced = ctx.enforced();
        if (withRecursion && enforced.any() && !(enforced.features() && enforced.labels())) {
            result.detail("note", "only the " + enforced.key() + " factor of G was enforced: the 12-scalar recursion does not "
                    + "describe the weights; its rows show the recursion of their Reynolds projection");
        }

        List<String> lines = new ArrayList<>();
        Map<String, Object> summaries = new LinkedHashMap<>();
        for (int m = 0; m < MEASURES.length; m++) {
            String name = MEASURES[m][0];
            String block = MEASURES[m][1];
            boolean attention = m >= STATE_MEASURES;
            int first = 0;
            int last = attention ? layers - 1 : layers;
            String head = attention ? "mean" : "-";
            String label = name + (block.equals("-") ? "" : " (" + block + ")");
            StringBuilder line = new StringBuilder(label + ":");
            Map<String, Object> entry = new LinkedHashMap<>();
            for (String source : withRecursion ? new String[] {NETWORK, RECURSION} : new String[] {NETWORK}) {
                Bootstrap.Interval a = byKey.get(key(source, first, block, head, name));
                Bootstrap.Interval b = byKey.get(key(source, last, block, head, name));
                line.append(String.format(Locale.ROOT, " %s %s at layer %d -> %s at layer %d;", source, format(a), first,
                        format(b), last));
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("layer_" + first, a.toMap());
                e.put("layer_" + last, b.toMap());
                entry.put(source, e);
                String stem = (source.equals(NETWORK) ? "" : "recursion_") + name + (block.equals("-") ? "" : "_" + block);
                result.scalar(stem + "_layer" + first, a.mean()).scalar(stem + "_layer" + last, b.mean());
            }
            line.setLength(line.length() - 1);
            lines.add(line.toString());
            summaries.put(name + (block.equals("-") ? "" : "." + block), entry);
        }
        result.detail("summary", summaries);
        result.detail("summary_lines", lines);
        result.summary(String.format(Locale.ROOT,
                "Layer dynamics (docs/mathematics.md section 7): mean over %d prompts [%.0f%% percentile bootstrap, %d resamples]", count,
                100 * level, resamples));
        lines.forEach(result::summary);
        return result;
    }

    /** Every measure of one source, per prompt; states[t] after t layers, patterns[t] of layer t. */
    static List<Series> measure(String source, ModelConfig c, PromptBatch eval, double[][] states, double[][] patterns) {
        int layers = c.nLayers();
        int heads = c.nHeads();
        int count = eval.count;
        int t = c.tokens();
        int dim = c.dModel();
        int d = c.dX();
        int classes = c.dY();
        int n = c.nCtx();
        int k = c.numKeys();
        double logK = Math.log(k);
        // values[layer][measure][head slot][prompt]; head slot heads = the mean over heads.
        double[][][][] values = new double[layers + 1][MEASURES.length][][];
        for (int l = 0; l <= layers; l++) {
            for (int m = 0; m < MEASURES.length; m++) {
                values[l][m] = new double[m >= STATE_MEASURES ? heads + 1 : 1][count];
            }
        }
        IntStream.range(0, count).parallel().forEach(p -> {
            int base = p * t * dim;
            int labelBase = p * n;
            int truth = eval.queryLabels[p];
            for (int l = 0; l <= layers; l++) {
                double[] h = states[l];
                LayerMeasures.Separation sx = LayerMeasures.separation(h, base, dim, 0, d, eval.contextLabels, labelBase, n, classes);
                LayerMeasures.Separation sy = LayerMeasures.separation(h, base, dim, d, dim, eval.contextLabels, labelBase, n,
                        classes);
                values[l][0][0][p] = sx.fisher();
                values[l][1][0][p] = sy.fisher();
                values[l][2][0][p] = sx.distanceRatio();
                values[l][3][0][p] = sy.distanceRatio();
                values[l][4][0][p] = LayerMeasures.labelMargin(h, base + n * dim, d, classes, truth);
                values[l][5][0][p] = LayerMeasures.featureMargin(h, base, dim, d, eval.contextLabels, labelBase, n, classes, truth);
                if (l == layers) {
                    continue;
                }
                double[] mean = new double[3];
                for (int hd = 0; hd < heads; hd++) {
                    int row = ((p * heads + hd) * t + n) * k;
                    double mass = LayerMeasures.sameClassMass(patterns[l], row, k, eval.contextLabels, labelBase, n, truth);
                    double entropy = LayerMeasures.entropy(patterns[l], row, k);
                    double normalized = k > 1 ? entropy / logK : Double.NaN;
                    values[l][6][hd][p] = mass;
                    values[l][7][hd][p] = entropy;
                    values[l][8][hd][p] = normalized;
                    mean[0] += mass / heads;
                    mean[1] += entropy / heads;
                    mean[2] += normalized / heads;
                }
                for (int i = 0; i < 3; i++) {
                    values[l][6 + i][heads][p] = mean[i];
                }
            }
        });
        List<Series> out = new ArrayList<>();
        for (int l = 0; l <= layers; l++) {
            for (int m = 0; m < MEASURES.length; m++) {
                if (m < STATE_MEASURES) {
                    out.add(new Series(source, l, MEASURES[m][1], "-", MEASURES[m][0], values[l][m][0]));
                } else if (l < layers) {
                    for (int hd = 0; hd <= heads; hd++) {
                        out.add(new Series(source, l, "-", hd == heads ? "mean" : Integer.toString(hd), MEASURES[m][0],
                                values[l][m][hd]));
                    }
                }
            }
        }
        return out;
    }

    private static String key(String source, int layer, String block, String head, String measure) {
        return source + "|" + layer + "|" + block + "|" + head + "|" + measure;
    }

    private static String format(Bootstrap.Interval v) {
        if (v == null || v.n() == 0) {
            return "undefined";
        }
        return String.format(Locale.ROOT, "%.4g [%.4g, %.4g]", v.mean(), v.low(), v.high());
    }

    private static Map<String, String> definitions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("fisher_ratio", "tr(S_B) / tr(S_W) over the labeled context tokens of the block (observed labels, unlabeled "
                + "tokens excluded, classes absent from the prompt's context left out); undefined with fewer than two classes "
                + "present or tr(S_W) <= " + LayerMeasures.ZERO_SCATTER + " (tr S_B + tr S_W), e.g. the one-hot y block at layer 0");
        m.put("distance_ratio", "min over present classes c != c' of ||mu_c - mu_c'|| / sqrt(tr S_W); undefined as fisher_ratio");
        m.put("label_margin", "[y_q]_{c*} - max_{c != c*} [y_q]_c over all C label coordinates of the probe, c* its true class");
        m.put("feature_margin", "min_{c != c*} ||x_q - mu_c||^2 - ||x_q - mu_{c*}||^2, mu_c the class means of the labeled context "
                + "x blocks at that layer, classes present only; undefined when c* or every other class is absent");
        m.put("same_class_mass", "sum of the probe's attention A_qi over context keys i whose observed label is c*");
        m.put("entropy", "-sum_i A_qi log A_qi over the keys K (natural log)");
        m.put("entropy_normalized", "entropy / log |K|");
        m.put("interval", "percentile bootstrap over prompts of the mean: org.layerwise.core.stats.Bootstrap.mean(values, "
                + "resamples, level, seed) with the recorded seed for every row, so all rows are resampled with the same prompts "
                + "(rows with undefined prompts: over their defined values); n = prompts on which the measure is defined");
        return m;
    }
}
