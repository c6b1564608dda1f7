package com.example.layerwise.norms;

import java.util.Locale;

import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Table;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;

/**
 * How large and how low-rank every head's QK and OV are after training: the Frobenius norm,
 * the spectral norm (largest singular value) and the stable rank ||M||_F^2 / ||M||_2^2, a
 * smooth count of the directions a matrix really uses (1 for rank one, D for a multiple of an
 * orthogonal matrix). The spectral norm of QK bounds how sharp a layer's attention can get on
 * tokens of a given length; that of OV how far one layer can move a token.
 */
public final class AttentionNormsAnalyzer implements RecursionAnalyzer {

    @Override
    public AnalysisResult analyze(AnalysisContext context) {
        TransformerModel model = context.model();
        ModelConfig c = model.config();
        int dim = c.dModel();
        String matrices = context.settings().text("matrices");
        Table table = Table.of("layer", "head", "matrix", "frobenius", "spectral", "stable_rank");
        AnalysisResult result = new AnalysisResult().table("attention-norms", table);
        for (String matrix : new String[] {"QK", "OV"}) {
            if (!matrices.equals("both") && !matrices.equalsIgnoreCase(matrix)) {
                continue;
            }
            double[] singular = new double[c.nLayers() * c.nHeads() * dim];
            double spectralMax = 0;
            double stableRankSum = 0;
            for (int l = 0; l < c.nLayers(); l++) {
                for (int h = 0; h < c.nHeads(); h++) {
                    double[] m = matrix.equals("QK") ? model.qk(l, h) : model.ov(l, h);
                    double[] s = SingularValues.of(m, dim);
                    System.arraycopy(s, 0, singular, (l * c.nHeads() + h) * dim, dim);
                    double frobenius2 = 0;
                    for (double v : s) {
                        frobenius2 += v * v;
                    }
                    // a zero matrix uses no direction at all
                    double stableRank = s[0] == 0 ? 0 : frobenius2 / (s[0] * s[0]);
                    table.add(l, h, matrix, Math.sqrt(frobenius2), s[0], stableRank);
                    spectralMax = Math.max(spectralMax, s[0]);
                    stableRankSum += stableRank;
                }
            }
            String key = matrix.toLowerCase(Locale.ROOT);
            result.scalar(key + "_spectral_max", spectralMax)
                    .scalar(key + "_stable_rank_mean", stableRankSum / (c.nLayers() * c.nHeads()))
                    .tensor(key + ".singular_values", Tensor.of(singular, c.nLayers(), c.nHeads(), dim));
        }
        return result;
    }
}
