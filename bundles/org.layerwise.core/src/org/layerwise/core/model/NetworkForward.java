package org.layerwise.core.model;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;

import org.layerwise.core.TokenDataset;

/**
 * The float64 reference forward pass of a {@link NetworkModel} with TransformerLens's semantics
 * (rows are row vectors), examples in parallel. F32 models are widened and computed in float64.
 *
 * <pre>
 * x = W_E[tok] + W_pos[pos]
 * per block:  a = ln1(x);  q, k, v = a W_{Q,K,V}[h] + b_{Q,K,V}[h];  scores = q k^T / attn_scale over keys j &lt;= i
 *             x += sum_h softmax(scores)_h v_h W_O[h] + b_O
 *             unless attn_only:  x += relu(ln2(x) W_in + b_in) W_out + b_out
 * logits = ln_final(x) W_U + b_U   at the answer position
 * </pre>
 * Each ln is TransformerLens's LayerNorm (centre, divide by sqrt(biased variance + eps), times w
 * plus b) with normalization LN, else the identity.
 */
public final class NetworkForward {

    private NetworkForward() {
    }

    /** The examples {@code rows} of d. */
    public static Forward.Result run(NetworkModel m, TokenDataset d, int[] rows, Forward.Hooks hooks) {
        int t = d.length();
        int[] tokens = new int[rows.length * t];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(d.tokens(), rows[i] * t, tokens, i * t, t);
        }
        return run(m, tokens, t, d.answerPosition(), hooks);
    }

    /**
     * Runs the model on n = tokens.length / length examples, tokens [n, length] row-major.
     * Result.logits is [n, d_vocab_out] at {@code answerPosition}; with hooks, residPost[l] is
     * blocks.{l}.hook_resid_post [n, T, d_model] and (Hooks.ALL) patterns[l] is
     * blocks.{l}.attn.hook_pattern [n, H, T, T], zero above the diagonal.
     */
    public static Forward.Result run(NetworkModel m, int[] tokens, int length, int answerPosition, Forward.Hooks hooks) {
        NetworkConfig c = m.config();
        if (length < 1 || length > c.nCtx() || tokens.length % length != 0) {
            throw new IllegalArgumentException(tokens.length + " tokens in examples of length " + length + "; the model's n_ctx is "
                    + c.nCtx());
        }
        if (answerPosition < 0 || answerPosition >= length) {
            throw new IllegalArgumentException("answer position " + answerPosition + " is outside [0, " + length + ")");
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= c.dVocab()) {
                throw new IllegalArgumentException("token " + tokens[i] + " of example " + i / length + " is outside [0, " + c.dVocab()
                        + ")");
            }
        }
        int n = tokens.length / length;
        int t = length;
        int d = c.dModel();
        int heads = c.nHeads();
        double[] logits = new double[n * c.dVocabOut()];
        double[][] resid = hooks != Forward.Hooks.NONE ? new double[c.nLayers()][n * t * d] : null;
        double[][] patterns = hooks == Forward.Hooks.ALL ? new double[c.nLayers()][n * heads * t * t] : null;
        Weights w = new Weights(m);
        IntStream.range(0, n).parallel().forEach(e -> example(w, tokens, e, t, answerPosition, logits, resid, patterns));
        return new Forward.Result(n, c.dVocabOut(), logits, resid, patterns);
    }

    private static void example(Weights w, int[] tokens, int e, int t, int answer, double[] logits, double[][] resid,
            double[][] patterns) {
        NetworkConfig c = w.config;
        int d = c.dModel();
        int dh = c.dHead();
        int heads = c.nHeads();
        double[] x = new double[t * d];
        double[] wE = w.get("embed.W_E");
        double[] wPos = w.get("pos_embed.W_pos");
        for (int i = 0; i < t; i++) {
            int tok = tokens[e * t + i];
            for (int j = 0; j < d; j++) {
                x[i * d + j] = wE[tok * d + j] + wPos[i * d + j];
            }
        }
        double[] scores = new double[t];
        for (int l = 0; l < c.nLayers(); l++) {
            String b = "blocks." + l + ".";
            double[] a = c.layerNorm() ? layerNorm(x, t, d, w.get(b + "ln1.w"), w.get(b + "ln1.b"), c.lnEps()) : x;
            double[] attn = new double[t * d];
            double[] bO = w.get(b + "attn.b_O");
            for (int i = 0; i < t; i++) {
                System.arraycopy(bO, 0, attn, i * d, d);
            }
            for (int h = 0; h < heads; h++) {
                double[] q = affine(a, t, d, w.get(b + "attn.W_Q"), h * d * dh, dh, w.get(b + "attn.b_Q"), h * dh);
                double[] k = affine(a, t, d, w.get(b + "attn.W_K"), h * d * dh, dh, w.get(b + "attn.b_K"), h * dh);
                double[] v = affine(a, t, d, w.get(b + "attn.W_V"), h * d * dh, dh, w.get(b + "attn.b_V"), h * dh);
                double[] wO = w.get(b + "attn.W_O");
                double[] z = new double[dh];
                for (int i = 0; i < t; i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= i; j++) {
                        double s = 0;
                        for (int r = 0; r < dh; r++) {
                            s += q[i * dh + r] * k[j * dh + r];
                        }
                        scores[j] = s / c.attnScale();
                        max = Math.max(max, scores[j]);
                    }
                    double sum = 0;
                    for (int j = 0; j <= i; j++) {
                        scores[j] = Math.exp(scores[j] - max);
                        sum += scores[j];
                    }
                    Arrays.fill(z, 0);
                    for (int j = 0; j <= i; j++) {
                        double p = scores[j] / sum;
                        if (patterns != null) {
                            patterns[l][((e * heads + h) * t + i) * t + j] = p;
                        }
                        for (int r = 0; r < dh; r++) {
                            z[r] += p * v[j * dh + r];
                        }
                    }
                    for (int r = 0; r < dh; r++) {
                        int o = (h * dh + r) * d;
                        for (int j = 0; j < d; j++) {
                            attn[i * d + j] += z[r] * wO[o + j];
                        }
                    }
                }
            }
            for (int i = 0; i < x.length; i++) {
                x[i] += attn[i];
            }
            if (!c.attnOnly()) {
                double[] in = c.layerNorm() ? layerNorm(x, t, d, w.get(b + "ln2.w"), w.get(b + "ln2.b"), c.lnEps()) : x;
                double[] hidden = affine(in, t, d, w.get(b + "mlp.W_in"), 0, c.dMlp(), w.get(b + "mlp.b_in"), 0);
                for (int i = 0; i < hidden.length; i++) {
                    hidden[i] = Math.max(0, hidden[i]);
                }
                double[] out = affine(hidden, t, c.dMlp(), w.get(b + "mlp.W_out"), 0, d, w.get(b + "mlp.b_out"), 0);
                for (int i = 0; i < x.length; i++) {
                    x[i] += out[i];
                }
            }
            if (resid != null) {
                System.arraycopy(x, 0, resid[l], e * t * d, t * d);
            }
        }
        double[] row = Arrays.copyOfRange(x, answer * d, (answer + 1) * d);
        if (c.layerNorm()) {
            row = layerNorm(row, 1, d, w.get("ln_final.w"), w.get("ln_final.b"), c.lnEps());
        }
        double[] out = affine(row, 1, d, w.get("unembed.W_U"), 0, c.dVocabOut(), w.get("unembed.b_U"), 0);
        System.arraycopy(out, 0, logits, e * c.dVocabOut(), c.dVocabOut());
    }

    /** x [rows, in] times the [in, out] matrix at w[off..] plus bias b[bOff..]: [rows, out]. */
    private static double[] affine(double[] x, int rows, int in, double[] w, int off, int out, double[] b, int bOff) {
        double[] y = new double[rows * out];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(b, bOff, y, i * out, out);
            for (int k = 0; k < in; k++) {
                double xk = x[i * in + k];
                int wk = off + k * out;
                for (int j = 0; j < out; j++) {
                    y[i * out + j] += xk * w[wk + j];
                }
            }
        }
        return y;
    }

    /** TransformerLens's LayerNorm of every row of x [rows, d]: (x - mean) / sqrt(biased var + eps) * w + b. */
    private static double[] layerNorm(double[] x, int rows, int d, double[] w, double[] b, double eps) {
        double[] y = new double[rows * d];
        for (int i = 0; i < rows; i++) {
            double mean = 0;
            for (int j = 0; j < d; j++) {
                mean += x[i * d + j];
            }
            mean /= d;
            double var = 0;
            for (int j = 0; j < d; j++) {
                double u = x[i * d + j] - mean;
                var += u * u;
            }
            double scale = 1 / Math.sqrt(var / d + eps);
            for (int j = 0; j < d; j++) {
                y[i * d + j] = (x[i * d + j] - mean) * scale * w[j] + b[j];
            }
        }
        return y;
    }

    /** The model's tensors widened to float64 once, by name. */
    private static final class Weights {
        final NetworkConfig config;
        final Map<String, double[]> byName = new HashMap<>();

        Weights(NetworkModel m) {
            config = m.config();
            m.tensors().forEach((name, t) -> byName.put(name, t.toDoubles()));
        }

        double[] get(String name) {
            return byName.get(name);
        }
    }
}
