package org.layerwise.core.model;

import java.util.Arrays;

/**
 * Weights of the attention-only transformer of docs/mathematics.md section 3 in the merged
 * parameterization, with tokens as ROW vectors (docs/file-formats.md): for layer l and head h,
 * qk(l, h) scores s_ij = z_i QK z_j^T and ov(l, h) updates z_i += sum_j A_ij z_j OV.
 * In docs/mathematics.md's column notation Q = QK and V = OV^T. Matrices are D x D, row-major.
 * A model trained in the factored parameterization also carries its factors (else null).
 */
public final class TransformerModel {

    private final ModelConfig config;
    private final double[][] qk;
    private final double[][] ov;
    private final AttentionFactors factors;

    public TransformerModel(ModelConfig config, double[][] qk, double[][] ov) {
        this(config, qk, ov, null);
    }

    public TransformerModel(ModelConfig config, double[][] qk, double[][] ov, AttentionFactors factors) {
        this.config = config;
        this.qk = qk;
        this.ov = ov;
        this.factors = factors;
    }

    /**
     * Every QK and OV entry i.i.d. N(0, scale^2), drawn in a fixed order (per layer and head:
     * QK row-major, then OV), rounded to float32 when the config says so.
     */
    public static TransformerModel gaussian(ModelConfig config, double scale, java.util.SplittableRandom rng) {
        int n = config.nLayers() * config.nHeads();
        int dd = config.dModel() * config.dModel();
        boolean f32 = "float32".equals(config.dtype());
        double[][] qk = new double[n][dd];
        double[][] ov = new double[n][dd];
        for (int i = 0; i < n; i++) {
            for (double[] m : new double[][] {qk[i], ov[i]}) {
                for (int j = 0; j < dd; j++) {
                    double v = scale * rng.nextGaussian();
                    m[j] = f32 ? (float) v : v;
                }
            }
        }
        return new TransformerModel(config, qk, ov);
    }

    public ModelConfig config() {
        return config;
    }

    /** The factors whose products are QK and OV, or null for a merged model. */
    public AttentionFactors factors() {
        return factors;
    }

    public double[] qk(int layer, int head) {
        return qk[layer * config.nHeads() + head];
    }

    public double[] ov(int layer, int head) {
        return ov[layer * config.nHeads() + head];
    }

    /** A merged copy whose matrices are transformed by {@code f(layer, head, isOv, matrix)}. */
    public TransformerModel map(MatrixMap f) {
        int n = config.nLayers() * config.nHeads();
        double[][] q = new double[n][];
        double[][] o = new double[n][];
        for (int l = 0; l < config.nLayers(); l++) {
            for (int h = 0; h < config.nHeads(); h++) {
                int i = l * config.nHeads() + h;
                q[i] = f.apply(l, h, false, qk[i].clone());
                o[i] = f.apply(l, h, true, ov[i].clone());
            }
        }
        return new TransformerModel(config, q, o);
    }

    @FunctionalInterface
    public interface MatrixMap {
        double[] apply(int layer, int head, boolean isOv, double[] matrix);
    }

    /** Null when the weights fit the config and are finite, else what is wrong. */
    public String problem() {
        int n = config.nLayers() * config.nHeads();
        int dd = config.dModel() * config.dModel();
        if (qk.length != n || ov.length != n) {
            return "expected " + n + " QK and OV matrices (L=" + config.nLayers() + ", H=" + config.nHeads() + "), found "
                    + qk.length + " and " + ov.length;
        }
        for (int i = 0; i < n; i++) {
            for (double[] m : new double[][] {qk[i], ov[i]}) {
                if (m == null || m.length != dd) {
                    return "layer " + i / config.nHeads() + " head " + i % config.nHeads() + ": a matrix is not "
                            + config.dModel() + " x " + config.dModel();
                }
                for (double v : m) {
                    if (!Double.isFinite(v)) {
                        return "layer " + i / config.nHeads() + " head " + i % config.nHeads() + ": non-finite weight";
                    }
                }
            }
        }
        return null;
    }

    /** Bit-for-bit equality of config and weights, factors included. */
    public boolean sameWeights(TransformerModel o) {
        return config.equals(o.config) && Arrays.deepEquals(qk, o.qk) && Arrays.deepEquals(ov, o.ov)
                && (factors == null ? o.factors == null : o.factors != null
                        && Arrays.deepEquals(new Object[] {factors.wq(), factors.wk(), factors.wv(), factors.wo()},
                                new Object[] {o.factors.wq(), o.factors.wk(), o.factors.wv(), o.factors.wo()}));
    }
}
