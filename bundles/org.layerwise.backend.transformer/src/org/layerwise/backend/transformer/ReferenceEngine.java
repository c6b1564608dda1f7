package org.layerwise.backend.transformer;

import java.util.Arrays;

import org.layerwise.core.TokenDataset;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkForward;

/**
 * The float64 reference engine: the forward pass of {@link NetworkForward}
 * at every position, then its exact backward pass written out by hand, in literal loops. It is
 * the oracle the finite-difference tests check and faster engines are checked against.
 *
 * Examples are split into {@value #CHUNKS} fixed chunks (by count, not by thread); each chunk
 * sums its examples' gradients in order and the chunks are added in order, so the result does
 * not depend on the number of threads.
 */
public final class ReferenceEngine extends EngineBase {

    static final int CHUNKS = 16;

    /** Runs on the common fork-join pool. */
    public ReferenceEngine(NetworkConfig config, TokenDataset data) {
        this(config, data, 0);
    }

    /** Runs on {@code threads} threads (1: the calling thread alone; 0 or less: the common fork-join pool). */
    public ReferenceEngine(NetworkConfig config, TokenDataset data, int threads) {
        super(config, data, threads, null);
    }

    @Override
    Evaluation run(double[][] w, int[] rows, double[][] gradient) {
        int n = rows.length;
        int classes = config.dVocabOut();
        double[] logits = new double[n * classes];
        int[] labels = new int[n];
        int chunks = Math.min(CHUNKS, n);
        double[][][] partial = new double[chunks][][];
        int[] sizes = Parameters.sizes(config);
        workers.forEach(chunks, k -> {
            Pass pass = new Pass();
            double[][] g = gradient == null ? null : Parameters.zerosLike(sizes);
            for (int e = (int) ((long) k * n / chunks); e < (int) ((long) (k + 1) * n / chunks); e++) {
                int row = rows[e];
                labels[e] = data.labels()[row];
                pass.forward(w, row, logits, e * classes);
                if (g != null) {
                    pass.backward(w, logits, e * classes, labels[e], 1.0 / n, g);
                }
            }
            partial[k] = g;
        });
        if (gradient != null) {
            for (double[] g : gradient) {
                Arrays.fill(g, 0);
            }
            for (double[][] p : partial) {
                for (int i = 0; i < p.length; i++) {
                    for (int j = 0; j < p[i].length; j++) {
                        gradient[i][j] += p[i][j];
                    }
                }
            }
        }
        return new Evaluation(Forward.crossEntropy(logits, classes, labels), Forward.accuracy(logits, classes, labels));
    }

    /** One example's forward activations (every position, every layer), kept for its backward pass. */
    private final class Pass {
        final int t = data.length();
        final int d = config.dModel();
        final int heads = config.nHeads();
        final int dh = config.dHead();
        final int dm = config.dMlp();
        final int layers = config.nLayers();
        final boolean ln = config.layerNorm();
        final int[] tokens = new int[t];
        /** resid[l]: the input of block l [T, d]; resid[L] the output of the last. */
        final double[][] resid = new double[layers + 1][t * d];
        final double[][] ln1Hat = new double[layers][t * d];
        final double[][] ln1Rstd = new double[layers][t];
        /** The attention's input: ln1(resid[l]), or resid[l] itself without LayerNorm. */
        final double[][] attnIn = new double[layers][];
        final double[][] q = new double[layers][heads * t * dh];
        final double[][] k = new double[layers][heads * t * dh];
        final double[][] v = new double[layers][heads * t * dh];
        /** pattern[l][(h T + i) T + j], zero for j > i. */
        final double[][] pattern = new double[layers][heads * t * t];
        final double[][] z = new double[layers][heads * t * dh];
        final double[][] mid = new double[layers][t * d];
        final double[][] ln2Hat = new double[layers][t * d];
        final double[][] ln2Rstd = new double[layers][t];
        final double[][] mlpIn = new double[layers][];
        final double[][] pre = new double[layers][t * dm];
        final double[][] post = new double[layers][t * dm];
        final double[] finalHat = new double[d];
        final double[] finalRstd = new double[1];
        final double[] unembedIn = new double[d];

        Pass() {
            for (int l = 0; l < layers; l++) {
                attnIn[l] = ln ? new double[t * d] : resid[l];
                mlpIn[l] = ln ? new double[t * d] : mid[l];
            }
        }

        void forward(double[][] w, int row, double[] logits, int out) {
            double[] wE = w[at.wE];
            double[] wPos = w[at.wPos];
            for (int i = 0; i < t; i++) {
                tokens[i] = data.token(row, i);
                for (int j = 0; j < d; j++) {
                    resid[0][i * d + j] = wE[tokens[i] * d + j] + wPos[i * d + j];
                }
            }
            for (int l = 0; l < layers; l++) {
                Layout.Block b = at.blocks[l];
                if (ln) {
                    NetworkForward.layerNorm(resid[l], t, d, w[b.ln1w()], w[b.ln1b()], config.lnEps(), ln1Hat[l], ln1Rstd[l], attnIn[l]);
                }
                attention(w, b, l);
                if (config.attnOnly()) {
                    System.arraycopy(mid[l], 0, resid[l + 1], 0, t * d);
                } else {
                    if (ln) {
                        NetworkForward.layerNorm(mid[l], t, d, w[b.ln2w()], w[b.ln2b()], config.lnEps(), ln2Hat[l], ln2Rstd[l], mlpIn[l]);
                    }
                    mlp(w, b, l);
                }
            }
            int answer = data.answerPosition();
            double[] last = Arrays.copyOfRange(resid[layers], answer * d, (answer + 1) * d);
            if (ln) {
                NetworkForward.layerNorm(last, 1, d, w[at.lnFinalW], w[at.lnFinalB], config.lnEps(), finalHat, finalRstd, unembedIn);
            } else {
                System.arraycopy(last, 0, unembedIn, 0, d);
            }
            int classes = config.dVocabOut();
            double[] wU = w[at.wU];
            for (int c = 0; c < classes; c++) {
                double s = w[at.bU][c];
                for (int m = 0; m < d; m++) {
                    s += unembedIn[m] * wU[m * classes + c];
                }
                logits[out + c] = s;
            }
        }

        private void attention(double[][] w, Layout.Block b, int l) {
            double[] a = attnIn[l];
            for (int h = 0; h < heads; h++) {
                project(a, w[b.wQ()], w[b.bQ()], h, q[l]);
                project(a, w[b.wK()], w[b.bK()], h, k[l]);
                project(a, w[b.wV()], w[b.bV()], h, v[l]);
                for (int i = 0; i < t; i++) {
                    int p = (h * t + i) * t;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        double s = 0;
                        for (int r = 0; r < dh; r++) {
                            s += q[l][(h * t + i) * dh + r] * k[l][(h * t + j) * dh + r];
                        }
                        pattern[l][p + j] = s / config.attnScale();
                        max = Math.max(max, pattern[l][p + j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        pattern[l][p + j] = Math.exp(pattern[l][p + j] - max);
                        sum += pattern[l][p + j];
                    }
                    for (int j = 0; j <= i; j++) {
                        pattern[l][p + j] /= sum;
                    }
                    for (int r = 0; r < dh; r++) {
                        double s = 0;
                        for (int j = 0; j <= i; j++) {
                            s += pattern[l][p + j] * v[l][(h * t + j) * dh + r];
                        }
                        z[l][(h * t + i) * dh + r] = s;
                    }
                }
            }
            double[] wO = w[b.wO()];
            double[] bO = w[b.bO()];
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < d; j++) {
                    double s = resid[l][i * d + j] + bO[j];
                    for (int h = 0; h < heads; h++) {
                        for (int r = 0; r < dh; r++) {
                            s += z[l][(h * t + i) * dh + r] * wO[(h * dh + r) * d + j];
                        }
                    }
                    mid[l][i * d + j] = s;
                }
            }
        }

        /** out[h, i, :] = a[i] W[h] + bias[h] for head h of W [H, d, dh]. */
        private void project(double[] a, double[] wX, double[] bX, int h, double[] out) {
            for (int i = 0; i < t; i++) {
                for (int r = 0; r < dh; r++) {
                    double s = bX[h * dh + r];
                    for (int m = 0; m < d; m++) {
                        s += a[i * d + m] * wX[(h * d + m) * dh + r];
                    }
                    out[(h * t + i) * dh + r] = s;
                }
            }
        }

        private void mlp(double[][] w, Layout.Block b, int l) {
            double[] wIn = w[b.wIn()];
            double[] wOut = w[b.wOut()];
            for (int i = 0; i < t; i++) {
                for (int u = 0; u < dm; u++) {
                    double s = w[b.bIn()][u];
                    for (int m = 0; m < d; m++) {
                        s += mlpIn[l][i * d + m] * wIn[m * dm + u];
                    }
                    pre[l][i * dm + u] = s;
                    post[l][i * dm + u] = Math.max(0, s);
                }
                for (int j = 0; j < d; j++) {
                    double s = mid[l][i * d + j] + w[b.bOut()][j];
                    for (int u = 0; u < dm; u++) {
                        s += post[l][i * dm + u] * wOut[u * d + j];
                    }
                    resid[l + 1][i * d + j] = s;
                }
            }
        }

        /** Adds scale times the gradient of this example's cross-entropy to g; needs forward() first. */
        void backward(double[][] w, double[] logits, int out, int label, double scale, double[][] g) {
            int classes = config.dVocabOut();
            double[] dLogits = new double[classes];
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits[out + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                dLogits[c] = Math.exp(logits[out + c] - max);
                sum += dLogits[c];
            }
            for (int c = 0; c < classes; c++) {
                dLogits[c] = scale * (dLogits[c] / sum - (c == label ? 1 : 0));
            }
            double[] wU = w[at.wU];
            double[] dUnembedIn = new double[d];
            for (int m = 0; m < d; m++) {
                double s = 0;
                for (int c = 0; c < classes; c++) {
                    g[at.wU][m * classes + c] += unembedIn[m] * dLogits[c];
                    s += wU[m * classes + c] * dLogits[c];
                }
                dUnembedIn[m] = s;
            }
            for (int c = 0; c < classes; c++) {
                g[at.bU][c] += dLogits[c];
            }
            double[] dResid = new double[t * d];
            normBackward(dUnembedIn, 1, finalHat, finalRstd, w, g, at.lnFinalW, at.lnFinalB, dResid, data.answerPosition() * d);
            for (int l = layers - 1; l >= 0; l--) {
                Layout.Block b = at.blocks[l];
                double[] dMid = dResid.clone();
                if (!config.attnOnly()) {
                    mlpBackward(w, g, b, l, dResid, dMid);
                }
                double[] dAttnIn = attentionBackward(w, g, b, l, dMid);
                normBackward(dAttnIn, t, ln1Hat[l], ln1Rstd[l], w, g, b.ln1w(), b.ln1b(), dMid, 0);
                dResid = dMid;
            }
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < d; j++) {
                    g[at.wE][tokens[i] * d + j] += dResid[i * d + j];
                    g[at.wPos][i * d + j] += dResid[i * d + j];
                }
            }
        }

        /** Adds the MLP's weight gradients to g and the gradient it sends into resid_mid to dMid, from dOut at its output. */
        private void mlpBackward(double[][] w, double[][] g, Layout.Block b, int l, double[] dOut, double[] dMid) {
            double[] wIn = w[b.wIn()];
            double[] wOut = w[b.wOut()];
            double[] dPre = new double[t * dm];
            for (int i = 0; i < t; i++) {
                for (int u = 0; u < dm; u++) {
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        g[b.wOut()][u * d + j] += post[l][i * dm + u] * dOut[i * d + j];
                        s += wOut[u * d + j] * dOut[i * d + j];
                    }
                    dPre[i * dm + u] = pre[l][i * dm + u] > 0 ? s : 0;
                    g[b.bIn()][u] += dPre[i * dm + u];
                }
                for (int j = 0; j < d; j++) {
                    g[b.bOut()][j] += dOut[i * d + j];
                }
            }
            double[] dIn = new double[t * d];
            for (int i = 0; i < t; i++) {
                for (int m = 0; m < d; m++) {
                    double s = 0;
                    for (int u = 0; u < dm; u++) {
                        g[b.wIn()][m * dm + u] += mlpIn[l][i * d + m] * dPre[i * dm + u];
                        s += wIn[m * dm + u] * dPre[i * dm + u];
                    }
                    dIn[i * d + m] = s;
                }
            }
            normBackward(dIn, t, ln2Hat[l], ln2Rstd[l], w, g, b.ln2w(), b.ln2b(), dMid, 0);
        }

        /** Adds the attention's weight gradients to g; returns the gradient at its input (ln1's output) from dMid at its output. */
        private double[] attentionBackward(double[][] w, double[][] g, Layout.Block b, int l, double[] dMid) {
            double[] wO = w[b.wO()];
            double[] dAttnIn = new double[t * d];
            double[] dz = new double[t * dh];
            double[] dq = new double[t * dh];
            double[] dk = new double[t * dh];
            double[] dv = new double[t * dh];
            double[] dScores = new double[t];
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < d; j++) {
                    g[b.bO()][j] += dMid[i * d + j];
                }
            }
            for (int h = 0; h < heads; h++) {
                Arrays.fill(dq, 0);
                Arrays.fill(dk, 0);
                Arrays.fill(dv, 0);
                for (int i = 0; i < t; i++) {
                    for (int r = 0; r < dh; r++) {
                        double s = 0;
                        for (int j = 0; j < d; j++) {
                            g[b.wO()][(h * dh + r) * d + j] += z[l][(h * t + i) * dh + r] * dMid[i * d + j];
                            s += wO[(h * dh + r) * d + j] * dMid[i * d + j];
                        }
                        dz[i * dh + r] = s;
                    }
                }
                for (int i = 0; i < t; i++) {
                    int p = (h * t + i) * t;
                    double weighted = 0;
                    for (int j = 0; j <= i; j++) {
                        double s = 0;
                        for (int r = 0; r < dh; r++) {
                            s += dz[i * dh + r] * v[l][(h * t + j) * dh + r];
                            dv[j * dh + r] += pattern[l][p + j] * dz[i * dh + r];
                        }
                        dScores[j] = s;
                        weighted += pattern[l][p + j] * s;
                    }
                    for (int j = 0; j <= i; j++) {
                        double ds = pattern[l][p + j] * (dScores[j] - weighted) / config.attnScale();
                        for (int r = 0; r < dh; r++) {
                            dq[i * dh + r] += ds * k[l][(h * t + j) * dh + r];
                            dk[j * dh + r] += ds * q[l][(h * t + i) * dh + r];
                        }
                    }
                }
                projectBackward(attnIn[l], w[b.wQ()], h, dq, g[b.wQ()], g[b.bQ()], dAttnIn);
                projectBackward(attnIn[l], w[b.wK()], h, dk, g[b.wK()], g[b.bK()], dAttnIn);
                projectBackward(attnIn[l], w[b.wV()], h, dv, g[b.wV()], g[b.bV()], dAttnIn);
            }
            return dAttnIn;
        }

        /** The backward of project(): adds to the gradients of head h's W and bias, and dOut[h] W[h]^T to dIn. */
        private void projectBackward(double[] a, double[] wX, int h, double[] dOut, double[] gW, double[] gB, double[] dIn) {
            for (int i = 0; i < t; i++) {
                for (int r = 0; r < dh; r++) {
                    gB[h * dh + r] += dOut[i * dh + r];
                }
                for (int m = 0; m < d; m++) {
                    double s = 0;
                    for (int r = 0; r < dh; r++) {
                        gW[(h * d + m) * dh + r] += a[i * d + m] * dOut[i * dh + r];
                        s += wX[(h * d + m) * dh + r] * dOut[i * dh + r];
                    }
                    dIn[i * d + m] += s;
                }
            }
        }

        /**
         * Adds to dx[off..] the gradient at a LayerNorm's input from dy at its output, and adds to
         * the gradients of its gain and bias; without LayerNorm, adds dy itself.
         * LayerNorm: dx = rstd (dhat - mean(dhat) - hat mean(dhat hat)) with dhat = dy gain.
         */
        private void normBackward(double[] dy, int rows, double[] hat, double[] rstd, double[][] w, double[][] g, int gain,
                int bias, double[] dx, int off) {
            if (!ln) {
                for (int i = 0; i < rows * d; i++) {
                    dx[off + i] += dy[i];
                }
                return;
            }
            double[] dHat = new double[d];
            for (int i = 0; i < rows; i++) {
                double mean = 0;
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    g[gain][j] += dy[i * d + j] * hat[i * d + j];
                    g[bias][j] += dy[i * d + j];
                    dHat[j] = dy[i * d + j] * w[gain][j];
                    mean += dHat[j];
                    dot += dHat[j] * hat[i * d + j];
                }
                mean /= d;
                dot /= d;
                for (int j = 0; j < d; j++) {
                    dx[off + i * d + j] += rstd[i] * (dHat[j] - mean - hat[i * d + j] * dot);
                }
            }
        }
    }
}
