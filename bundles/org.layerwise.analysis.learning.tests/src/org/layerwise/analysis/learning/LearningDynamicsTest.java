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
