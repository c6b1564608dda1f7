package org.layerwise.backend.softmax;

/**
 * {@link FusedOps} in float64 with plain loops: the same layout (padding, lanes, accumulator
 * lanes) and the same pass as the float32 SIMD engine, so that checking it against the ND4J
 * float64 graph checks the fused pass's math to round-off. Also usable where the Vector API
 * is not available (slower: no SIMD).
 */
final class FusedScalarOps extends FusedOps {

    private final double[] x;

    FusedScalarOps(int size, int lanes) {
        super(lanes, lanes, 1);
        this.x = new double[size];
    }

    @Override
    void clear(int off, int len) {
        java.util.Arrays.fill(x, off, off + len, 0.0);
    }

    @Override
    void copy(int src, int dst, int len) {
        System.arraycopy(x, src, x, dst, len);
    }

    @Override
    void gemm(int c, int ldc, int coef, int rs, int cs, int b, int ldb, int rows, int inner, int n, boolean accumulate) {
        double[] x = this.x;
        for (int r = 0; r < rows; r++) {
            int cr = c + r * ldc;
            if (!accumulate) {
                java.util.Arrays.fill(x, cr, cr + n, 0.0);
            }
            for (int s = 0; s < inner; s++) {
                double w = x[coef + r * rs + s * cs];
                int bs = b + s * ldb;
                for (int i = 0; i < n; i++) {
                    x[cr + i] += w * x[bs + i];
                }
            }
        }
    }

    @Override
    void colSoftmax(int a, int ld, int rows, int n) {
        double[] x = this.x;
        for (int i = 0; i < n; i++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < rows; j++) {
                max = Math.max(max, x[a + j * ld + i]);
            }
            double sum = 0;
            for (int j = 0; j < rows; j++) {
                double e = StrictMath.exp(x[a + j * ld + i] - max);
                x[a + j * ld + i] = e;
                sum += e;
            }
            for (int j = 0; j < rows; j++) {
                x[a + j * ld + i] /= sum;
            }
        }
    }

    @Override
    void colSoftmaxBackward(int a, int da, int ld, int rows, int n) {
        double[] x = this.x;
        for (int i = 0; i < n; i++) {
            double r = 0;
            for (int j = 0; j < rows; j++) {
                r += x[a + j * ld + i] * x[da + j * ld + i];
            }
            for (int j = 0; j < rows; j++) {
                x[da + j * ld + i] = x[a + j * ld + i] * (x[da + j * ld + i] - r);
            }
        }
    }

    @Override
    void transpose(int src, int lds, int rows, int cols, int dst, int ldd) {
        double[] x = this.x;
        for (int col = 0; col < cols; col++) {
            for (int row = 0; row < rows; row++) {
                x[dst + col * ldd + row] = x[src + row * lds + col];
            }
            for (int row = rows; row < ldd; row++) {
                x[dst + col * ldd + row] = 0;
            }
        }
    }

    @Override
    void accumulateOuter(int acc, int xo, int yo, int ld, int dim, int n) {
        double[] x = this.x;
        for (int k = 0; k < dim; k++) {
            for (int m = 0; m < dim; m++) {
                int e = acc + (k * dim + m) * lanes;
                for (int i = 0; i < n; i++) {
                    x[e + i % lanes] += x[xo + k * ld + i] * x[yo + m * ld + i];
                }
            }
        }
    }

    @Override
    void gemv(int y, int ys, int a, int rs, int cs, int v, int vs, int rows, int inner, boolean accumulate) {
        double[] x = this.x;
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int k = 0; k < inner; k++) {
                s += x[a + r * rs + k * cs] * x[v + k * vs];
            }
            x[y + r * ys] = accumulate ? x[y + r * ys] + s : s;
        }
    }

    @Override
    void dots(int y, int a, int lda, int rows, int v, int n) {
        double[] x = this.x;
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += x[a + r * lda + i] * x[v + i];
            }
            x[y + r] = s;
        }
    }

    @Override
    void rowSoftmax(int s, int n, int valid) {
        double[] x = this.x;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < valid; i++) {
            max = Math.max(max, x[s + i]);
        }
        double sum = 0;
        for (int i = 0; i < valid; i++) {
            double e = StrictMath.exp(x[s + i] - max);
            x[s + i] = e;
            sum += e;
        }
        for (int i = 0; i < valid; i++) {
            x[s + i] /= sum;
        }
        for (int i = valid; i < n; i++) {
            x[s + i] = 0;
        }
    }

    @Override
    void rowSoftmaxBackward(int a, int da, int n) {
        double[] x = this.x;
        double r = 0;
        for (int i = 0; i < n; i++) {
            r += x[a + i] * x[da + i];
        }
        for (int i = 0; i < n; i++) {
            x[da + i] = x[a + i] * (x[da + i] - r);
        }
    }

    @Override
    void outerAccumulate(int acc, int dim, int col0, int xo, int xs, int rows, int y, int cols) {
        double[] x = this.x;
        for (int r = 0; r < rows; r++) {
            double xr = x[xo + r * xs];
            for (int c = 0; c < cols; c++) {
                x[acc + (r * dim + col0 + c) * lanes] += xr * x[y + c];
            }
        }
    }

    @Override
    void addStrided(int dst, int ds, int src, int ss, int n) {
        for (int i = 0; i < n; i++) {
            x[dst + i * ds] += x[src + i * ss];
        }
    }

    @Override
    void copyStrided(int dst, int ds, int src, int ss, int n) {
        for (int i = 0; i < n; i++) {
            x[dst + i * ds] = x[src + i * ss];
        }
    }

    @Override
    void zeroLanes(int off, int ld, int rows, int from, int to) {
        for (int r = 0; r < rows; r++) {
            java.util.Arrays.fill(x, off + r * ld + from, off + r * ld + to, 0.0);
        }
    }

    @Override
    double crossEntropy(int logits, int classes, int label, int g) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, x[logits + c]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += StrictMath.exp(x[logits + c] - max);
        }
        for (int c = 0; c < classes; c++) {
            x[g + c] = StrictMath.exp(x[logits + c] - max) / sum - (c == label ? 1 : 0);
        }
        return StrictMath.log(sum) + max - x[logits + label];
    }

    @Override
    double squaredError(int out, int width, double[] target, int from, int g) {
        double loss = 0;
        for (int c = 0; c < width; c++) {
            double e = x[out + c] - target[from + c];
            x[g + c] = e;
            loss += e * e;
        }
        return 0.5 * loss;
    }

    @Override
    void loadPrompt(double[] z, int from, int tokens, int dim, int dst, int ld) {
        for (int k = 0; k < dim; k++) {
            for (int i = 0; i < tokens; i++) {
                x[dst + k * ld + i] = z[from + i * dim + k];
            }
            java.util.Arrays.fill(x, dst + k * ld + tokens, dst + (k + 1) * ld, 0.0);
        }
    }

    @Override
    void loadConjugated(double[] m, int[] inv, int dim, int dst) {
        for (int a = 0; a < dim; a++) {
            int ra = inv == null ? a : inv[a];
            for (int b = 0; b < dim; b++) {
                x[dst + a * dim + b] = m[ra * dim + (inv == null ? b : inv[b])];
            }
        }
    }

    @Override
    int argmax(int off, int n) {
        int best = 0;
        for (int c = 1; c < n; c++) {
            if (x[off + c] > x[off + best]) {
                best = c;
            }
        }
        return best;
    }

    @Override
    double accumulatorSum(int acc) {
        double s = 0;
        for (int i = 0; i < lanes; i++) {
            s += x[acc + i];
        }
        return s;
    }
}
