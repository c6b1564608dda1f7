package org.layerwise.analysis.recursion;

import java.util.stream.IntStream;

import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.symmetry.Commutant;
import org.layerwise.core.symmetry.Commutant.Scalars;

/**
 * The depth-indexed recursion of SCIENCE.md section 6 (coupled mean-shift). For layer t and
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
        ThreadLocal<Workspace> workspaces = ThreadLocal.withInitial(() -> new Workspace(config));
        IntStream.range(0, count).parallel().forEach(p -> {
            Workspace w = workspaces.get();
            w.load(z, p * t * dim);
            for (int l = 0; l < layers; l++) {
                w.grams();
                System.arraycopy(w.h, 0, w.next, 0, t * dim);
                for (int hd = 0; hd < heads; hd++) {
                    int i = l * heads + hd;
                    w.attention(q[i]);
                    if (patterns != null) {
                        System.arraycopy(w.a, 0, patterns[l], (p * heads + hd) * t * k, t * k);
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
                logits[p * config.dY() + m] = w.h[(config.dX() + m) * t + config.nCtx()];
            }
        });
        return new Forward.Result(count, config.dY(), logits, resid, patterns);
    }

    /**
     * Scratch space of one thread, reused from prompt to prompt (every field is overwritten
     * before it is read). States are held coordinate-major (h[m * T + i] is coordinate m
     * of token i) so that the inner loops run over tokens and vectorise: the feature and label
     * Gram matrices between tokens and keys, the coordinate sums sx and sy, the attention a
     * [T, K] (row-major, the pattern layout), its transpose, and the attention-weighted means
     * sum_j A_ij z_j (coordinate-major) and sum_j A_ij sx_j, sum_j A_ij sy_j.
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
        final double[] gx;
        final double[] gy;
        final double[] sx;
        final double[] sy;
        final double[] a;
        final double[] at;
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
            gx = new double[t * k];
            gy = new double[t * k];
            sx = new double[t];
            sy = new double[t];
            a = new double[t * k];
            at = new double[k * t];
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
                for (int m = 0; m < dim; m++) {
                    dst[offset + i * dim + m] = h[m * t + i];
                }
            }
        }

        /**
         * Gram matrices &lt;x_i, x_j&gt;, &lt;y_i, y_j&gt; (i token, j key) and sx, sy of h. The key block is
         * symmetric: rows i &lt; K are computed for j &lt;= i and mirrored.
         */
        void grams() {
            java.util.Arrays.fill(gx, 0);
            java.util.Arrays.fill(gy, 0);
            java.util.Arrays.fill(sx, 0);
            java.util.Arrays.fill(sy, 0);
            for (int m = 0; m < dim; m++) {
                double[] g = m < d ? gx : gy;
                double[] s = m < d ? sx : sy;
                int row = m * t;
                for (int i = 0; i < t; i++) {
                    double him = h[row + i];
                    s[i] += him;
                    int gi = i * k;
                    int end = i < k ? i + 1 : k;
                    for (int j = 0; j < end; j++) {
                        g[gi + j] += him * h[row + j];
                    }
                }
            }
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < i; j++) {
                    gx[j * k + i] = gx[i * k + j];
                    gy[j * k + i] = gy[i * k + j];
                }
            }
        }

        /** a = attention [T, K] of one head with score scalars qs, from the current Gram matrices. */
        void attention(Scalars qs) {
            scores(qs);
            normalize();
        }

        /** a = the scores s_ij [T, K] of one head with score scalars qs. */
        void scores(Scalars qs) {
            double qa = qs.a();
            double qc = qs.c();
            for (int i = 0; i < t; i++) {
                // s_ij = a gx + c gy + (b sx_i + g sy_i) sx_j + (f sx_i + e sy_i) sy_j
                double u = qs.b() * sx[i] + qs.g() * sy[i];
                double w = qs.f() * sx[i] + qs.e() * sy[i];
                int gi = i * k;
                for (int j = 0; j < k; j++) {
                    a[gi + j] = qa * gx[gi + j] + qc * gy[gi + j] + u * sx[j] + w * sy[j];
                }
            }
        }

        /** Scores to attention, row by row: softmax over the keys, or division by N (linear attention). */
        void normalize() {
            for (int i = 0; i < t; i++) {
                int gi = i * k;
                if (softmax) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < k; j++) {
                        max = Math.max(max, a[gi + j]);
                    }
                    double sum = 0;
                    for (int j = 0; j < k; j++) {
                        double e = Math.exp(a[gi + j] - max);
                        a[gi + j] = e;
                        sum += e;
                    }
                    double inv = 1 / sum;
                    for (int j = 0; j < k; j++) {
                        a[gi + j] *= inv;
                    }
                } else {
                    double inv = 1.0 / c.nCtx();
                    for (int j = 0; j < k; j++) {
                        a[gi + j] *= inv;
                    }
                }
            }
        }

        /** mean = sum_j A_ij z_j (coordinate-major), asx = sum_j A_ij sx_j, asy = sum_j A_ij sy_j. */
        void shift() {
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < k; j++) {
                    at[j * t + i] = a[i * k + j];
                }
            }
            java.util.Arrays.fill(mean, 0);
            for (int j = 0; j < k; j++) {
                int aj = j * t;
                for (int m = 0; m < dim; m++) {
                    double zjm = h[m * t + j];
                    int row = m * t;
                    for (int i = 0; i < t; i++) {
                        mean[row + i] += zjm * at[aj + i];
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
