package org.layerwise.analysis.recursion;

import java.util.stream.IntStream;

import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.symmetry.Commutant;
import org.layerwise.core.symmetry.Commutant.Scalars;

/**
 * The depth-indexed recursion of docs/mathematics.md section 6 (coupled mean-shift). For layer t and
 * head h it keeps six scalars (a, b, f, g, c, e) of Q = QK and six (a', b', f', g', c', e')
 * of V = OV^T, read through the Reynolds projection of G = S_d x S_C, and moves every token
 * z_i = [x_i; y_i] by
 *
 * <pre>
 *   s_ij = a &lt;x_i, x_j&gt; + b sx_i sx_j + f sx_i sy_j + g sy_i sx_j + c &lt;y_i, y_j&gt; + e sy_i sy_j
 *   A_ij = softmax over the keys j of s_ij
 *   x_i += sum_j A_ij (a' x_j + (b' sx_j + f' sy_j) 1_d)
 *   y_i += sum_j A_ij (c' y_j + (g' sx_j + e' sy_j) 1_C)
 * </pre>
 *
 * summed over heads, all tokens updated simultaneously from the layer-t values. The reduced
 * form keeps only alpha = a, beta = c (score) and gamma = a', delta = c' (update); its four
 * coefficients are derived from the same abstraction, never fitted.
 * <p>
 * When the weights lie in the commutant the full recursion is the network, exactly; for
 * other weights it is the network whose matrices are replaced by their Reynolds projections
 * ({@link #commutantModel()}), which is an approximation of the trained one.
 */
public final class CoupledMeanShiftRecursion {

    /** Which recursion: the twelve scalars per head, or the four derived ones. */
    public enum Form {
        FULL, REDUCED;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final ModelConfig config;
    private final Form form;
    private final Scalars[] q;
    private final Scalars[] v;

    private CoupledMeanShiftRecursion(ModelConfig config, Form form, Scalars[] q, Scalars[] v) {
        this.config = config;
        this.form = form;
        this.q = q;
        this.v = v;
    }

    /** The twelve scalars per layer and head of the model's Reynolds projection. */
    public static CoupledMeanShiftRecursion full(TransformerModel model) {
        ModelConfig c = model.config();
        int n = c.nLayers() * c.nHeads();
        Scalars[] q = new Scalars[n];
        Scalars[] v = new Scalars[n];
        for (int l = 0; l < c.nLayers(); l++) {
            for (int h = 0; h < c.nHeads(); h++) {
                q[l * c.nHeads() + h] = Commutant.scalars(model.qk(l, h), c.dX(), c.dY());
                v[l * c.nHeads() + h] = Commutant.scalars(Commutant.transpose(model.ov(l, h), c.dModel()), c.dX(), c.dY());
            }
        }
        return new CoupledMeanShiftRecursion(c, Form.FULL, q, v);
    }

    /**
     * The reduced form, derived from the same abstraction: alpha = a, beta = c of Q and
     * gamma = a', delta = c' of V; b, f, g, e and b', f', g', e' are dropped (set to zero).
     */
    public static CoupledMeanShiftRecursion reduced(TransformerModel model) {
        return full(model).reduced();
    }

    /** The reduced form of this recursion's scalars: (a, 0, 0, 0, c, 0) of Q and of V. */
    public CoupledMeanShiftRecursion reduced() {
        Scalars[] rq = new Scalars[q.length];
        Scalars[] rv = new Scalars[v.length];
        for (int i = 0; i < q.length; i++) {
            rq[i] = new Scalars(q[i].a(), 0, 0, 0, q[i].c(), 0);
            rv[i] = new Scalars(v[i].a(), 0, 0, 0, v[i].c(), 0);
        }
        return new CoupledMeanShiftRecursion(config, Form.REDUCED, rq, rv);
    }

    public Form form() {
        return form;
    }

    /** The shape the recursion runs on (d, C, N, L, H, attention and keys of the model). */
    public ModelConfig config() {
        return config;
    }

    /** (a, b, f, g, c, e) of Q in layer l, head h; in the reduced form (alpha, 0, 0, 0, beta, 0). */
    public Scalars q(int layer, int head) {
        return q[index(layer, head)];
    }

    /** (a', b', f', g', c', e') of V = OV^T in layer l, head h; reduced: (gamma, 0, 0, 0, delta, 0). */
    public Scalars v(int layer, int head) {
        return v[index(layer, head)];
    }

    /** alpha_t = a: weight of the feature Gram &lt;x_i, x_j&gt; in the score. */
    public double alpha(int layer, int head) {
        return q(layer, head).a();
    }

    /** beta_t = c: weight of the label Gram &lt;y_i, y_j&gt; in the score. */
    public double beta(int layer, int head) {
        return q(layer, head).c();
    }

    /** gamma_t = a': step of the feature mean shift. */
    public double gamma(int layer, int head) {
        return v(layer, head).a();
    }

    /** delta_t = c': step of the label mean shift. */
    public double delta(int layer, int head) {
        return v(layer, head).c();
    }

    private int index(int layer, int head) {
        if (layer < 0 || layer >= config.nLayers() || head < 0 || head >= config.nHeads()) {
            throw new IndexOutOfBoundsException("layer " + layer + ", head " + head + " outside L=" + config.nLayers()
                    + ", H=" + config.nHeads());
        }
        return layer * config.nHeads() + head;
    }

    /**
     * The network whose weights are the commutant matrices of these scalars (QK = Q,
     * OV = V^T): its forward pass is what {@link #run} computes, up to round-off.
     */
    public TransformerModel commutantModel() {
        int n = q.length;
        double[][] qk = new double[n][];
        double[][] ov = new double[n][];
        for (int i = 0; i < n; i++) {
            qk[i] = Commutant.matrix(q[i], config.dX(), config.dY());
            ov[i] = Commutant.transpose(Commutant.matrix(v[i], config.dX(), config.dY()), config.dModel());
        }
        return new TransformerModel(config, qk, ov);
    }

    /**
     * Runs the recursion from the prompts z [P, N+1, D] (layer 0 onward; nothing is taken from
     * the network). Returns the hidden states after every layer [L][P*(N+1)*D], the attention
     * of every token over the keys [L][P*H*(N+1)*K] and the query's y block after the last
     * layer as logits: the layout of {@link Forward.Result}.
     */
    public Forward.Result run(double[] z, int count) {
        return run(z, count, true);
    }

    /** As {@link #run(double[], int)}; without patterns the result's patterns are null (and not allocated). */
    public Forward.Result run(double[] z, int count, boolean keepPatterns) {
        int t = config.tokens();
        int dim = config.dModel();
        int k = config.numKeys();
        int layers = config.nLayers();
        int heads = config.nHeads();
        if (count < 0 || z.length != (long) count * t * dim) {
            throw new IllegalArgumentException("prompts hold " + z.length + " values, expected " + count + " x " + t + " x " + dim);
        }
        double[][] resid = new double[layers][count * t * dim];
        double[][] patterns = keepPatterns ? new double[layers][count * heads * t * k] : null;
        double[] logits = new double[count * config.dY()];
        run(z, 0, count, resid, patterns, logits);
        return new Forward.Result(count, config.dY(), logits, resid, patterns);
    }


    /**
     * Runs prompts [first, first + count) of z [P, N+1, D]: their states after every layer go to
     * resid[l] from index 0 on, their attention (when patterns is not null) to patterns[l]
     * likewise, their logits to logits[p * C] by the prompt's own index p.
     */
    void run(double[] z, int first, int count, double[][] resid, double[][] patterns, double[] logits) {
        int t = config.tokens();
        int dim = config.dModel();
        int k = config.numKeys();
        int layers = config.nLayers();
        int heads = config.nHeads();
        ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(() -> new Workspace(config));
        IntStream.range(0, count).parallel().forEach(p -> {
            Workspace w = workspaces.get();
            w.load(z, (first + p) * t * dim);
            for (int l = 0; l < layers; l++) {
                w.grams();
                System.arraycopy(w.h, 0, w.next, 0, t * dim);
                for (int hd = 0; hd < heads; hd++) {
                    int i = l * heads + hd;
                    w.attention(q[i]);
                    if (patterns != null) {
                        w.pattern(patterns[l], (p * heads + hd) * t * k);
                    }
                    w.shift();
                    w.apply(v[i], w.next);
                }
                double[] swap = w.h;
                w.h = w.next;
                w.next = swap;
                w.store(resid[l], p * t * dim);
            }
            for (int m = 0; m < config.dY(); m++) {
                logits[(first + p) * config.dY() + m] = w.h[(config.dX() + m) * t + config.nCtx()];
            }
        });
    }

    /**
     * Scratch space of one thread, reused from prompt to prompt (every field is overwritten
     * before it is read). States are held coordinate-major (h[m * T + i] is coordinate m of
     * token i) and everything between tokens and keys key-major (g[j * T + i] for token i, key
     * j), so that the inner loops run over the T tokens, contiguous in every array they touch,
     * and vectorise: the feature and label Gram matrices, the coordinate sums sx and sy, the
     * scores and then the attention a (transposed against the pattern layout [T, K]), and the
     * attention-weighted means sum_j A_ij z_j (coordinate-major) and sum_j A_ij sx_j,
     * sum_j A_ij sy_j.
     * <p>
     * Every number is the one of the plain loops (i over tokens, j over keys, m over
     * coordinates): each sum is taken in the same order, j or m ascending from zero, so the
     * layout changes nothing but speed.
     */
    static final class Workspace {
        final ModelConfig c;
        final int t;
        final int k;
        final int d;
        final int dim;
        final boolean softmax;
        double[] h;
        double[] next;
        /** &lt;x_i, x_j&gt; at [j * T + i]. */
        final double[] gx;
        /** &lt;y_i, y_j&gt; at [j * T + i]. */
        final double[] gy;
        final double[] sx;
        final double[] sy;
        /** Scores, then attention A_ij, at [j * T + i]. */
        final double[] a;
        /** Per token: the score's factors of sx_j and sy_j, then the row maximum and sum. */
        final double[] u;
        final double[] w;
        final double[] max;
        final double[] sum;
        final double[] mean;
        final double[] asx;
        final double[] asy;

        Workspace(ModelConfig c) {
            this.c = c;
            t = c.tokens();
            k = c.numKeys();
            d = c.dX();
            dim = c.dModel();
            softmax = c.attention() == ModelConfig.Attention.SOFTMAX;
            h = new double[dim * t];
            next = new double[dim * t];
            gx = new double[k * t];
            gy = new double[k * t];
            sx = new double[t];
            sy = new double[t];
            a = new double[k * t];
            u = new double[t];
            w = new double[t];
            max = new double[t];
            sum = new double[t];
            mean = new double[dim * t];
            asx = new double[t];
            asy = new double[t];
        }

        /** h = one prompt's tokens, read from row-major src at offset. */
        void load(double[] src, int offset) {
            for (int i = 0; i < t; i++) {
                for (int m = 0; m < dim; m++) {
                    h[m * t + i] = src[offset + i * dim + m];
                }
            }
        }

        /** Writes h row-major to dst at offset. */
        void store(double[] dst, int offset) {
            for (int i = 0; i < t; i++) {
                int o = offset + i * dim;
                for (int m = 0; m < dim; m++) {
                    dst[o + m] = h[m * t + i];
                }
            }
        }

        /** Gram matrices &lt;x_i, x_j&gt;, &lt;y_i, y_j&gt; (i token, j key) and sx, sy of h. */
        void grams() {
            java.util.Arrays.fill(sx, 0);
            java.util.Arrays.fill(sy, 0);
            for (int m = 0; m < dim; m++) {
                double[] s = m < d ? sx : sy;
                int row = m * t;
                for (int i = 0; i < t; i++) {
                    s[i] += h[row + i];
                }
            }
            gram(gx, 0, d);
            gram(gy, d, dim);
        }

        /**
         * g[j * T + i] = sum over m in [from, to) of h_mj h_mi, accumulated from zero with m
         * ascending: eight or four coordinates per pass over the tokens, a first pass of eight
         * starting from 0.0 rather than from a cleared array.
         */
        private void gram(double[] g, int from, int to) {
            double[] h = this.h;
            int t = this.t;
            for (int j = 0; j < k; j++) {
                int gj = j * t;
                int m = from;
                if (to - m >= 8) {
                    int r0 = m * t;
                    double z0 = h[r0 + j];
                    double z1 = h[r0 + t + j];
                    double z2 = h[r0 + 2 * t + j];
                    double z3 = h[r0 + 3 * t + j];
                    double z4 = h[r0 + 4 * t + j];
                    double z5 = h[r0 + 5 * t + j];
                    double z6 = h[r0 + 6 * t + j];
                    double z7 = h[r0 + 7 * t + j];
                    for (int i = 0; i < t; i++) {
                        g[gj + i] = 0.0 + z0 * h[r0 + i] + z1 * h[r0 + t + i] + z2 * h[r0 + 2 * t + i] + z3 * h[r0 + 3 * t + i]
                                + z4 * h[r0 + 4 * t + i] + z5 * h[r0 + 5 * t + i] + z6 * h[r0 + 6 * t + i]
                                + z7 * h[r0 + 7 * t + i];
                    }
                    m += 8;
                } else { // 0.0 + x, as the loops below add to it
                    for (int i = 0; i < t; i++) {
                        g[gj + i] = 0;
                    }
                }
                for (; m + 4 <= to; m += 4) {
                    int r0 = m * t;
                    double z0 = h[r0 + j];
                    double z1 = h[r0 + t + j];
                    double z2 = h[r0 + 2 * t + j];
                    double z3 = h[r0 + 3 * t + j];
                    for (int i = 0; i < t; i++) {
                        g[gj + i] = g[gj + i] + z0 * h[r0 + i] + z1 * h[r0 + t + i] + z2 * h[r0 + 2 * t + i] + z3 * h[r0 + 3 * t + i];
                    }
                }
                for (; m < to; m++) {
                    int r0 = m * t;
                    double z0 = h[r0 + j];
                    for (int i = 0; i < t; i++) {
                        g[gj + i] += z0 * h[r0 + i];
                    }
                }
            }
        }

        /** a = attention of one head with score scalars qs, from the current Gram matrices. */
        void attention(Scalars qs) {
            if (softmax) {
                scores(qs);
                java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
                for (int j = 0; j < k; j++) {
                    int gj = j * t;
                    for (int i = 0; i < t; i++) {
                        max[i] = Math.max(max[i], a[gj + i]);
                    }
                }
                normalize();
            } else {
                scores(qs);
                double inv = 1.0 / c.nCtx();
                for (int ji = 0; ji < k * t; ji++) {
                    a[ji] *= inv;
                }
            }
        }

        /** u_i = b sx_i + g sy_i and w_i = f sx_i + e sy_i: s_ij = a gx + c gy + u_i sx_j + w_i sy_j. */
        private void factors(Scalars qs) {
            double qb = qs.b();
            double qg = qs.g();
            double qf = qs.f();
            double qe = qs.e();
            for (int i = 0; i < t; i++) {
                u[i] = qb * sx[i] + qg * sy[i];
                w[i] = qf * sx[i] + qe * sy[i];
            }
        }

        /** a = the scores s_ij of one head with score scalars qs. */
        void scores(Scalars qs) {
            factors(qs);
            double qa = qs.a();
            double qc = qs.c();
            for (int j = 0; j < k; j++) {
                int gj = j * t;
                double sxj = sx[j];
                double syj = sy[j];
                for (int i = 0; i < t; i++) {
                    a[gj + i] = qa * gx[gj + i] + qc * gy[gj + i] + u[i] * sxj + w[i] * syj;
                }
            }
        }

        /** Softmax over the keys of the scores in a, whose maximum over the keys is max[i]. */
        private void normalize() {
            java.util.Arrays.fill(sum, 0);
            for (int j = 0; j < k; j++) {
                int gj = j * t;
                for (int i = 0; i < t; i++) {
                    double e = Math.exp(a[gj + i] - max[i]);
                    a[gj + i] = e;
                    sum[i] += e;
                }
            }
            for (int i = 0; i < t; i++) {
                sum[i] = 1 / sum[i];
            }
            for (int j = 0; j < k; j++) {
                int gj = j * t;
                for (int i = 0; i < t; i++) {
                    a[gj + i] *= sum[i];
                }
            }
        }

        /** Writes the attention in the pattern layout [T, K] to dst at offset. */
        void pattern(double[] dst, int offset) {
            for (int i = 0; i < t; i++) {
                int o = offset + i * k;
                for (int j = 0; j < k; j++) {
                    dst[o + j] = a[j * t + i];
                }
            }
        }

        /** a = an attention given in the pattern layout [T, K] at src[offset]. */
        void attention(double[] src, int offset) {
            for (int i = 0; i < t; i++) {
                int o = offset + i * k;
                for (int j = 0; j < k; j++) {
                    a[j * t + i] = src[o + j];
                }
            }
        }

        /** mean = sum_j A_ij z_j (coordinate-major), asx = sum_j A_ij sx_j, asy = sum_j A_ij sy_j. */
        void shift() {
            double[] h = this.h;
            double[] mean = this.mean;
            double[] a = this.a;
            int t = this.t;
            java.util.Arrays.fill(mean, 0);
            for (int m = 0; m < dim; m++) {
                int row = m * t;
                int j = 0;
                for (; j + 4 <= k; j += 4) {
                    int a0 = j * t;
                    int a1 = a0 + t;
                    int a2 = a1 + t;
                    int a3 = a2 + t;
                    double z0 = h[row + j];
                    double z1 = h[row + j + 1];
                    double z2 = h[row + j + 2];
                    double z3 = h[row + j + 3];
                    for (int i = 0; i < t; i++) {
                        mean[row + i] = mean[row + i] + z0 * a[a0 + i] + z1 * a[a1 + i] + z2 * a[a2 + i] + z3 * a[a3 + i];
                    }
                }
                for (; j < k; j++) {
                    int a0 = j * t;
                    double z0 = h[row + j];
                    for (int i = 0; i < t; i++) {
                        mean[row + i] += z0 * a[a0 + i];
                    }
                }
            }
            // sum_j A_ij sx_j = sum over feature coordinates of sum_j A_ij x_j (likewise sy).
            java.util.Arrays.fill(asx, 0);
            java.util.Arrays.fill(asy, 0);
            for (int m = 0; m < dim; m++) {
                double[] s = m < d ? asx : asy;
                int row = m * t;
                for (int i = 0; i < t; i++) {
                    s[i] += mean[row + i];
                }
            }
        }

        /** out += the update of one head with value scalars vs, from the current shift(). */
        void apply(Scalars vs, double[] out) {
            for (int m = 0; m < dim; m++) {
                boolean feature = m < d;
                double scale = feature ? vs.a() : vs.c();
                double bx = feature ? vs.b() : vs.g();
                double by = feature ? vs.f() : vs.e();
                int row = m * t;
                for (int i = 0; i < t; i++) {
                    out[row + i] += scale * mean[row + i] + bx * asx[i] + by * asy[i];
                }
            }
        }
    }
}
