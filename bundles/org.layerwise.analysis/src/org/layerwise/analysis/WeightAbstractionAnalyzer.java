package org.layerwise.analysis;

import java.util.Locale;
import java.util.SplittableRandom;

import org.layerwise.core.ActivationCache;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.SymmetryEnforcer.Factors;
import org.layerwise.core.Table;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.symmetry.BlockPermutation;
import org.layerwise.core.symmetry.Commutant;

/**
 * The weight abstraction of docs/mathematics.md section 5. Q is read as stored (QK), V as OV^T, so
 * the scalars are in the column-vector notation of the paper. When the pipeline enforced
 * only one factor of G the six-scalar table would not describe the weights: the analyzer
 * then reports asymmetry against that factor's larger commutant and says why there is no
 * table.
 */
public class WeightAbstractionAnalyzer implements RecursionAnalyzer {

    /** The commutant and the label permutations it reads are those of in-context classification. */
    @Override
    public void configure(Settings settings, ModelConfig model, TaskSpec task) throws InvalidSettingException {
        if (task != null && !TaskSpec.CLASSIFICATION.equals(task.kind())) {
            throw new InvalidSettingException(null, "the weight abstraction reads the feature- and label-permutation symmetry "
                    + "of classification; the task is " + task.kind());
        }
    }

    @Override
    public AnalysisResult analyze(AnalysisContext ctx) {
        TransformerModel model = ctx.model();
        ModelConfig c = model.config();
        int d = c.dX();
        int classes = c.dY();
        Factors enforced = ctx.enforced();
        boolean oneFactor = enforced.any() && !(enforced.features() && enforced.labels());
        Factors reference = oneFactor ? enforced : Factors.BOTH;
        AnalysisResult result = new AnalysisResult();
        Table table = Table.of("layer", "head", "matrix", "a", "b", "f", "g", "c", "e", "asymmetry");
        double[] sum = new double[2];
        double[] max = new double[2];
        for (int l = 0; l < c.nLayers(); l++) {
            for (int h = 0; h < c.nHeads(); h++) {
                for (int which = 0; which < 2; which++) {
                    double[] m = which == 0 ? model.qk(l, h) : Commutant.transpose(model.ov(l, h), c.dModel());
                    double asym = Commutant.asymmetry(m,
                            Commutant.reynolds(m, d, classes, reference.features(), reference.labels()));
                    sum[which] += asym;
                    max[which] = Math.max(max[which], asym);
                    Commutant.Scalars s = Commutant.scalars(m, d, classes);
                    table.add(l, h, which == 0 ? "Q" : "V", s.a(), s.b(), s.f(), s.g(), s.c(), s.e(), asym);
                }
            }
        }
        int n = c.nLayers() * c.nHeads();
        result.scalar("asymmetry_q_mean", sum[0] / n).scalar("asymmetry_v_mean", sum[1] / n)
                .scalar("asymmetry_max", Math.max(max[0], max[1]))
                .scalar("asymmetry_mean", (sum[0] + sum[1]) / (2 * n));
        double[] err = equivarianceError(ctx, reference);
        result.scalar("equivariance_error", err[0]).scalar("equivariance_error_se", err[1]);
        result.detail("reference_group", reference.key());
        if (oneFactor) {
            result.detail("table_omitted", "only the " + reference.key() + " factor of G was enforced: its commutant has "
                    + (reference.features() ? 2 + 2 * classes + classes * classes : d * d + 2 * d + 2)
                    + " parameters per matrix, so six scalars do not describe the weights");
            result.summary("Weight abstraction: only the " + reference.key() + " factor was enforced; no six-scalar table.");
        } else {
            result.table("abstraction", table);
            result.summary(format(table));
        }
        result.summary(String.format(Locale.ROOT, "Asymmetry ||M - R(M)||/||M||: Q mean %.4f, V mean %.4f, max %.4f", sum[0] / n,
                sum[1] / n, Math.max(max[0], max[1])));
        result.summary(String.format(Locale.ROOT, "Functional equivariance error (%s): %.3e (standard error %.1e)", reference.key(),
                err[0], err[1]));
        return result;
    }

    /**
     * E_Pi ||f(Z Pi) - f(Z) Pi||_F / ||f(Z)||_F over all output tokens, averaged over prompts
     * and draws, with the standard error of that mean. f(Z) and f(Z Pi) both come from the
     * activation cache.
     */
    static double[] equivarianceError(AnalysisContext ctx, Factors group) {
        ModelConfig c = ctx.model().config();
        int prompts = Math.min(ctx.settings().integer("prompts"), ctx.evaluation().count);
        int draws = ctx.settings().integer("draws");
        int per = c.tokens() * c.dModel();
        int dim = c.dModel();
        String output = ActivationCache.residPost(c.nLayers() - 1);
        double[] out = ctx.cache().get(output).toDoubles();
        SplittableRandom rng = new SplittableRandom(ctx.seed());
        double total = 0;
        double squares = 0;
        for (int r = 0; r < draws; r++) {
            int[] p = BlockPermutation.draw(c.dX(), c.dY(), group.features(), group.labels(), rng);
            double[] fp = ctx.cache().permuted(p, prompts).get(output).toDoubles();
            for (int q = 0; q < prompts; q++) {
                double num = 0;
                double den = 0;
                int base = q * per;
                for (int row = 0; row < c.tokens(); row++) {
                    for (int k = 0; k < dim; k++) {
                        double expected = out[base + row * dim + p[k]];
                        double diff = fp[base + row * dim + k] - expected;
                        num += diff * diff;
                        den += expected * expected;
                    }
                }
                double e = den == 0 ? 0 : Math.sqrt(num / den);
                total += e;
                squares += e * e;
            }
        }
        double n = draws * (double) prompts;
        double mean = total / n;
        return new double[] {mean, n > 1 ? Math.sqrt(Math.max(0, squares / n - mean * mean) / (n - 1)) : Double.NaN};
    }

    static String format(Table t) {
        StringBuilder sb = new StringBuilder("Weight abstraction (docs/mathematics.md section 5)\n");
        sb.append(String.format(Locale.ROOT, "%5s %4s %3s %9s %9s %9s %9s %9s %9s %9s%n", "layer", "head", "M", "a", "b", "f",
                "g", "c", "e", "asym"));
        for (var row : t.rows()) {
            sb.append(String.format(Locale.ROOT, "%5d %4d %3s %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f%n", row.get(0),
                    row.get(1), row.get(2), row.get(3), row.get(4), row.get(5), row.get(6), row.get(7), row.get(8),
                    row.get(9)));
        }
        return sb.toString().stripTrailing();
    }
}
