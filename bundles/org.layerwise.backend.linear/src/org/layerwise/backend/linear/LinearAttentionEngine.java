package org.layerwise.backend.linear;

import java.util.stream.IntStream;

import org.layerwise.core.PromptBatch;
import org.layerwise.core.model.ModelConfig;

/**
 * The linear-attention model of SCIENCE.md section 9 written out by hand in float64, forward and
 * gradient, for the small D of these studies. Tokens are rows; every layer l maps the prompt H
 * (T = N + 1 rows, D columns) to
 * <pre>
 *   H + H M,   M = QK S OV,   S = H'H / N,
 * </pre>
 * which is the core's linear layer with keys = all tokens (row i gets sum_j (h_i QK h_j' / N) h_j OV)
 * summed in another order, and section 9's f(Z) = Z + Z W_Q' (Z'Z / N) W_P' with QK = W_Q' and
 * OV = W_P'. The loss of a batch is the mean over its prompts of 1/2 ||y_hat - y||^2, y_hat the
 * query's label block after the last layer.
 *
 * <p>The gradient, with G = dLoss/d(output of layer l): dM = H'G, dQK = dM OV' S, dOV = S QK' dM,
 * dS = QK' dM OV', and dLoss/dH = G + G M' + H (dS + dS') / N. Prompts are summed in fixed chunks
 * of {@value #CHUNK}, the chunks in order, so the result does not depend on the number of threads.
 */
final class LinearAttentionEngine {

    /** Prompts per unit of parallel work; fixed, so sums are formed in the same order on any machine. */
    static final int CHUNK = 16;

    /** The batch's mean loss and its gradient with respect to each layer's QK and OV. */
    record LossAndGradient(double loss, double[][] qkGrad, double[][] ovGrad) {
    }

    private final int layers;
    private final int t;
    private final int dim;
    private final int dX;
    private final int dY;
    private final int n;

    LinearAttentionEngine(ModelConfig c) {
        this.layers = c.nLayers();
        this.t = c.tokens();
        this.dim = c.dModel();
        this.dX = c.dX();
        this.dY = c.dY();
        this.n = c.nCtx();
    }

    /** The query's label block after the last layer, [count, dY], for prompts z [count, T, D]. */
    double[] outputs(double[][] qk, double[][] ov, double[] z, int count) {
        double[] out = new double[count * dY];
        IntStream.range(0, count).parallel().forEach(p -> {
            Scratch s = new Scratch();
            forward(qk, ov, z, p, s);
            System.arraycopy(s.h[layers], (t - 1) * dim + dX, out, p * dY, dY);
        });
        return out;
    }

    /** Mean loss over the batch and its gradient; the batch must be regression prompts of this shape. */
    LossAndGradient lossAndGradient(PromptBatch b, double[][] qk, double[][] ov) {
        if (!b.isRegression() || b.classes != dY || b.features != dX || b.tokens() != t) {
            throw new IllegalArgumentException("expected regression prompts with d = " + dX + ", target width " + dY + ", N = " + n
                    + "; got " + (b.isRegression() ? "regression" : "classification") + " prompts with d = " + b.features + ", width "
                    + b.classes + ", N = " + b.contextSize);
        }
        int chunks = (b.count + CHUNK - 1) / CHUNK;
        double[][][] parts = new double[chunks][][];
        IntStream.range(0, chunks).parallel().forEach(c -> {
            double[][] acc = new double[2 * layers + 1][];
            for (int l = 0; l < 2 * layers; l++) {
                acc[l] = new double[dim * dim];
            }
            acc[2 * layers] = new double[1];
            Scratch s = new Scratch();
            for (int p = c * CHUNK; p < Math.min(b.count, (c + 1) * CHUNK); p++) {
                acc[2 * layers][0] += backward(qk, ov, b, p, s, acc);
            }
            parts[c] = acc;
        });
        double[][] gqk = new double[layers][dim * dim];
        double[][] gov = new double[layers][dim * dim];
        double loss = 0;
        for (double[][] part : parts) {
            for (int l = 0; l < layers; l++) {
                add(part[l], gqk[l]);
                add(part[layers + l], gov[l]);
            }
            loss += part[2 * layers][0];
        }
        double scale = 1.0 / b.count;
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < dim * dim; i++) {
                gqk[l][i] *= scale;
                gov[l][i] *= scale;
            }
        }
        return new LossAndGradient(loss * scale, gqk, gov);
    }

    /** Per-prompt buffers: every layer's input (h[l], h[layers] the output), S and M per layer. */
    private final class Scratch {
        final double[][] h = new double[layers + 1][t * dim];
        final double[][] s = new double[layers][dim * dim];
        final double[][] m = new double[layers][dim * dim];
        final double[] tmp = new double[dim * dim];
        final double[] dm = new double[dim * dim];
        final double[] qtdm = new double[dim * dim];
        double[] g = new double[t * dim];
        double[] g2 = new double[t * dim];
    }

    private void forward(double[][] qk, double[][] ov, double[] z, int p, Scratch s) {
        System.arraycopy(z, p * t * dim, s.h[0], 0, t * dim);
        for (int l = 0; l < layers; l++) {
            double[] h = s.h[l];
            double[] sl = s.s[l];
            multiplyTA(h, h, sl, t, dim, dim, false);
            for (int i = 0; i < sl.length; i++) {
                sl[i] /= n;
            }
            multiply(qk[l], sl, s.tmp, dim, dim, dim, false);
            multiply(s.tmp, ov[l], s.m[l], dim, dim, dim, false);
            double[] next = s.h[l + 1];
            System.arraycopy(h, 0, next, 0, h.length);
            multiply(h, s.m[l], next, t, dim, dim, true);
        }
    }

    /** Forward and backward of prompt p; adds its (unscaled) gradient to acc and returns its loss. */
    private double backward(double[][] qk, double[][] ov, PromptBatch b, int p, Scratch s, double[][] acc) {
        forward(qk, ov, b.z, p, s);
        double[] g = s.g;
        java.util.Arrays.fill(g, 0);
        int q = (t - 1) * dim + dX;
        double loss = 0;
        for (int c = 0; c < dY; c++) {
            double e = s.h[layers][q + c] - b.queryTargets[p * dY + c];
            loss += 0.5 * e * e;
            g[q + c] = e;
        }
        for (int l = layers - 1; l >= 0; l--) {
            double[] h = s.h[l];
            double[] sl = s.s[l];
            multiplyTA(h, g, s.dm, t, dim, dim, false);
            multiplyTB(s.dm, ov[l], s.tmp, dim, dim, dim, false);
            multiply(s.tmp, sl, acc[l], dim, dim, dim, true);
            multiplyTA(qk[l], s.dm, s.qtdm, dim, dim, dim, false);
            multiply(sl, s.qtdm, acc[layers + l], dim, dim, dim, true);
            if (l == 0) {
                break;
            }
            multiplyTB(s.qtdm, ov[l], s.tmp, dim, dim, dim, false); // dS
            for (int i = 0; i < dim; i++) {
                for (int j = i; j < dim; j++) {
                    double v = (s.tmp[i * dim + j] + s.tmp[j * dim + i]) / n;
                    s.tmp[i * dim + j] = v;
                    s.tmp[j * dim + i] = v;
                }
            }
            double[] next = s.g2;
            System.arraycopy(g, 0, next, 0, g.length);
            multiplyTB(g, s.m[l], next, t, dim, dim, true);
            multiply(h, s.tmp, next, t, dim, dim, true);
            s.g2 = g;
            g = next;
        }
        s.g = g;
        return loss;
    }

    private static void add(double[] from, double[] to) {
        for (int i = 0; i < to.length; i++) {
            to[i] += from[i];
        }
    }

    /** out (r x c) = (or +=) a (r x k) b (k x c). */
    static void multiply(double[] a, double[] b, double[] out, int r, int k, int c, boolean accumulate) {
        product(a, k, 1, b, c, 1, out, r, k, c, accumulate);
    }

    /** out (r x c) = (or +=) a' b with a stored k x r and b k x c. */
    static void multiplyTA(double[] a, double[] b, double[] out, int k, int r, int c, boolean accumulate) {
        product(a, 1, r, b, c, 1, out, r, k, c, accumulate);
    }

    /** out (r x c) = (or +=) a b' with a stored r x k and b c x k. */
    static void multiplyTB(double[] a, double[] b, double[] out, int r, int k, int c, boolean accumulate) {
        product(a, k, 1, b, 1, k, out, r, k, c, accumulate);
    }

    /** out[i][j] (=, +=) sum_m a[i * ai + m * am] b[m * bm + j * bj], summed over m in order. */
    private static void product(double[] a, int ai, int am, double[] b, int bm, int bj, double[] out, int r, int k, int c,
            boolean accumulate) {
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                double v = 0;
                for (int m = 0; m < k; m++) {
                    v += a[i * ai + m * am] * b[m * bm + j * bj];
                }
                out[i * c + j] = accumulate ? out[i * c + j] + v : v;
            }
        }
    }
}
