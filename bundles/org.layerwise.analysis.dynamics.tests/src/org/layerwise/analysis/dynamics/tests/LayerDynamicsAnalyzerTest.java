package org.layerwise.analysis.dynamics.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.analysis.dynamics.LayerDynamicsAnalyzer;
import org.layerwise.analysis.dynamics.LayerMeasures;
import org.layerwise.analysis.recursion.CoupledMeanShiftAnalyzer;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.SymmetryEnforcer.Factors;
import org.layerwise.core.Table;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.ModelConfig.Attention;
import org.layerwise.core.model.ModelConfig.Keys;
import org.layerwise.core.model.RecursionResults;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.stats.Bootstrap;
import org.layerwise.testing.Fixtures;

/** The layer-dynamics analyzer: layout of its table, network against recursion, settings, determinism. */
class LayerDynamicsAnalyzerTest {

    static Map<String, Object> settings(long resamples, boolean recursion) {
        return Map.of("resamples", resamples, "level", 0.95, "recursion", recursion);
    }

    private static String key(Table t, List<Object> row) {
        return row.get(t.column("layer")) + "|" + row.get(t.column("block")) + "|" + row.get(t.column("head")) + "|"
                + row.get(t.column("measure"));
    }

    private static double value(Table t, List<Object> row, String column) {
        return ((Number) row.get(t.column(column))).doubleValue();
    }

    @Test
    void on_a_commutant_model_network_and_recursion_rows_coincide_and_the_layout_is_tidy() throws Exception {
        SplittableRandom rng = new SplittableRandom(17);
        int layers = 3;
        int heads = 2;
        ModelConfig config = Fixtures.config(layers, heads, Keys.CONTEXT, Attention.SOFTMAX);
        TransformerModel model = Fixtures.commutant(config, 1.5, rng);
        PromptBatch batch = Fixtures.prompts(config, 64, 0.3, rng);
        AnalysisResult r = new LayerDynamicsAnalyzer().analyze(Fixtures.context(model, batch, Factors.BOTH, settings(200, true)));
        Table t = r.tables().get("layer-dynamics");
        assertEquals(List.of("source", "layer", "block", "head", "measure", "mean", "low", "high", "n"), t.columns());
        int perSource = (layers + 1) * 6 + layers * 3 * (heads + 1);
        assertEquals(2 * perSource, t.rows().size());

        Map<String, List<Object>> network = new HashMap<>();
        for (List<Object> row : t.rows()) {
            if (row.get(0).equals("network")) {
                network.put(key(t, row), row);
            }
            double mean = value(t, row, "mean");
            if (!Double.isNaN(mean)) {
                assertTrue(value(t, row, "low") <= mean + 1e-12 && mean <= value(t, row, "high") + 1e-12, row.toString());
            }
        }
        for (List<Object> row : t.rows()) {
            if (row.get(0).equals("recursion")) {
                List<Object> net = network.get(key(t, row));
                assertEquals(net.get(t.column("n")), row.get(t.column("n")), key(t, row));
                double a = value(t, net, "mean");
                double b = value(t, row, "mean");
                assertTrue(Double.isNaN(a) && Double.isNaN(b) || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a)),
                        key(t, row) + ": network " + a + ", recursion " + b);
            }
        }
        // The one-hot label block of the input has no within-class scatter: undefined on every prompt.
        List<Object> y0 = network.get("0|y|-|fisher_ratio");
        assertEquals(0, y0.get(t.column("n")));
        // Layer 0 is the prompts themselves: the mean is the mean of the per-prompt closed form.
        double sum = 0;
        int defined = 0;
        for (int p = 0; p < batch.count; p++) {
            double f = LayerMeasures.separation(batch.z, p * config.tokens() * config.dModel(), config.dModel(), 0, config.dX(),
                    batch.contextLabels, p * config.nCtx(), config.nCtx(), config.dY()).fisher();
            if (!Double.isNaN(f)) {
                sum += f;
                defined++;
            }
        }
        List<Object> x0 = network.get("0|x|-|fisher_ratio");
        assertEquals(defined, x0.get(t.column("n")));
        assertEquals(sum / defined, value(t, x0, "mean"), 1e-12);
        // Every interval is core's Bootstrap.mean with the analyzer's seed, bit for bit, with or
        // without undefined prompts (the feature margin is undefined where c* is absent).
        int dim = config.dModel();
        double[] fisher = new double[batch.count];
        double[] margin = new double[batch.count];
        for (int p = 0; p < batch.count; p++) {
            fisher[p] = LayerMeasures.separation(batch.z, p * config.tokens() * dim, dim, 0, config.dX(), batch.contextLabels,
                    p * config.nCtx(), config.nCtx(), config.dY()).fisher();
            margin[p] = LayerMeasures.featureMargin(batch.z, p * config.tokens() * dim, dim, config.dX(), batch.contextLabels,
                    p * config.nCtx(), config.nCtx(), config.dY(), batch.queryLabels[p]);
        }
        assertTrue(java.util.Arrays.stream(margin).anyMatch(Double::isNaN), "the fixture should have a prompt without c*");
        for (var pair : List.of(Map.entry("0|x|-|fisher_ratio", fisher), Map.entry("0|x|-|feature_margin", margin))) {
            Bootstrap.Interval expected = Bootstrap.mean(pair.getValue(), 200, 0.95, 7L);
            List<Object> row = network.get(pair.getKey());
            assertEquals(expected.mean(), value(t, row, "mean"), 0.0, pair.getKey());
            assertEquals(expected.low(), value(t, row, "low"), 0.0, pair.getKey());
            assertEquals(expected.high(), value(t, row, "high"), 0.0, pair.getKey());
            assertEquals(expected.n(), row.get(t.column("n")), pair.getKey());
        }
        // Averages are linear: the normalized entropy is the entropy over log |K|, the head mean the mean of heads.
        for (int l = 0; l < layers; l++) {
            double entropy = value(t, network.get(l + "|-|mean|entropy"), "mean");
            assertEquals(entropy / Math.log(config.numKeys()), value(t, network.get(l + "|-|mean|entropy_normalized"), "mean"),
                    1e-12);
            double mass = (value(t, network.get(l + "|-|0|same_class_mass"), "mean")
                    + value(t, network.get(l + "|-|1|same_class_mass"), "mean")) / 2;
            assertEquals(mass, value(t, network.get(l + "|-|mean|same_class_mass"), "mean"), 1e-12);
        }
        assertTrue(network.containsKey(layers + "|x|-|feature_margin"));
        assertTrue(!network.containsKey(layers + "|-|mean|entropy"), "no attention after the last layer");

        @SuppressWarnings("unchecked")
        Map<String, Object> recorded = (Map<String, Object>) r.details().get("settings");
        assertEquals(200, recorded.get("resamples"));
        assertEquals(0.95, recorded.get("level"));
        assertEquals(7L, recorded.get("seed"));
        assertTrue(r.scalars().containsKey("fisher_ratio_x_layer0") && r.scalars().containsKey("fisher_ratio_x_layer3")
                && r.scalars().containsKey("recursion_fisher_ratio_x_layer3"), r.scalars().keySet().toString());
        assertTrue(r.summaryLines().stream().anyMatch(s -> s.startsWith("fisher_ratio (x): network")), r.summaryLines().toString());

        AnalysisResult again = new LayerDynamicsAnalyzer().analyze(Fixtures.context(model, batch, Factors.BOTH, settings(200, true)));
        assertEquals(t.rows(), again.tables().get("layer-dynamics").rows(), "deterministic under the seed");
    }

    @Test
    void without_the_recursion_only_network_rows_are_written_and_keys_all_work() throws Exception {
        SplittableRandom rng = new SplittableRandom(2);
        ModelConfig config = Fixtures.config(2, 1, Keys.ALL, Attention.SOFTMAX);
        TransformerModel model = Fixtures.generic(config, 0.5, rng);
        PromptBatch batch = Fixtures.prompts(config, 40, rng);
        AnalysisResult r = new LayerDynamicsAnalyzer().analyze(Fixtures.context(model, batch, Factors.NONE, settings(50, false)));
        Table t = r.tables().get("layer-dynamics");
        assertTrue(t.rows().stream().allMatch(row -> row.get(0).equals("network")));
        assertEquals(3 * 6 + 2 * 3 * 2, t.rows().size());
        for (List<Object> row : t.rows()) {
            if (row.get(t.column("measure")).equals("entropy_normalized")) {
                double v = value(t, row, "mean");
                assertTrue(v > 0 && v <= 1 + 1e-12, row.toString());
            }
        }
    }

    @Test
    void after_the_coupled_mean_shift_analyzer_the_recursion_is_reused_and_the_results_are_those_of_a_lone_run() throws Exception {
        SplittableRandom rng = new SplittableRandom(8);
        ModelConfig config = Fixtures.config(2, 1, Keys.CONTEXT, Attention.SOFTMAX);
        TransformerModel model = Fixtures.generic(config, 0.5, rng);
        PromptBatch batch = Fixtures.prompts(config, 40, rng);
        AnalysisContext alone = Fixtures.context(model, batch, Factors.BOTH, settings(100, true));
        AnalysisContext first = Fixtures.context(model, batch, Factors.BOTH, Map.of("trajectories", true));
        AnalysisContext second = new AnalysisContext(alone.settings(), model, alone.task(), batch, first.cache(), Factors.BOTH,
                alone.seed(), alone.monitor(), first.shared());
        new CoupledMeanShiftAnalyzer().analyze(first);
        Forward.Result computed = first.require(RecursionResults.TRAJECTORIES);
        AnalysisResult shared = new LayerDynamicsAnalyzer().analyze(second);
        assertTrue(computed == second.require(RecursionResults.TRAJECTORIES), "one recursion run per run");
        assertEquals(new LayerDynamicsAnalyzer().analyze(alone).tables().get("layer-dynamics").rows(),
                shared.tables().get("layer-dynamics").rows());
    }
}
