package org.layerwise.backend.linear;

import java.util.Arrays;
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
 * not depend on the number of threads. Every product runs row by row (broadcast times row) through
 * {@link Axpy}, the Vector API's lanes where the JVM has them.
 */
final class LinearAttentionEngine {

    /** Prompts per unit of parallel work; fixed, so sums are formed in the same order on any machine. */
    static final int CHUNK = 16;

    private static final Axpy K = Axpy.BEST;

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
        IntStream.range(0, (count + CHUNK - 1) / CHUNK).parallel().forEach(c -> {
            Scratch s = new Scratch(qk, ov);
            for (int p = c * CHUNK; p < Math.min(count, (c + 1) * CHUNK); p++) {
                forward(qk, ov, z, p, s);
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
        int chunks = (b.count + CHUNK - 1) / CHUNK;
        double[][][] parts = new double[chunks][][];
        IntStream.range(0, chunks).parallel().forEach(c -> {
            double[][] acc = new double[2 * layers + 1][];
            for (int l = 0; l < 2 * layers; l++) {
                acc[l] = new double[dim * dim];
            }
            acc[2 * layers] = new double[1];
            Scratch s = new Scratch(qk, ov);
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

    /**
     * Per-chunk buffers: every layer's input h[l] (h[layers - 1] the last layer's), S and M of the
     * layers below the last, the last layer's vectors, and the weights' transposes.
     */
    private final class Scratch {
        final double[][] h = new double[layers][t * dim];
        final double[][] s = new double[layers][dim * dim];
        final double[][] m = new double[layers][dim * dim];
        final double[][] qkT = new double[layers][];
        final double[][] ovT = new double[layers][];
        final double[] tmp = new double[dim * dim];
        final double[] tmp2 = new double[dim * dim];
        final double[] dm = new double[dim * dim];
        final double[] a = new double[dim];
        final double[] r = new double[t];
        final double[] bq = new double[dim];
        final double[] y = new double[dY];
        final double[] u = new double[dim];
        final double[] w = new double[t];
        final double[] v = new double[dim];
        final double[] vq = new double[dim];
        double[] g = new double[t * dim];
        double[] g2 = new double[t * dim];
        double[] in;
        int at;

        Scratch(double[][] qk, double[][] ov) {
            for (int l = 0; l < layers; l++) {
                qkT[l] = new double[dim * dim];
                ovT[l] = new double[dim * dim];
                transpose(qk[l], qkT[l], dim);
                transpose(ov[l], ovT[l], dim);
            }
        }
    }

    /**
     * Every layer's input into s.h (the prompt itself is read in place where a one-layer model
     * needs no copy: s.in, s.at say where the last layer's input is); the last layer's query-row
     * output, less its input, into s.y (and a, r, b).
     */
    private void forward(double[][] qk, double[][] ov, double[] z, int p, Scratch s) {
        if (layers == 1) {
            s.in = z;
            s.at = p * t * dim;
        } else {
            System.arraycopy(z, p * t * dim, s.h[0], 0, t * dim);
            s.in = s.h[layers - 1];
            s.at = 0;
        }
        for (int l = 0; l < layers - 1; l++) {
            double[] h = s.h[l];
            double[] sl = s.s[l];
            gram(h, sl);
            multiply(qk[l], sl, s.tmp, dim, dim, dim, false);
            multiply(s.tmp, ov[l], s.m[l], dim, dim, dim, false);
            double[] next = s.h[l + 1];
            System.arraycopy(h, 0, next, 0, h.length);
            multiply(h, s.m[l], next, t, dim, dim, true);
        }
        int last = layers - 1;
        double[] h = s.in;
        int at = s.at;
        rowTimes(h, at + (t - 1) * dim, qk[last], s.a); // a = z QK
        rowDots(h, at, s.a, s.r);                       // r = H a'
        combine(s.r, h, at, s.bq);                      // b = r'H / N
        double[] o = ov[last];
        Arrays.fill(s.y, 0);                     // y = (b OV)[y block]
        for (int i = 0; i < dim; i++) {
            K.run(s.bq[i], o, i * dim + dX, s.y, 0, dY);
        }
    }

    /** Forward and backward of prompt p; adds its (unscaled) gradient to acc and returns its loss. */
    private double backward(double[][] qk, double[][] ov, PromptBatch b, int p, Scratch s, double[][] acc) {
        forward(qk, ov, b.z, p, s);
        int last = layers - 1;
        double[] h = s.in;
        int at = s.at;
        int q = at + (t - 1) * dim;
        double loss = 0;
        double[] e = s.y; // becomes the error on the y block
        for (int k = 0; k < dY; k++) {
            e[k] = h[q + dX + k] + s.y[k] - b.queryTargets[p * dY + k];
            loss += 0.5 * e[k] * e[k];
        }
        Arrays.fill(s.u, 0);                     // u = g OV' = sum_k e_k OV'[y row k]
        for (int k = 0; k < dY; k++) {
            K.run(e[k], s.ovT[last], (dX + k) * dim, s.u, 0, dim);
        }
        rowDots(h, at, s.u, s.w);                // w = H u'
        combine(s.w, h, at, s.v);                // v = w'H / N = u S
        outer(h, q, s.v, acc[last]);             // dQK += z' v
        double[] dov = acc[layers + last];       // dOV += b' g
        for (int i = 0; i < dim; i++) {
            K.run(s.bq[i], e, 0, dov, i * dim + dX, dY);
        }
        if (last == 0) {
            return loss;
        }
        // dLoss/dH of the last layer's input: (r u + w a) / N per row, g + v QK' more in the query's
        double[] g = s.g;
        double inv = 1.0 / n;
        Arrays.fill(g, 0);
        for (int i = 0; i < t; i++) {
            K.run(s.r[i] * inv, s.u, 0, g, i * dim, dim);
            K.run(s.w[i] * inv, s.a, 0, g, i * dim, dim);
        }
        rowTimes(s.v, 0, s.qkT[last], s.vq);
        int gq = (t - 1) * dim;
        for (int j = 0; j < dim; j++) {
            g[gq + j] += s.vq[j];
        }
        for (int k = 0; k < dY; k++) {
            g[gq + dX + k] += e[k];
        }
        for (int l = last - 1; l >= 0; l--) {
            h = s.h[l];
            double[] sl = s.s[l];
            multiplyTA(h, g, s.dm, t, dim, dim, false);                // dM = H'G
            multiply(s.dm, s.ovT[l], s.tmp, dim, dim, dim, false);     // dM OV'
            multiply(s.tmp, sl, acc[l], dim, dim, dim, true);          // dQK += dM OV' S
            multiply(s.qkT[l], s.dm, s.tmp2, dim, dim, dim, false);    // QK' dM
            multiply(sl, s.tmp2, acc[layers + l], dim, dim, dim, true); // dOV += S QK' dM
            if (l == 0) {
                break;
            }
            multiply(s.tmp2, s.ovT[l], s.tmp, dim, dim, dim, false);   // dS = QK' dM OV'
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
            multiply(g, s.tmp2, next, t, dim, dim, true);              // + G M'
            multiply(h, s.tmp, next, t, dim, dim, true);               // + H (dS + dS') / N
            s.g2 = g;
            g = next;
        }
        s.g = g;
        return loss;
    }

    /** S = H'H / N, symmetric, one token's outer product at a time. */
    private void gram(double[] h, double[] out) {
        multiplyTA(h, h, out, t, dim, dim, false);
        double inv = 1.0 / n;
        for (int i = 0; i < out.length; i++) {
            out[i] *= inv;
        }
    }

    /** out = x[off, off + D) m for a D x D m. */
    private void rowTimes(double[] x, int off, double[] m, double[] out) {
        Arrays.fill(out, 0, dim, 0);
        for (int i = 0; i < dim; i++) {
            K.run(x[off + i], m, i * dim, out, 0, dim);
        }
    }

    /**
     * out[i] = h[i] . v for every token row i, in four partial sums (j mod 4, added in that order):
     * one running sum would wait on every add, and these dots are most of the last layer's time.
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

    /** out = c'H / N for token weights c, H at h[at]. */
    private void combine(double[] c, double[] h, int at, double[] out) {
        Arrays.fill(out, 0, dim, 0);
        for (int i = 0; i < t; i++) {
            K.run(c[i], h, at + i * dim, out, 0, dim);
        }
        double inv = 1.0 / n;
        for (int j = 0; j < dim; j++) {
            out[j] *= inv;
        }
    }

    /** acc += x[off, off + D)' v. */
    private void outer(double[] x, int off, double[] v, double[] acc) {
        for (int i = 0; i < dim; i++) {
            K.run(x[off + i], v, 0, acc, i * dim, dim);
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
            int row = i * c;
            if (!accumulate) {
                Arrays.fill(out, row, row + c, 0);
            }
            for (int m = 0; m < k; m++) {
                K.run(a[i * k + m], b, m * c, out, row, c);
            }
        }
    }

    /** out (r x c) = (or +=) a' b with a stored k x r and b k x c. */
    static void multiplyTA(double[] a, double[] b, double[] out, int k, int r, int c, boolean accumulate) {
        if (!accumulate) {
            Arrays.fill(out, 0, r * c, 0);
        }
        for (int m = 0; m < k; m++) {
            for (int i = 0; i < r; i++) {
                K.run(a[m * r + i], b, m * c, out, i * c, c);
            }
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
