package org.layerwise.core.model;

import java.util.stream.IntStream;

import org.layerwise.core.PromptBatch;

/**
 * The reference forward pass in float64 (docs/mathematics.md section 3), prompts in parallel. It is
 * the evaluation path shared by every backend and analyzer; training engines are checked
 * against it.
 */
public final class Forward {

    /** What a forward pass produced; hooks are null unless requested. */
    public record Result(int count, int classes, double[] logits, double[][] residPost, double[][] patterns) {
    }

    private Forward() {
    }

    /** Which activations a forward pass keeps besides the logits. */
    public enum Hooks {
        /** Logits only. */
        NONE,
        /** Every layer's output, no attention patterns. */
        RESID,
        /** Every layer's output and attention pattern. */
        ALL
    }

    public static Result run(TransformerModel model, PromptBatch batch, boolean hooks) {
        return run(model, batch.z, batch.count, hooks);
    }

    /** Runs the model on prompts z [P, N+1, D]; with hooks, keeps every layer's output and attention. */
    public static Result run(TransformerModel model, double[] z, int count, boolean hooks) {
        return run(model, z, count, hooks ? Hooks.ALL : Hooks.NONE);
    }

    /** Runs the model on prompts z [P, N+1, D], keeping the activations hooks asks for. */
    public static Result run(TransformerModel model, double[] z, int count, Hooks hooks) {
        ModelConfig c = model.config();
        int t = c.tokens();
        int dim = c.dModel();
        int k = c.numKeys();
        int layers = c.nLayers();
        int heads = c.nHeads();
        double[] logits = new double[count * c.dY()];
        double[][] resid = hooks != Hooks.NONE ? new double[layers][count * t * dim] : null;
        double[][] patterns = hooks == Hooks.ALL ? new double[layers][count * heads * t * k] : null;
        // Scratch per thread, not per prompt: these passes run on thousands of prompts.
        ThreadLocal<double[][]> scratch = ThreadLocal.withInitial(
                () -> new double[][] {new double[t * dim], new double[t * dim], new double[t * dim], new double[k * dim],
                    new double[t * k]});
        IntStream.range(0, count).parallel().forEach(p -> {
            double[][] s = scratch.get();
            double[] h = s[0];
            double[] next = s[1];
            double[] u = s[2];
            double[] w = s[3];
            double[] a = s[4];
            System.arraycopy(z, p * t * dim, h, 0, t * dim);
            for (int l = 0; l < layers; l++) {
                System.arraycopy(h, 0, next, 0, h.length);
                for (int hd = 0; hd < heads; hd++) {
                    attend(c, h, model.qk(l, hd), model.ov(l, hd), u, w, a, next);
                    if (patterns != null) {
                        System.arraycopy(a, 0, patterns[l], ((p * heads) + hd) * t * k, t * k);
                    }
                }
                double[] swap = h;
                h = next;
                next = swap;
                if (resid != null) {
                    System.arraycopy(h, 0, resid[l], p * t * dim, t * dim);
                }
            }
            System.arraycopy(h, c.nCtx() * dim + c.dX(), logits, p * c.dY(), c.dY());
        });
        return new Result(count, c.dY(), logits, resid, patterns);
    }

    /**
     * One head on one prompt: a = attention [T, K] from the layer input h, and out += a (h_K OV).
     * u and w are scratch buffers. Four outputs are summed at a time in registers (the JIT does
     * not vectorise these short loops); each is still summed in the same order as one alone.
     */
    static void attend(ModelConfig c, double[] h, double[] qk, double[] ov, double[] u, double[] w, double[] a, double[] out) {
        int t = c.tokens();
        int dim = c.dModel();
        int k = c.numKeys();
        matmul(h, t, dim, qk, dim, u);
        matmul(h, k, dim, ov, dim, w);
        boolean softmax = c.attention() == ModelConfig.Attention.SOFTMAX;
        for (int i = 0; i < t; i++) {
            int ui = i * dim;
            int ai = i * k;
            int j = 0;
            for (; j + 4 <= k; j += 4) {
                int h0 = j * dim;
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                for (int m = 0; m < dim; m++) {
                    double um = u[ui + m];
                    s0 += um * h[h0 + m];
                    s1 += um * h[h0 + dim + m];
                    s2 += um * h[h0 + 2 * dim + m];
                    s3 += um * h[h0 + 3 * dim + m];
                }
                a[ai + j] = s0;
                a[ai + j + 1] = s1;
                a[ai + j + 2] = s2;
                a[ai + j + 3] = s3;
            }
            for (; j < k; j++) {
                double s = 0;
                for (int m = 0; m < dim; m++) {
                    s += u[ui + m] * h[j * dim + m];
                }
                a[ai + j] = s;
            }
            if (softmax) {
                double max = Double.NEGATIVE_INFINITY;
                for (j = 0; j < k; j++) {
                    max = Math.max(max, a[ai + j]);
                }
                double sum = 0;
                for (j = 0; j < k; j++) {
                    double e = Math.exp(a[ai + j] - max);
                    a[ai + j] = e;
                    sum += e;
                }
                for (j = 0; j < k; j++) {
                    a[ai + j] /= sum;
                }
            } else {
                for (j = 0; j < k; j++) {
                    a[ai + j] /= c.nCtx();
                }
            }
            int m = 0;
            for (; m + 4 <= dim; m += 4) {
                double o0 = out[ui + m];
                double o1 = out[ui + m + 1];
                double o2 = out[ui + m + 2];
                double o3 = out[ui + m + 3];
                for (j = 0; j < k; j++) {
                    double aij = a[ai + j];
                    int wj = j * dim + m;
                    o0 += aij * w[wj];
                    o1 += aij * w[wj + 1];
                    o2 += aij * w[wj + 2];
                    o3 += aij * w[wj + 3];
                }
                out[ui + m] = o0;
                out[ui + m + 1] = o1;
                out[ui + m + 2] = o2;
                out[ui + m + 3] = o3;
            }
            for (; m < dim; m++) {
                double o = out[ui + m];
                for (j = 0; j < k; j++) {
                    o += a[ai + j] * w[j * dim + m];
                }
                out[ui + m] = o;
            }
        }
    }

    /** out[r x n] = x[r x m] * y[m x n], four columns at a time, each summed over m in order. */
    static void matmul(double[] x, int rows, int m, double[] y, int n, double[] out) {
        for (int i = 0; i < rows; i++) {
            int xi = i * m;
            int j = 0;
            for (; j + 4 <= n; j += 4) {
                double s0 = 0;
                double s1 = 0;
                double s2 = 0;
                double s3 = 0;
                for (int l = 0; l < m; l++) {
                    double xv = x[xi + l];
                    int yl = l * n + j;
                    s0 += xv * y[yl];
                    s1 += xv * y[yl + 1];
                    s2 += xv * y[yl + 2];
                    s3 += xv * y[yl + 3];
                }
                out[i * n + j] = s0;
                out[i * n + j + 1] = s1;
                out[i * n + j + 2] = s2;
                out[i * n + j + 3] = s3;
            }
            for (; j < n; j++) {
                double s = 0;
                for (int l = 0; l < m; l++) {
                    s += x[xi + l] * y[l * n + j];
                }
                out[i * n + j] = s;
            }
        }
    }

    /** Mean cross-entropy of the logits against the labels (natural log). */
    public static double crossEntropy(double[] logits, int classes, int[] labels) {
        double total = 0;
        for (int p = 0; p < labels.length; p++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < classes; c++) {
                max = Math.max(max, logits[p * classes + c]);
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                sum += Math.exp(logits[p * classes + c] - max);
            }
            total += Math.log(sum) + max - logits[p * classes + labels[p]];
        }
        return total / labels.length;
    }

    /** Index of the largest logit per prompt (the lowest index on ties). */
    public static int[] predictions(double[] logits, int classes) {
        int count = logits.length / classes;
        int[] out = new int[count];
        for (int p = 0; p < count; p++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[p * classes + c] > logits[p * classes + best]) {
                    best = c;
                }
            }
            out[p] = best;
        }
        return out;
    }

    public static double accuracy(double[] logits, int classes, int[] labels) {
        int[] pred = predictions(logits, classes);
        int hit = 0;
        for (int p = 0; p < labels.length; p++) {
            if (pred[p] == labels[p]) {
                hit++;
            }
        }
        return hit / (double) labels.length;
    }

    /**
     * Mean over prompts of 1/2 ||y_hat - y||^2 summed over the {@code width} outputs (the
     * regression loss of docs/mathematics.md section 2); y_hat is the query's label block after the last
     * layer, both arrays [P, width] row-major.
     */
    public static double squaredError(double[] outputs, double[] targets, int width) {
        if (outputs.length != targets.length || width < 1 || targets.length % width != 0 || targets.length == 0) {
            throw new IllegalArgumentException(outputs.length + " outputs for " + targets.length + " targets of width " + width);
        }
        double total = 0;
        for (int i = 0; i < targets.length; i++) {
            double e = outputs[i] - targets[i];
            total += e * e;
        }
        return 0.5 * total / (targets.length / width);
    }
}
