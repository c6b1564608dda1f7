package org.layerwise.analysis.recursion.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.analysis.recursion.CoupledMeanShiftAnalyzer;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.SymmetryEnforcer.Factors;
import org.layerwise.core.Table;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.ModelConfig.Attention;
import org.layerwise.core.model.ModelConfig.Keys;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.symmetry.Commutant;
import org.layerwise.core.symmetry.Commutant.Scalars;
import org.layerwise.testing.Fixtures;

/** The coupled-mean-shift analyzer: fidelity, coefficients, dropped shares and its outputs. */
class CoupledMeanShiftAnalyzerTest {

    private static final Map<String, Object> SETTINGS = Map.of("trajectories", true);

    private static AnalysisResult analyze(TransformerModel model, PromptBatch batch, Factors enforced) throws Exception {
        AnalysisResult r = new CoupledMeanShiftAnalyzer().analyze(Fixtures.context(model, batch, enforced, SETTINGS));
        for (var e : r.scalars().entrySet()) {
            assertFalse(Double.isInfinite(e.getValue()), "scalar " + e.getKey() + " is infinite");
        }
        return r;
    }

    private static List<List<Object>> rows(Table t, String column, Object value) {
        int i = t.column(column);
        return t.rows().stream().filter(r -> r.get(i).equals(value)).toList();
    }

    @Test
    void on_a_commutant_model_the_full_recursion_agrees_everywhere_with_R2_one() throws Exception {
        SplittableRandom rng = new SplittableRandom(21);
        for (Keys keys : Keys.values()) {
            ModelConfig config = Fixtures.config(3, 2, keys, Attention.SOFTMAX);
            TransformerModel model = Fixtures.commutant(config, 1.5, rng);
            PromptBatch batch = Fixtures.prompts(config, 64, rng);
            AnalysisResult r = analyze(model, batch, Factors.BOTH);
            assertEquals(1.0, r.scalars().get("agreement_full"), 0.0);
            assertEquals(1.0, r.scalars().get("logit_r2_full"), 1e-9);
            assertEquals(1.0, r.scalars().get("hidden_r2_min_full"), 1e-9);
            Table t = r.tables().get("coupled-mean-shift");
            List<List<Object>> hidden = rows(t, "measure", "hidden_r2").stream()
                    .filter(row -> row.get(t.column("form")).equals("full")).toList();
            assertEquals(3 * 4, hidden.size(), "4 blocks after each of 3 layers");
            for (List<Object> row : hidden) {
                assertEquals(1.0, (Double) row.get(t.column("value")), 1e-9, row.toString());
            }
            // Generic commutant weights have nonzero b, f, g, e: the reduced form is an approximation here.
            assertTrue(r.scalars().get("dropped_score_share_max") > 1e-3);
            assertTrue(r.scalars().get("hidden_r2_min_reduced") < 1 - 1e-6);

            Table coefficients = r.tables().get("coupled-mean-shift-coefficients");
            assertEquals(3 * 2, coefficients.rows().size());
            List<Object> first = coefficients.rows().get(0);
            Scalars q = Commutant.scalars(model.qk(0, 0), config.dX(), config.dY());
            assertEquals(q.a(), (Double) first.get(coefficients.column("q_a")), 1e-15);
            assertEquals(q.a(), (Double) first.get(coefficients.column("alpha")), 1e-15);
            assertEquals(q.c(), (Double) first.get(coefficients.column("beta")), 1e-15);
            assertEquals(0.0, (Double) first.get(coefficients.column("q_asymmetry")), 1e-12);

            Map<String, Tensor> tensors = r.tensors();
            assertEquals(6, tensors.size());
            Tensor last = tensors.get("full.blocks.2.hook_resid_post");
            assertEquals(Tensor.DType.F32, last.dtype());
            assertArrayEquals(new long[] {64, config.tokens(), config.dModel()}, last.shape());
            assertTrue(tensors.containsKey("reduced.blocks.0.hook_resid_post"));
            assertEquals(Boolean.TRUE, r.details().get("describes_weights"));
            assertTrue(r.summaryLines().stream().anyMatch(s -> s.contains("derived")), r.summaryLines().toString());
        }
    }

    @Test
    void when_the_dropped_scalars_are_zero_the_reduced_form_is_exact_and_drops_nothing() throws Exception {
        SplittableRandom rng = new SplittableRandom(8);
        ModelConfig config = Fixtures.config(2, 1, Keys.CONTEXT, Attention.SOFTMAX);
        double[][] qk = new double[2][];
        double[][] ov = new double[2][];
        for (int i = 0; i < 2; i++) {
            qk[i] = Commutant.matrix(new Scalars(0.8, 0, 0, 0, 1.2, 0), config.dX(), config.dY());
            ov[i] = Commutant.transpose(Commutant.matrix(new Scalars(0.5, 0, 0, 0, 0.7, 0), config.dX(), config.dY()),
                    config.dModel());
        }
        TransformerModel model = new TransformerModel(config, qk, ov);
        AnalysisResult r = analyze(model, Fixtures.prompts(config, 32, rng), Factors.BOTH);
        assertEquals(1.0, r.scalars().get("agreement_reduced"), 0.0);
        assertEquals(1.0, r.scalars().get("hidden_r2_min_reduced"), 1e-9);
        assertEquals(0.0, r.scalars().get("dropped_score_share_max"), 0.0);
        assertEquals(0.0, r.scalars().get("dropped_update_share_max"), 0.0);
        Table t = r.tables().get("coupled-mean-shift");
        assertEquals(2, rows(t, "measure", "term_share.q_a").size());
        for (List<Object> row : rows(t, "measure", "term_share.q_a")) {
            assertTrue((Double) row.get(t.column("value")) > 0.1);
        }
        assertEquals(2, rows(t, "measure", "term_share.q_b").size());
        for (List<Object> row : rows(t, "measure", "term_share.q_b")) {
            assertEquals(0.0, (Double) row.get(t.column("value")), 0.0);
        }
        assertEquals(2 * 2, rows(t, "measure", "dropped_share_centered").size(), "head 0 and all, two layers");
        for (List<Object> row : rows(t, "measure", "dropped_share_centered")) {
            assertEquals(0.0, (Double) row.get(t.column("value")), 0.0);
        }
    }

    @Test
    void a_dropped_term_that_is_constant_over_the_keys_has_a_raw_share_but_no_centered_share() throws Exception {
        // e sy_i sy_j with one-hot context labels and no label mixing (g' = e' = 0): every context key
        // has the same sy at every layer, so the term shifts each query's scores by a constant.
        SplittableRandom rng = new SplittableRandom(12);
        ModelConfig config = Fixtures.config(3, 1, Keys.CONTEXT, Attention.SOFTMAX);
        double[][] qk = new double[3][];
        double[][] ov = new double[3][];
        for (int i = 0; i < 3; i++) {
            qk[i] = Commutant.matrix(new Scalars(0.8, 0, 0, 0, 1.2, 0.7), config.dX(), config.dY());
            ov[i] = Commutant.transpose(Commutant.matrix(new Scalars(0.5, 0, 0, 0, 0.7, 0), config.dX(), config.dY()),
                    config.dModel());
        }
        AnalysisResult r = analyze(new TransformerModel(config, qk, ov), Fixtures.prompts(config, 32, rng), Factors.BOTH);
        Table t = r.tables().get("coupled-mean-shift");
        int raw = 0;
        int centered = 0;
        for (List<Object> row : rows(t, "head", "all")) {
            double v = (Double) row.get(t.column("value"));
            if (row.get(t.column("measure")).equals("dropped_share") && row.get(t.column("block")).equals("score")) {
                assertTrue(v > 0.1, row.toString());
                raw++;
            } else if (row.get(t.column("measure")).equals("dropped_share_centered")) {
                assertEquals(0.0, v, 1e-12, row.toString());
                centered++;
            }
        }
        assertEquals(3, raw, "one raw score share per layer");
        assertEquals(3, centered, "one centered score share per layer");
        assertEquals(1.0, r.scalars().get("agreement_reduced"), 0.0);
        assertEquals(1.0, r.scalars().get("hidden_r2_min_reduced"), 1e-9);
    }

    @Test
    void on_a_generic_model_the_fidelity_is_below_one_and_one_enforced_factor_is_reported() throws Exception {
        SplittableRandom rng = new SplittableRandom(4);
        ModelConfig config = Fixtures.config(3, 1, Keys.CONTEXT, Attention.SOFTMAX);
        TransformerModel model = Fixtures.generic(config, 0.6, rng);
        PromptBatch batch = Fixtures.prompts(config, 64, rng);
        AnalysisResult r = analyze(model, batch, new Factors(true, false));
        assertTrue(r.scalars().get("hidden_r2_min_full") < 0.999, r.scalars().toString());
        double agreement = r.scalars().get("agreement_full");
        assertTrue(agreement >= 0 && agreement <= 1);
        assertEquals(Boolean.FALSE, r.details().get("describes_weights"));
        assertTrue(((String) r.details().get("note")).contains("does not describe"));
        assertTrue(r.summaryLines().stream().anyMatch(s -> s.contains("does not describe the weights")));
        assertTrue(r.details().containsKey("fidelity"), "fidelity is reported anyway");
        Table coefficients = r.tables().get("coupled-mean-shift-coefficients");
        assertTrue((Double) coefficients.rows().get(0).get(coefficients.column("q_asymmetry")) > 0.5);
    }

    @Test
    void the_R2_convention_is_about_the_grand_mean() throws Exception {
        double[] reference = {1, 2, 3, 4};
        assertEquals(1.0, CoupledMeanShiftAnalyzer.r2(reference, reference.clone()), 0.0);
        // SS_tot = 5 about the mean 2.5; SS_res = 1.
        assertEquals(0.8, CoupledMeanShiftAnalyzer.r2(reference, new double[] {1, 2, 3, 5}), 1e-15);
        assertTrue(Double.isNaN(CoupledMeanShiftAnalyzer.r2(new double[] {2, 2}, new double[] {1, 3})));
        assertEquals(0.5, CoupledMeanShiftAnalyzer.agreement(new double[] {1, 0, 0, 1}, new double[] {1, 0, 1, 0}, 2), 0.0);
    }
}
