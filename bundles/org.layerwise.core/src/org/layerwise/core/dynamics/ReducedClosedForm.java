package org.layerwise.core.dynamics;

import org.layerwise.core.TaskSpec;

/**
 * The closed forms of docs/mathematics.md section 9 for the reduced parameterization (one layer, per mode
 * alpha of the task's covariance basis U: a_alpha = p_alpha q_alpha), in the scaling of a loss
 * that is the mean over a batch of 1/2 ||y_hat - y||^2 (the linear-attention backend's; the
 * learning-dynamics analyzer compares its runs with it).
 *
 * <p>Section 9 trains on the SUM over the pool's P tasks of each task's expected loss; a batch
 * mean's expectation is the MEAN over the pool (prompts draw their task uniformly from the pool).
 * The expected loss here is therefore section 9's divided by P, and a step of size eta here is a
 * step of size eta / P there:
 * <pre>
 *   L(a)       = 1/(2P) sum_alpha Lambda2_alpha s_alpha (s_alpha a_alpha^2 / a_inf,alpha - 2 s_alpha a_alpha + 1)
 *   dL/da      = (Lambda2_alpha s_alpha^2 / P) (a_alpha / a_inf,alpha - 1)
 *   a_inf      = 1 / s_inf,  s_inf,alpha = ((N + 1) s_alpha + sum_beta (Lambda2_beta / Lambda2_alpha) s_beta) / N
 *   tau_alpha  = P / (eta Lambda2_alpha s_alpha^2)     (in steps of this backend's eta)
 * </pre>
 * Lambda2_alpha / P is the pool's mean of lambda_alpha^2 (about 1), so for a large pool L is
 * section 9's per-task loss 1/2 sum_alpha s_alpha (s_alpha a^2 / a_inf - 2 s_alpha a + 1) and
 * tau = 1 / (eta s_alpha^2). Gradient flow then gives, from a balanced start p0 = q0,
 * a(t) = a_inf a0 / (a0 + (a_inf - a0) exp(-2t / tau)), and in general
 * da/dt = (1 / tau) sqrt(c^2 + 4 a^2) (1 - a / a_inf) with c = p^2 - q^2 conserved.
 */
public final class ReducedClosedForm {

    private final double[] s;
    private final double[] lambda2;
    private final double pool;
    /** K_alpha = Lambda2_alpha s_inf,alpha = ((N + 1) Lambda2_alpha s_alpha + sum_beta Lambda2_beta s_beta) / N. */
    private final double[] k;

    /**
     * @param s the spectrum s_alpha of the input covariance (all > 0)
     * @param lambda2 Lambda2_alpha, the sum over the pool of lambda_{k,alpha}^2 (all >= 0)
     * @param pool P, the number of tasks in the pool
     * @param n N, the context tokens per prompt
     */
    public ReducedClosedForm(double[] s, double[] lambda2, double pool, int n) {
        String problem = problem(s, lambda2, pool, n);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        this.s = s.clone();
        this.lambda2 = lambda2.clone();
        this.pool = pool;
        double cross = 0;
        for (int a = 0; a < s.length; a++) {
            cross += lambda2[a] * s[a];
        }
        k = new double[s.length];
        for (int a = 0; a < s.length; a++) {
            k[a] = ((n + 1) * lambda2[a] * s[a] + cross) / n;
        }
    }

    /**
     * The closed form of a regression task whose structure holds "s" (d values), "lambda2" (d)
     * and "P" (one value).
     *
     * @throws IllegalArgumentException naming what is missing or invalid
     */
    public static ReducedClosedForm of(TaskSpec task) {
        double[] s = task.structure("s");
        double[] l2 = task.structure("lambda2");
        double[] p = task.structure("P");
        if (s == null || l2 == null || p == null) {
            throw new IllegalArgumentException("the task's structure has no " + (s == null ? "'s'" : l2 == null ? "'lambda2'" : "'P'")
                    + " (it has " + task.structure().keySet() + "); the closed form of docs/mathematics.md section 9 needs the spectrum 's', "
                    + "the pool's 'lambda2' and its size 'P'");
        }
        if (s.length != task.features() || l2.length != task.features() || p.length != 1) {
            throw new IllegalArgumentException("the task's structure has 's' of " + s.length + ", 'lambda2' of " + l2.length + " and 'P' of "
                    + p.length + " values; expected " + task.features() + ", " + task.features() + " and 1");
        }
        return new ReducedClosedForm(s, l2, p[0], task.contextSize());
    }

    private static String problem(double[] s, double[] lambda2, double pool, int n) {
        if (s.length == 0 || s.length != lambda2.length) {
            return "the spectrum has " + s.length + " values and lambda2 " + lambda2.length;
        }
        if (!(pool >= 1) || Double.isInfinite(pool) || n < 1) {
            return "the pool size P = " + pool + " and N = " + n + " must be at least 1";
        }
        for (int a = 0; a < s.length; a++) {
            if (!(s[a] > 0) || Double.isInfinite(s[a]) || !(lambda2[a] >= 0) || Double.isInfinite(lambda2[a])) {
                return "mode " + a + ": s = " + s[a] + ", lambda2 = " + lambda2[a] + " (need s > 0 and lambda2 >= 0, finite)";
            }
        }
        return null;
    }

    public int modes() {
        return s.length;
    }

    /** P, the number of tasks in the pool (eta here = P x section 9's eta). */
    public double pool() {
        return pool;
    }

    /** a_inf,alpha = 1 / s_inf,alpha, the fixed point of mode alpha (0 for a mode no task of the pool uses). */
    public double aInf(int alpha) {
        return lambda2[alpha] / k[alpha];
    }

    /** tau_alpha in steps of size eta of this backend: P / (eta Lambda2_alpha s_alpha^2) (infinite for an unused mode). */
    public double tau(int alpha, double eta) {
        return pool / (eta * lambda2[alpha] * s[alpha] * s[alpha]);
    }

    /** The expected loss (mean over the pool of each task's expected 1/2 ||y_hat - y||^2) at a = p q. */
    public double loss(double[] a) {
        double sum = 0;
        for (int i = 0; i < s.length; i++) {
            double s2 = s[i] * s[i];
            sum += s2 * k[i] * a[i] * a[i] - 2 * lambda2[i] * s2 * a[i] + lambda2[i] * s[i];
        }
        return sum / (2 * pool);
    }

    /** dL/da_alpha of {@link #loss}; the gradients of p and q are q dL/da and p dL/da. */
    public double[] gradient(double[] a) {
        double[] g = new double[s.length];
        for (int i = 0; i < s.length; i++) {
            g[i] = s[i] * s[i] * (k[i] * a[i] - lambda2[i]) / pool;
        }
        return g;
    }

    /** Gradient flow from a balanced start: a_inf a0 / (a0 + (a_inf - a0) exp(-2t / tau)). */
    public static double balanced(double a0, double aInf, double t, double tau) {
        return aInf * a0 / (a0 + (aInf - a0) * Math.exp(-2 * t / tau));
    }

    /** da/dt = (1 / tau) sqrt(c^2 + 4 a^2) (1 - a / a_inf), mode alpha, c = p^2 - q^2, time in steps of size eta. */
    public double rate(int alpha, double a, double c, double eta) {
        return Math.sqrt(c * c + 4 * a * a) * (1 - a / aInf(alpha)) / tau(alpha, eta);
    }

    /**
     * The general form's a(t) at each of the given (increasing, non-negative) times in steps, from
     * a(0) = a0 with c = p0^2 - q0^2 conserved: the ODE integrated by classical Runge-Kutta with
     * steps of at most tau / 200 (its error is far below any comparison's tolerance).
     */
    public double[] general(int alpha, double eta, double a0, double c, double[] times) {
        double[] out = new double[times.length];
        double h = tau(alpha, eta) / 200;
        double t = 0;
        double a = a0;
        for (int i = 0; i < times.length; i++) {
            while (t < times[i]) {
                double dt = Math.min(h, times[i] - t);
                double k1 = rate(alpha, a, c, eta);
                double k2 = rate(alpha, a + dt / 2 * k1, c, eta);
                double k3 = rate(alpha, a + dt / 2 * k2, c, eta);
                double k4 = rate(alpha, a + dt * k3, c, eta);
                a += dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
                t += dt;
            }
            out[i] = a;
        }
        return out;
    }
}
