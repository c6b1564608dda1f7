package org.layerwise.backend.linear;

import java.util.SplittableRandom;

import org.layerwise.core.model.AttentionFactors;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;

/**
 * What SGD trains, per layer l, and the model it defines (D = 2d, tokens [x ; y]).
 *
 * <p>full: theta = QK_l, OV_l (D x D each, every entry), stored merged: QK = W_Q', OV = W_P' for
 * docs/mathematics.md section 9's W_Q and W_P.
 *
 * <p>reduced: theta = p_l, q_l (d values each). Section 9's W_Q has x-x block U diag(p q) U', W_P
 * has y-y block I, every other block zero. The model is stored FACTORED with d_head = d
 * (AttentionFactors: QK = W_Q W_K', OV = W_V W_O):
 * <pre>
 *   W_Q = [U diag(p) ; 0]   (D x d: x rows U diag(p), y rows 0)
 *   W_K = [U diag(q) ; 0]
 *   W_V = [0 ; I_d]         (D x d)
 *   W_O = [0 , I_d]         (d x D)
 * </pre>
 * so QK has x-x block U diag(p q) U' (symmetric, = section 9's W_Q'), OV has y-y block I, and
 * p_alpha = (U' W_Q[x rows])_{alpha,alpha}, q_alpha = (U' W_K[x rows])_{alpha,alpha}. U is the
 * task's structure "U" (d x d row-major, column alpha = u_alpha). Under float32 p and q and the
 * factor entries are rounded to float32 (the products QK and OV are not), so the model written
 * in float32 is the model trained.
 */
final class LinearParameters {

    final boolean reduced;
    final double[][] theta;
    private final ModelConfig config;
    private final double[] u;
    private final int d;
    private final int dim;
    private final boolean f32;
    private double[][] qk;
    private double[][] ov;
    private AttentionFactors factors;

    private LinearParameters(ModelConfig config, boolean reduced, double[] u, double[][] theta) {
        this.config = config;
        this.reduced = reduced;
        this.u = u;
        this.theta = theta;
        this.d = config.dX();
        this.dim = config.dModel();
        this.f32 = "float32".equals(config.dtype());
        for (double[] t : theta) {
            round(t);
        }
        sync();
    }

    /**
     * The initial parameters. balanced: reduced p = q = scale in every mode; full QK's x-x block
     * and OV's y-y block both scale * I, everything else 0 (the same function as the reduced start,
     * a = scale^2 per mode, and balanced in full's own sense: ||W_P||_F = ||W_Q||_F). random: every
     * trained value N(0, scale^2) from the seed, per layer p then q (reduced) or QK then OV
     * row-major (full).
     */
    static LinearParameters initial(ModelConfig config, boolean reduced, double[] u, boolean balanced, double scale, long seed) {
        int layers = config.nLayers();
        int d = config.dX();
        int dim = config.dModel();
        double[][] theta = new double[2 * layers][];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < theta.length; i++) {
            theta[i] = new double[reduced ? d : dim * dim];
            if (!balanced) {
                for (int j = 0; j < theta[i].length; j++) {
                    theta[i][j] = scale * rng.nextGaussian();
                }
            } else if (reduced) {
                java.util.Arrays.fill(theta[i], scale);
            } else {
                int offset = i % 2 == 0 ? 0 : d; // QK: x-x block, OV: y-y block
                for (int a = 0; a < d; a++) {
                    theta[i][(offset + a) * dim + offset + a] = scale;
                }
            }
        }
        return new LinearParameters(config, reduced, u, theta);
    }

    String description() {
        return reduced ? "reduced: p and q per mode of U (W_Q x-x block U diag(p q) U', W_P y-y block I), stored factored with d_head = "
                + d : "full: every entry of W_Q and W_P, stored merged (QK = W_Q', OV = W_P')";
    }

    double[][] qk() {
        return qk;
    }

    double[][] ov() {
        return ov;
    }

    /** Rebuilds QK, OV (and the factors) from theta, in new arrays: models handed out are never changed. */
    void sync() {
        int layers = config.nLayers();
        if (!reduced) {
            qk = new double[layers][];
            ov = new double[layers][];
            for (int l = 0; l < layers; l++) {
                qk[l] = theta[2 * l].clone();
                ov[l] = theta[2 * l + 1].clone();
            }
            return;
        }
        double[][] wq = new double[layers][dim * d];
        double[][] wk = new double[layers][dim * d];
        double[][] wv = new double[layers][dim * d];
        double[][] wo = new double[layers][d * dim];
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < d; i++) {
                for (int a = 0; a < d; a++) {
                    wq[l][i * d + a] = round(u[i * d + a] * theta[2 * l][a]);
                    wk[l][i * d + a] = round(u[i * d + a] * theta[2 * l + 1][a]);
                }
                wv[l][(d + i) * d + i] = 1;
                wo[l][i * dim + d + i] = 1;
            }
        }
        factors = new AttentionFactors(dim, d, wq, wk, wv, wo);
        TransformerModel m = factors.merged(config);
        qk = new double[layers][];
        ov = new double[layers][];
        for (int l = 0; l < layers; l++) {
            qk[l] = m.qk(l, 0);
            ov[l] = m.ov(l, 0);
        }
    }

    /**
     * The gradient with respect to theta from those of the merged matrices. reduced: QK's x-x block
     * is U diag(p q) U', so dp_alpha = q_alpha (U' G_xx U)_{alpha,alpha} and dq_alpha =
     * p_alpha (U' G_xx U)_{alpha,alpha}; OV is fixed.
     */
    double[][] gradient(double[][] gqk, double[][] gov) {
        double[][] g = new double[theta.length][];
        for (int l = 0; l < config.nLayers(); l++) {
            if (!reduced) {
                g[2 * l] = gqk[l];
                g[2 * l + 1] = gov[l];
                continue;
            }
            double[] diag = new double[d];
            for (int a = 0; a < d; a++) {
                double v = 0;
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < d; j++) {
                        v += u[i * d + a] * gqk[l][i * dim + j] * u[j * d + a];
                    }
                }
                diag[a] = v;
            }
            g[2 * l] = new double[d];
            g[2 * l + 1] = new double[d];
            for (int a = 0; a < d; a++) {
                g[2 * l][a] = theta[2 * l + 1][a] * diag[a];
                g[2 * l + 1][a] = theta[2 * l][a] * diag[a];
            }
        }
        return g;
    }

    /** a_alpha = p_alpha q_alpha of the first layer (reduced only). */
    double[] products() {
        double[] a = new double[d];
        for (int i = 0; i < d; i++) {
            a[i] = theta[0][i] * theta[1][i];
        }
        return a;
    }

    /**
     * The expected gradient of the reduced one-layer model: dp = q dL/da, dq = p dL/da with dL/da
     * from the closed form.
     */
    double[][] expectedGradient(double[] dLda) {
        return new double[][] {multiply(theta[1], dLda), multiply(theta[0], dLda)};
    }

    private static double[] multiply(double[] x, double[] y) {
        double[] out = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            out[i] = x[i] * y[i];
        }
        return out;
    }

    /** theta -= eta g, every value rounded to float32 under that dtype; then the model follows. */
    void step(double eta, double[][] g) {
        for (int i = 0; i < theta.length; i++) {
            for (int j = 0; j < theta[i].length; j++) {
                theta[i][j] = round(theta[i][j] - eta * g[i][j]);
            }
        }
        sync();
    }

    boolean finite() {
        for (double[] t : theta) {
            for (double v : t) {
                if (!Double.isFinite(v)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** The model as it is now (its arrays are not changed by later steps). */
    TransformerModel model() {
        return new TransformerModel(config, qk, ov, reduced ? factors : null);
    }

    private double round(double v) {
        return f32 ? (float) v : v;
    }

    private void round(double[] t) {
        for (int j = 0; j < t.length; j++) {
            t[j] = round(t[j]);
        }
    }
}
