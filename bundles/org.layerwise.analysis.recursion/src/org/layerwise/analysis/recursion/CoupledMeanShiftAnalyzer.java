package org.layerwise.analysis.recursion;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

import org.layerwise.analysis.recursion.CoupledMeanShiftRecursion.Form;
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
import org.layerwise.core.Tensor;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.symmetry.Commutant;
import org.layerwise.core.symmetry.Commutant.Scalars;

/**
 * The coupled mean-shift recursion of docs/mathematics.md section 6, read off the model and checked
 * against the network on the evaluation prompts. Both recursions run from the prompts
 * themselves (never re-seeded from the network's states); the network's states come from the
 * activation cache.
 * <p>
 * Fidelity: prediction agreement (argmax of the recursion's logits = argmax of the network's),
 * logit R^2 and hidden-state R^2 after every layer for four blocks: the x and the y part of
 * the context (training) tokens and of the probe. R^2 = 1 - SS_res / SS_tot, where SS_res sums
 * (recursion - network)^2 over the block's entries (prompts x tokens x coordinates) and SS_tot
 * sums (network - m)^2 about m, the network's mean over those same entries (one scalar per
 * block and layer); NaN when SS_tot = 0.
 */
public class CoupledMeanShiftAnalyzer implements RecursionAnalyzer {

    static final String ID = "coupled-mean-shift";
    static final String COEFFICIENTS = "coupled-mean-shift-coefficients";
    static final String[] BLOCKS = {"train.x", "train.y", "probe.x", "probe.y"};

    static final String R2_CONVENTION = "R^2 = 1 - SS_res/SS_tot over the block's entries (prompts x tokens x coordinates); "
            + "SS_tot is taken about the network's mean over all those entries (one scalar per block and layer); "
            + "NaN when SS_tot = 0. Blocks: train = the N context tokens, probe = the query; x = the d feature coordinates, "
            + "y = the C label coordinates. Layer l = the state after block l (blocks.{l}.hook_resid_post).";
    static final String SHARE_CONVENTION = "On the network's own input to layer l (the prompts for l = 0, else "
            + "blocks.{l-1}.hook_resid_post), with the network's own attention of layer l (blocks.{l}.attn.hook_pattern) for the "
            + "update terms: the RMS of a term (or of the sum "
            + "of the dropped terms) over the RMS of the sum of all terms, over prompts, tokens, keys (score) and coordinates "
            + "(update). Head 'all' is the sum over heads (score: pooled over heads).";
    static final String DERIVED = "derived from the abstraction, not fitted: alpha = a, beta = c (of Q = QK); "
            + "gamma = a', delta = c' (of V = OV^T)";

    @Override
    public void configure(Settings settings, ModelConfig model, TaskSpec task) throws InvalidSettingException {
        requireClassification(model, task);
    }

    static void requireClassification(ModelConfig model, TaskSpec task) throws InvalidSettingException {
        if (task != null && !TaskSpec.CLASSIFICATION.equals(task.kind())) {
            throw new InvalidSettingException(null, "the coupled mean-shift recursion describes in-context classification; "
                    + "the task is " + task.kind());
        }
        if (model.dX() < 1 || model.dY() < 1) {
            throw new InvalidSettingException(null, "needs d >= 1 and C >= 1, the model has d=" + model.dX() + ", C=" + model.dY());
        }
    }

    @Override
    public AnalysisResult analyze(AnalysisContext ctx) throws ContributionException {
        TransformerModel model = ctx.model();
        ModelConfig c = model.config();
        PromptBatch eval = ctx.evaluation();
        int count = eval.count;
        int layers = c.nLayers();
        int heads = c.nHeads();
        boolean trajectories = !ctx.settings().asMap().containsKey("trajectories") || ctx.settings().bool("trajectories");

        CoupledMeanShiftRecursion full = SharedRecursion.of(ctx, Form.FULL);
        CoupledMeanShiftRecursion reduced = SharedRecursion.of(ctx, Form.REDUCED);
        Forward.Result rf = SharedRecursion.trajectories(ctx, Form.FULL); // layer-dynamics reads its attention too

        double[] netLogits = ctx.cache().values("logits", count * c.dY());
        double[][] netResid = new double[layers][];
        for (int l = 0; l < layers; l++) {
            netResid[l] = ctx.cache().values(ActivationCache.residPost(l), count * c.tokens() * c.dModel());
        }

        Factors enforced = ctx.enforced();
        boolean oneFactor = enforced.any() && !(enforced.features() && enforced.labels());
        AnalysisResult result = new AnalysisResult();

        // Coefficients, with the asymmetry of each matrix so a reader sees how much the scalars explain.
        Table coefficients = Table.of("layer", "head", "q_a", "q_b", "q_f", "q_g", "q_c", "q_e", "v_a", "v_b", "v_f", "v_g",
                "v_c", "v_e", "alpha", "beta", "gamma", "delta", "q_asymmetry", "v_asymmetry");
        List<Map<String, Object>> coefficientDetails = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < heads; h++) {
                Scalars q = full.q(l, h);
                Scalars v = full.v(l, h);
                double aq = Commutant.asymmetry(model.qk(l, h), c.dX(), c.dY());
                double av = Commutant.asymmetry(Commutant.transpose(model.ov(l, h), c.dModel()), c.dX(), c.dY());
                coefficients.add(l, h, q.a(), q.b(), q.f(), q.g(), q.c(), q.e(), v.a(), v.b(), v.f(), v.g(), v.c(), v.e(),
                        reduced.alpha(l, h), reduced.beta(l, h), reduced.gamma(l, h), reduced.delta(l, h), aq, av);
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("layer", l);
                row.put("head", h);
                row.put("Q", scalars(q));
                row.put("V", scalars(v));
                row.put("reduced", ordered("alpha", reduced.alpha(l, h), "beta", reduced.beta(l, h), "gamma",
                        reduced.gamma(l, h), "delta", reduced.delta(l, h)));
                row.put("asymmetry", ordered("Q", aq, "V", av));
                coefficientDetails.add(row);
            }
        }

        // Fidelity of both recursions against the network.
        Table perLayer = Table.of("layer", "head", "form", "measure", "block", "value");
        Map<String, Object> fidelity = new LinkedHashMap<>();
        fidelity.put("network_accuracy", Forward.accuracy(netLogits, c.dY(), eval.queryLabels));
        double[] minR2 = new double[2];
        // Per layer: SS_tot of the four blocks and SS_res of the full form (the layers in parallel).
        double[][] fullSums = new double[layers][];
        IntStream.range(0, layers).parallel().forEach(l -> fullSums[l] = blockSums(c, netResid[l], rf.residPost()[l], count));
        Reduced rr = reduced(reduced, c, eval, netResid, trajectories);
        for (int f = 0; f < 2; f++) {
            double[] logits = f == 0 ? rf.logits() : rr.logits();
            String form = f == 0 ? "full" : "reduced";
            double agreement = agreement(netLogits, logits, c.dY());
            double logitR2 = r2(netLogits, logits);
            double accuracy = Forward.accuracy(logits, c.dY(), eval.queryLabels);
            List<Map<String, Object>> hidden = new ArrayList<>();
            double min = Double.NaN;
            for (int l = 0; l < layers; l++) {
                double[] blocks = new double[4];
                for (int b = 0; b < 4; b++) {
                    double tot = fullSums[l][b];
                    double res = f == 0 ? fullSums[l][4 + b] : rr.residuals()[l][b];
                    blocks[b] = tot > 0 ? 1 - res / tot : Double.NaN;
                }
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("layer", l);
                for (int b = 0; b < BLOCKS.length; b++) {
                    row.put(BLOCKS[b], blocks[b]);
                    perLayer.add(l, "-", form, "hidden_r2", BLOCKS[b], blocks[b]);
                    if (!Double.isNaN(blocks[b])) {
                        min = Double.isNaN(min) ? blocks[b] : Math.min(min, blocks[b]);
                    }
                }
                hidden.add(row);
            }
            minR2[f] = min;
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("agreement", agreement);
            m.put("accuracy", accuracy);
            m.put("logit_r2", logitR2);
            m.put("hidden_r2_min", min);
            m.put("hidden_r2", hidden);
            fidelity.put(form, m);
            result.scalar("agreement_" + form, agreement).scalar("logit_r2_" + form, logitR2)
                    .scalar("accuracy_" + form, accuracy).scalar("hidden_r2_min_" + form, min);
        }

        // What the reduced form drops, measured on the network's own layer inputs.
        List<Map<String, Object>> dropped = new ArrayList<>();
        double maxScore = Double.NaN;
        double maxUpdate = Double.NaN;
        double[][] shareRange = {{Double.NaN, Double.NaN}, {Double.NaN, Double.NaN}, {Double.NaN, Double.NaN},
            {Double.NaN, Double.NaN}};
        for (int l = 0; l < layers; l++) {
            double[] input = l == 0 ? eval.z : netResid[l - 1];
            double[] pattern = ctx.cache().values(ActivationCache.pattern(l), count * heads * c.tokens() * c.numKeys());
            for (DroppedTerms.Shares s : DroppedTerms.measure(full, l, input, pattern, count)) {
                String head = s.head() < 0 ? "all" : Integer.toString(s.head());
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("layer", l);
                row.put("head", head);
                row.put("score", s.score());
                row.put("score_centered", s.scoreCentered());
                row.put("update.x", s.updateX());
                row.put("update.y", s.updateY());
                perLayer.add(l, head, "reduced", "dropped_share", "score", s.score());
                perLayer.add(l, head, "reduced", "dropped_share_centered", "score", s.scoreCentered());
                perLayer.add(l, head, "reduced", "dropped_share", "update.x", s.updateX());
                perLayer.add(l, head, "reduced", "dropped_share", "update.y", s.updateY());
                if (s.head() >= 0) {
                    Map<String, Object> terms = new LinkedHashMap<>();
                    termShares(perLayer, terms, l, head, "score", DroppedTerms.SCORE_TERMS, s.scoreTerms());
                    termShares(perLayer, terms, l, head, "update.x", DroppedTerms.X_TERMS, s.xTerms());
                    termShares(perLayer, terms, l, head, "update.y", DroppedTerms.Y_TERMS, s.yTerms());
                    row.put("term_shares", terms);
                } else {
                    maxScore = nanMax(maxScore, s.score());
                    maxUpdate = nanMax(maxUpdate, nanMax(s.updateX(), s.updateY()));
                    double[] v = {s.score(), s.updateX(), s.updateY(), s.scoreCentered()};
                    for (int i = 0; i < 4; i++) {
                        shareRange[i][0] = nanMin(shareRange[i][0], v[i]);
                        shareRange[i][1] = nanMax(shareRange[i][1], v[i]);
                    }
                }
                dropped.add(row);
            }
        }
        result.scalar("dropped_score_share_max", maxScore).scalar("dropped_update_share_max", maxUpdate);

        if (trajectories) {
            for (int l = 0; l < layers; l++) {
                result.tensor("full." + ActivationCache.residPost(l),
                        Tensor.of(rf.residPost()[l], count, c.tokens(), c.dModel()).toFloat32());
            }
            for (int l = 0; l < layers; l++) {
                result.tensor("reduced." + ActivationCache.residPost(l), Tensor.of(rr.states()[l], count, c.tokens(), c.dModel()));
            }
        }

        result.table(COEFFICIENTS, coefficients).table(ID, perLayer);
        result.detail("section", "docs/mathematics.md section 6");
        result.detail("prompts", count);
        result.detail("keys", c.keys().key());
        result.detail("attention", c.attention().key());
        result.detail("enforced", enforced.key());
        result.detail("describes_weights", !oneFactor);
        if (oneFactor) {
            result.detail("note", "only the " + enforced.key() + " factor of G was enforced: the weights live in that factor's "
                    + "larger commutant, so the 12-scalar recursion does not describe them; it reads their Reynolds projection "
                    + "under the full group and its fidelity is reported anyway");
        }
        result.detail("reduced_form", ordered("coefficients", DERIVED, "dropped", ordered("score",
                List.of("b sx_i sx_j", "f sx_i sy_j", "g sy_i sx_j", "e sy_i sy_j"), "update.x",
                List.of("b' sx_j 1_d", "f' sy_j 1_d"), "update.y", List.of("g' sx_j 1_C", "e' sy_j 1_C"))));
        result.detail("coefficients", coefficientDetails);
        result.detail("fidelity", fidelity);
        result.detail("dropped", dropped);
        result.detail("conventions", ordered("r2", R2_CONVENTION, "dropped_share", SHARE_CONVENTION,
                "dropped_share_centered", DroppedTerms.CENTERED, "agreement",
                "fraction of prompts on which the argmax of the recursion's logits (the probe's y block after the last layer) "
                        + "equals the network's"));
        if (!trajectories) {
            result.detail("trajectories", "not written (setting trajectories = false)");
        }

        result.summary(summaryTable(full, reduced, c));
        if (oneFactor) {
            result.summary("Coupled mean-shift: only the " + enforced.key()
                    + " factor of G was enforced, so the 12-scalar recursion does not describe the weights; fidelity shown anyway.");
        }
        for (String form : new String[] {"full", "reduced"}) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) fidelity.get(form);
            result.summary(String.format(Locale.ROOT,
                    "Recursion fidelity (%s, %d prompts): agreement %.1f%%, logit R^2 %.6f, min hidden-state R^2 %.6f, accuracy %.1f%%",
                    form, count, 100 * (Double) m.get("agreement"), (Double) m.get("logit_r2"), (Double) m.get("hidden_r2_min"),
                    100 * (Double) m.get("accuracy")));
        }
        result.summary(String.format(Locale.ROOT,
                "Reduced form drops b, f, g, e (score) and b', f', g', e' (update); their RMS share over layers: score %s "
                        + "(centered over keys %s), x update %s, y update %s",
                range(shareRange[0]), range(shareRange[3]), range(shareRange[1]), range(shareRange[2])));
        return result;
    }

    /** Each term's share of one block, as rows of the tidy table and entries of the JSON. */
    private static void termShares(Table perLayer, Map<String, Object> terms, int layer, String head, String block,
            String[] names, double[] shares) {
        for (int i = 0; i < names.length; i++) {
            terms.put(names[i], shares[i]);
            perLayer.add(layer, head, "full", "term_share." + names[i], block, shares[i]);
        }
    }

    /** A map in the order given (JSON output must not depend on hash order). */
    static Map<String, Object> ordered(Object... keysAndValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static Map<String, Double> scalars(Scalars s) {
        Map<String, Double> m = new LinkedHashMap<>();
        double[] v = s.toArray();
        for (int i = 0; i < v.length; i++) {
            m.put(Commutant.SCALAR_NAMES[i], v[i]);
        }
        return m;
    }

    private static String summaryTable(CoupledMeanShiftRecursion full, CoupledMeanShiftRecursion reduced, ModelConfig c) {
        StringBuilder sb = new StringBuilder("Coupled mean-shift recursion (docs/mathematics.md section 6); reduced coefficients "
                + "derived: alpha = a, beta = c, gamma = a', delta = c'\n");
        sb.append(String.format(Locale.ROOT, "%5s %4s %9s %9s %9s %9s | %9s %9s %9s %9s %9s %9s %9s %9s%n", "layer", "head",
                "alpha", "beta", "gamma", "delta", "b", "f", "g", "e", "b'", "f'", "g'", "e'"));
        for (int l = 0; l < c.nLayers(); l++) {
            for (int h = 0; h < c.nHeads(); h++) {
                Scalars q = full.q(l, h);
                Scalars v = full.v(l, h);
                sb.append(String.format(Locale.ROOT, "%5d %4d %9.4f %9.4f %9.4f %9.4f | %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f%n",
                        l, h, reduced.alpha(l, h), reduced.beta(l, h), reduced.gamma(l, h), reduced.delta(l, h), q.b(), q.f(),
                        q.g(), q.e(), v.b(), v.f(), v.g(), v.e()));
            }
        }
        return sb.toString().stripTrailing();
    }

    private static String range(double[] r) {
        return Double.isNaN(r[0]) ? "undefined" : String.format(Locale.ROOT, "%.1f%%..%.1f%%", 100 * r[0], 100 * r[1]);
    }

    private static double nanMax(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
    }

    private static double nanMin(double a, double b) {
        return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.min(a, b);
    }

    /** Fraction of prompts whose argmax agrees. */
    public static double agreement(double[] logitsA, double[] logitsB, int classes) {
        int[] a = Forward.predictions(logitsA, classes);
        int[] b = Forward.predictions(logitsB, classes);
        int same = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) {
                same++;
            }
        }
        return a.length == 0 ? Double.NaN : same / (double) a.length;
    }

    /** 1 - SS_res / SS_tot over all entries, SS_tot about the reference's overall mean; NaN if SS_tot = 0. */
    public static double r2(double[] reference, double[] predicted) {
        double mean = 0;
        for (double v : reference) {
            mean += v;
        }
        mean /= reference.length;
        double res = 0;
        double tot = 0;
        for (int i = 0; i < reference.length; i++) {
            double e = predicted[i] - reference[i];
            double m = reference[i] - mean;
            res += e * e;
            tot += m * m;
        }
        return tot > 0 ? 1 - res / tot : Double.NaN;
    }

    /** What the analyzer keeps of the reduced recursion: logits, SS_res per layer and block, float32 states or null. */
    private record Reduced(double[] logits, double[][] residuals, float[][] states) {
    }

    /** Prompts per chunk of the reduced recursion: its double states live one chunk at a time. */
    private static final int CHUNK = 128;

    /**
     * Runs the reduced recursion chunk by chunk of prompts, in prompt order, keeping its logits,
     * the SS_res of every layer and block against the network (the sums in the order of
     * {@link #blockSums}) and, when asked, its states as float32; its double states are never
     * held for all prompts at once (no other analyzer reads them).
     */
    private static Reduced reduced(CoupledMeanShiftRecursion reduced, ModelConfig c, PromptBatch eval, double[][] netResid,
            boolean keepStates) {
        int count = eval.count;
        int layers = c.nLayers();
        int per = c.tokens() * c.dModel();
        double[][] chunk = new double[layers][Math.min(CHUNK, count) * per];
        double[] logits = new double[count * c.dY()];
        double[][] residuals = new double[layers][4];
        float[][] states = keepStates ? new float[layers][count * per] : null;
        for (int first = 0; first < count; first += CHUNK) {
            int from = first;
            int n = Math.min(CHUNK, count - first);
            reduced.run(eval.z, from, n, chunk, null, logits);
            IntStream.range(0, layers).parallel().forEach(l -> {
                addResiduals(c, netResid[l], chunk[l], from, n, residuals[l]);
                if (states != null) {
                    float[] out = states[l];
                    double[] in = chunk[l];
                    for (int e = 0; e < n * per; e++) {
                        out[from * per + e] = (float) in[e];
                    }
                }
            });
        }
        return new Reduced(logits, residuals, states);
    }

    /** Block b: tokens [r[0], r[1]) x coordinates [r[2], r[3]) (train.x, train.y, probe.x, probe.y). */
    private static int[][] blocks(ModelConfig c) {
        int d = c.dX();
        int n = c.nCtx();
        return new int[][] {{0, n, 0, d}, {0, n, d, c.dModel()}, {n, c.tokens(), 0, d}, {n, c.tokens(), d, c.dModel()}};
    }

    /**
     * For the four blocks (see class comment) of states [P, N+1, D]: SS_tot of the reference
     * about its mean over the block's entries (0-3) and SS_res of the prediction (4-7).
     */
    static double[] blockSums(ModelConfig c, double[] reference, double[] predicted, int count) {
        int t = c.tokens();
        int dim = c.dModel();
        int[][] ranges = blocks(c);
        double[] out = new double[8];
        for (int b = 0; b < 4; b++) {
            int[] r = ranges[b];
            double sum = 0;
            long entries = 0;
            double res = 0;
            for (int p = 0; p < count; p++) {
                for (int i = r[0]; i < r[1]; i++) {
                    int o = (p * t + i) * dim;
                    for (int m = r[2]; m < r[3]; m++) {
                        double ref = reference[o + m];
                        sum += ref;
                        entries++;
                        double e = predicted[o + m] - ref;
                        res += e * e;
                    }
                }
            }
            double mean = entries == 0 ? 0 : sum / entries;
            double tot = 0;
            for (int p = 0; p < count; p++) {
                for (int i = r[0]; i < r[1]; i++) {
                    int o = (p * t + i) * dim;
                    for (int m = r[2]; m < r[3]; m++) {
                        double dv = reference[o + m] - mean;
                        tot += dv * dv;
                    }
                }
            }
            out[b] = tot;
            out[4 + b] = res;
        }
        return out;
    }

    /** res[b] += SS_res of block b over prompts [first, first + count), whose states predicted holds from index 0. */
    private static void addResiduals(ModelConfig c, double[] reference, double[] predicted, int first, int count, double[] res) {
        int t = c.tokens();
        int dim = c.dModel();
        int[][] ranges = blocks(c);
        for (int b = 0; b < 4; b++) {
            int[] r = ranges[b];
            double s = res[b];
            for (int p = 0; p < count; p++) {
                for (int i = r[0]; i < r[1]; i++) {
                    int o = (p * t + i) * dim;
                    int ro = o + first * t * dim;
                    for (int m = r[2]; m < r[3]; m++) {
                        double e = predicted[o + m] - reference[ro + m];
                        s += e * e;
                    }
                }
            }
            res[b] = s;
        }
    }
}
