package org.layerwise.backend.softmax;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.layerwise.core.PromptBatch;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.model.ModelConfig;

/**
 * A fused float32 CPU engine for the loss and gradient of the softmax-attention model
 * (docs/mathematics.md section 3, merged parameterization), the same quantity as
 * {@link SoftmaxAttentionGraph#lossAndGradient}: mean cross-entropy over the batch (regression:
 * mean of half the squared error of the query's label block against its target), gradient
 * with respect to the unconjugated QK and OV when every (layer, head) runs with Pi M Pi^T.
 *
 * <p>Each prompt's forward and backward run back to back on one thread while its tokens and
 * attention stay in cache. Tokens are stored transposed (one row per coordinate, one token
 * per lane, T = N + 1 padded to 8 lanes), attention as A^T (one row per key, one query per
 * lane) so that the softmax runs down columns; every small matrix product is then a
 * broadcast-FMA loop over lane rows. The backward needs A and dS with keys as lanes too: they
 * are transposed in registers. The last layer computes only what reaches the loss (the
 * query's row), and layer 0 skips its input gradient. Padding lanes hold zeros (tokens) and
 * never reach a real lane: keys are only ever read by index below K.
 *
 * <p>The pass is written once against {@link FusedOps}; {@link FusedVectorOps} runs it in
 * float32 SIMD, {@link FusedScalarOps} in float64 with plain loops (the check of its math).
 *
 * <p>Prompts are split into {@code threads} fixed contiguous ranges, one per thread (the
 * caller runs range 0), each with private weight-gradient accumulators; they are reduced once
 * per step in a fixed order (lanes, then threads, in double). The same inputs and thread
 * count give bit-identical results. Nothing is allocated inside a step except the returned
 * record: the gradient arrays in it belong to the engine and are overwritten by the next call.
 */
final class FusedEngine implements AutoCloseable {

    /** Arithmetic of the per-prompt pass. */
    enum Precision {
        /** float32 with jdk.incubator.vector: the engine. */
        FLOAT32_VECTOR,
        /** float64 with plain loops, same layout and pass: the math check (and a slow fallback). */
        FLOAT64_SCALAR
    }

    private final ModelConfig config;
    private final int batch;
    private final Precision precision;
    private final int threads;
    private final boolean regression;

    // shape
    private final int d;
    private final int classes;
    private final int dim;
    private final int n;
    private final int t;
    private final int keys;
    private final int layers;
    private final int heads;
    private final int tp; // tokens padded to a multiple of pad
    private final int kp; // keys padded to a multiple of pad
    private final int kr; // rows of A^T and dA^T buffers: keys padded to the transpose block (extra rows stay zero)
    private final int kt; // leading dimension of the transposed A and dS (keys as lanes)
    private final int lanes; // partial sums per weight-gradient entry
    private final int pad; // lane rows are padded to a multiple of this

    // arena layout (offsets), identical in every thread's arena
    private final int[] qOff;
    private final int[] vOff;
    private final int[] zOff;
    private final int[] uOff;
    private final int[] wOff;
    private final int[] aOff;
    private final int[] accQ;
    private final int[] accV;
    private final int aRow;
    private final int dsRow;
    private final int daT;
    private final int pBuf;
    private final int duT;
    private final int rT;
    private final int g0;
    private final int g1;
    private final int[] uq;
    private final int[] sq;
    private final int[] yq;
    private final int logits;
    private final int gl;
    private final int dy;
    private final int da;
    private final int du;

    private final FusedOps[] ops;
    private final double[] losses;
    private final int[] correct; // per thread: prompts whose argmax logit is the query label
    private final int[][] inverse;
    private final double[][] qkGrad;
    private final double[][] ovGrad;

    // the step being computed: written by the caller before the epoch is published
    private PromptBatch stepBatch;
    private int[][] stepPerms;
    private double[][] stepQk;
    private double[][] stepOv;

    // hand-off to the workers: a short spin (the halves of a step end within microseconds of
    // each other), then park, so that waiting threads leave the cores to the rest of the step
    private static final long SPIN_NANOS = 50_000L;
    private final Thread[] workers;
    private volatile int epoch;
    private volatile boolean closed;
    private volatile Thread caller;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Throwable failure;

    FusedEngine(ModelConfig config, int batch, int threads) {
        this(config, batch, threads, Precision.FLOAT32_VECTOR);
    }

    FusedEngine(ModelConfig config, int batch, int threads, Precision precision) {
        if (precision == Precision.FLOAT32_VECTOR) {
            String why = unsupportedReason(config);
            if (why != null) {
                throw new IllegalArgumentException("the fused engine does not cover this model: " + why);
            }
        } else {
            String why = structuralReason(config);
            if (why != null) {
                throw new IllegalArgumentException("the fused engine does not cover this model: " + why);
            }
        }
        if (batch < 1 || threads < 1) {
            throw new IllegalArgumentException("batch and threads must be at least 1, given " + batch + " and " + threads);
        }
        this.config = config;
        this.batch = batch;
        this.precision = precision;
        this.threads = Math.min(threads, batch);
        this.regression = TaskSpec.REGRESSION.equals(config.task());
        d = config.dX();
        classes = config.dY();
        dim = config.dModel();
        n = config.nCtx();
        t = config.tokens();
        keys = config.numKeys();
        layers = config.nLayers();
        heads = config.nHeads();
        boolean vector = precision == Precision.FLOAT32_VECTOR;
        lanes = vector ? VectorSupport.lanes() : 8;
        pad = vector ? VectorSupport.padding() : 8;
        int block = vector ? VectorSupport.transposeBlock() : 1;
        tp = roundUp(t, pad);
        kp = roundUp(keys, pad);
        kr = roundUp(keys, block);
        kt = Math.max(kp, kr);
        int lh = layers * heads;

        int off = 0;
        qOff = new int[lh];
        vOff = new int[lh];
        for (int i = 0; i < lh; i++) {
            qOff[i] = off;
            off += dim * dim;
            vOff[i] = off;
            off += dim * dim;
        }
        off = roundUp(off, lanes);
        zOff = new int[layers];
        for (int l = 0; l < layers; l++) {
            zOff[l] = off;
            off += dim * tp;
        }
        uOff = new int[lh];
        wOff = new int[lh];
        aOff = new int[lh];
        for (int i = 0; i < (layers - 1) * heads; i++) {
            uOff[i] = off;
            off += dim * tp;
            wOff[i] = off;
            off += dim * tp;
            aOff[i] = off;
            off += kr * tp;
        }
        aRow = off;
        off += roundUp(t, block) * kt;
        dsRow = off;
        off += roundUp(t, block) * kt;
        daT = off;
        off += kr * tp;
        pBuf = off;
        off += dim * tp;
        duT = off;
        off += dim * tp;
        rT = off;
        off += dim * tp;
        g0 = off;
        off += dim * tp;
        g1 = off;
        off += dim * tp;
        uq = new int[heads];
        sq = new int[heads];
        yq = new int[heads];
        for (int h = 0; h < heads; h++) {
            sq[h] = off;
            off += kp;
            uq[h] = off;
            off += roundUp(dim, pad);
            yq[h] = off;
            off += roundUp(dim, pad);
        }
        da = off;
        off += kp;
        du = off;
        off += roundUp(dim, pad);
        dy = off;
        off += roundUp(dim, pad);
        logits = off;
        off += roundUp(classes, pad);
        gl = off;
        off += roundUp(classes, pad);
        accQ = new int[lh];
        accV = new int[lh];
        for (int i = 0; i < lh; i++) {
            accQ[i] = off;
            off += dim * dim * lanes;
            accV[i] = off;
            off += dim * dim * lanes;
        }
        int size = off + 64; // slack: a transpose may read a few lanes past its last row

        ops = new FusedOps[this.threads];
        for (int k = 0; k < this.threads; k++) {
            ops[k] = precision == Precision.FLOAT32_VECTOR ? VectorSupport.create(size) : new FusedScalarOps(size, lanes);
        }
        losses = new double[this.threads];
        correct = new int[this.threads];
        inverse = new int[lh][dim];
        qkGrad = new double[lh][dim * dim];
        ovGrad = new double[lh][dim * dim];
        workers = new Thread[this.threads - 1];
        for (int k = 1; k < this.threads; k++) {
            int part = k;
            Thread w = new Thread(() -> workerLoop(part), "layerwise-fused-" + k);
            w.setDaemon(true);
            workers[k - 1] = w;
        }
        for (Thread w : workers) {
            w.start();
        }
    }

    private static int roundUp(int v, int m) {
        return (v + m - 1) / m * m;
    }

    /** True when the fused float32 engine computes this model (else see {@link #unsupportedReason}). */
    static boolean supports(ModelConfig config) {
        return unsupportedReason(config) == null;
    }

    /** Null when supported, else why not, in words fit for run.json (the backend then uses ND4J). */
    static String unsupportedReason(ModelConfig config) {
        String why = structuralReason(config);
        if (why != null) {
            return why;
        }
        if (!"float32".equals(config.dtype())) {
            return "dtype " + config.dtype() + ": the fused engine computes in float32 only";
        }
        return VectorSupport.problem();
    }

    private static String structuralReason(ModelConfig config) {
        if (config.attention() != ModelConfig.Attention.SOFTMAX) {
            return "attention " + config.attention().key() + ": the fused engine implements softmax attention only";
        }
        if (!TaskSpec.CLASSIFICATION.equals(config.task()) && !TaskSpec.REGRESSION.equals(config.task())) {
            return "task " + config.task() + ": the fused engine computes the classification cross-entropy and the regression"
                    + " squared error only";
        }
        if (config.dX() < 1 || config.dY() < 1 || config.nCtx() < 1 || config.nLayers() < 1 || config.nHeads() < 1) {
            return "empty shape " + config;
        }
        return null;
    }

    /** Which SIMD species the float32 engine uses here (for run.json), or why none. */
    static String vectorDescription() {
        String p = VectorSupport.problem();
        return p != null ? p : VectorSupport.species();
    }

    int threads() {
        return threads;
    }

    Precision precision() {
        return precision;
    }

    /**
     * Loss (mean cross-entropy; regression: mean of half the squared error), accuracy (fraction
     * of prompts whose largest query logit is the query label, from the same forward pass; NaN
     * for regression) and gradients with respect to the unconjugated weights, index
     * l * H + h; perms[l * H + h] conjugates that head with Pi M Pi^T, Pi[p[k]][k] = 1 (perms or
     * an entry null: identity). The gradient arrays of the result are reused by the next call.
     * One call at a time (the engine is not reentrant).
     */
    SoftmaxAttentionGraph.LossAndGradient lossAndGradient(PromptBatch batch, int[][] perms, double[][] qk, double[][] ov) {
        if (closed) {
            throw new IllegalStateException("the fused engine is closed");
        }
        check(batch, perms, qk, ov);
        int lh = layers * heads;
        for (int i = 0; i < lh; i++) {
            int[] p = perms == null ? null : perms[i];
            if (p != null) {
                java.util.Arrays.fill(inverse[i], -1);
                for (int k = 0; k < dim; k++) {
                    if (p[k] < 0 || p[k] >= dim || inverse[i][p[k]] >= 0) {
                        throw new IllegalArgumentException("permutation " + i + " is not a permutation of 0.." + (dim - 1));
                    }
                    inverse[i][p[k]] = k;
                }
            }
        }
        stepBatch = batch;
        stepPerms = perms;
        stepQk = qk;
        stepOv = ov;
        failure = null;
        caller = Thread.currentThread();
        pending.set(threads - 1);
        epoch = epoch + 1; // publishes the step to the workers
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        Throwable mine = null;
        try {
            runPart(0);
        } catch (Throwable e) {
            mine = e;
        }
        long spinUntil = System.nanoTime() + SPIN_NANOS;
        while (pending.get() != 0) {
            if (System.nanoTime() < spinUntil) {
                Thread.onSpinWait();
            } else {
                LockSupport.parkNanos(this, 100_000L);
            }
        }
        stepBatch = null;
        stepQk = null;
        stepOv = null;
        stepPerms = null;
        Throwable f = mine != null ? mine : failure;
        if (f instanceof RuntimeException re) {
            throw re;
        }
        if (f instanceof Error er) {
            throw er;
        }
        if (f != null) {
            throw new IllegalStateException(f);
        }
        return reduce(perms);
    }

    private void check(PromptBatch b, int[][] perms, double[][] qk, double[][] ov) {
        if (b.count != batch) {
            throw new IllegalArgumentException("engine built for " + batch + " prompts, given " + b.count);
        }
        if (b.features != d || b.classes != classes || b.contextSize != n) {
            throw new IllegalArgumentException("prompts have d=" + b.features + ", C=" + b.classes + ", N=" + b.contextSize
                    + " but the model has d=" + d + ", C=" + classes + ", N=" + n);
        }
        int lh = layers * heads;
        if (qk.length != lh || ov.length != lh || (perms != null && perms.length != lh)) {
            throw new IllegalArgumentException("expected " + lh + " QK, OV matrices and permutations");
        }
        for (int i = 0; i < lh; i++) {
            if (qk[i].length != dim * dim || ov[i].length != dim * dim) {
                throw new IllegalArgumentException("matrix " + i + " is not " + dim + " x " + dim);
            }
            if (perms != null && perms[i] != null && perms[i].length != dim) {
                throw new IllegalArgumentException("permutation " + i + " has length " + perms[i].length + ", not " + dim);
            }
        }
        if (b.isRegression() != regression) {
            throw new IllegalArgumentException("the engine computes " + config.task() + " but the prompts are for "
                    + (b.isRegression() ? TaskSpec.REGRESSION : TaskSpec.CLASSIFICATION));
        }
        if (regression) {
            if (b.z.length != batch * t * dim || b.queryTargets.length != batch * classes) {
                throw new IllegalArgumentException("prompt arrays do not match " + batch + " prompts of " + t + " tokens of width "
                        + dim);
            }
            return;
        }
        if (b.z.length != batch * t * dim || b.queryLabels.length != batch) {
            throw new IllegalArgumentException("prompt arrays do not match " + batch + " prompts of " + t + " tokens of width " + dim);
        }
        for (int p = 0; p < batch; p++) {
            if (b.queryLabels[p] < 0 || b.queryLabels[p] >= classes) {
                throw new IllegalArgumentException("prompt " + p + ": query label " + b.queryLabels[p] + " outside [0, " + classes + ")");
            }
        }
    }

    private SoftmaxAttentionGraph.LossAndGradient reduce(int[][] perms) {
        double loss = 0;
        int hits = 0;
        for (int k = 0; k < threads; k++) {
            loss += losses[k];
            hits += correct[k];
        }
        double scale = 1.0 / batch;
        int lh = layers * heads;
        for (int i = 0; i < lh; i++) {
            int[] p = perms == null ? null : perms[i];
            for (int x = 0; x < dim; x++) {
                int px = p == null ? x : p[x];
                for (int y = 0; y < dim; y++) {
                    int py = p == null ? y : p[y];
                    int entry = (px * dim + py) * lanes; // grad M[x][y] = grad (Pi M Pi^T)[p[x]][p[y]]
                    double sq = 0;
                    double sv = 0;
                    for (int k = 0; k < threads; k++) {
                        sq += ops[k].accumulatorSum(accQ[i] + entry);
                        sv += ops[k].accumulatorSum(accV[i] + entry);
                    }
                    qkGrad[i][x * dim + y] = sq * scale;
                    ovGrad[i][x * dim + y] = sv * scale;
                }
            }
        }
        double accuracy = regression ? Double.NaN : hits / (double) batch;
        return new SoftmaxAttentionGraph.LossAndGradient(loss * scale, qkGrad, ovGrad, accuracy);
    }

    private void workerLoop(int part) {
        int seen = 0;
        while (true) {
            long spinUntil = System.nanoTime() + SPIN_NANOS;
            while (epoch == seen && !closed) {
                if (System.nanoTime() < spinUntil) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = epoch;
            try {
                runPart(part);
            } catch (Throwable e) {
                failure = e;
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    /** Thread part's share: load the conjugated weights, clear its accumulators, run its prompts. */
    private void runPart(int part) {
        FusedOps o = ops[part];
        int lh = layers * heads;
        for (int i = 0; i < lh; i++) {
            int[] inv = stepPerms == null || stepPerms[i] == null ? null : inverse[i];
            o.loadConjugated(stepQk[i], inv, dim, qOff[i]);
            o.loadConjugated(stepOv[i], inv, dim, vOff[i]);
            o.clear(accQ[i], dim * dim * lanes);
            o.clear(accV[i], dim * dim * lanes);
        }
        int from = (int) ((long) part * batch / threads);
        int to = (int) ((long) (part + 1) * batch / threads);
        double loss = 0;
        int hits = 0;
        for (int p = from; p < to; p++) {
            loss += prompt(o, stepBatch, p);
            // the forward's logits are still in place (the backward never writes them)
            if (!regression && o.argmax(logits, classes) == stepBatch.queryLabels[p]) {
                hits++;
            }
        }
        losses[part] = loss;
        correct[part] = hits;
    }

    /** Forward and backward of one prompt; weight gradients (unscaled) into the accumulators; returns its loss. */
    private double prompt(FusedOps o, PromptBatch b, int p) {
        o.loadPrompt(b.z, p * t * dim, t, dim, zOff[0], tp);
        // Forward, every token, layers 0 .. L-2.
        for (int l = 0; l < layers - 1; l++) {
            int z = zOff[l];
            int next = zOff[l + 1];
            o.copy(z, next, dim * tp);
            for (int h = 0; h < heads; h++) {
                int i = l * heads + h;
                o.gemm(uOff[i], tp, qOff[i], 1, dim, z, tp, dim, dim, tp, false); // U^T[m] = sum_k QK[k][m] Z^T[k]
                o.gemm(aOff[i], tp, z, 1, tp, uOff[i], tp, keys, dim, tp, false); // S^T[j] = sum_m Z^T[m][j] U^T[m]
                o.colSoftmax(aOff[i], tp, keys, tp); // A^T: softmax over keys j, down each query's column
                o.gemm(wOff[i], tp, vOff[i], 1, dim, z, tp, dim, dim, kp, false); // W^T[m] = sum_k OV[k][m] Z^T[k] (key lanes)
                o.gemm(next, tp, wOff[i], tp, 1, aOff[i], tp, dim, keys, tp, true); // Z'^T[m] += sum_j W^T[m][j] A^T[j]
            }
            o.zeroLanes(next, tp, dim, t, tp);
        }
        // Last layer: only the query's row reaches the loss.
        int last = layers - 1;
        int zl = zOff[last];
        o.copyStrided(logits, 1, zl + d * tp + n, tp, classes);
        for (int h = 0; h < heads; h++) {
            int i = last * heads + h;
            o.gemv(uq[h], 1, qOff[i], 1, dim, zl + n, tp, dim, dim, false); // u_q[m] = sum_k z_q[k] QK[k][m]
            o.gemm(sq[h], kp, uq[h], 0, 1, zl, tp, 1, dim, kp, false); // s[j] = sum_m u_q[m] Z^T[m][j]
            o.rowSoftmax(sq[h], kp, keys);
            o.dots(yq[h], zl, tp, dim, sq[h], kp); // y[k] = sum_j a_j z_j[k]
            o.gemv(logits, 1, vOff[i] + d, 1, dim, yq[h], 1, classes, dim, true); // logits[c] += sum_k y[k] OV[k][d + c]
        }
        double loss = regression ? o.squaredError(logits, classes, b.queryTargets, p * classes, gl)
                : o.crossEntropy(logits, classes, b.queryLabels[p], gl);

        // Backward of the last layer, from g = softmax(logits) - onehot on the query's label block
        // (regression: g = logits - target).
        boolean input = last > 0;
        int g = g0;
        int gn = g1;
        if (input) {
            o.clear(g, dim * tp);
            o.addStrided(g + (d * tp) + n, tp, gl, 1, classes);
        }
        for (int h = 0; h < heads; h++) {
            int i = last * heads + h;
            o.outerAccumulate(accV[i], dim, d, yq[h], 1, dim, gl, classes); // dOV[k][d + c] += y[k] g[c]
            o.gemv(dy, 1, vOff[i] + d, dim, 1, gl, 1, dim, classes, false); // dy[k] = sum_c OV[k][d + c] g[c]
            o.gemm(da, kp, dy, 0, 1, zl, tp, 1, dim, kp, false); // da[j] = dy . z_j
            if (input) {
                o.gemm(g, tp, dy, 1, 0, sq[h], 0, dim, 1, kp, true); // dZ^T[k][j] += dy[k] a_j
            }
            o.rowSoftmaxBackward(sq[h], da, kp); // da <- ds
            o.dots(du, zl, tp, dim, da, kp); // du[m] = sum_j ds_j z_j[m]
            o.outerAccumulate(accQ[i], dim, 0, zl + n, tp, dim, du, dim); // dQK[k][m] += z_q[k] du[m]
            if (input) {
                o.gemm(g, tp, uq[h], 1, 0, da, 0, dim, 1, kp, true); // dZ^T[m][j] += u_q[m] ds_j
                o.gemv(g + n, tp, qOff[i], dim, 1, du, 1, dim, dim, true); // dz_q[k] += sum_m QK[k][m] du[m]
            }
        }
        // Backward of layers L-2 .. 0; g holds the gradient of layer l's output.
        for (int l = last - 1; l >= 0; l--) {
            int z = zOff[l];
            input = l > 0;
            if (input) {
                o.copy(g, gn, dim * tp);
            }
            for (int h = 0; h < heads; h++) {
                int i = l * heads + h;
                o.gemm(daT, tp, wOff[i], 1, tp, g, tp, keys, dim, tp, false); // dA^T[j] = sum_m W^T[m][j] G^T[m]
                o.colSoftmaxBackward(aOff[i], daT, tp, keys, tp); // -> dS^T
                o.gemm(pBuf, tp, z, tp, 1, aOff[i], tp, dim, keys, tp, false); // P[k] = sum_j Z^T[k][j] A^T[j]
                o.accumulateOuter(accV[i], pBuf, g, tp, dim, tp); // dOV[k][m] += sum_i P[k][i] G^T[m][i]
                o.gemm(duT, tp, z, tp, 1, daT, tp, dim, keys, tp, false); // dU^T[m] = sum_j Z^T[m][j] dS^T[j]
                o.accumulateOuter(accQ[i], z, duT, tp, dim, tp); // dQK[k][m] += sum_i Z^T[k][i] dU^T[m][i]
                if (input) {
                    o.gemm(gn, tp, qOff[i], dim, 1, duT, tp, dim, dim, tp, true); // dZ^T[k] += sum_m QK[k][m] dU^T[m]
                    o.gemm(rT, tp, vOff[i], dim, 1, g, tp, dim, dim, tp, false); // R^T[k] = sum_m OV[k][m] G^T[m]
                    o.transpose(aOff[i], tp, keys, t, aRow, kt); // A (queries as rows, keys as lanes)
                    o.gemm(gn, tp, rT, tp, 1, aRow, kt, dim, t, kp, true); // dZ^T[k][j] += sum_i R^T[k][i] A[i][j]
                    o.transpose(daT, tp, keys, t, dsRow, kt); // dS
                    o.gemm(gn, tp, uOff[i], tp, 1, dsRow, kt, dim, t, kp, true); // dZ^T[k][j] += sum_i U^T[k][i] dS[i][j]
                }
            }
            if (input) {
                o.zeroLanes(gn, tp, dim, t, tp);
                int swap = g;
                g = gn;
                gn = swap;
            }
        }
        return loss;
    }

    /** Stops the worker threads; the engine cannot be used afterwards. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        for (Thread w : workers) {
            try {
                w.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    ModelConfig config() {
        return config;
    }

    /**
     * Isolates every reference to jdk.incubator.vector: this class links FusedVectorOps only
     * after checking that the module is readable, so the engine class loads without it.
     */
    static final class VectorSupport {
        private static final String PROBLEM = probe();

        private VectorSupport() {
        }

        private static String probe() {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                return "the Vector API is not available: start java with --add-modules=jdk.incubator.vector";
            }
            try {
                Class.forName("jdk.incubator.vector.FloatVector", false, FusedEngine.class.getClassLoader());
                int lanes = FusedVectorOps.lanesPreferred(); // initialises the species
                if (lanes < 4) {
                    return "the Vector API offers only " + lanes + " float lanes here (no SIMD worth using)";
                }
                return null;
            } catch (Throwable e) {
                return "the Vector API is not visible to the bundle (" + e + "): the bundle needs DynamicImport-Package:"
                        + " jdk.incubator.vector and java needs --add-modules=jdk.incubator.vector";
            }
        }

        static String problem() {
            return PROBLEM;
        }

        static int lanes() {
            return FusedVectorOps.lanesPreferred();
        }

        static int padding() {
            return FusedVectorOps.padding();
        }

        static int transposeBlock() {
            return FusedVectorOps.transposeBlockSize();
        }

        static String species() {
            return FusedVectorOps.speciesName();
        }

        static FusedOps create(int size) {
            return FusedVectorOps.create(size);
        }
    }
}
