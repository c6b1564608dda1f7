package org.layerwise.backend.transformer;

import java.util.Arrays;

import org.layerwise.core.TokenDataset;
import org.layerwise.core.model.NetworkConfig;

/**
 * The fast engine for one-layer models: float32 arithmetic, float64 loss.
 * Answer-pruned: with one causal layer only the answer row reaches the loss, so it computes K and
 * V at rows &lt;= answer and Q, the attention output, the MLP and the unembedding at the answer row
 * alone. Each product is one {@link Gemm} over a chunk of {@value #CHUNK} examples (rows of the
 * chunk stacked); the attention scores and softmax, a handful per example, are plain loops.
 *
 * The chunks form {@value #GROUPS} fixed groups of consecutive chunks (fewer for small batches);
 * a group sums its weight gradients in float32 in chunk order, and the groups are added in
 * float64 in group order: results do not depend on the number of threads. One call at a time:
 * the group sums are kept between calls.
 */
public final class BatchedEngine extends EngineBase {

    static final int CHUNK = 64;
    static final int GROUPS = 8;

    private final Gemm gemm = Gemm.create();
    private final int d;
    private final int heads;
    private final int dh;
    private final int hd;
    private final int dm;
    private final int classes;
    private final int answer;
    private final boolean ln;
    /** Rows kept per example: positions 0..answer. */
    private final int kept;
    private final ThreadLocal<Workspace> workspaces;
    private float[][][] partial = new float[0][][];

    /** Runs on the common fork-join pool. */
    public BatchedEngine(NetworkConfig config, TokenDataset data) {
        this(config, data, 0);
    }

    /** Runs on {@code threads} threads (1: the calling thread alone; 0 or less: the common fork-join pool). */
    public BatchedEngine(NetworkConfig config, TokenDataset data, int threads) {
        super(config, data, threads, unsupportedReason(config));
        d = config.dModel();
        heads = config.nHeads();
        dh = config.dHead();
        hd = heads * dh;
        dm = config.dMlp();
        classes = config.dVocabOut();
        answer = data.answerPosition();
        ln = config.layerNorm();
        kept = answer + 1;
        workspaces = ThreadLocal.withInitial(Workspace::new);
    }

    /** Null when this engine computes the config, else why not, in words a backend can show. */
    public static String unsupportedReason(NetworkConfig c) {
        if (c.nLayers() != 1) {
            return "n_layers = " + c.nLayers() + ": the batched engine computes one-layer models only (engine reference computes any depth)";
        }
        return configProblem(c);
    }

    /** How the products are computed here: the SIMD species, or the scalar fallback and why. */
    public String description() {
        return gemm.description();
    }

    @Override
    Evaluation run(double[][] weights, int[] rows, double[][] gradient) {
        int n = rows.length;
        Packed w = new Packed(weights);
        int chunks = (n + CHUNK - 1) / CHUNK;
        int groups = Math.min(GROUPS, chunks);
        if (gradient != null && partial.length < groups) {
            int[] sizes = Parameters.sizes(config);
            float[][][] grown = Arrays.copyOf(partial, groups);
            for (int k = partial.length; k < groups; k++) {
                grown[k] = new float[sizes.length][];
                for (int i = 0; i < sizes.length; i++) {
                    grown[k][i] = new float[sizes[i]];
                }
            }
            partial = grown;
        }
        double[] losses = new double[n];
        boolean[] hits = new boolean[n];
        float[][][] sums = partial;
        if (gradient == null) {
            workers.forEach(chunks, k -> {
                int from = k * CHUNK;
                int count = Math.min(CHUNK, n - from);
                Workspace s = workspaces.get();
                s.forward(w, rows, from, count);
                s.loss(rows, from, count, n, losses, hits, false);
            });
        } else {
            workers.forEach(groups, k -> {
                for (float[] g : sums[k]) {
                    Arrays.fill(g, 0f);
                }
                Workspace s = workspaces.get();
                for (int chunk = k * chunks / groups; chunk < (k + 1) * chunks / groups; chunk++) {
                    int from = chunk * CHUNK;
                    int count = Math.min(CHUNK, n - from);
                    s.forward(w, rows, from, count);
                    s.loss(rows, from, count, n, losses, hits, true);
                    s.backward(w, rows, from, count, sums[k]);
                }
            });
            reduce(groups, gradient);
        }
        double loss = 0;
        int correct = 0;
        for (int e = 0; e < n; e++) {
            loss += losses[e];
            correct += hits[e] ? 1 : 0;
        }
        return new Evaluation(loss / n, correct / (double) n);
    }

    /** gradient = the groups' sums added in group order, W_Q, W_K, W_V unpacked from [d, H d_head] to [H, d, d_head]. */
    private void reduce(int groups, double[][] gradient) {
        Layout.Block b = at.blocks[0];
        workers.forEach(gradient.length, i -> {
            boolean packed = i == b.wQ() || i == b.wK() || i == b.wV();
            double[] sum = packed ? new double[gradient[i].length] : gradient[i];
            Arrays.fill(sum, 0);
            for (int k = 0; k < groups; k++) {
                float[] p = partial[k][i];
                for (int idx = 0; idx < sum.length; idx++) {
                    sum[idx] += p[idx];
                }
            }
            if (packed) {
                for (int m = 0; m < d; m++) {
                    for (int h = 0; h < heads; h++) {
                        for (int r = 0; r < dh; r++) {
                            gradient[i][(h * d + m) * dh + r] = sum[m * hd + h * dh + r];
                        }
                    }
                }
            }
        });
    }

    /** The weights rounded to float32, W_Q, W_K, W_V as [d, H d_head] and every matrix also transposed for the backward pass. */
    private final class Packed {
        final float[] wE;
        final float[] wPos;
        final float[] wQ;
        final float[] wK;
        final float[] wV;
        final float[] wQt;
        final float[] wKt;
        final float[] wVt;
        final float[] bQ;
        final float[] bK;
        final float[] bV;
        final float[] wO;
        final float[] wOt;
        final float[] bO;
        final float[] wIn;
        final float[] wInT;
        final float[] bIn;
        final float[] wOut;
        final float[] wOutT;
        final float[] bOut;
        final float[] wU;
        final float[] wUt;
        final float[] bU;
        final float[] ln1w;
        final float[] ln1b;
        final float[] ln2w;
        final float[] ln2b;
        final float[] lnFinalW;
        final float[] lnFinalB;

        Packed(double[][] w) {
            Layout.Block b = at.blocks[0];
            ln1w = ln ? round(w[b.ln1w()]) : null;
            ln1b = ln ? round(w[b.ln1b()]) : null;
            ln2w = ln && !config.attnOnly() ? round(w[b.ln2w()]) : null;
            ln2b = ln && !config.attnOnly() ? round(w[b.ln2b()]) : null;
            lnFinalW = ln ? round(w[at.lnFinalW]) : null;
            lnFinalB = ln ? round(w[at.lnFinalB]) : null;
            wE = round(w[at.wE]);
            wPos = round(w[at.wPos]);
            wQ = heads(w[b.wQ()]);
            wK = heads(w[b.wK()]);
            wV = heads(w[b.wV()]);
            wQt = transpose(wQ, d, hd);
            wKt = transpose(wK, d, hd);
            wVt = transpose(wV, d, hd);
            bQ = round(w[b.bQ()]);
            bK = round(w[b.bK()]);
            bV = round(w[b.bV()]);
            wO = round(w[b.wO()]);
            wOt = transpose(wO, hd, d);
            bO = round(w[b.bO()]);
            boolean mlp = !config.attnOnly();
            wIn = mlp ? round(w[b.wIn()]) : null;
            wInT = mlp ? transpose(wIn, d, dm) : null;
            bIn = mlp ? round(w[b.bIn()]) : null;
            wOut = mlp ? round(w[b.wOut()]) : null;
            wOutT = mlp ? transpose(wOut, dm, d) : null;
            bOut = mlp ? round(w[b.bOut()]) : null;
            wU = round(w[at.wU]);
            wUt = transpose(wU, d, classes);
            bU = round(w[at.bU]);
        }

        private static float[] round(double[] v) {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
            }
            return f;
        }

        /** [H, d, d_head] as the [d, H d_head] matrix whose columns h d_head .. are head h's. */
        private float[] heads(double[] v) {
            float[] f = new float[v.length];
            for (int h = 0; h < heads; h++) {
                for (int m = 0; m < d; m++) {
                    for (int r = 0; r < dh; r++) {
                        f[m * hd + h * dh + r] = (float) v[(h * d + m) * dh + r];
                    }
                }
            }
            return f;
        }

        private static float[] transpose(float[] v, int rows, int cols) {
            float[] t = new float[v.length];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    t[j * rows + i] = v[i * cols + j];
                }
            }
            return t;
        }
    }

    /** One thread's buffers for a chunk: rows stacked example-major ([B kept, .] or [B, .] at the answer). */
    private final class Workspace {
        final float[] x = new float[CHUNK * kept * d];
        final float[] q = new float[CHUNK * hd];
        final float[] k = new float[CHUNK * kept * hd];
        final float[] v = new float[CHUNK * kept * hd];
        /** pattern[(b H + h) kept + j] at the answer row. */
        final float[] pattern = new float[CHUNK * heads * kept];
        final float[] z = new float[CHUNK * hd];
        final float[] mid = new float[CHUNK * d];
        final float[] pre = new float[CHUNK * dm];
        final float[] post = new float[CHUNK * dm];
        final float[] res;
        final float[] logits = new float[CHUNK * classes];
        final float[] dLogits = new float[CHUNK * classes];
        final float[] dRes = new float[CHUNK * d];
        final float[] dPost = new float[CHUNK * dm];
        final float[] dMid;
        final float[] dz = new float[CHUNK * hd];
        final float[] dq = new float[CHUNK * hd];
        final float[] dk = new float[CHUNK * kept * hd];
        final float[] dv = new float[CHUNK * kept * hd];
        final float[] dx = new float[CHUNK * kept * d];
        final float[] scores = new float[kept];
        final double[] exps = new double[classes];
        /** The inputs of attention, MLP and unembedding: ln1(x), ln2(mid), ln_final(res), or x, mid, res themselves. */
        final float[] attnIn;
        final float[] mlpIn;
        final float[] unembedIn;
        final float[] hat1;
        final float[] rstd1;
        final float[] hat2;
        final float[] rstd2;
        final float[] hatFinal;
        final float[] rstdFinal;
        /** Gradients at unembedIn, mlpIn and attnIn (without LayerNorm: dRes, unused, dx). */
        final float[] dUnembedIn;
        final float[] dMlpIn;
        final float[] dAttnIn;

        Workspace() {
            res = config.attnOnly() ? mid : new float[CHUNK * d];
            dMid = config.attnOnly() ? dRes : new float[CHUNK * d];
            attnIn = ln ? new float[CHUNK * kept * d] : x;
            mlpIn = ln ? new float[CHUNK * d] : mid;
            unembedIn = ln ? new float[CHUNK * d] : res;
            hat1 = ln ? new float[CHUNK * kept * d] : null;
            rstd1 = ln ? new float[CHUNK * kept] : null;
            hat2 = ln ? new float[CHUNK * d] : null;
            rstd2 = ln ? new float[CHUNK] : null;
            hatFinal = ln ? new float[CHUNK * d] : null;
            rstdFinal = ln ? new float[CHUNK] : null;
            dUnembedIn = ln ? new float[CHUNK * d] : dRes;
            dMlpIn = ln ? new float[CHUNK * d] : null;
            dAttnIn = ln ? new float[CHUNK * kept * d] : dx;
        }

        void forward(Packed w, int[] rows, int from, int count) {
            int stacked = count * kept;
            for (int b = 0; b < count; b++) {
                for (int i = 0; i < kept; i++) {
                    int tok = data.token(rows[from + b], i);
                    int xi = (b * kept + i) * d;
                    for (int j = 0; j < d; j++) {
                        x[xi + j] = w.wE[tok * d + j] + w.wPos[i * d + j];
                    }
                }
            }
            if (ln) {
                layerNorm(x, stacked, w.ln1w, w.ln1b, hat1, rstd1, attnIn);
            }
            fillRows(q, count, w.bQ);
            gemm.gemm(q, 0, hd, attnIn, answer * d, kept * d, 1, w.wQ, 0, hd, count, d, hd, true);
            fillRows(k, stacked, w.bK);
            gemm.gemm(k, 0, hd, attnIn, 0, d, 1, w.wK, 0, hd, stacked, d, hd, true);
            fillRows(v, stacked, w.bV);
            gemm.gemm(v, 0, hd, attnIn, 0, d, 1, w.wV, 0, hd, stacked, d, hd, true);
            attend(count);
            for (int b = 0; b < count; b++) {
                int xi = (b * kept + answer) * d;
                for (int j = 0; j < d; j++) {
                    mid[b * d + j] = x[xi + j] + w.bO[j];
                }
            }
            gemm.gemm(mid, 0, d, z, 0, hd, 1, w.wO, 0, d, count, hd, d, true);
            if (!config.attnOnly()) {
                if (ln) {
                    layerNorm(mid, count, w.ln2w, w.ln2b, hat2, rstd2, mlpIn);
                }
                fillRows(pre, count, w.bIn);
                gemm.gemm(pre, 0, dm, mlpIn, 0, d, 1, w.wIn, 0, dm, count, d, dm, true);
                for (int i = 0; i < count * dm; i++) {
                    post[i] = Math.max(0f, pre[i]);
                }
                for (int b = 0; b < count; b++) {
                    for (int j = 0; j < d; j++) {
                        res[b * d + j] = mid[b * d + j] + w.bOut[j];
                    }
                }
                gemm.gemm(res, 0, d, post, 0, dm, 1, w.wOut, 0, d, count, dm, d, true);
            }
            if (ln) {
                layerNorm(res, count, w.lnFinalW, w.lnFinalB, hatFinal, rstdFinal, unembedIn);
            }
            fillRows(logits, count, w.bU);
            gemm.gemm(logits, 0, classes, unembedIn, 0, d, 1, w.wU, 0, classes, count, d, classes, true);
        }

        /** The answer row's attention per example and head: pattern over keys 0..answer and z = pattern V. */
        private void attend(int count) {
            float scale = (float) config.attnScale();
            for (int b = 0; b < count; b++) {
                for (int h = 0; h < heads; h++) {
                    int qo = b * hd + h * dh;
                    float max = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < kept; j++) {
                        int ko = (b * kept + j) * hd + h * dh;
                        float s = 0;
                        for (int r = 0; r < dh; r++) {
                            s = Math.fma(q[qo + r], k[ko + r], s);
                        }
                        scores[j] = s / scale;
                        max = Math.max(max, scores[j]);
                    }
                    float sum = 0;
                    for (int j = 0; j < kept; j++) {
                        scores[j] = (float) Math.exp(scores[j] - max);
                        sum += scores[j];
                    }
                    int po = (b * heads + h) * kept;
                    for (int j = 0; j < kept; j++) {
                        pattern[po + j] = scores[j] / sum;
                    }
                    for (int r = 0; r < dh; r++) {
                        float s = 0;
                        for (int j = 0; j < kept; j++) {
                            s = Math.fma(pattern[po + j], v[(b * kept + j) * hd + h * dh + r], s);
                        }
                        z[qo + r] = s;
                    }
                }
            }
        }

        /** Per example: cross-entropy in float64 from the float32 logits, a hit if the first largest logit is the label; dLogits / n. */
        void loss(int[] rows, int from, int count, int n, double[] losses, boolean[] hits, boolean gradient) {
            for (int b = 0; b < count; b++) {
                int label = data.labels()[rows[from + b]];
                int lo = b * classes;
                int best = 0;
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < classes; c++) {
                    max = Math.max(max, logits[lo + c]);
                    if (logits[lo + c] > logits[lo + best]) {
                        best = c;
                    }
                }
                double sum = 0;
                for (int c = 0; c < classes; c++) {
                    exps[c] = Math.exp(logits[lo + c] - max);
                    sum += exps[c];
                }
                losses[from + b] = Math.log(sum) + max - logits[lo + label];
                hits[from + b] = best == label;
                if (gradient) {
                    for (int c = 0; c < classes; c++) {
                        dLogits[lo + c] = (float) ((exps[c] / sum - (c == label ? 1 : 0)) / n);
                    }
                }
            }
        }

        /** Adds the chunk's weight gradients to g. */
        void backward(Packed w, int[] rows, int from, int count, float[][] g) {
            Layout.Block b = at.blocks[0];
            int stacked = count * kept;
            gemm.gemm(g[at.wU], 0, classes, unembedIn, 0, 1, d, dLogits, 0, classes, d, count, classes, true);
            columnSums(dLogits, count, g[at.bU]);
            gemm.gemm(dUnembedIn, 0, d, dLogits, 0, classes, 1, w.wUt, 0, d, count, classes, d, false);
            if (ln) {
                Arrays.fill(dRes, 0, count * d, 0f);
                layerNormBackward(dUnembedIn, count, hatFinal, rstdFinal, w.lnFinalW, g[at.lnFinalW], g[at.lnFinalB], dRes);
            }
            if (!config.attnOnly()) {
                gemm.gemm(g[b.wOut()], 0, d, post, 0, 1, dm, dRes, 0, d, dm, count, d, true);
                columnSums(dRes, count, g[b.bOut()]);
                gemm.gemm(dPost, 0, dm, dRes, 0, d, 1, w.wOutT, 0, dm, count, d, dm, false);
                for (int i = 0; i < count * dm; i++) {
                    dPost[i] = pre[i] > 0 ? dPost[i] : 0f;
                }
                gemm.gemm(g[b.wIn()], 0, dm, mlpIn, 0, 1, d, dPost, 0, dm, d, count, dm, true);
                columnSums(dPost, count, g[b.bIn()]);
                System.arraycopy(dRes, 0, dMid, 0, count * d);
                if (ln) {
                    gemm.gemm(dMlpIn, 0, d, dPost, 0, dm, 1, w.wInT, 0, d, count, dm, d, false);
                    layerNormBackward(dMlpIn, count, hat2, rstd2, w.ln2w, g[b.ln2w()], g[b.ln2b()], dMid);
                } else {
                    gemm.gemm(dMid, 0, d, dPost, 0, dm, 1, w.wInT, 0, d, count, dm, d, true);
                }
            }
            gemm.gemm(g[b.wO()], 0, d, z, 0, 1, hd, dMid, 0, d, hd, count, d, true);
            columnSums(dMid, count, g[b.bO()]);
            gemm.gemm(dz, 0, hd, dMid, 0, d, 1, w.wOt, 0, hd, count, d, hd, false);
            attendBackward(count);
            gemm.gemm(g[b.wQ()], 0, hd, attnIn, answer * d, 1, kept * d, dq, 0, hd, d, count, hd, true);
            gemm.gemm(g[b.wK()], 0, hd, attnIn, 0, 1, d, dk, 0, hd, d, stacked, hd, true);
            gemm.gemm(g[b.wV()], 0, hd, attnIn, 0, 1, d, dv, 0, hd, d, stacked, hd, true);
            columnSums(dq, count, g[b.bQ()]);
            columnSums(dk, stacked, g[b.bK()]);
            columnSums(dv, stacked, g[b.bV()]);
            gemm.gemm(dAttnIn, 0, d, dk, 0, hd, 1, w.wKt, 0, d, stacked, hd, d, false);
            gemm.gemm(dAttnIn, 0, d, dv, 0, hd, 1, w.wVt, 0, d, stacked, hd, d, true);
            gemm.gemm(dAttnIn, answer * d, kept * d, dq, 0, hd, 1, w.wQt, 0, d, count, hd, d, true);
            if (ln) {
                Arrays.fill(dx, 0, stacked * d, 0f);
                layerNormBackward(dAttnIn, stacked, hat1, rstd1, w.ln1w, g[b.ln1w()], g[b.ln1b()], dx);
            }
            for (int e = 0; e < count; e++) {
                int xi = (e * kept + answer) * d;
                for (int j = 0; j < d; j++) {
                    dx[xi + j] += dMid[e * d + j];
                }
            }
            float[] gE = g[at.wE];
            float[] gPos = g[at.wPos];
            for (int e = 0; e < count; e++) {
                for (int i = 0; i < kept; i++) {
                    int tok = data.token(rows[from + e], i);
                    int xi = (e * kept + i) * d;
                    for (int j = 0; j < d; j++) {
                        gE[tok * d + j] += dx[xi + j];
                        gPos[i * d + j] += dx[xi + j];
                    }
                }
            }
        }

        /** From dz at the answer row: dq there, dk and dv at every kept row. */
        private void attendBackward(int count) {
            float scale = (float) config.attnScale();
            for (int b = 0; b < count; b++) {
                for (int h = 0; h < heads; h++) {
                    int qo = b * hd + h * dh;
                    int po = (b * heads + h) * kept;
                    float weighted = 0;
                    for (int j = 0; j < kept; j++) {
                        int vo = (b * kept + j) * hd + h * dh;
                        float s = 0;
                        for (int r = 0; r < dh; r++) {
                            s = Math.fma(dz[qo + r], v[vo + r], s);
                            dv[vo + r] = pattern[po + j] * dz[qo + r];
                        }
                        scores[j] = s;
                        weighted = Math.fma(pattern[po + j], s, weighted);
                    }
                    for (int r = 0; r < dh; r++) {
                        dq[qo + r] = 0f;
                    }
                    for (int j = 0; j < kept; j++) {
                        float ds = pattern[po + j] * (scores[j] - weighted) / scale;
                        int ko = (b * kept + j) * hd + h * dh;
                        for (int r = 0; r < dh; r++) {
                            dq[qo + r] = Math.fma(ds, k[ko + r], dq[qo + r]);
                            dk[ko + r] = ds * q[qo + r];
                        }
                    }
                }
            }
        }

        /** TransformerLens's LayerNorm of each row of x [rows, d] in float32, keeping the normalised rows and 1 / sqrt(var + eps). */
        private void layerNorm(float[] x, int rows, float[] gain, float[] bias, float[] hat, float[] rstd, float[] y) {
            float eps = (float) config.lnEps();
            for (int i = 0; i < rows; i++) {
                int o = i * d;
                float mean = 0;
                for (int j = 0; j < d; j++) {
                    mean += x[o + j];
                }
                mean /= d;
                float var = 0;
                for (int j = 0; j < d; j++) {
                    float u = x[o + j] - mean;
                    var = Math.fma(u, u, var);
                }
                rstd[i] = (float) (1 / Math.sqrt(var / d + eps));
                for (int j = 0; j < d; j++) {
                    hat[o + j] = (x[o + j] - mean) * rstd[i];
                    y[o + j] = Math.fma(hat[o + j], gain[j], bias[j]);
                }
            }
        }

        /** Adds rstd (dhat - mean(dhat) - hat mean(dhat hat)), dhat = dy gain, to dx, and the gain's and bias's gradients to theirs. */
        private void layerNormBackward(float[] dy, int rows, float[] hat, float[] rstd, float[] gain, float[] gGain, float[] gBias,
                float[] dx) {
            for (int i = 0; i < rows; i++) {
                int o = i * d;
                float mean = 0;
                float dot = 0;
                for (int j = 0; j < d; j++) {
                    float dHat = dy[o + j] * gain[j];
                    gGain[j] = Math.fma(dy[o + j], hat[o + j], gGain[j]);
                    gBias[j] += dy[o + j];
                    mean += dHat;
                    dot = Math.fma(dHat, hat[o + j], dot);
                }
                mean /= d;
                dot /= d;
                for (int j = 0; j < d; j++) {
                    dx[o + j] += rstd[i] * (dy[o + j] * gain[j] - mean - hat[o + j] * dot);
                }
            }
        }

        private static void fillRows(float[] m, int rows, float[] bias) {
            for (int r = 0; r < rows; r++) {
                System.arraycopy(bias, 0, m, r * bias.length, bias.length);
            }
        }

        /** out += the sum of m's rows. */
        private static void columnSums(float[] m, int rows, float[] out) {
            int cols = out.length;
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                    out[j] += m[r * cols + j];
                }
            }
        }
    }
}
