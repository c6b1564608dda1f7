package org.layerwise.backend.softmax;

/**
 * The primitives of {@link FusedEngine}'s per-prompt pass, on one thread's private arena (a
 * single flat array; every argument named like a buffer is an offset into it). The pass
 * itself (which primitive, on which buffers, in which order) lives in FusedEngine and is
 * shared by the implementations: {@link FusedVectorOps} (float32, jdk.incubator.vector, the
 * engine) and {@link FusedScalarOps} (float64, plain loops, the check of the pass's math).
 *
 * Layout conventions: a "lane row" is a row of n values, n a multiple of {@link #pad}, that
 * the SIMD implementation processes one vector (or half vector) at a time. Tokens are stored transposed (one
 * row per coordinate, one token per lane), so every matrix product below is a loop of
 * broadcast-times-row fused multiply-adds and no reduction runs across lanes except where
 * named (dots, rowSoftmax, rowSoftmaxBackward), whose sums are taken in a fixed order.
 */
abstract class FusedOps {

    /** Weight-gradient accumulators keep this many partial sums (lanes) per entry. */
    final int lanes;

    /** Lane rows are padded to a multiple of this. */
    final int pad;

    /**
     * Rows a transpose may write past {@code cols} (they must exist in the destination and
     * are left with unspecified values).
     */
    final int transposeBlock;

    FusedOps(int lanes, int pad, int transposeBlock) {
        this.lanes = lanes;
        this.pad = pad;
        this.transposeBlock = transposeBlock;
    }

    /** x[off, off + len) = 0. */
    abstract void clear(int off, int len);

    /** x[dst, dst + len) = x[src, src + len). */
    abstract void copy(int src, int dst, int len);

    /**
     * Lane rows: for r < rows, C[r][0, n) (+)= sum_{s < inner} coef(r, s) * B[s][0, n), with
     * C[r] at c + r * ldc, B[s] at b + s * ldb and coef(r, s) = x[coef + r * rs + s * cs].
     * C must not overlap B or the coefficients.
     */
    abstract void gemm(int c, int ldc, int coef, int rs, int cs, int b, int ldb, int rows, int inner, int n,
            boolean accumulate);

    /** Softmax down the columns of rows [0, rows) of a lane matrix (row stride ld, n lanes), in place. */
    abstract void colSoftmax(int a, int ld, int rows, int n);

    /**
     * Softmax backward down the columns: da[j] = a[j] * (da[j] - sum_k a[k] * da[k]) per lane,
     * rows [0, rows), in place in da.
     */
    abstract void colSoftmaxBackward(int a, int da, int ld, int rows, int n);

    /**
     * dst[col * ldd + row] = src[row * lds + col] for row < rows, col < cols, and dst[col * ldd
     * + row] = 0 for rows <= row < ldd (the padding lanes of the transposed matrix). With
     * transposeBlock b > 1 the caller guarantees: source rows [rows, roundUp(rows, b)) exist and
     * are zero, ldd >= roundUp(rows, b), source rows can be read up to lane roundUp(cols, b), and
     * destination rows [cols, roundUp(cols, b)) exist (they are overwritten with anything).
     */
    abstract void transpose(int src, int lds, int rows, int cols, int dst, int ldd);

    /**
     * Weight-gradient accumulation over lanes: for k, m < dim, acc[(k * dim + m) * lanes + lane]
     * += sum over lane chunks of X[k][chunk + lane] * Y[m][chunk + lane], X[k] at x + k * ld,
     * Y[m] at y + m * ld, n lanes.
     */
    abstract void accumulateOuter(int acc, int x, int y, int ld, int dim, int n);

    /** Scalar: y[r * ys] (+)= sum_{s < inner} x[a + r * rs + s * cs] * x[v + s * vs] for r < rows. */
    abstract void gemv(int y, int ys, int a, int rs, int cs, int v, int vs, int rows, int inner, boolean accumulate);

    /** y[r] = sum_{lanes i < n} A[r][i] * v[i] for r < rows, A[r] at a + r * lda (fixed summation order). */
    abstract void dots(int y, int a, int lda, int rows, int v, int n);

    /** Softmax across the n lanes of one row, lanes >= valid excluded and set to exactly 0. */
    abstract void rowSoftmax(int s, int n, int valid);

    /** da[i] = a[i] * (da[i] - sum_k a[k] * da[k]) across n lanes of one row. */
    abstract void rowSoftmaxBackward(int a, int da, int n);

    /** acc[(r * dim + col0 + c) * lanes] += x[xs * r] * y[c], r < rows, c < cols (into lane 0). */
    abstract void outerAccumulate(int acc, int dim, int col0, int x, int xs, int rows, int y, int cols);

    /** dst[i * ds] += x[src + i * ss] for i < n. */
    abstract void addStrided(int dst, int ds, int src, int ss, int n);

    /** dst[i * ds] = x[src + i * ss] for i < n. */
    abstract void copyStrided(int dst, int ds, int src, int ss, int n);

    /** Lanes [from, to) of rows [0, rows) (row stride ld) set to 0. */
    abstract void zeroLanes(int off, int ld, int rows, int from, int to);

    /**
     * Cross-entropy of the logits x[logits, logits + classes) against label, in double
     * (StrictMath: the same bits interpreted or compiled); writes g = softmax - onehot.
     */
    abstract double crossEntropy(int logits, int classes, int label, int g);

    /**
     * Half the squared distance of the outputs x[out, out + width) from target[from, from +
     * width), in double; writes g = outputs - target (the regression loss's gradient).
     */
    abstract double squaredError(int out, int width, double[] target, int from, int g);

    /**
     * One prompt into the transposed layout: dst[k * ld + i] = z[from + i * dim + k] for tokens
     * i < tokens, coordinates k < dim; lanes [tokens, ld) zero.
     */
    abstract void loadPrompt(double[] z, int from, int tokens, int dim, int dst, int ld);

    /** dst[a * dim + b] = m[inv[a] * dim + inv[b]] (Pi M Pi^T); inv null: identity. */
    abstract void loadConjugated(double[] m, int[] inv, int dim, int dst);

    /** The lanes' partial sums of one accumulator entry, added in lane order in double. */
    abstract double accumulatorSum(int acc);

    /**
     * The index of the largest of x[off, off + n), the first one on a tie (the prediction rule
     * of Forward.predictions).
     */
    abstract int argmax(int off, int n);
}
