package org.layerwise.analysis.spectral;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

import org.eclipse.core.runtime.OperationCanceledException;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.ModelSeries;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Settings;
import org.layerwise.core.Table;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.AttentionFactors;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;

/**
 * The macroscopic measures of docs/SCIENCE.md section 9 along a run's checkpoint series: for every
 * checkpoint, layer, head and named matrix (QK and OV; W_Q, W_K, W_V and W_O too for a factored
 * model) the effective rank, the marginalised effective rank and the subspace distance to the
 * same matrix at the final checkpoint. Only the final model and the current one are held at once.
 */
public class SpectralDynamicsAnalyzer implements RecursionAnalyzer {

    static final String ID = "spectral-dynamics";
    static final String NO_SERIES = "no checkpoint series: set backend.checkpoints (e.g. log:20) to keep one";
    static final List<String> COLUMNS = List.of("step", "layer", "head", "matrix", "effective_rank",
            "marginal_effective_rank", "subspace_distance", "r", "numerical_rank", "sigma_1");
    static final List<String> FACTOR_KINDS = List.of("W_Q", "W_K", "W_V", "W_O");

    @Override
    public void configure(Settings settings, ModelConfig model, TaskSpec task) throws InvalidSettingException {
        int rank = settings.integer("rank");
        if (model != null && rank > model.dModel()) {
            throw new InvalidSettingException("rank", "rank " + rank + " exceeds D = " + model.dModel()
                    + ", the largest dimension of any matrix of the model; 0 takes r from tol");
        }
    }

    /** One named matrix of one head: its kind (QK, OV, W_Q, ...), shape and row-major entries. */
    record Named(int layer, int head, String kind, int rows, int cols, double[] m) {
    }

    /** The measures of one named matrix at one checkpoint. */
    record Measured(double effectiveRank, double marginal, double distance, int r, int numericalRank, double[] sigma) {
    }

    /** The named matrices of a model, head by head (layer-major), QK and OV first, then the factors if any. */
    static List<Named> matrices(TransformerModel model) {
        ModelConfig c = model.config();
        int d = c.dModel();
        AttentionFactors f = model.factors();
        List<Named> out = new ArrayList<>();
        for (int l = 0; l < c.nLayers(); l++) {
            for (int h = 0; h < c.nHeads(); h++) {
                out.add(new Named(l, h, "QK", d, d, model.qk(l, h)));
                out.add(new Named(l, h, "OV", d, d, model.ov(l, h)));
                if (f != null) {
                    int i = l * c.nHeads() + h;
                    int k = f.dHead();
                    out.add(new Named(l, h, "W_Q", d, k, f.wq()[i]));
                    out.add(new Named(l, h, "W_K", d, k, f.wk()[i]));
                    out.add(new Named(l, h, "W_V", d, k, f.wv()[i]));
                    out.add(new Named(l, h, "W_O", k, d, f.wo()[i]));
                }
            }
        }
        return out;
    }

    /** The measures of one matrix against its final form; r is fixed when {@code rank} > 0 (capped at cols). */
    static Measured measure(Named m, Named fin, double tol, int k, int rank) {
        SpectralMeasures.Svd svd = SpectralMeasures.svd(m.m(), m.rows(), m.cols());
        int numerical = svd.rankAbove(tol);
        int r = rank > 0 ? Math.min(rank, m.cols()) : numerical;
        return new Measured(SpectralMeasures.effectiveRank(svd.sigma(), tol),
                SpectralMeasures.marginalEffectiveRank(svd.sigma(), tol, k),
                SpectralMeasures.subspaceDistance(fin.m(), svd, r), r, numerical, svd.sigma());
    }

    @Override
    public AnalysisResult analyze(AnalysisContext ctx) throws Exception {
        Settings s = ctx.settings();
        double tol = s.real("tol");
        int k = s.integer("k");
        int rank = s.integer("rank");
        double threshold = s.real("threshold");
        List<ModelSeries.Checkpoint> checkpoints = ctx.series().checkpoints();
        Table table = new Table(COLUMNS, List.of());
        AnalysisResult result = new AnalysisResult();
        result.table(ID, table);
        result.detail("section", "SCIENCE.md section 9");
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("tol", tol);
        settings.put("k", k);
        settings.put("rank", rank);
        settings.put("r", rank > 0 ? "fixed at " + rank + " (at most the matrix's column count)"
                : "the count of singular values above tol * sigma_1, per matrix and checkpoint");
        settings.put("threshold", threshold);
        result.detail("settings", settings);
        result.detail("definitions", definitions(threshold));
        result.scalar("checkpoints", checkpoints.size());
        String head = "Spectral dynamics (SCIENCE.md section 9)";
        if (checkpoints.isEmpty()) {
            result.detail("note", NO_SERIES);
            result.summary(head + ": " + NO_SERIES + "; nothing was measured");
            return result;
        }

        int count = checkpoints.size();
        ModelSeries.Checkpoint last = checkpoints.get(count - 1);
        checkCanceled(ctx);
        TransformerModel finalModel = load(last);
        List<Named> finals = matrices(finalModel);
        ModelConfig config = finalModel.config();
        int layers = config.nLayers();
        int heads = config.nHeads();
        List<String> kinds = new ArrayList<>(List.of("QK", "OV"));
        if (finalModel.factors() != null) {
            kinds.addAll(FACTOR_KINDS);
        }
        int perHead = kinds.size();
        // curves[measure][matrix index][checkpoint]: 0 effective rank, 1 marginal, 2 distance, 3 r
        double[][][] curves = new double[4][finals.size()][count];
        double[][][] spectra = new double[finals.size()][count][];
        int[] steps = new int[count];
        int spanning = 0;
        for (int t = 0; t < count; t++) {
            checkCanceled(ctx);
            ModelSeries.Checkpoint cp = checkpoints.get(t);
            steps[t] = cp.step();
            TransformerModel model = t == count - 1 ? finalModel : load(cp);
            if (!model.config().equals(config) || (model.factors() == null) != (finalModel.factors() == null)) {
                throw new IllegalStateException("checkpoint of step " + cp.step() + " (" + cp.file() + ") is not shaped like the "
                        + "final checkpoint of step " + last.step() + ": " + model.config() + (model.factors() == null ? ", merged" : ", factored")
                        + " against " + config + (finalModel.factors() == null ? ", merged" : ", factored"));
            }
            List<Named> current = matrices(model);
            Measured[] measured = new Measured[current.size()];
            IntStream.range(0, current.size()).parallel()
                    .forEach(i -> measured[i] = measure(current.get(i), finals.get(i), tol, k, rank));
            for (int i = 0; i < current.size(); i++) {
                Named n = current.get(i);
                Measured m = measured[i];
                table.add(cp.step(), n.layer(), n.head(), n.kind(), m.effectiveRank(), m.marginal(), m.distance(), m.r(),
                        m.numericalRank(), m.sigma().length == 0 ? 0.0 : m.sigma()[0]);
                curves[0][i][t] = m.effectiveRank();
                curves[1][i][t] = m.marginal();
                curves[2][i][t] = m.distance();
                curves[3][i][t] = m.r();
                spectra[i][t] = m.sigma();
                if (t < count - 1 && m.r() == n.cols()) {
                    spanning++;
                }
            }
        }

        result.tensor("steps", Tensor.of(IntStream.of(steps).asLongStream().toArray(), count));
        String[] names = {"effective_rank", "marginal_effective_rank", "subspace_distance", "r"};
        for (int kind = 0; kind < perHead; kind++) {
            String name = kinds.get(kind);
            for (int q = 0; q < names.length; q++) {
                double[] data = new double[count * layers * heads];
                for (int t = 0; t < count; t++) {
                    for (int lh = 0; lh < layers * heads; lh++) {
                        data[t * layers * heads + lh] = curves[q][lh * perHead + kind][t];
                    }
                }
                result.tensor(name + "." + names[q], Tensor.of(data, count, layers, heads));
            }
            int width = Math.min(finals.get(kind).rows(), finals.get(kind).cols());
            double[] sv = new double[count * layers * heads * width];
            for (int t = 0; t < count; t++) {
                for (int lh = 0; lh < layers * heads; lh++) {
                    System.arraycopy(spectra[lh * perHead + kind][t], 0, sv, (t * layers * heads + lh) * width, width);
                }
            }
            result.tensor(name + ".singular_values", Tensor.of(sv, count, layers, heads, width));
        }

        result.detail("steps", IntStream.of(steps).boxed().toList());
        result.detail("final_step", last.step());
        result.summary(String.format(Locale.ROOT, "%s: %d checkpoint(s), steps %d..%d, against the final checkpoint (step %d); "
                + "tol %.3g, k %d, r %s", head, count, steps[0], last.step(), last.step(), tol, k,
                rank > 0 ? "fixed at " + rank : "from tol"));
        if (spanning > 0) {
            String note = String.format(Locale.ROOT, "at %d of %d rows before the final checkpoint r equals the matrix's column "
                    + "count: V_r spans the whole space and the subspace distance is 0 by construction there; for full-rank "
                    + "weights set rank to a fixed r below it", spanning, (count - 1) * finals.size());
            result.detail("note", note);
            result.summary("Note: " + note);
        }
        List<Map<String, Object>> settled = new ArrayList<>();
        for (int kind = 0; kind < perHead; kind++) {
            String name = kinds.get(kind);
            double[] firstRank = new double[layers * heads];
            double[] finalRank = new double[layers * heads];
            double[] finalMarginal = new double[layers * heads];
            double[] firstDistance = new double[layers * heads];
            double latest = Double.NEGATIVE_INFINITY;
            for (int lh = 0; lh < layers * heads; lh++) {
                int i = lh * perHead + kind;
                firstRank[lh] = curves[0][i][0];
                finalRank[lh] = curves[0][i][count - 1];
                finalMarginal[lh] = curves[1][i][count - 1];
                firstDistance[lh] = curves[2][i][0];
                double step = settledStep(curves[2][i], steps, threshold);
                latest = Double.isNaN(step) || Double.isNaN(latest) ? Double.NaN : Math.max(latest, step);
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("layer", lh / heads);
                e.put("head", lh % heads);
                e.put("matrix", name);
                e.put("settled_step", step);
                settled.add(e);
            }
            String stem = name.toLowerCase(Locale.ROOT);
            result.scalar(stem + "_effective_rank_initial", mean(firstRank));
            result.scalar(stem + "_effective_rank_final", mean(finalRank));
            result.scalar(stem + "_marginal_effective_rank_final", mean(finalMarginal));
            result.scalar(stem + "_subspace_distance_initial", mean(firstDistance));
            result.scalar(stem + "_settled_step", latest);
            result.summary(String.format(Locale.ROOT, "%s (mean over %d head(s)): effective rank %.4g at step %d -> %.4g at step %d; "
                    + "marginal (k=%d) %s at step %d; subspace distance to the final %.4g at step %d; every head within %.3g of the "
                    + "final %s", name, layers * heads, mean(firstRank), steps[0], mean(finalRank), last.step(), k,
                    format(mean(finalMarginal)), last.step(), mean(firstDistance), steps[0], threshold,
                    Double.isNaN(latest) ? "at no step (some head is never within it up to the end)"
                            : "from step " + (long) latest + " on"));
        }
        result.detail("settled", settled);
        return result;
    }

    /**
     * The step of the earliest checkpoint from which the distance stays below {@code threshold} up to and including
     * the final checkpoint; NaN if it is not below at the final checkpoint (or undefined there).
     */
    static double settledStep(double[] distance, int[] steps, double threshold) {
        int t = distance.length;
        while (t > 0 && distance[t - 1] < threshold) {
            t--;
        }
        return t == distance.length ? Double.NaN : steps[t];
    }

    /** The mean of the defined values (NaN if none is). */
    private static double mean(double[] x) {
        double sum = 0;
        int n = 0;
        for (double v : x) {
            if (!Double.isNaN(v)) {
                sum += v;
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }

    private static String format(double v) {
        return Double.isNaN(v) ? "undefined" : String.format(Locale.ROOT, "%.4g", v);
    }

    private static void checkCanceled(AnalysisContext ctx) {
        if (ctx.monitor() != null && ctx.monitor().isCanceled()) {
            throw new OperationCanceledException();
        }
    }

    private static TransformerModel load(ModelSeries.Checkpoint cp) throws Exception {
        TransformerModel m;
        try {
            m = cp.model();
        } catch (OperationCanceledException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("checkpoint of step " + cp.step() + " (" + cp.file() + ") cannot be read: "
                    + e.getMessage(), e);
        }
        if (m == null) {
            throw new IllegalStateException("checkpoint of step " + cp.step() + " (" + cp.file() + ") loaded no model");
        }
        return m;
    }

    static Map<String, String> definitions(double threshold) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("matrices", "per layer l (the weights of block l, 0..L-1) and head: QK and OV as D x D row-major (tokens as rows); "
                + "for a factored model also W_Q, W_K, W_V (D x d_head) and W_O (d_head x D)");
        m.put("numerical_rank", "the count of singular values sigma_i > tol * sigma_1 (0 for the zero matrix)");
        m.put("effective_rank", "exp(-sum_i p_i ln p_i), p_i = sigma_i / sum_j sigma_j over the singular values counted by "
                + "numerical_rank; between 1 and numerical_rank; undefined for the zero matrix");
        m.put("marginal_effective_rank", "the effective rank of the same values without the k largest, renormalised; "
                + "undefined (NaN) when numerical_rank <= k");
        m.put("subspace_distance", "d_r(t) = ||M_inf (I - V_r V_r')||_F / ||M_inf||_F, M_inf the same matrix at the final "
                + "checkpoint, V_r the top-r right singular vectors of M at step t: 0 when the final matrix's row space lies in "
                + "their span, 1 when it is orthogonal to it; undefined when M_inf = 0. At the final checkpoint it is the share "
                + "of ||M_inf||_F in the singular values the tolerance drops (at most tol * sqrt(cols - r))");
        m.put("r", "the number of right singular vectors spanning V_r: numerical_rank, or the rank setting capped at the "
                + "matrix's column count");
        m.put("settled_step", "the step of the earliest checkpoint from which subspace_distance stays below " + threshold
                + " through the final checkpoint (NaN when it is not below at the final checkpoint); per matrix kind the "
                + "scalar is the latest over layers and heads");
        return m;
    }
}
