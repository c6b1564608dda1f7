package org.layerwise.ui.tests;

import org.layerwise.core.ActivationCache;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Table;
import org.layerwise.core.Tensor;

/** A third-party analyzer (fragment.xml): the probe's and the context tokens' state norms by layer. */
public final class MyProbe implements RecursionAnalyzer {

    @Override
    public AnalysisResult analyze(AnalysisContext context) {
        PromptBatch eval = context.evaluation();
        int layers = context.model().config().nLayers();
        int p = eval.count;
        int tokens = eval.tokens();
        int dim = eval.tokenDim();
        double[] probe = new double[p * (layers + 1)];
        float[] ctx = new float[p * (layers + 1)];
        Table table = Table.of("layer", "measure", "value", "n");
        double first = 0;
        double last = 0;
        for (int t = 0; t <= layers; t++) {
            double[] z = t == 0 ? eval.z : context.cache().values(ActivationCache.residPost(t - 1), p * tokens * dim);
            double probeMean = 0;
            double ctxMean = 0;
            for (int i = 0; i < p; i++) {
                double q = norm(z, (i * tokens + tokens - 1) * dim, dim);
                double c = 0;
                for (int j = 0; j < tokens - 1; j++) {
                    c += norm(z, (i * tokens + j) * dim, dim) / (tokens - 1);
                }
                probe[i * (layers + 1) + t] = q;
                ctx[i * (layers + 1) + t] = (float) c;
                probeMean += q / p;
                ctxMean += c / p;
            }
            table.add(t, "probe_norm", probeMean, p);
            table.add(t, "context_norm", ctxMean, p);
            if (t == 0) {
                first = probeMean;
            }
            last = probeMean;
        }
        return new AnalysisResult().scalar("probe_norm_first", first).scalar("probe_norm_last", last).table("my-probe", table)
                .tensor("probe_norm", Tensor.of(probe, p, layers + 1)).tensor("context_norm", Tensor.of(ctx, p, layers + 1));
    }

    private static double norm(double[] z, int from, int n) {
        double s = 0;
        for (int k = 0; k < n; k++) {
            s += z[from + k] * z[from + k];
        }
        return Math.sqrt(s);
    }
}
