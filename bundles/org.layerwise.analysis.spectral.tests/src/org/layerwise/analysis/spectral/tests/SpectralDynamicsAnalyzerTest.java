package org.layerwise.analysis.spectral.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.core.runtime.OperationCanceledException;
import org.junit.jupiter.api.Test;
import org.layerwise.analysis.spectral.SpectralDynamicsAnalyzer;
import org.layerwise.analysis.spectral.SpectralMeasures;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.ModelSeries;
import org.layerwise.core.ModelSeries.Checkpoint;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Role;
import org.layerwise.core.Settings;
import org.layerwise.core.SharedResults;
import org.layerwise.core.SymmetryEnforcer.Factors;
import org.layerwise.core.Table;
import org.layerwise.core.Tensor;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.AttentionFactors;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.ModelConfig.Attention;
import org.layerwise.core.model.ModelConfig.Keys;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.testing.Fixtures;

/** The analyzer on checkpoint series built here, whose measures are known by hand or recomputed directly. */
class SpectralDynamicsAnalyzerTest {

    static final int[] STEPS = {0, 10, 50, 100};

    static Map<String, Object> settings(double tol, long k, long rank) {
        return Map.of("tol", tol, "k", k, "rank", rank, "threshold", 0.1);
    }

    static AnalysisContext context(ModelSeries.Series series, Map<String, Object> settings, TrainingMonitor monitor) {
        TransformerModel last = null;
        return new AnalysisContext(Settings.of(settings), last, null, null, null, Factors.NONE, 7L, monitor, new SharedResults(),
                series);
    }

    /** A series whose loaders count their calls. */
    static ModelSeries.Series series(List<TransformerModel> models, int[] steps, AtomicInteger[] loads) {
        List<Checkpoint> out = new ArrayList<>();
        for (int t = 0; t < models.size(); t++) {
            TransformerModel m = models.get(t);
            AtomicInteger n = loads[t] = new AtomicInteger();
            out.add(new Checkpoint(steps[t], Path.of("ckpt", String.format("step_%08d.safetensors", steps[t])), () -> {
                n.incrementAndGet();
                return m;
            }));
        }
        return new ModelSeries.Series(out);
    }

    static double[] diag(int d, double... head) {
        double[] m = new double[d * d];
        for (int i = 0; i < head.length; i++) {
            m[i * d + i] = head[i];
        }
        return m;
    }

    static double value(Table t, List<Object> row, String column) {
        return ((Number) row.get(t.column(column))).doubleValue();
    }

    /*
     * D = 8, two layers of two heads. Every QK is diagonal, the same in each head:
     *   step   0: diag(0,0,0,1,1,1,1,1)  erank 5, marginal 4, orthogonal to the final: d = 1
     *   step  10: diag(2,1,1)            erank exp H(1/2,1/4,1/4), marginal 2, same row space: d = 0
     *   step  50: diag(1)                erank 1, marginal NaN, d = ||(0,2,1)|| / ||(3,2,1)|| = sqrt(5/14)
     *   step 100: diag(3,2,1)            the final: erank exp H(1/2,1/3,1/6), marginal exp H(2/3,1/3), d = 0
     * so the QK distance first falls below 0.1 at step 10 but stays below only from step 100. OV is Gaussian.
     */
    @Test
    void rows_match_the_hand_computed_measures_and_the_final_distance_is_0() throws Exception {
        ModelConfig config = Fixtures.config(2, 2, Keys.CONTEXT, Attention.SOFTMAX);
        int d = config.dModel();
        assertEquals(8, d);
        double[][] qks = {diag(d, 0, 0, 0, 1, 1, 1, 1, 1), diag(d, 2, 1, 1), diag(d, 1), diag(d, 3, 2, 1)};
        SplittableRandom rng = new SplittableRandom(3);
        List<TransformerModel> models = new ArrayList<>();
        for (double[] qk : qks) {
            TransformerModel g = Fixtures.generic(config, 1.0, rng);
            models.add(g.map((l, h, isOv, m) -> isOv ? m : qk.clone()));
        }
        AtomicInteger[] loads = new AtomicInteger[STEPS.length];
        AnalysisResult r = new SpectralDynamicsAnalyzer().analyze(context(series(models, STEPS, loads), settings(1e-5, 1, 0),
                TrainingMonitor.NONE));
        for (AtomicInteger n : loads) {
            assertEquals(1, n.get(), "every checkpoint is read once, the final one included");
        }
        Table t = r.tables().get("spectral-dynamics");
        assertEquals(List.of("step", "layer", "head", "matrix", "effective_rank", "marginal_effective_rank", "subspace_distance",
                "r", "numerical_rank", "sigma_1"), t.columns());
        assertEquals(STEPS.length * 2 * 2 * 2, t.rows().size());
        double[][] expected = { // effective rank, marginal, distance, r
            {5, 4, 1, 5},
            {Math.exp(h(0.5, 0.25, 0.25)), 2, 0, 3},
            {1, Double.NaN, Math.sqrt(5.0 / 14), 1},
            {Math.exp(h(0.5, 1.0 / 3, 1.0 / 6)), Math.exp(h(2.0 / 3, 1.0 / 3)), 0, 3}};
        int qkRows = 0;
        for (List<Object> row : t.rows()) {
            int step = ((Number) row.get(0)).intValue();
            int s = java.util.Arrays.binarySearch(STEPS, step);
            int layer = (Integer) row.get(1);
            int head = (Integer) row.get(2);
            String key = row.toString();
            if (row.get(3).equals("QK")) {
                qkRows++;
                assertEquals(expected[s][0], value(t, row, "effective_rank"), 1e-13, key);
                assertEquals(expected[s][1], value(t, row, "marginal_effective_rank"), 1e-13, key);
                assertEquals(expected[s][2], value(t, row, "subspace_distance"), 1e-15, key);
                assertEquals(expected[s][3], value(t, row, "r"), 0, key);
                assertEquals(expected[s][3], value(t, row, "numerical_rank"), 0, key);
            } else {
                assertEquals("OV", row.get(3));
                double[] ov = models.get(s).ov(layer, head);
                double[] fin = models.get(STEPS.length - 1).ov(layer, head);
                SpectralMeasures.Svd svd = SpectralMeasures.svd(ov, d, d);
                assertEquals(SpectralMeasures.effectiveRank(svd.sigma(), 1e-5), value(t, row, "effective_rank"), 0, key);
                assertEquals(SpectralMeasures.marginalEffectiveRank(svd.sigma(), 1e-5, 1), value(t, row, "marginal_effective_rank"),
                        0, key);
                assertEquals(SpectralMeasures.subspaceDistance(fin, svd, d), value(t, row, "subspace_distance"), 0, key);
                assertEquals(d, value(t, row, "r"), 0, key);
                assertEquals(svd.sigma()[0], value(t, row, "sigma_1"), 0, key);
                // a full-rank M_t: r = D, V_r spans everything and the distance is 0 however M_t and M_inf differ
                assertEquals(0, value(t, row, "subspace_distance"), 1e-14, key);
            }
        }
        assertEquals(STEPS.length * 4, qkRows);

        Map<String, Double> sc = r.scalars();
        assertEquals(4.0, sc.get("checkpoints"));
        assertEquals(Math.exp(h(0.5, 1.0 / 3, 1.0 / 6)), sc.get("qk_effective_rank_final"), 1e-13);
        assertEquals(5, sc.get("qk_effective_rank_initial"), 1e-13);
        assertEquals(1, sc.get("qk_subspace_distance_initial"), 1e-15);
        assertEquals(100.0, sc.get("qk_settled_step"), "stays below 0.1 only from the final checkpoint on");
        assertEquals(0.0, sc.get("ov_settled_step"), "full rank: 0 at every checkpoint");
        assertTrue(r.summaryLines().stream().anyMatch(l -> l.startsWith("QK (mean over 4 head(s)): effective rank 5.000 at step 0")),
                r.summaryLines().toString());
        // the Gaussian OV matrices before the final checkpoint are full rank: 3 checkpoints x 4 heads, said so
        assertTrue(r.details().get("note").toString().startsWith("at 12 of 24 rows before the final checkpoint r equals"),
                r.details().toString());
        assertTrue(r.summaryLines().stream().anyMatch(l -> l.startsWith("Note: at 12 of 24 rows")));

        Map<String, Tensor> npz = r.tensors();
        assertEquals(Tensor.of(new long[] {0, 10, 50, 100}, 4), npz.get("steps"));
        double[] dist = npz.get("QK.subspace_distance").toDoubles();
        assertEquals(List.of(4L, 2L, 2L), java.util.Arrays.stream(npz.get("QK.subspace_distance").shape()).boxed().toList());
        assertEquals(Math.sqrt(5.0 / 14), dist[2 * 4 + 3], 1e-15, "step 50, layer 1, head 1");
        double[] sv = npz.get("QK.singular_values").toDoubles();
        assertEquals(List.of(3.0, 2.0, 1.0, 0.0), List.of(sv[3 * 32], sv[3 * 32 + 1], sv[3 * 32 + 2], sv[3 * 32 + 3]));
        @SuppressWarnings("unchecked")
        Map<String, Object> recorded = (Map<String, Object>) r.details().get("settings");
        assertEquals(1e-5, recorded.get("tol"));
        assertEquals(1, recorded.get("k"));
        assertEquals(0, recorded.get("rank"));
    }

    @Test
    void a_fixed_rank_is_used_and_recorded_per_row() throws Exception {
        ModelConfig config = Fixtures.config(1, 1, Keys.CONTEXT, Attention.LINEAR);
        int d = config.dModel();
        List<TransformerModel> models = new ArrayList<>();
        for (double[] qk : new double[][] {diag(d, 1), diag(d, 3, 2, 1)}) {
            models.add(new TransformerModel(config, new double[][] {qk}, new double[][] {diag(d, 1, 1)}));
        }
        AtomicInteger[] loads = new AtomicInteger[2];
        AnalysisResult r = new SpectralDynamicsAnalyzer().analyze(context(series(models, new int[] {0, 7}, loads),
                settings(1e-5, 1, 2), TrainingMonitor.NONE));
        Table t = r.tables().get("spectral-dynamics");
        Map<String, List<Object>> rows = new HashMap<>();
        t.rows().forEach(row -> rows.put(row.get(0) + "|" + row.get(3), row));
        // r = 2 on diag(1): the second vector is some unit vector of the null space; Jacobi leaves e_2 as it is
        assertEquals(2, value(t, rows.get("0|QK"), "r"), 0);
        assertEquals(1, value(t, rows.get("0|QK"), "numerical_rank"), 0);
        assertEquals(1 / Math.sqrt(14), value(t, rows.get("0|QK"), "subspace_distance"), 1e-15);
        // at the final checkpoint r = 2 < rank 3 leaves the third direction out
        assertEquals(1 / Math.sqrt(14), value(t, rows.get("7|QK"), "subspace_distance"), 1e-15);
        assertEquals(0, value(t, rows.get("7|OV"), "subspace_distance"), 0);
    }

    @Test
    void a_factored_model_adds_its_four_factors() throws Exception {
        ModelConfig base = Fixtures.config(1, 2, Keys.CONTEXT, Attention.SOFTMAX);
        ModelConfig config = new ModelConfig(base.dX(), base.dY(), base.nCtx(), 1, 2, Attention.SOFTMAX, Keys.CONTEXT, "factored", 3,
                "float64", "classification");
        SplittableRandom rng = new SplittableRandom(9);
        List<TransformerModel> models = new ArrayList<>();
        for (int t = 0; t < 3; t++) {
            models.add(AttentionFactors.gaussian(config, 1.0, rng).merged(config));
        }
        AtomicInteger[] loads = new AtomicInteger[3];
        AnalysisResult r = new SpectralDynamicsAnalyzer().analyze(context(series(models, new int[] {0, 5, 9}, loads),
                settings(1e-5, 1, 0), TrainingMonitor.NONE));
        Table t = r.tables().get("spectral-dynamics");
        assertEquals(3 * 2 * 6, t.rows().size());
        for (List<Object> row : t.rows()) {
            // QK = W_Q W_K' and OV = W_V W_O have rank d_head = 3; every factor has full rank 3
            assertEquals(3, value(t, row, "numerical_rank"), 0, row.toString());
            if (((Number) row.get(0)).intValue() == 9) {
                assertEquals(0, value(t, row, "subspace_distance"), 1e-13, row.toString());
            }
        }
        assertEquals(List.of("QK", "OV", "W_Q", "W_K", "W_V", "W_O"), t.rows().subList(0, 6).stream().map(row -> row.get(3)).toList());
        assertEquals(List.of(3L, 1L, 2L, 3L), java.util.Arrays.stream(r.tensors().get("W_O.singular_values").shape()).boxed().toList());
        assertTrue(r.scalars().containsKey("w_o_settled_step"), r.scalars().keySet().toString());
    }

    @Test
    void without_a_series_nothing_is_measured_and_the_summary_says_why() throws Exception {
        AnalysisResult r = new SpectralDynamicsAnalyzer().analyze(context(ModelSeries.Series.EMPTY, settings(1e-5, 1, 0),
                TrainingMonitor.NONE));
        assertEquals(0, r.tables().get("spectral-dynamics").rows().size());
        assertEquals(10, r.tables().get("spectral-dynamics").columns().size());
        assertTrue(r.tensors().isEmpty());
        assertEquals(Map.of("checkpoints", 0.0), r.scalars());
        assertTrue(r.summaryLines().get(0).contains("no checkpoint series: set backend.checkpoints"), r.summaryLines().toString());
        assertTrue(r.details().get("note").toString().startsWith("no checkpoint series"));
    }

    @Test
    void cancellation_is_checked_between_checkpoints() {
        ModelConfig config = Fixtures.config(1, 1, Keys.CONTEXT, Attention.SOFTMAX);
        SplittableRandom rng = new SplittableRandom(1);
        List<TransformerModel> models = List.of(Fixtures.generic(config, 1, rng), Fixtures.generic(config, 1, rng),
                Fixtures.generic(config, 1, rng));
        AtomicInteger[] loads = new AtomicInteger[3];
        AtomicInteger asked = new AtomicInteger();
        TrainingMonitor cancelAfterTwo = () -> asked.incrementAndGet() > 2;
        assertThrows(OperationCanceledException.class, () -> new SpectralDynamicsAnalyzer().analyze(
                context(series(models, new int[] {0, 1, 2}, loads), settings(1e-5, 1, 0), cancelAfterTwo)));
        assertEquals(1, loads[2].get(), "the final checkpoint first");
        assertEquals(0, loads[1].get(), "stopped before the second checkpoint");
    }

    @Test
    void checkpoints_of_another_shape_and_a_rank_beyond_d_are_refused() {
        SplittableRandom rng = new SplittableRandom(1);
        TransformerModel one = Fixtures.generic(Fixtures.config(1, 1, Keys.CONTEXT, Attention.SOFTMAX), 1, rng);
        TransformerModel two = Fixtures.generic(Fixtures.config(1, 2, Keys.CONTEXT, Attention.SOFTMAX), 1, rng);
        AtomicInteger[] loads = new AtomicInteger[2];
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new SpectralDynamicsAnalyzer().analyze(
                context(series(List.of(one, two), new int[] {0, 3}, loads), settings(1e-5, 1, 0), TrainingMonitor.NONE)));
        assertTrue(e.getMessage().startsWith("checkpoint of step 0"), e.getMessage());
        InvalidSettingException refused = assertThrows(InvalidSettingException.class, () -> new SpectralDynamicsAnalyzer()
                .configure(Settings.of(settings(1e-5, 1, 9)), one.config(), null));
        assertTrue(refused.getMessage().contains("exceeds D = 8"), refused.getMessage());
    }

    @Test
    void registered_with_its_settings_and_outputs_and_run_with_the_defaults() throws Exception {
        ContributionRegistry registry = ContributionRegistry.load();
        ContributionDescriptor d = registry.find(Role.ANALYZER, "spectral-dynamics");
        assertTrue(d != null, "spectral-dynamics is registered; problems: " + registry.problems());
        Settings defaults = d.resolve(Map.of());
        assertEquals(Map.of("tol", 1e-5, "k", 1L, "rank", 0L, "threshold", 0.1), defaults.asMap());
        assertEquals(List.of("table", "scalars", "tensors"), d.outputs().stream().map(ContributionDescriptor.Output::kind).toList());
        assertTrue(d.outputs().stream().allMatch(o -> o.name().equals("spectral-dynamics")));
        assertThrows(InvalidSettingException.class, () -> d.resolve(Map.of("tol", "-1")));
        assertThrows(InvalidSettingException.class, () -> d.resolve(Map.of("k", "-1")));
        RecursionAnalyzer a = d.create(RecursionAnalyzer.class);
        ModelConfig config = Fixtures.config(1, 1, Keys.ALL, Attention.LINEAR);
        a.configure(defaults, config, null);
        SplittableRandom rng = new SplittableRandom(4);
        AtomicInteger[] loads = new AtomicInteger[2];
        AnalysisResult r = a.analyze(new AnalysisContext(defaults, null, null, null, null, Factors.NONE, 7L, TrainingMonitor.NONE,
                new SharedResults(), series(List.of(Fixtures.generic(config, 1, rng), Fixtures.generic(config, 1, rng)),
                        new int[] {0, 20}, loads)));
        assertEquals(2 * 2, r.tables().get("spectral-dynamics").rows().size());
        assertTrue(r.scalars().values().stream().noneMatch(v -> Double.isInfinite(v)), r.scalars().toString());
    }

    private static double h(double... p) {
        double s = 0;
        for (double x : p) {
            s -= x * Math.log(x);
        }
        return s;
    }
}
