package org.layerwise.analysis.learning;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.ModelSeries;
import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.dynamics.ReducedClosedForm;
import org.layerwise.core.model.AttentionFactors;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;

class LearningDynamicsTest {

    static final int D = 3;
    static final int N = 20;
    static final double[] S = {1.0, 0.5, 0.25};
    static final double[] LAMBDA2 = {64, 64, 64};
    static final double ETA = 1e-3;

    /** A basis that is not the identity: a rotation in the first two coordinates. */
    static double[] basis() {
        double c = Math.cos(0.3);
        double s = Math.sin(0.3);
        return new double[] {c, -s, 0, s, c, 0, 0, 0, 1};
    }

    static TaskSpec task() {
        return new TaskSpec(TaskSpec.REGRESSION, D, D, N, Map.of("U", basis(), "s", S, "lambda2", LAMBDA2, "P", new double[] {64}));
    }

    static ModelConfig config() {
        return new ModelConfig(D, D, N, 1, 1, ModelConfig.Attention.LINEAR, ModelConfig.Keys.ALL, "factored", D, "float64",
                TaskSpec.REGRESSION);
    }

    /** The reduced model: W_Q = [U diag(p) ; 0], W_K = [U diag(q) ; 0], W_V = [0 ; I], W_O = [0, I]. */
    static TransformerModel reduced(double[] p, double[] q) {
        int dim = 2 * D;
        double[] u = basis();
        double[] wq = new double[dim * D];
        double[] wk = new double[dim * D];
        double[] wv = new double[dim * D];
        double[] wo = new double[D * dim];
        for (int i = 0; i < D; i++) {
            for (int a = 0; a < D; a++) {
                wq[i * D + a] = u[i * D + a] * p[a];
                wk[i * D + a] = u[i * D + a] * q[a];
            }
            wv[(D + i) * D + i] = 1;
            wo[i * dim + D + i] = 1;
        }
        AttentionFactors f = new AttentionFactors(dim, D, new double[][] {wq}, new double[][] {wk}, new double[][] {wv},
                new double[][] {wo});
        return f.merged(config());
    }

    /** A series following the balanced closed form exactly (p = q = sqrt(a)), a perturbed by {@code bump} at the last checkpoint. */
    static ModelSeries.Series series(ReducedClosedForm forms, double a0, double bump) {
        List<ModelSeries.Checkpoint> cps = new ArrayList<>();
        int[] steps = {0, 500, 2000, 5000, 10000, 20000, 40000};
        for (int k = 0; k < steps.length; k++) {
            double[] p = new double[D];
            for (int a = 0; a < D; a++) {
                double balanced = ReducedClosedForm.balanced(a0, forms.aInf(a), steps[k], forms.tau(a, ETA_MEAN));
                p[a] = Math.sqrt(balanced + (k == steps.length - 1 && a == 0 ? bump : 0));
            }
            TransformerModel m = reduced(p, p);
            cps.add(new ModelSeries.Checkpoint(steps[k], java.nio.file.Path.of("step_" + steps[k]), () -> m));
        }
        return new ModelSeries.Series(cps);
    }

    static AnalysisContext context(ModelSeries.Series series, boolean withEta) {
        TransformerModel last;
        try {
            last = series.isEmpty() ? reduced(new double[D], new double[D]) : series.checkpoints().get(series.checkpoints().size() - 1).model();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        TrainedModel training = new TrainedModel(last, new double[0], false,
                withEta ? Map.of(TrainedModel.FLOW_TIME_PER_STEP, ETA) : Map.of());
        return new AnalysisContext(Settings.of(Map.of("tolerance", 0.01)), last, task(), null, null, SymmetryEnforcer.Factors.NONE,
                1, TrainingMonitor.NONE, new org.layerwise.core.SharedResults(), series, training);
    }

    /** The closed form with this test's pool: eta here (a loss averaged over the pool) is P x section 9's ETA. */
    static ReducedClosedForm forms() {
        return ReducedClosedForm.of(task());
    }

    static final double ETA_MEAN = ETA * 64;

    @Test
    void the_fixed_point_minimises_each_modes_loss_and_the_general_form_with_c_zero_is_the_balanced_one() {
        ReducedClosedForm f = forms();
        for (int a = 0; a < D; a++) {
            double ai = f.aInf(a);
            double[] at = new double[D];
            java.util.Arrays.fill(at, 0.1);
            at[a] = ai;
            double l0 = f.loss(at);
            at[a] = ai * 1.01;
            double l1 = f.loss(at);
            at[a] = ai * 0.99;
            assertTrue(l1 > l0 && f.loss(at) > l0, "a_inf minimises mode " + a);
            assertEquals(1 / (ETA * 64 * S[a] * S[a]), f.tau(a, ETA_MEAN), 1e-9);
            double[] times = {0, 100, 1000, 5000, 20000};
            double[] general = f.general(a, ETA_MEAN, 1e-3, 0, times);
            for (int i = 0; i < times.length; i++) {
                assertEquals(ReducedClosedForm.balanced(1e-3, ai, times[i], f.tau(a, ETA_MEAN)), general[i], 1e-8 * ai, "t = " + times[i]);
            }
        }
        // a_inf by hand for mode 0: N / ((N + 1) s_0 + sum s) with equal Lambda2
        assertEquals(20 / (21 * 1.0 + 1.75), f.aInf(0), 1e-15);
    }

    @Test
    void a_series_on_the_closed_form_agrees_conserves_c_and_learns_the_modes_in_the_order_of_s() throws Exception {
        ReducedClosedForm f = forms();
        AnalysisResult r = new LearningDynamicsAnalyzer().analyze(context(series(f, 1e-3, 0), true));
        assertTrue(r.scalars().get("max_deviation") < 1e-6, r.scalars().toString());
        assertEquals(1.0, r.scalars().get("agreement"));
        assertEquals(0.0, r.scalars().get("conservation_drift"), 1e-12);
        assertEquals(1.0, r.scalars().get("staged_order"), r.tables().get("learning-dynamics-modes").rows().toString());
        assertEquals(7 * D, r.tables().get("learning-dynamics").rows().size());

        AnalysisResult off = new LearningDynamicsAnalyzer().analyze(context(series(f, 1e-3, 0.05 * f.aInf(0)), true));
        assertEquals(0.05, off.scalars().get("max_deviation"), 1e-3, "the bump is found and measured, not hidden");
        assertEquals(0.0, off.scalars().get("agreement"));
    }

    /**
     * A full model built by hand in section 9's terms: W_Q,xx = U (diag(q) + E) U', W_P,yy =
     * U (diag(p) + F) U' with E, F zero on the diagonal (weight across modes), and the second
     * in-context path (W_Q's y-x block, W_P's y-x block, both U diag(.) U') plus W_P's x rows all
     * nonzero. Stored as QK = W_Q', OV = W_P'. The analyzer's p and q are the diagonals of the
     * x-x and y-y blocks only, so they must come out as the hand-set p and q, whatever the rest holds.
     */
    @Test
    void a_full_model_reads_p_and_q_from_the_diagonal_blocks_in_the_u_basis_and_nothing_else() throws Exception {
        double[] q = {0.9, -0.4, 0.05};
        double[] p = {1.1, 0.3, -0.7};
        double[] q2 = {0.2, 1.3, -0.6}; // W_Q,yx: the path through Z's y-x covariance
        double[] p2 = {-0.5, 0.8, 1.7}; // W_P,yx
        double[] e = {0, 0.25, -0.3, 0.4, 0, 0.15, -0.2, 0.35, 0};
        double[] fm = {0, -0.45, 0.1, 0.3, 0, -0.25, 0.6, 0.05, 0};
        int dim = 2 * D;
        double[] wq = new double[dim * dim];
        double[] wp = new double[dim * dim];
        place(wq, inBasis(q, e), 0, 0);                  // W_Q,xx
        place(wq, inBasis(q2, new double[D * D]), D, 0); // W_Q,yx
        place(wp, inBasis(p, fm), D, D);                 // W_P,yy
        place(wp, inBasis(p2, new double[D * D]), D, 0); // W_P,yx
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < dim; j++) {
                wp[i * dim + j] = 0.1 * (i + 1) - 0.07 * j; // W_P's x rows: no part of p
            }
        }
        ModelConfig merged = new ModelConfig(D, D, N, 1, 1, ModelConfig.Attention.LINEAR, ModelConfig.Keys.ALL, "merged", dim,
                "float64", TaskSpec.REGRESSION);
        TransformerModel m = new TransformerModel(merged, new double[][] {transpose(wq, dim)}, new double[][] {transpose(wp, dim)});
        double[][] read = LearningDynamicsAnalyzer.modes(m, basis(), D);
        for (int a = 0; a < D; a++) {
            assertEquals(p[a], read[0][a], 1e-12, "p of mode " + a);
            assertEquals(q[a], read[1][a], 1e-12, "q of mode " + a);
        }
        List<ModelSeries.Checkpoint> cps = List.of(new ModelSeries.Checkpoint(0, java.nio.file.Path.of("step_0"), () -> m),
                new ModelSeries.Checkpoint(100, java.nio.file.Path.of("step_100"), () -> m));
        AnalysisResult r = new LearningDynamicsAnalyzer().analyze(context(new ModelSeries.Series(cps), true));
        double[] aSim = (double[]) r.tensors().get("a_simulated").data();
        for (int a = 0; a < D; a++) {
            assertEquals(p[a] * q[a], aSim[D + a], 1e-12, "a_simulated of mode " + a);
        }
    }

    /** U (diag(values) + off) U', d x d row-major, for this test's basis. */
    static double[] inBasis(double[] values, double[] off) {
        double[] u = basis();
        double[] out = new double[D * D];
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                for (int a = 0; a < D; a++) {
                    for (int b = 0; b < D; b++) {
                        double mid = off[a * D + b] + (a == b ? values[a] : 0);
                        out[i * D + j] += u[i * D + a] * mid * u[j * D + b];
                    }
                }
            }
        }
        return out;
    }

    /** Writes the d x d block into the 2d x 2d matrix at (row, col). */
    static void place(double[] into, double[] block, int row, int col) {
        for (int i = 0; i < D; i++) {
            for (int j = 0; j < D; j++) {
                into[(row + i) * 2 * D + col + j] = block[i * D + j];
            }
        }
    }

    static double[] transpose(double[] m, int dim) {
        double[] t = new double[dim * dim];
        for (int i = 0; i < dim; i++) {
            for (int j = 0; j < dim; j++) {
                t[j * dim + i] = m[i * dim + j];
            }
        }
        return t;
    }

    @Test
    void without_a_series_or_a_time_scale_it_says_so_and_reports_no_numbers() throws Exception {
        AnalysisResult none = new LearningDynamicsAnalyzer().analyze(context(ModelSeries.Series.EMPTY, true));
        assertTrue(none.scalars().isEmpty());
        assertTrue(String.valueOf(none.details().get("note")).contains("set backend.checkpoints"));
        AnalysisResult noEta = new LearningDynamicsAnalyzer().analyze(context(series(forms(), 1e-3, 0), false));
        assertTrue(String.valueOf(noEta.details().get("note")).contains(TrainedModel.FLOW_TIME_PER_STEP));
    }

    @Test
    void classification_tasks_and_deeper_models_are_refused() {
        LearningDynamicsAnalyzer a = new LearningDynamicsAnalyzer();
        assertThrows(InvalidSettingException.class, () -> a.configure(null, null, new TaskSpec(TaskSpec.CLASSIFICATION, 3, 3, 8)));
        ModelConfig twoLayers = new ModelConfig(D, D, N, 2, 1, ModelConfig.Attention.LINEAR, ModelConfig.Keys.ALL, "merged", 2 * D,
                "float64", TaskSpec.REGRESSION);
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> a.configure(null, twoLayers, task()));
        assertTrue(e.getMessage().contains("one layer"), e.getMessage());
    }
}
