package org.layerwise.backend.linear;

import java.util.Arrays;
import java.util.stream.IntStream;

import org.layerwise.core.PromptBatch;
import org.layerwise.core.model.ModelConfig;

/**
 * The linear-attention model of docs/mathematics.md section 9 written out by hand in float64, forward and
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
 * <p>Layers below the last: with G = dLoss/d(output of layer l), dM = H'G, dQK = dM OV' S,
 * dOV = S QK' dM, dS = QK' dM OV', and dLoss/dH = G + G M' + H (dS + dS') / N.
 *
 * <p>The last layer: only the query row z of its output is read, so it never forms S or M. With
 * a = z QK, r = H a', b = r'H / N (= z QK S), the output is z + b OV; with g the error on the y
 * block, u = g OV', w = H u' and v = w'H / N (= u S), the gradients are the rank-one dQK = z'v and
 * dOV = b'g, and dLoss/dH = (r u + w a) / N in every row, plus g + v QK' in the query's. That is
 * O(T D) work per prompt instead of O(T D^2): the whole step of a one-layer model.
 *
 * <p>Prompts are summed in fixed chunks of {@value #CHUNK}, the chunks in order, so the result does
 * not depend on the number of threads. Every product is a weighted sum of matrix rows
 * ({@link Kernels}, in the Vector API's lanes where the JVM has them); the last layer's rank-one
 * gradients of a chunk are summed as one such product over its prompts.
 */
final class LinearAttentionEngine {

    /** Prompts per unit of parallel work; fixed, so sums are formed in the same order on any machine. */
    static final int CHUNK = 16;

    private static final Kernels K = Kernels.BEST;

    /** The batch's mean loss and its gradient with respect to each layer's QK and OV. */
    record LossAndGradient(double loss, double[][] qkGrad, double[][] ovGrad) {
    }

    private final int layers;
    private final int t;
    private final int dim;
    private final int dX;
    private final int dY;
    private final int n;
    private final double inv;

    LinearAttentionEngine(ModelConfig c) {
        this.layers = c.nLayers();
        this.t = c.tokens();
        this.dim = c.dModel();
        this.dX = c.dX();
        this.dY = c.dY();
        this.n = c.nCtx();
        this.inv = 1.0 / n;
    }

    /** The query's label block after the last layer, [count, dY], for prompts z [count, T, D]. */
    double[] outputs(double[][] qk, double[][] ov, double[] z, int count) {
        double[] out = new double[count * dY];
        Weights wt = new Weights(qk, ov);
        IntStream.range(0, (count + CHUNK - 1) / CHUNK).parallel().forEach(c -> {
            Scratch s = new Scratch();
            for (int p = c * CHUNK; p < Math.min(count, (c + 1) * CHUNK); p++) {
                forward(wt, z, p, s);
                int q = s.at + (t - 1) * dim + dX;
                for (int k = 0; k < dY; k++) {
                    out[p * dY + k] = s.in[q + k] + s.y[k];
                }
            }
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
        Weights wt = new Weights(qk, ov);
        int chunks = (b.count + CHUNK - 1) / CHUNK;
        double[][][] parts = new double[chunks][][];
        IntStream.range(0, chunks).parallel().forEach(c -> {
            double[][] acc = new double[2 * layers + 1][];
            for (int l = 0; l < 2 * layers; l++) {
                acc[l] = new double[dim * dim];
            }
            acc[2 * layers] = new double[1];
            Scratch s = new Scratch();
            int from = c * CHUNK;
            int to = Math.min(b.count, (c + 1) * CHUNK);
            for (int p = from; p < to; p++) {
                acc[2 * layers][0] += backward(wt, b, p, p - from, s, acc);
            }
            // the last layer's dQK += sum_p z_p' v_p and dOV[:, y] += sum_p b_p' e_p, over the chunk's prompts in order
            int last = layers - 1;
            for (int i = 0; i < dim; i++) {
                K.sumRows(s.zs, i, dim, s.vs, 0, dim, to - from, acc[last], i * dim, dim, true);
                K.sumRows(s.bs, i, dim, s.es, 0, dY, to - from, acc[layers + last], i * dim + dX, dY, true);
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

    /** The weights of one call and their transposes, shared read-only by its chunks. */
    private final class Weights {
        final double[][] qk;
        final double[][] ov;
        final double[][] qkT = new double[layers][dim * dim];
        final double[][] ovT = new double[layers][dim * dim];

        Weights(double[][] qk, double[][] ov) {
            this.qk = qk;
            this.ov = ov;
            for (int l = 0; l < layers; l++) {
                transpose(qk[l], qkT[l], dim);
                transpose(ov[l], ovT[l], dim);
            }
        }
    }

    /**
     * Per-chunk buffers: the full layers' inputs h[l], S and M (none for one layer), the last
     * layer's vectors, and per prompt of the chunk its z, v, b and error e (rows of zs, vs, bs, es).
     */
    private final class Scratch {
        final int full = layers - 1;
        final double[][] h = new double[full][t * dim];
        final double[][] s = new double[full][dim * dim];
        final double[][] m = new double[full][dim * dim];
        final double[] last = full > 0 ? new double[t * dim] : null;
        final double[] tmp = new double[dim * dim];
        final double[] tmp2 = new double[dim * dim];
        final double[] dm = new double[dim * dim];
        final double[] a = new double[dim];
        final double[] r = new double[t];
        final double[] y = new double[dY];
        final double[] u = new double[dim];
        final double[] w = new double[t];
        final double[] vq = new double[dim];
        final double[] zs = new double[CHUNK * dim];
        final double[] vs = new double[CHUNK * dim];
        final double[] bs = new double[CHUNK * dim];
        final double[] es = new double[CHUNK * dY];
        final double[] bq = new double[dim];
        final double[] v = new double[dim];
        double[] g = full > 0 ? new double[t * dim] : null;
        double[] g2 = full > 0 ? new double[t * dim] : null;
        /** Where the last layer's input is: the prompt itself for one layer, else s.last. */
        double[] in;
        int at;
    }

    /**
     * The full layers' inputs into s.h, the last layer's into s.in at s.at; its query-row output,
     * less its input, into s.y (and a, r, b into s.a, s.r, s.bq).
     */
    private void forward(Weights wt, double[] z, int p, Scratch s) {
        s.in = z;
        s.at = p * t * dim;
        for (int l = 0; l < s.full; l++) {
            double[] h = s.h[l];
            if (l == 0) {
                System.arraycopy(z, s.at, h, 0, t * dim);
            }
            double[] sl = s.s[l];
            multiplyTA(h, h, sl, t, dim, dim, false);
            for (int i = 0; i < sl.length; i++) {
                sl[i] *= inv;
            }
            multiply(wt.qk[l], sl, s.tmp, dim, dim, dim, false);
            multiply(s.tmp, wt.ov[l], s.m[l], dim, dim, dim, false);
            double[] next = l + 1 < s.full ? s.h[l + 1] : s.last;
            System.arraycopy(h, 0, next, 0, h.length);
            multiply(h, s.m[l], next, t, dim, dim, true);
            s.in = next;
            s.at = 0;
        }
        double[] h = s.in;
        int at = s.at;
        int last = layers - 1;
        K.sumRows(h, at + (t - 1) * dim, 1, wt.qk[last], 0, dim, dim, s.a, 0, dim, false); // a = z QK
        rowDots(h, at, s.a, s.r);                                                         // r = H a'
        K.sumRows(s.r, 0, 1, h, at, dim, t, s.bq, 0, dim, false);                          // b = r'H / N
        scale(s.bq, inv);
        K.sumRows(s.bq, 0, 1, wt.ov[last], dX, dim, dim, s.y, 0, dY, false);               // y = (b OV)[y block]
    }

    /**
     * Forward and backward of prompt p, row k of its chunk; adds the full layers' gradients to acc,
     * keeps the last layer's rank-one factors in s for the chunk's sum, and returns the loss.
     */
    private double backward(Weights wt, PromptBatch b, int p, int k, Scratch s, double[][] acc) {
        forward(wt, b.z, p, s);
        int last = layers - 1;
        double[] h = s.in;
        int at = s.at;
        int q = at + (t - 1) * dim;
        double loss = 0;
        double[] e = s.y; // becomes the error on the y block
        for (int c = 0; c < dY; c++) {
            e[c] = h[q + dX + c] + s.y[c] - b.queryTargets[p * dY + c];
            loss += 0.5 * e[c] * e[c];
        }
        K.sumRows(e, 0, 1, wt.ovT[last], dX * dim, dim, dY, s.u, 0, dim, false); // u = g OV'
        rowDots(h, at, s.u, s.w);                                                 // w = H u'
        K.sumRows(s.w, 0, 1, h, at, dim, t, s.v, 0, dim, false);                  // v = w'H / N = u S
        scale(s.v, inv);
        System.arraycopy(h, q, s.zs, k * dim, dim);
        System.arraycopy(s.v, 0, s.vs, k * dim, dim);
        System.arraycopy(s.bq, 0, s.bs, k * dim, dim);
        System.arraycopy(e, 0, s.es, k * dY, dY);
        if (last == 0) {
            return loss;
        }
        // dLoss/dH of the last layer's input: (r u + w a) / N per row, g + v QK' more in the query's
        double[] g = s.g;
        Arrays.fill(g, 0);
        for (int i = 0; i < t; i++) {
            K.axpy(s.r[i] * inv, s.u, 0, g, i * dim, dim);
            K.axpy(s.w[i] * inv, s.a, 0, g, i * dim, dim);
        }
        K.sumRows(s.v, 0, 1, wt.qkT[last], 0, dim, dim, s.vq, 0, dim, false);
        int gq = (t - 1) * dim;
        for (int j = 0; j < dim; j++) {
            g[gq + j] += s.vq[j];
        }
        for (int c = 0; c < dY; c++) {
            g[gq + dX + c] += e[c];
        }
        for (int l = last - 1; l >= 0; l--) {
            h = s.h[l];
            double[] sl = s.s[l];
            multiplyTA(h, g, s.dm, t, dim, dim, false);                   // dM = H'G
            multiply(s.dm, wt.ovT[l], s.tmp, dim, dim, dim, false);       // dM OV'
            multiply(s.tmp, sl, acc[l], dim, dim, dim, true);             // dQK += dM OV' S
            multiply(wt.qkT[l], s.dm, s.tmp2, dim, dim, dim, false);      // QK' dM
            multiply(sl, s.tmp2, acc[layers + l], dim, dim, dim, true);   // dOV += S QK' dM
            if (l == 0) {
                break;
            }
            multiply(s.tmp2, wt.ovT[l], s.tmp, dim, dim, dim, false);     // dS = QK' dM OV'
            for (int i = 0; i < dim; i++) {
                for (int j = i; j < dim; j++) {
                    double x = (s.tmp[i * dim + j] + s.tmp[j * dim + i]) / n;
                    s.tmp[i * dim + j] = x;
                    s.tmp[j * dim + i] = x;
                }
            }
            transpose(s.m[l], s.tmp2, dim);
            double[] next = s.g2;
            System.arraycopy(g, 0, next, 0, g.length);
            multiply(g, s.tmp2, next, t, dim, dim, true);                 // + G M'
            multiply(h, s.tmp, next, t, dim, dim, true);                  // + H (dS + dS') / N
            s.g2 = g;
            g = next;
        }
        s.g = g;
        return loss;
    }

    /**
     * out[i] = h[i] . v for every token row i, in four partial sums (j mod 4, added in that order):
     * one running sum would wait on every add.
     */
    private void rowDots(double[] h, int at, double[] v, double[] out) {
        int wide = dim & ~3;
        for (int i = 0; i < t; i++) {
            double x0 = 0;
            double x1 = 0;
            double x2 = 0;
            double x3 = 0;
            int row = at + i * dim;
            for (int j = 0; j < wide; j += 4) {
                x0 += h[row + j] * v[j];
                x1 += h[row + j + 1] * v[j + 1];
                x2 += h[row + j + 2] * v[j + 2];
                x3 += h[row + j + 3] * v[j + 3];
            }
            for (int j = wide; j < dim; j++) {
                x0 += h[row + j] * v[j];
            }
            out[i] = (x0 + x1) + (x2 + x3);
        }
    }

    private static void scale(double[] x, double by) {
        for (int i = 0; i < x.length; i++) {
            x[i] *= by;
        }
    }

    private static void transpose(double[] m, double[] out, int dim) {
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < dim; j++) {
                out[j * dim + i] = m[i * dim + j];
            }
        }
    }

    private static void add(double[] from, double[] to) {
        for (int i = 0; i < to.length; i++) {
            to[i] += from[i];
        }
    }

    /** out (r x c) = (or +=) a (r x k) b (k x c). */
    static void multiply(double[] a, double[] b, double[] out, int r, int k, int c, boolean accumulate) {
        for (int i = 0; i < r; i++) {
            K.sumRows(a, i * k, 1, b, 0, c, k, out, i * c, c, accumulate);
        }
    }

    /** out (r x c) = (or +=) a' b with a stored k x r and b k x c. */
    static void multiplyTA(double[] a, double[] b, double[] out, int k, int r, int c, boolean accumulate) {
        for (int i = 0; i < r; i++) {
            K.sumRows(a, i, r, b, 0, c, k, out, i * c, c, accumulate);
        }
    }

    /** out (r x c) = (or +=) a b' with a stored r x k and b c x k. */
    static void multiplyTB(double[] a, double[] b, double[] out, int r, int k, int c, boolean accumulate) {
        for (int i = 0; i < r; i++) {
            for (int j = 0; j < c; j++) {
                double v = 0;
                for (int m = 0; m < k; m++) {
                    v += a[i * k + m] * b[j * k + m];
                }
                out[i * c + j] = accumulate ? out[i * c + j] + v : v;
            }
        }
    }
}
