package org.layerwise.backend.linear;

import org.layerwise.core.dynamics.ReducedClosedForm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.layerwise.core.ModelSeries;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingCheckpoints;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.AttentionFactors;

/**
 * The reduced model trained by this backend against docs/mathematics.md section 9's closed forms, in this
 * backend's scaling (tau_alpha = P / (eta Lambda2_alpha s_alpha^2) steps, see ReducedClosedForm).
 * The closed forms are for gradient flow; SGD with step eta follows them up to O(eta / tau) per
 * unit of time, so the comparisons run at small eta / tau (1/200 for the fastest mode) and allow
 * 1% of a_inf.
 */
class DynamicsTest {

    /** d = 4, N = 8, a pool of 64 tasks; spectrum 1, 0.8, 0.6, 0.5 (tau from 200 to 800 steps at eta = 0.005). */
    static final Regression TASK = Regression.of(4, 8, new double[] {1.0, 0.8, 0.6, 0.5}, 64, 5);

    static final ReducedClosedForm CLOSED = ReducedClosedForm.of(TASK.task());

    /** p and q of layer 0 after every step (index = step), read from the factors as an analyzer does. */
    static final class Trajectory implements ModelSeries.Sink {
        final List<double[]> p = new ArrayList<>();
        final List<double[]> q = new ArrayList<>();

        @Override
        public void take(int step, org.layerwise.core.model.TransformerModel model) {
            assertEquals(p.size(), step, "every step is kept, in order");
            AttentionFactors f = model.factors();
            p.add(TASK.diagonal(f.wq()[0]));
            q.add(TASK.diagonal(f.wk()[0]));
        }

        double a(int step, int alpha) {
            return p.get(step)[alpha] * q.get(step)[alpha];
        }

        double c(int step, int alpha) {
            return p.get(step)[alpha] * p.get(step)[alpha] - q.get(step)[alpha] * q.get(step)[alpha];
        }
    }

    static Trajectory train(Map<String, Object> settings) throws Exception {
        Trajectory t = new Trajectory();
        TrainedModel m = TASK.train(settings, TrainingCheckpoints.NONE, TrainingMonitor.NONE, t);
        assertTrue(!m.diverged());
        return t;
    }

    static Map<String, Object> expected(double eta, long steps, String init, double scale) {
        return Regression.settings("gradient", "expected", "eta", eta, "steps", steps, "init", init, "init_scale", scale,
                "checkpoints", "every:1");
    }

    /**
     * The closed form's loss and gradient are the expectation of the sampled batch loss and its
     * gradient (this backend's scaling: the mean over the pool): 20 batches of 1000 prompts at a
     * random reduced model agree with them within 4 standard errors of the batch means.
     */
    @Test
    void closed_form_is_the_expectation_of_the_batch_loss_and_gradient() throws Exception {
        org.layerwise.core.model.ModelConfig c = TASK.configure(Regression.settings());
        LinearParameters params = LinearParameters.initial(c, true, TASK.u(), false, 0.6, 3);
        LinearAttentionEngine engine = new LinearAttentionEngine(c);
        int batches = 20;
        double[][] samples = new double[1 + 8][batches];
        for (int b = 0; b < batches; b++) {
            LinearAttentionEngine.LossAndGradient lg = engine.lossAndGradient(TASK.batch(100 + b, 1000), params.qk(), params.ov());
            double[][] g = params.gradient(lg.qkGrad(), lg.ovGrad());
            samples[0][b] = lg.loss();
            for (int a = 0; a < 4; a++) {
                samples[1 + a][b] = g[0][a];
                samples[5 + a][b] = g[1][a];
            }
        }
        double[] a = params.products();
        double[][] expected = params.expectedGradient(CLOSED.gradient(a));
        double[] closed = {CLOSED.loss(a), expected[0][0], expected[0][1], expected[0][2], expected[0][3], expected[1][0],
            expected[1][1], expected[1][2], expected[1][3]};
        double worst = 0;
        for (int i = 0; i < closed.length; i++) {
            double mean = java.util.Arrays.stream(samples[i]).average().orElseThrow();
            double var = java.util.Arrays.stream(samples[i]).map(x -> (x - mean) * (x - mean)).sum() / (batches - 1);
            double z = Math.abs(mean - closed[i]) / Math.sqrt(var / batches);
            worst = Math.max(worst, z);
            assertTrue(z < 4, (i == 0 ? "loss" : "gradient " + i) + ": batches " + mean + ", closed form " + closed[i] + ", " + z
                    + " standard errors");
        }
        System.out.println("closed form vs batch means: largest deviation " + worst + " standard errors");
    }

    /** From p0 = q0 = 0.1 (a0 = 0.01), every mode follows the logistic a(t) within 1% of a_inf at every step. */
    @Test
    void balanced_start_follows_the_logistic_closed_form() throws Exception {
        double eta = 0.005;
        int steps = 8000;
        Trajectory t = train(expected(eta, steps, "balanced", 0.1));
        double worst = 0;
        for (int alpha = 0; alpha < 4; alpha++) {
            double aInf = CLOSED.aInf(alpha);
            double tau = CLOSED.tau(alpha, eta);
            for (int step = 0; step <= steps; step++) {
                double flow = ReducedClosedForm.balanced(t.a(0, alpha), aInf, step, tau);
                worst = Math.max(worst, Math.abs(t.a(step, alpha) - flow) / aInf);
            }
            assertEquals(aInf, t.a(steps, alpha), 0.01 * aInf, "mode " + alpha + " reaches a_inf");
        }
        System.out.println("balanced: largest |a - a_closed| / a_inf over " + steps + " steps = " + worst);
        assertTrue(worst < 0.01, "largest deviation from the closed form " + worst + " of a_inf");
    }

    /**
     * From a random (unbalanced, signs mixed) start, a follows da/dt = (1 / tau) sqrt(c^2 + 4a^2)(1 - a / a_inf)
     * integrated by RK4 with 20 substeps per step, within 1% of a_inf at every step.
     */
    @Test
    void unbalanced_start_follows_the_general_flow() throws Exception {
        double eta = 0.005;
        int steps = 4000;
        Trajectory t = train(expected(eta, steps, "random", 0.4));
        double worst = 0;
        double spread = 0;
        for (int alpha = 0; alpha < 4; alpha++) {
            double c = t.c(0, alpha);
            spread = Math.max(spread, Math.abs(c));
            double a = t.a(0, alpha);
            int k = alpha;
            java.util.function.DoubleUnaryOperator f = x -> CLOSED.rate(k, x, c, eta);
            double h = 1.0 / 20;
            for (int step = 1; step <= steps; step++) {
                for (int sub = 0; sub < 20; sub++) {
                    double k1 = f.applyAsDouble(a);
                    double k2 = f.applyAsDouble(a + h / 2 * k1);
                    double k3 = f.applyAsDouble(a + h / 2 * k2);
                    double k4 = f.applyAsDouble(a + h * k3);
                    a += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4);
                }
                worst = Math.max(worst, Math.abs(t.a(step, alpha) - a) / CLOSED.aInf(alpha));
            }
        }
        System.out.println("unbalanced: largest |a - a_RK4| / a_inf over " + steps + " steps = " + worst + ", largest |c| " + spread);
        assertTrue(spread > 0.05, "the start is unbalanced: largest |c| " + spread);
        assertTrue(worst < 0.01, "largest deviation from the integrated flow " + worst + " of a_inf");
    }

    /**
     * c = p^2 - q^2 is conserved by the flow; one SGD step multiplies it by exactly 1 - eta^2 g^2
     * (g = dL/da), so over a fixed time T = eta * steps it drifts by about eta * integral of g^2:
     * halving eta (and doubling the steps) halves the drift. Asserted: ratio in [1.9, 2.1].
     */
    @Test
    void drift_of_c_over_a_fixed_time_halves_with_eta() throws Exception {
        double[] drift = new double[2];
        for (int i = 0; i < 2; i++) {
            double eta = 0.04 / (1 << i);
            int steps = 500 << i;
            Trajectory t = train(expected(eta, steps, "random", 0.4));
            for (int alpha = 0; alpha < 4; alpha++) {
                drift[i] += Math.abs(t.c(steps, alpha) - t.c(0, alpha));
            }
        }
        double ratio = drift[0] / drift[1];
        System.out.println("drift of c over T = 20: eta 0.04 " + drift[0] + ", eta 0.02 " + drift[1] + ", ratio " + ratio);
        assertTrue(drift[1] > 1e-6, "a drift well above rounding: " + drift[1]);
        assertTrue(ratio > 1.9 && ratio < 2.1, "drift at eta " + drift[0] + ", at eta / 2 " + drift[1] + ": ratio " + ratio);
    }

    /**
     * Sampled gradients with batches of 256 prompts follow the expected-gradient trajectory from the
     * same balanced start: a within 5% of a_inf of it at every step, every mode (eta = 0.02,
     * 500 steps).
     */
    @Test
    void sampled_training_with_a_large_batch_tracks_the_expected_gradient() throws Exception {
        Map<String, Object> sampled = expected(0.02, 500, "balanced", 0.1);
        sampled.put("gradient", "sampled");
        sampled.put("batch", 256L);
        Trajectory s = train(sampled);
        Trajectory e = train(expected(0.02, 500, "balanced", 0.1));
        double worst = 0;
        for (int alpha = 0; alpha < 4; alpha++) {
            for (int step = 0; step <= 500; step++) {
                worst = Math.max(worst, Math.abs(s.a(step, alpha) - e.a(step, alpha)) / CLOSED.aInf(alpha));
            }
        }
        System.out.println("sampled (batch 256) vs expected: largest |a_s - a_e| / a_inf = " + worst);
        assertTrue(worst < 0.05, "largest deviation of sampled from expected " + worst + " of a_inf");
    }
}
