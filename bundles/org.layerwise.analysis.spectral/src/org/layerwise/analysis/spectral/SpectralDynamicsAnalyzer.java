package org.layerwise.analysis.spectral;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
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
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkModel;
import org.layerwise.core.model.TransformerModel;

/**
 * The macroscopic measures of docs/mathematics.md section 9 along a run's checkpoint series: for every
 * checkpoint, layer, head and named matrix (QK and OV; W_Q, W_K, W_V and W_O too for a factored
 * model; for a transformer network also W_E, W_U and each block's W_in, W_out) the effective
 * rank, the marginalised effective rank and the subspace distance to the same matrix at the final
 * checkpoint. Only the final model's matrices and the current one's are held at once.
 */
public class SpectralDynamicsAnalyzer implements RecursionAnalyzer {

    static final String ID = "spectral-dynamics";
    static final String NO_SERIES = "no checkpoint series: set backend.checkpoints (e.g. log:20) to keep one";
    static final List<String> COLUMNS = List.of("step", "layer", "head", "matrix", "effective_rank",
            "marginal_effective_rank", "subspace_distance", "r", "numerical_rank", "sigma_1");

    @Override
    public void configure(Settings settings, ModelConfig model, TaskSpec task) throws InvalidSettingException {
        int rank = settings.integer("rank");
        if (model != null && rank > model.dModel()) {
            throw new InvalidSettingException("rank", "rank " + rank + " exceeds D = " + model.dModel()
                    + ", the largest dimension of any matrix of the model; 0 takes r from tol");
        }
    }

    @Override
    public void configureNetwork(Settings settings, NetworkConfig network, TaskSpec task) throws InvalidSettingException {
        int rank = settings.integer("rank");
        int widest = Math.max(network.dModel(), Math.max(network.dVocabOut(), network.attnOnly() ? 0 : network.dMlp()));
        if (rank > widest) {
            throw new InvalidSettingException("rank", "rank " + rank + " exceeds " + widest + ", the most columns of any matrix "
                    + "measured (d_model " + network.dModel() + (network.attnOnly() ? "" : ", d_mlp " + network.dMlp())
                    + ", d_vocab_out " + network.dVocabOut() + "); 0 takes r from tol");
        }
    }

    /**
     * One named matrix: its block and head (-1 where its kind has none: W_E and W_U have neither, W_in and W_out
     * no head), its kind (QK, OV, W_Q, ..., W_E), shape and row-major entries.
     */
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

    /**
     * The named matrices of a transformer network in forward order: W_E; per block each head's QK, OV, W_Q, W_K,
     * W_V, W_O, then the block's W_in and W_out (none when attention-only); W_U. Weights as stored (TransformerLens
     * shapes), QK = W_Q[h] W_K[h]^T and OV = W_V[h] W_O[h] without biases or the attention scale. W_pos is left out.
     */
    static List<Named> matrices(NetworkModel model) {
        NetworkConfig c = model.config();
        int d = c.dModel();
        int k = c.dHead();
        List<Named> out = new ArrayList<>();
        out.add(new Named(-1, -1, "W_E", c.dVocab(), d, model.tensor("embed.W_E").toDoubles()));
        for (int l = 0; l < c.nLayers(); l++) {
            for (int h = 0; h < c.nHeads(); h++) {
                out.add(new Named(l, h, "QK", d, d, model.qk(l, h)));
                out.add(new Named(l, h, "OV", d, d, model.ov(l, h)));
                out.add(new Named(l, h, "W_Q", d, k, model.head("W_Q", l, h)));
                out.add(new Named(l, h, "W_K", d, k, model.head("W_K", l, h)));
                out.add(new Named(l, h, "W_V", d, k, model.head("W_V", l, h)));
                out.add(new Named(l, h, "W_O", k, d, model.head("W_O", l, h)));
            }
            if (!c.attnOnly()) {
                out.add(new Named(l, -1, "W_in", d, c.dMlp(), model.tensor("blocks." + l + ".mlp.W_in").toDoubles()));
                out.add(new Named(l, -1, "W_out", c.dMlp(), d, model.tensor("blocks." + l + ".mlp.W_out").toDoubles()));
            }
        }
        out.add(new Named(-1, -1, "W_U", d, c.dVocabOut(), model.tensor("unembed.W_U").toDoubles()));
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
        result.detail("section", "docs/mathematics.md section 9");
        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("tol", tol);
        settings.put("k", k);
        settings.put("rank", rank);
        settings.put("r", rank > 0 ? "fixed at " + rank + " (at most the matrix's column count)"
                : "the count of singular values above tol * sigma_1, per matrix and checkpoint");
        settings.put("threshold", threshold);
        result.detail("settings", settings);
        boolean network = ctx.isNetwork();
        result.detail("definitions", definitions(threshold, network));
        result.scalar("checkpoints", checkpoints.size());
        String head = "Spectral dynamics (docs/mathematics.md section 9)";
        if (checkpoints.isEmpty()) {
            result.detail("note", NO_SERIES);
            result.summary(head + ": " + NO_SERIES + "; nothing was measured");
            return result;
        }

        int count = checkpoints.size();
        ModelSeries.Checkpoint last = checkpoints.get(count - 1);
        checkCanceled(ctx);
        Snapshot fin = snapshot(last, network);
        List<Named> finals = fin.matrices();
        // each kind in order of first appearance, with the indices of its matrices in finals (layer-major, then head)
        Map<String, int[]> kinds = new LinkedHashMap<>();
        for (String kind : finals.stream().map(Named::kind).distinct().toList()) {
            kinds.put(kind, IntStream.range(0, finals.size()).filter(i -> finals.get(i).kind().equals(kind)).toArray());
        }
        // curves[measure][matrix index][checkpoint]: 0 effective rank, 1 marginal, 2 distance, 3 r
        double[][][] curves = new double[4][finals.size()][count];
        double[][][] spectra = new double[finals.size()][count][];
        int[] steps = new int[count];
        int spanning = 0;
        for (int t = 0; t < count; t++) {
            checkCanceled(ctx);
            ModelSeries.Checkpoint cp = checkpoints.get(t);
            steps[t] = cp.step();
            Snapshot snapshot = t == count - 1 ? fin : snapshot(cp, network);
            if (!snapshot.shape().equals(fin.shape())) {
                throw new IllegalStateException("checkpoint of step " + cp.step() + " (" + cp.file() + ") is not shaped like the "
                        + "final checkpoint of step " + last.step() + ": " + snapshot.described() + " against " + fin.described());
            }
            List<Named> current = snapshot.matrices();
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
        for (var e : kinds.entrySet()) {
            int[] members = e.getValue();
            int n = members.length;
            Named first = finals.get(members[0]);
            // [S] for W_E and W_U, [S, L] for a block's W_in and W_out, [S, L, H] per head
            long[] shape = first.layer() < 0 ? new long[] {count}
                    : first.head() < 0 ? new long[] {count, fin.layers()} : new long[] {count, fin.layers(), fin.heads()};
            for (int q = 0; q < names.length; q++) {
                double[] data = new double[count * n];
                for (int t = 0; t < count; t++) {
                    for (int j = 0; j < n; j++) {
                        data[t * n + j] = curves[q][members[j]][t];
                    }
                }
                result.tensor(e.getKey() + "." + names[q], Tensor.of(data, shape));
            }
            int width = Math.min(first.rows(), first.cols());
            double[] sv = new double[count * n * width];
            for (int t = 0; t < count; t++) {
                for (int j = 0; j < n; j++) {
                    System.arraycopy(spectra[members[j]][t], 0, sv, (t * n + j) * width, width);
                }
            }
            long[] svShape = Arrays.copyOf(shape, shape.length + 1);
            svShape[shape.length] = width;
            result.tensor(e.getKey() + ".singular_values", Tensor.of(sv, svShape));
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
        for (var e : kinds.entrySet()) {
            String name = e.getKey();
            int[] members = e.getValue();
            int n = members.length;
            double[] firstRank = new double[n];
            double[] finalRank = new double[n];
            double[] finalMarginal = new double[n];
            double[] firstDistance = new double[n];
            double latest = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                int i = members[j];
                firstRank[j] = curves[0][i][0];
                finalRank[j] = curves[0][i][count - 1];
                finalMarginal[j] = curves[1][i][count - 1];
                firstDistance[j] = curves[2][i][0];
                double step = settledStep(curves[2][i], steps, threshold);
                latest = Double.isNaN(step) || Double.isNaN(latest) ? Double.NaN : Math.max(latest, step);
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("layer", finals.get(i).layer());
                entry.put("head", finals.get(i).head());
                entry.put("matrix", name);
                entry.put("settled_step", step);
                settled.add(entry);
            }
            String stem = name.toLowerCase(Locale.ROOT);
            result.scalar(stem + "_effective_rank_initial", mean(firstRank));
            result.scalar(stem + "_effective_rank_final", mean(finalRank));
            result.scalar(stem + "_marginal_effective_rank_final", mean(finalMarginal));
            result.scalar(stem + "_subspace_distance_initial", mean(firstDistance));
            result.scalar(stem + "_settled_step", latest);
            Named first = finals.get(members[0]);
            String unit = first.layer() < 0 ? null : first.head() < 0 ? "block" : "head";
            result.summary(String.format(Locale.ROOT, "%s%s: effective rank %.4g at step %d -> %.4g at step %d; "
                    + "marginal (k=%d) %s at step %d; subspace distance to the final %.4g at step %d; %swithin %.3g of the "
                    + "final %s", name, unit == null ? "" : " (mean over " + n + " " + unit + "(s))", mean(firstRank), steps[0],
                    mean(finalRank), last.step(), k, format(mean(finalMarginal)), last.step(), mean(firstDistance), steps[0],
                    unit == null ? "" : "every " + unit + " ", threshold, Double.isNaN(latest)
                            ? "at no step (" + (unit == null ? "not even at the final checkpoint" : "some " + unit
                                    + " is never within it up to the end") + ")"
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

    /**
     * A checkpoint reduced to what is measured: its named matrices, its block and head counts, and its shape (equal
     * for every checkpoint of a series) with a description of it for messages.
     */
    private record Snapshot(List<Named> matrices, int layers, int heads, Object shape, String described) {
    }

    /** Reads a checkpoint (a network's or an attention-only model's, as the run's) and names its matrices. */
    private static Snapshot snapshot(ModelSeries.Checkpoint cp, boolean network) throws Exception {
        if (network) {
            NetworkModel m = read(cp, cp::network);
            NetworkConfig c = m.config();
            return new Snapshot(matrices(m), c.nLayers(), c.nHeads(), c, c.toString());
        }
        TransformerModel m = read(cp, cp::model);
        ModelConfig c = m.config();
        boolean merged = m.factors() == null;
        return new Snapshot(matrices(m), c.nLayers(), c.nHeads(), List.of(c, merged), c + (merged ? ", merged" : ", factored"));
    }

    private static <M> M read(ModelSeries.Checkpoint cp, Callable<M> loader) throws Exception {
        M m;
        try {
            m = loader.call();
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

    static Map<String, String> definitions(double threshold, boolean network) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("matrices", network
                ? "as stored under their TransformerLens names, row-major (tokens as rows): embed.W_E (d_vocab x d_model) and "
                        + "unembed.W_U (d_model x d_vocab_out) with layer and head -1; per block l (0..L-1) mlp.W_in (d_model x "
                        + "d_mlp) and mlp.W_out (d_mlp x d_model) with head -1; per block and head h QK = W_Q[h] W_K[h]^T and "
                        + "OV = W_V[h] W_O[h] (d_model x d_model, without biases or the attention scale) and the slices W_Q[h], "
                        + "W_K[h], W_V[h] (d_model x d_head) and W_O[h] (d_head x d_model); pos_embed.W_pos is not measured"
                : "per layer l (the weights of block l, 0..L-1) and head: QK and OV as D x D row-major (tokens as rows); "
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
