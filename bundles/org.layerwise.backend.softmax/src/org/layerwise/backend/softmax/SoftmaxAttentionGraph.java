package org.layerwise.backend.softmax;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.layerwise.core.PromptBatch;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.model.ModelConfig;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The model of docs/mathematics.md section 3 as one SameDiff graph over a whole batch of prompts: per
 * layer and head a handful of batched matmuls and one softmax, so a training step is a few
 * large tensor ops. Keys = context is a -1e9 mask on the query's column (no slicing, exact
 * zeros after the softmax). Each head's QK and OV enter as Pi M Pi^T with Pi a placeholder,
 * which is how the enforcer's random conjugation reaches the graph; the gradient flows back
 * to the unconjugated weights. The loss is the mean cross-entropy of the query's label block
 * (classification) or the mean of half its squared distance from the query's target
 * (regression).
 */
final class SoftmaxAttentionGraph {

    private final ModelConfig config;
    private final DataType dtype;
    private final SameDiff sd = SameDiff.create();
    private final List<String> weightNames = new ArrayList<>();
    private final INDArray identity;

    private final int batch;
    private final boolean regression;

    /** A graph for batches of exactly {@code batch} prompts (static shapes: backprop of reductions needs them in M2.1). */
    SoftmaxAttentionGraph(ModelConfig config, int batch) {
        this.config = config;
        this.batch = batch;
        this.regression = TaskSpec.REGRESSION.equals(config.task());
        this.dtype = "float64".equals(config.dtype()) ? DataType.DOUBLE : DataType.FLOAT;
        int t = config.tokens();
        int dim = config.dModel();
        identity = Nd4j.eye(dim).castTo(dtype);
        SDVariable z = sd.placeHolder("z", dtype, batch, t, dim);
        SDVariable y = sd.placeHolder("y", dtype, batch, config.dY());
        double[] maskValues = new double[t];
        if (config.keys() == ModelConfig.Keys.CONTEXT) {
            maskValues[config.nCtx()] = -1e9;
        }
        SDVariable mask = sd.constant("key_mask", Nd4j.createFromArray(maskValues).castTo(dtype).reshape(1, 1, t));
        SDVariable h = z;
        for (int l = 0; l < config.nLayers(); l++) {
            SDVariable flat = sd.reshape(h, batch * t, dim);
            SDVariable update = null;
            for (int hd = 0; hd < config.nHeads(); hd++) {
                String suffix = l + "_" + hd;
                SDVariable qk = sd.var("qk_" + suffix, dtype, dim, dim);
                SDVariable ov = sd.var("ov_" + suffix, dtype, dim, dim);
                weightNames.add("qk_" + suffix);
                weightNames.add("ov_" + suffix);
                SDVariable pi = sd.placeHolder("pi_" + suffix, dtype, dim, dim);
                SDVariable qkc = sd.mmul(sd.mmul(pi, qk), pi, false, true, false);
                SDVariable ovc = sd.mmul(sd.mmul(pi, ov), pi, false, true, false);
                SDVariable u = sd.reshape(sd.mmul(flat, qkc), batch, t, dim);
                SDVariable scores = sd.mmul(u, h, false, true, false).add(mask);
                SDVariable attention = sd.nn.softmax("attn_" + suffix, scores, 2);
                SDVariable w = sd.reshape(sd.mmul(flat, ovc), batch, t, dim);
                SDVariable delta = sd.mmul(attention, w);
                update = update == null ? delta : update.add(delta);
            }
            h = h.add("resid_" + l, update);
        }
        // Readout by one matmul: the query's label block picked from the flattened prompt.
        double[] readout = new double[t * dim * config.dY()];
        for (int c = 0; c < config.dY(); c++) {
            readout[(config.nCtx() * dim + config.dX() + c) * config.dY() + c] = 1;
        }
        SDVariable readoutMatrix = sd.constant("readout", Nd4j.createFromArray(readout).castTo(dtype).reshape(t * dim, config.dY()));
        SDVariable logits = sd.mmul("logits", sd.reshape(h, batch, t * dim), readoutMatrix);
        if (regression) {
            // Mean of half the squared error against the targets y.
            SDVariable error = logits.sub(y);
            sd.sum(error.mul(error)).mul(0.5).div("loss", batch);
        } else {
            crossEntropy(logits, y);
        }
        sd.setLossVariables("loss");
        // SameDiff prints one line per op to stdout while differentiating; stdout carries the
        // batch product's summary, so the gradient graph is built with stdout muted.
        java.io.PrintStream stdout = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        try {
            sd.createGradFunction();
        } finally {
            System.setOut(stdout);
        }
    }

    private void crossEntropy(SDVariable logits, SDVariable y) {
        // Mean cross-entropy as (sum of logsumexp - sum of <y, logits>) / B (LogSoftMax with an
        // axis fails to clone in M2.1).
        // Stable logsumexp written out: the backprop of sd.math.logSumExp fails in M2.1.
        SDVariable max = sd.max(logits, true, 1);
        SDVariable logSumExp = max.add(sd.math.log(sd.sum(sd.math.exp(logits.sub(max)), true, 1)));
        sd.sum(logSumExp).sub(sd.sum(y.mul(logits))).div("loss", batch);
    }

    /**
     * OpenMP threads of ND4J's ops on the calling thread; per-op thread start-up dominates at
     * these sizes, so 1 is about 4x faster than 2 here (BUILD-FACTS.md).
     */
    static void useThreads(int threads) {
        Nd4j.getBackend();
        org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(threads);
        Nd4j.factory().blas().setMaxThreads(threads);
    }

    /** Loads weights (merged QK, OV per layer and head) into the graph's variables. */
    void setWeights(double[][] qk, double[][] ov) {
        int dim = config.dModel();
        for (int i = 0; i < qk.length; i++) {
            int l = i / config.nHeads();
            int hd = i % config.nHeads();
            sd.getVariable("qk_" + l + "_" + hd).setArray(Nd4j.createFromArray(qk[i]).reshape(dim, dim).castTo(dtype));
            sd.getVariable("ov_" + l + "_" + hd).setArray(Nd4j.createFromArray(ov[i]).reshape(dim, dim).castTo(dtype));
        }
    }

    /**
     * Loss and gradients; grads are returned in the order qk[0], ov[0], qk[1], ... (layer-major,
     * head-minor). accuracy is the fraction of the batch's prompts whose largest query logit
     * (the first on a tie, as Forward.predictions) is the query label, taken from the same
     * forward pass as the loss; NaN for regression.
     */
    record LossAndGradient(double loss, double[][] qkGrad, double[][] ovGrad, double accuracy) {
    }

    /**
     * One forward and backward pass over the batch. perms[l * H + h] conjugates that head
     * (null: identity).
     */
    LossAndGradient lossAndGradient(PromptBatch batch, int[][] perms) {
        Map<String, INDArray> feed = feed(batch, perms);
        OutAndGrad r = sd.calculateGradientsAndOutputs(feed, List.of("loss", "logits"), weightNames);
        double loss = r.getOutputs().get("loss").getDouble(0);
        double accuracy = regression ? Double.NaN
                : accuracy(r.getOutputs().get("logits").castTo(DataType.DOUBLE).data().asDouble(), batch.queryLabels);
        int n = config.nLayers() * config.nHeads();
        double[][] gq = new double[n][];
        double[][] go = new double[n][];
        for (int i = 0; i < n; i++) {
            gq[i] = r.getGradients().get(weightNames.get(2 * i)).castTo(DataType.DOUBLE).data().asDouble();
            go[i] = r.getGradients().get(weightNames.get(2 * i + 1)).castTo(DataType.DOUBLE).data().asDouble();
        }
        return new LossAndGradient(loss, gq, go, accuracy);
    }

    /** Fraction of prompts whose largest logit (the first on a tie) is the label; logits [B, C] row-major. */
    static double accuracy(double[] logits, int[] labels) {
        int classes = logits.length / labels.length;
        int hits = 0;
        for (int p = 0; p < labels.length; p++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (logits[p * classes + c] > logits[p * classes + best]) {
                    best = c;
                }
            }
            if (best == labels[p]) {
                hits++;
            }
        }
        return hits / (double) labels.length;
    }

    /** The graph's logits on a batch (identity conjugation), for checks against the reference forward. */
    double[] logits(PromptBatch batch) {
        Map<String, INDArray> feed = feed(batch, new int[config.nLayers() * config.nHeads()][]);
        return sd.output(feed, "logits").get("logits").castTo(DataType.DOUBLE).data().asDouble();
    }

    private Map<String, INDArray> feed(PromptBatch batch, int[][] perms) {
        if (batch.count != this.batch) {
            throw new IllegalArgumentException("graph built for " + this.batch + " prompts, given " + batch.count);
        }
        Map<String, INDArray> feed = new HashMap<>();
        int t = config.tokens();
        int dim = config.dModel();
        feed.put("z", Nd4j.createFromArray(batch.z).reshape(batch.count, t, dim).castTo(dtype));
        if (batch.isRegression() != regression) {
            throw new IllegalArgumentException("the graph computes " + config.task() + " but the prompts are for "
                    + (batch.isRegression() ? TaskSpec.REGRESSION : TaskSpec.CLASSIFICATION));
        }
        double[] y = regression ? batch.queryTargets : new double[batch.count * config.dY()];
        for (int p = 0; p < batch.count && !regression; p++) {
            y[p * config.dY() + batch.queryLabels[p]] = 1;
        }
        feed.put("y", Nd4j.createFromArray(y).reshape(batch.count, config.dY()).castTo(dtype));
        for (int l = 0; l < config.nLayers(); l++) {
            for (int hd = 0; hd < config.nHeads(); hd++) {
                int[] p = perms[l * config.nHeads() + hd];
                feed.put("pi_" + l + "_" + hd, p == null ? identity : permutationMatrix(p));
            }
        }
        return feed;
    }

    /** Pi with Pi[p[k], k] = 1, so that Pi M Pi^T has entry (a, b) = M[p^-1(a), p^-1(b)]. */
    private INDArray permutationMatrix(int[] p) {
        int n = p.length;
        double[] m = new double[n * n];
        for (int k = 0; k < n; k++) {
            m[p[k] * n + k] = 1;
        }
        return Nd4j.createFromArray(m).reshape(n, n).castTo(dtype);
    }
}
