package org.layerwise.tasks;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.Seeds;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskGenerator;
import org.layerwise.core.TaskSpec;

/**
 * In-context linear regression from a finite pool of tasks (docs/mathematics.md sections 2 and 9).
 * Tokens are [x ; y] in R^{2d}: x ~ N(0, U S U'), y = W_k x with W_k = U Lambda_k U', where
 * S = diag(s_alpha) and Lambda_k = diag(lambda_{k,alpha}), lambda ~ N(0, 1). Each prompt
 * draws one task k of the pool uniformly; its N context tokens show y, its query is
 * [x_q ; 0] and the query's target W_k x_q goes to {@link PromptBatch#queryTargets}.
 *
 * <p>The task's fixed structure (the basis U and the pool) is drawn once, from the run's task
 * seed (the {@code seed} setting when it is &gt;= 0, else derived from the master seed, as
 * every seed of a run is; outside a run, a fixed seed stands in for -1), never from the
 * seed passed to {@link #generate}: training and evaluation prompts of a run (different
 * generate seeds) share one pool. Pool member k is drawn from its own stream, so a pool of
 * P tasks is the first P members of any larger pool of the same seed and d; U depends on
 * the seed and d only. The spectrum, N and P thus change no draw of U or of a member, and a
 * sweep over them compares the same tasks.
 *
 * <p>{@link #configure} returns TaskSpec(REGRESSION, d, d, N, structure) whose structure
 * carries, for the linear-attention backend and the learning-dynamics analyzer:
 * <ul>
 * <li>"U": d x d row-major, its columns the eigenvectors u_alpha of the input covariance
 * (the identity for basis = identity; for basis = random, Q of the QR of a d x d standard
 * Gaussian matrix with R's diagonal made positive, a Haar-distributed orthogonal matrix);</li>
 * <li>"s": the d variances s_alpha, in the order of U's columns;</li>
 * <li>"lambda2": Lambda2_alpha = sum over the pool of lambda_{k,alpha}^2 (d values);</li>
 * <li>"pool": P x d row-major, row k the diagonal of Lambda_k;</li>
 * <li>"P": {P}.</li>
 * </ul>
 */
public class LinearRegressionTask implements TaskGenerator {

    /** Most pool entries P * d the structure may hold (32 MB of doubles); larger pools are refused. */
    public static final long MAX_POOL_ENTRIES = 1L << 22;
    /** The structure seed used outside a run when the seed setting is -1 (in a run, the master seed derives it). */
    static final long DEFAULT_STRUCTURE_SEED = 0;

    private static final Pattern DECIMAL = Pattern.compile("[+]?([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?");

    /** The drawn structure of one set of settings. */
    record Structure(int d, double[] u, double[] s, double[] pool, int p, double[] lambda2, boolean identity) {

        Map<String, double[]> arrays() {
            Map<String, double[]> m = new HashMap<>();
            m.put("U", u.clone());
            m.put("s", s.clone());
            m.put("lambda2", lambda2.clone());
            m.put("pool", pool.clone());
            m.put("P", new double[] {p});
            return m;
        }
    }

    private record Cached(Map<String, Object> settings, long base, Structure structure) {
    }

    /** The last settings' structure: generate() runs every training step on the same settings. */
    private volatile Cached cache;

    /** Outside a run (no master seed): the structure comes from the seed setting, or the fixed seed when it is -1. */
    @Override
    public TaskSpec configure(Settings s) throws InvalidSettingException {
        long seed = s.longValue("seed");
        return spec(s, structure(s, seed >= 0 ? seed : DEFAULT_STRUCTURE_SEED));
    }

    /** In a run: the structure comes from the run's task seed (the seed setting, or derived from the master seed). */
    @Override
    public TaskSpec configure(Settings s, long taskSeed) throws InvalidSettingException {
        return spec(s, structure(s, taskSeed));
    }

    private static TaskSpec spec(Settings s, Structure st) {
        return new TaskSpec(TaskSpec.REGRESSION, st.d, st.d, s.integer("N"), st.arrays());
    }

    /** The structure last configured for these settings (generate() runs every step on them), else the one outside a run. */
    Structure structure(Settings s) throws InvalidSettingException {
        Cached c = cache;
        if (c != null && c.settings.equals(s.asMap())) {
            return c.structure;
        }
        long seed = s.longValue("seed");
        return structure(s, seed >= 0 ? seed : DEFAULT_STRUCTURE_SEED);
    }

    private Structure structure(Settings s, long base) throws InvalidSettingException {
        Cached c = cache;
        if (c != null && c.base == base && c.settings.equals(s.asMap())) {
            return c.structure;
        }
        Structure st = draw(s, base);
        cache = new Cached(Map.copyOf(s.asMap()), base, st);
        return st;
    }

    private static Structure draw(Settings s, long base) throws InvalidSettingException {
        int d = s.integer("d");
        if (d < 1 || d > 256) {
            throw new InvalidSettingException("d", d + " is out of range; expected d in [1, 256]");
        }
        if (s.integer("N") < 1) {
            throw new InvalidSettingException("N", "N = " + s.integer("N") + "; expected at least one context token");
        }
        int p = s.integer("P");
        if (p < 1) {
            throw new InvalidSettingException("P", "P = " + p + "; expected a pool of at least one task");
        }
        if ((long) p * d > MAX_POOL_ENTRIES) {
            throw new InvalidSettingException("P", "a pool of P = " + p + " tasks of d = " + d + " holds " + (long) p * d
                    + " numbers; at most " + MAX_POOL_ENTRIES + " are allowed (P <= " + MAX_POOL_ENTRIES / d + " at this d)");
        }
        double[] spectrum = spectrum(s, d);
        boolean identity = switch (s.text("basis")) {
            case "identity" -> true;
            case "random" -> false;
            default -> throw new InvalidSettingException("basis", "'" + s.text("basis") + "' is not allowed; expected one of identity, random");
        };
        double[] u = identity ? identity(d) : randomOrthogonal(d, Seeds.derive(base, "linear-regression/basis"));
        long poolSeed = Seeds.derive(base, "linear-regression/pool");
        double[] pool = new double[p * d];
        IntStream.range(0, p).parallel().forEach(k -> {
            SplittableRandom rng = new SplittableRandom(Seeds.derive(poolSeed, k));
            for (int a = 0; a < d; a++) {
                pool[k * d + a] = rng.nextGaussian();
            }
        });
        double[] lambda2 = new double[d];
        for (int k = 0; k < p; k++) {
            for (int a = 0; a < d; a++) {
                lambda2[a] += pool[k * d + a] * pool[k * d + a];
            }
        }
        return new Structure(d, u, spectrum, pool, p, lambda2, identity);
    }

    /** s_alpha: s1 r^alpha (geometric) or the listed values, each positive and finite. */
    private static double[] spectrum(Settings s, int d) throws InvalidSettingException {
        String kind = s.text("spectrum");
        double[] out = new double[d];
        if ("geometric".equals(kind)) {
            double s1 = s.real("s1");
            double r = s.real("r");
            if (!(s1 > 0) || !Double.isFinite(s1)) {
                throw new InvalidSettingException("s1", "s1 = " + s1 + "; expected a positive, finite largest variance");
            }
            if (!(r > 0 && r <= 1)) {
                throw new InvalidSettingException("r", "r = " + r + "; expected a ratio in (0, 1]");
            }
            if (!s.text("values").isBlank()) {
                throw new InvalidSettingException("values", "values are read only when spectrum = list; spectrum is geometric"
                        + " (s1 r^alpha): set spectrum = list or clear values");
            }
            for (int a = 0; a < d; a++) {
                out[a] = s1 * Math.pow(r, a);
            }
            if (!(out[d - 1] >= Double.MIN_NORMAL)) {
                throw new InvalidSettingException("r", "s1 r^(d-1) = " + out[d - 1] + " is not a positive normal number; raise r or s1");
            }
            return out;
        }
        if (!"list".equals(kind)) {
            throw new InvalidSettingException("spectrum", "'" + kind + "' is not allowed; expected one of geometric, list");
        }
        String text = s.text("values").trim();
        String[] parts = text.isEmpty() ? new String[0] : text.split(",", -1);
        if (parts.length != d) {
            throw new InvalidSettingException("values", "spectrum = list needs d = " + d + " comma-separated values; got "
                    + parts.length + " in '" + text + "'");
        }
        for (int a = 0; a < d; a++) {
            String v = parts[a].trim();
            if (!DECIMAL.matcher(v).matches()) {
                throw new InvalidSettingException("values", "value " + (a + 1) + " '" + v
                        + "' is not a positive decimal number in ASCII digits such as 0.5 or 1e-3");
            }
            out[a] = Double.parseDouble(v);
            if (!(out[a] >= Double.MIN_NORMAL) || !Double.isFinite(out[a])) {
                throw new InvalidSettingException("values", "value " + (a + 1) + " '" + v + "' is not a positive, finite variance");
            }
        }
        return out;
    }

    static double[] identity(int d) {
        double[] u = new double[d * d];
        for (int i = 0; i < d; i++) {
            u[i * d + i] = 1;
        }
        return u;
    }

    /**
     * A Haar-random orthogonal d x d matrix, deterministic in its seed: Q of the Householder
     * QR of a standard Gaussian matrix, column j negated where R_jj &lt; 0 (the sign fix that
     * makes the factorization unique and Q's distribution uniform).
     */
    static double[] randomOrthogonal(int d, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] g = new double[d * d];
        for (int i = 0; i < g.length; i++) {
            g[i] = rng.nextGaussian();
        }
        HouseholderQr qr = new HouseholderQr(g, d, d);
        double[] q = qr.q();
        for (int j = 0; j < d; j++) {
            if (qr.rDiag(j) < 0) {
                for (int i = 0; i < d; i++) {
                    q[i * d + j] = -q[i * d + j];
                }
            }
        }
        return q;
    }

    /** W = U diag(lambda) U' (d x d row-major) for U's columns the eigenvectors. */
    public static double[] taskMatrix(double[] u, double[] lambda, int d) {
        double[] w = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double v = 0;
                for (int a = 0; a < d; a++) {
                    v += u[i * d + a] * lambda[a] * u[j * d + a];
                }
                w[i * d + j] = v;
            }
        }
        return w;
    }

    @Override
    public PromptBatch generate(Settings s, int count, long seed) {
        return generate(s, count, seed, null);
    }

    /** As {@link #generate(Settings, int, long)}, also filling each prompt's pool member [count] when given. */
    PromptBatch generate(Settings s, int count, long seed, int[] poolIndex) {
        Structure st;
        try {
            st = structure(s);
        } catch (InvalidSettingException e) {
            throw new IllegalArgumentException("setting '" + e.setting() + "': " + e.getMessage(), e);
        }
        int d = st.d;
        int n = s.integer("N");
        int dim = 2 * d;
        double[] sd = new double[d];
        for (int a = 0; a < d; a++) {
            sd[a] = Math.sqrt(st.s[a]);
        }
        double[] z = new double[count * (n + 1) * dim];
        double[] targets = new double[count * d];
        IntStream.range(0, count).parallel().forEach(p -> {
            SplittableRandom rng = new SplittableRandom(Seeds.derive(seed, p));
            int k = rng.nextInt(st.p);
            if (poolIndex != null) {
                poolIndex[p] = k;
            }
            int lambda = k * d;
            double[] c = new double[d];
            double[] yc = new double[d];
            for (int i = 0; i <= n; i++) {
                int o = (p * (n + 1) + i) * dim;
                if (st.identity) { // the same draws as below, written in place: this loop is most of a training step's prompts
                    int yo = i < n ? o + d : -1;
                    for (int a = 0; a < d; a++) {
                        double x = sd[a] * rng.nextGaussian();
                        z[o + a] = x;
                        if (yo >= 0) {
                            z[yo + a] = st.pool[lambda + a] * x;
                        } else {
                            targets[p * d + a] = st.pool[lambda + a] * x;
                        }
                    }
                    continue;
                }
                // coordinates in the U basis: x = U c with c ~ N(0, S), y = W x = U (Lambda c)
                for (int a = 0; a < d; a++) {
                    c[a] = sd[a] * rng.nextGaussian();
                    yc[a] = st.pool[lambda + a] * c[a];
                }
                rotate(st, c, z, o);
                if (i < n) {
                    rotate(st, yc, z, o + d);
                } else {
                    rotate(st, yc, targets, p * d);
                }
            }
        });
        return PromptBatch.regression(count, d, d, n, z, targets);
    }

    /** out[o .. o + d) = U v (U not the identity). */
    private static void rotate(Structure st, double[] v, double[] out, int o) {
        int d = st.d;
        for (int i = 0; i < d; i++) {
            double x = 0;
            for (int a = 0; a < d; a++) {
                x += st.u[i * d + a] * v[a];
            }
            out[o + i] = x;
        }
    }
}
