package org.layerwise.core.model;

import java.util.SplittableRandom;

/**
 * The factored parameterization of docs/file-formats.md: per layer and head (index l * H + h) W_Q, W_K,
 * W_V of shape D x d_head and W_O of shape d_head x D, row-major, with QK = W_Q W_K^T and
 * OV = W_V W_O. Gradients map through the same products, so any engine that differentiates
 * the merged matrices trains the factors too.
 */
public record AttentionFactors(int dModel, int dHead, double[][] wq, double[][] wk, double[][] wv, double[][] wo) {

    /**
     * Every factor entry i.i.d. N(0, sigma^2) with sigma^2 = scale / sqrt(d_head), so that the
     * merged entries have standard deviation {@code scale} as in the merged initialisation;
     * drawn per head in the order W_Q, W_K, W_V, W_O.
     */
    public static AttentionFactors gaussian(ModelConfig c, double scale, SplittableRandom rng) {
        int n = c.nLayers() * c.nHeads();
        int size = c.dModel() * c.dHead();
        double sigma = Math.sqrt(scale / Math.sqrt(c.dHead()));
        boolean f32 = "float32".equals(c.dtype());
        AttentionFactors f = new AttentionFactors(c.dModel(), c.dHead(), new double[n][size], new double[n][size],
                new double[n][size], new double[n][size]);
        for (int i = 0; i < n; i++) {
            for (double[] m : new double[][] {f.wq[i], f.wk[i], f.wv[i], f.wo[i]}) {
                for (int j = 0; j < size; j++) {
                    double v = sigma * rng.nextGaussian();
                    m[j] = f32 ? (float) v : v;
                }
            }
        }
        return f;
    }

    public int count() {
        return wq.length;
    }

    /** QK of head i: W_Q W_K^T. */
    public double[] qk(int i) {
        return multiply(wq[i], false, wk[i], true, dModel, dHead, dModel);
    }

    /** OV of head i: W_V W_O. */
    public double[] ov(int i) {
        return multiply(wv[i], false, wo[i], false, dModel, dHead, dModel);
    }

    /** The merged model these factors define. */
    public TransformerModel merged(ModelConfig config) {
        double[][] qk = new double[count()][];
        double[][] ov = new double[count()][];
        for (int i = 0; i < count(); i++) {
            qk[i] = qk(i);
            ov[i] = ov(i);
        }
        return new TransformerModel(config, qk, ov, this);
    }

    /**
     * Gradients of the factors of head i from the gradients G_QK and G_OV of its merged
     * matrices, in the order W_Q, W_K, W_V, W_O: G_QK W_K, G_QK^T W_Q, G_OV W_O^T, W_V^T G_OV.
     */
    public double[][] gradient(int i, double[] gqk, double[] gov) {
        int d = dModel;
        int k = dHead;
        return new double[][] {
            multiply(gqk, false, wk[i], false, d, d, k),
            multiply(gqk, true, wq[i], false, d, d, k),
            multiply(gov, false, wo[i], true, d, d, k),
            multiply(wv[i], true, gov, false, k, d, d)};
    }

    /** (rows x inner) times (inner x cols), each operand optionally stored transposed. */
    private static double[] multiply(double[] a, boolean aT, double[] b, boolean bT, int rows, int inner, int cols) {
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double s = 0;
                for (int j = 0; j < inner; j++) {
                    s += (aT ? a[j * rows + r] : a[r * inner + j]) * (bT ? b[c * inner + j] : b[j * cols + c]);
                }
                out[r * cols + c] = s;
            }
        }
        return out;
    }
}
