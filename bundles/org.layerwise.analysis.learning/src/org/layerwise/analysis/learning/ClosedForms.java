package org.layerwise.analysis.learning;

/**
 * The closed forms of SCIENCE.md section 9 for a one-layer linear transformer on in-context
 * regression, in the reduced parameterisation, per mode alpha of the input covariance
 * S = U diag(s) U' with pool statistics Lambda2_alpha = sum_k lambda_{k,alpha}^2. Time t counts
 * gradient steps of size eta in the section's convention (the loss summed over the pool).
 */
public final class ClosedForms {

    private final double[] s;
    private final double[] lambda2;
    private final int n;

    /** @param s the spectrum s_alpha; @param lambda2 Lambda2_alpha; @param n the context size N */
    public ClosedForms(double[] s, double[] lambda2, int n) {
        if (s.length != lambda2.length || s.length == 0 || n < 1) {
            throw new IllegalArgumentException(s.length + " modes, " + lambda2.length + " pool statistics, N = " + n);
        }
        this.s = s.clone();
        this.lambda2 = lambda2.clone();
        this.n = n;
    }

    public int modes() {
        return s.length;
    }

    /** tau_alpha = 1 / (eta Lambda2_alpha s_alpha^2), in steps. */
    public double tau(int alpha, double eta) {
        return 1 / (eta * lambda2[alpha] * s[alpha] * s[alpha]);
    }

    /** s_inf,alpha = ((N + 1) s_alpha + sum_beta (Lambda2_beta / Lambda2_alpha) s_beta) / N. */
    public double sInf(int alpha) {
        double sum = 0;
        for (int b = 0; b < s.length; b++) {
            sum += lambda2[b] / lambda2[alpha] * s[b];
        }
        return ((n + 1) * s[alpha] + sum) / n;
    }

    /** The fixed point a_inf = 1 / s_inf,alpha. */
    public double aInf(int alpha) {
        return 1 / sInf(alpha);
    }

    /** From a balanced start (c = 0): a(t) = a_inf a0 / (a0 + (a_inf - a0) exp(-2 t / tau)). */
    public double balanced(int alpha, double eta, double a0, double t) {
        double ai = aInf(alpha);
        return ai * a0 / (a0 + (ai - a0) * Math.exp(-2 * t / tau(alpha, eta)));
    }

    /** da/dt = (1 / tau) sqrt(c^2 + 4 a^2) (1 - a / a_inf). */
    public double rate(int alpha, double eta, double c, double a) {
        return Math.sqrt(c * c + 4 * a * a) * (1 - a / aInf(alpha)) / tau(alpha, eta);
    }

    /**
     * The general closed form's a(t) at each of the given (increasing, non-negative) times, from
     * a(0) = a0 with c = p0^2 - q0^2 conserved: the ODE integrated by classical Runge-Kutta with
     * steps of at most tau / 200 (its error is far below the comparisons' tolerances).
     */
    public double[] general(int alpha, double eta, double a0, double c, double[] times) {
        double[] out = new double[times.length];
        double h = tau(alpha, eta) / 200;
        double t = 0;
        double a = a0;
        for (int i = 0; i < times.length; i++) {
            while (t < times[i]) {
                double dt = Math.min(h, times[i] - t);
                double k1 = rate(alpha, eta, c, a);
                double k2 = rate(alpha, eta, c, a + dt / 2 * k1);
                double k3 = rate(alpha, eta, c, a + dt / 2 * k2);
                double k4 = rate(alpha, eta, c, a + dt * k3);
                a += dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
                t += dt;
            }
            out[i] = a;
        }
        return out;
    }

    /** The per-task loss 1/2 sum_alpha s_alpha (s_alpha a_alpha^2 / a_inf,alpha - 2 s_alpha a_alpha + 1). */
    public double loss(double[] a) {
        double l = 0;
        for (int alpha = 0; alpha < s.length; alpha++) {
            l += s[alpha] * (s[alpha] * a[alpha] * a[alpha] / aInf(alpha) - 2 * s[alpha] * a[alpha] + 1);
        }
        return 0.5 * l;
    }
}
