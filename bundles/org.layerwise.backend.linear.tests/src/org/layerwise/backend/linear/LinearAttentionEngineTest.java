package org.layerwise.backend.linear;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.model.AttentionFactors;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;

/** The hand-written forward against the core's reference, and its gradient against finite differences. */
class LinearAttentionEngineTest {

    static final Regression TASK = Regression.of(3, 6, new double[] {1.0, 0.6, 0.3}, 5, 41);

    static ModelConfig config(String parameterization, int layers) throws Exception {
        return TASK.configure(Regression.settings("parameterization", parameterization, "layers", (long) layers));
    }

    static LinearParameters random(String parameterization, int layers, long seed) throws Exception {
        return LinearParameters.initial(config(parameterization, layers), "reduced".equals(parameterization), TASK.u(), false, 0.4, seed);
    }

    /**
     * Central differences of the batch loss in every trained value (reduced: p and q; full: every
     * entry of QK and OV), one, two and three layers (the last layer's query-only pass alone, then
     * below it one and two full layers), h = 1e-5: the hand-written gradient agrees to 1e-7 of the
     * largest gradient (the differences' own error is about 1e-10 here).
     */
    @Test
    void gradient_matches_finite_differences_in_both_parameterizations() throws Exception {
        for (int layers = 1; layers <= 3; layers++) {
            for (String parameterization : new String[] {"reduced", "full"}) {
                gradientMatchesFiniteDifferences(parameterization, layers);
            }
        }
    }

    private static void gradientMatchesFiniteDifferences(String parameterization, int layers) throws Exception {
        LinearParameters params = random(parameterization, layers, 3);
        LinearAttentionEngine engine = new LinearAttentionEngine(config(parameterization, layers));
        PromptBatch batch = TASK.batch(1, 8);
        LinearAttentionEngine.LossAndGradient lg = engine.lossAndGradient(batch, params.qk(), params.ov());
        double[][] g = params.gradient(lg.qkGrad(), lg.ovGrad());
        double largest = 0;
        double worst = 0;
        double h = 1e-5;
        for (int i = 0; i < params.theta.length; i++) {
            for (int j = 0; j < params.theta[i].length; j++) {
                double keep = params.theta[i][j];
                params.theta[i][j] = keep + h;
                params.sync();
                double up = engine.lossAndGradient(batch, params.qk(), params.ov()).loss();
                params.theta[i][j] = keep - h;
                params.sync();
                double down = engine.lossAndGradient(batch, params.qk(), params.ov()).loss();
                params.theta[i][j] = keep;
                params.sync();
                worst = Math.max(worst, Math.abs((up - down) / (2 * h) - g[i][j]));
                largest = Math.max(largest, Math.abs(g[i][j]));
            }
        }
        assertTrue(largest > 1e-3, parameterization + ", " + layers + " layers: a vanishing gradient tests nothing (" + largest + ")");
        assertTrue(worst <= 1e-7 * largest,
                parameterization + ", " + layers + " layers: worst difference " + worst + " against a largest gradient " + largest);
    }

    /** The engine's outputs and loss are the core Forward's (keys = all, divided by N) to 1e-12. */
    @Test
    void forward_equals_the_core_reference() throws Exception {
        for (String parameterization : new String[] {"reduced", "full"}) {
            for (int layers : new int[] {1, 3}) {
                LinearParameters params = random(parameterization, layers, 5);
                ModelConfig c = config(parameterization, layers);
                PromptBatch batch = TASK.batch(2, 10);
                String what = parameterization + ", " + layers + " layers";
                double[] mine = new LinearAttentionEngine(c).outputs(params.qk(), params.ov(), batch.z, batch.count);
                double[] core = Forward.run(params.model(), batch, false).logits();
                assertClose(core, mine, 1e-12, what);
                double loss = new LinearAttentionEngine(c).lossAndGradient(batch, params.qk(), params.ov()).loss();
                assertEquals(Forward.squaredError(core, batch.queryTargets, c.dY()), loss, 1e-12 * loss, what + ": loss");
            }
        }
    }

    /**
     * docs/mathematics.md section 9's f(Z) = Z + Z W_Q' (Z'Z / N) W_P', computed literally, is the core's
     * linear layer with QK = W_Q' and OV = W_P' (every token, not only the query).
     */
    @Test
    void the_stored_matrices_are_the_transposes_of_section_9s_w_q_and_w_p() throws Exception {
        LinearParameters params = random("full", 1, 7);
        ModelConfig c = config("full", 1);
        PromptBatch batch = TASK.batch(3, 4);
        int dim = c.dModel();
        int t = c.tokens();
        double[] wq = transpose(params.qk()[0], dim);
        double[] wp = transpose(params.ov()[0], dim);
        double[] resid = Forward.run(params.model(), batch.z, batch.count, Forward.Hooks.RESID).residPost()[0];
        for (int p = 0; p < batch.count; p++) {
            double[] z = java.util.Arrays.copyOfRange(batch.z, p * t * dim, (p + 1) * t * dim);
            double[] gram = new double[dim * dim];
            LinearAttentionEngine.multiplyTA(z, z, gram, t, dim, dim, false);
            for (int i = 0; i < gram.length; i++) {
                gram[i] /= c.nCtx();
            }
            double[] a = new double[t * dim];
            LinearAttentionEngine.multiplyTB(z, wq, a, t, dim, dim, false); // Z W_Q'
            double[] b = new double[t * dim];
            LinearAttentionEngine.multiply(a, gram, b, t, dim, dim, false);
            double[] f = z.clone();
            LinearAttentionEngine.multiplyTB(b, wp, f, t, dim, dim, true); // + ... W_P'
            assertClose(f, java.util.Arrays.copyOfRange(resid, p * t * dim, (p + 1) * t * dim), 1e-12, "prompt " + p);
        }
    }

    /**
     * The reduced model's storage: QK's x-x block U diag(p q) U' and nothing else, OV's y-y block
     * I and nothing else, and p, q read back as (U' W_Q[x rows])_{alpha,alpha}, (U' W_K[x rows])_{alpha,alpha}.
     */
    @Test
    void reduced_storage_gives_back_p_and_q() throws Exception {
        LinearParameters params = random("reduced", 2, 9);
        TransformerModel m = params.model();
        AttentionFactors f = m.factors();
        int d = TASK.d();
        int dim = 2 * d;
        assertEquals("factored", m.config().parameterization());
        assertEquals(d, m.config().dHead());
        for (int l = 0; l < 2; l++) {
            double[] p = params.theta[2 * l];
            double[] q = params.theta[2 * l + 1];
            assertClose(p, TASK.diagonal(f.wq()[l]), 1e-14, "p of layer " + l);
            assertClose(q, TASK.diagonal(f.wk()[l]), 1e-14, "q of layer " + l);
            for (int i = 0; i < dim; i++) {
                for (int j = 0; j < dim; j++) {
                    double expected = 0;
                    if (i < d && j < d) {
                        for (int a = 0; a < d; a++) {
                            expected += TASK.u()[i * d + a] * p[a] * q[a] * TASK.u()[j * d + a];
                        }
                    }
                    assertEquals(expected, m.qk(l, 0)[i * dim + j], 1e-14, "QK " + i + "," + j);
                    assertEquals(i == j && i >= d ? 1.0 : 0.0, m.ov(l, 0)[i * dim + j], "OV " + i + "," + j);
                }
            }
        }
    }

    /** The balanced starts of both parameterizations compute the same function, at any depth. */
    @Test
    void balanced_full_start_is_the_reduced_start_in_function() throws Exception {
        PromptBatch batch = TASK.batch(4, 6);
        TransformerModel reduced = LinearParameters.initial(config("reduced", 2), true, TASK.u(), true, 0.3, 1).model();
        TransformerModel full = LinearParameters.initial(config("full", 2), false, null, true, 0.3, 1).model();
        double[] a = Forward.run(reduced, batch, false).logits();
        double[] b = Forward.run(full, batch, false).logits();
        assertClose(a, b, 1e-14, "balanced starts");
        assertTrue(java.util.Arrays.stream(a).anyMatch(v -> Math.abs(v) > 1e-3), "the start predicts something");
    }

    static double[] transpose(double[] m, int dim) {
        double[] t = new double[m.length];
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < dim; j++) {
                t[j * dim + i] = m[i * dim + j];
            }
        }
        return t;
    }

    /** Equal to {@code relative} times the largest expected magnitude (at least 1). */
    static void assertClose(double[] expected, double[] actual, double relative, String what) {
        assertEquals(expected.length, actual.length, what);
        double scale = 1;
        for (double v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertArrayEquals(expected, actual, relative * scale, what);
    }
}
