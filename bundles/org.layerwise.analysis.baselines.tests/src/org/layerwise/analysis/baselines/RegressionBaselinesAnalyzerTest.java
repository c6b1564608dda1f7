package org.layerwise.analysis.baselines;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.layerwise.core.ActivationCache;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Role;
import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer;
import org.layerwise.core.TaskGenerator;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.Forward;
import org.layerwise.testing.Fixtures;

/** The analyzer on linear-regression prompts, as the runner calls it through its descriptor. */
class RegressionBaselinesAnalyzerTest {

    private final ContributionRegistry registry = ContributionRegistry.load();

    private record Prompts(PromptBatch batch, TaskSpec spec) {
    }

    private Prompts prompts(int count, long seed, String... keyValues) throws Exception {
        Map<String, String> raw = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            raw.put(keyValues[i], keyValues[i + 1]);
        }
        ContributionDescriptor d = registry.find(Role.TASK, "linear-regression");
        assertNotNull(d, "linear-regression is registered; problems: " + registry.problems());
        TaskGenerator g = d.create(TaskGenerator.class);
        Settings s = d.resolve(raw);
        return new Prompts(g.generate(s, count, seed), g.configure(s));
    }

    /** A model that predicts the target plus Gaussian noise of standard deviation sd. */
    private static double[] noisy(PromptBatch b, double sd, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] y = b.queryTargets.clone();
        for (int i = 0; i < y.length; i++) {
            y[i] += sd * rng.nextGaussian();
        }
        return y;
    }

    private AnalysisResult run(Prompts p, double[] outputs, long seed, Map<String, String> settings) throws Exception {
        ContributionDescriptor d = registry.find(Role.ANALYZER, "baselines");
        Settings s = d.resolve(settings);
        RecursionAnalyzer a = d.create(RecursionAnalyzer.class);
        a.configure(s, null, p.spec());
        PromptBatch b = p.batch();
        assertEquals(null, b.problem(p.spec(), b.count));
        ActivationCache cache = Fixtures.stored(Map.of("logits", Tensor.of(outputs, b.count, b.classes)));
        return a.analyze(new AnalysisContext(s, null, p.spec(), b, cache, SymmetryEnforcer.Factors.NONE, seed,
                TrainingMonitor.NONE));
    }

    @Test
    void with_at_least_d_context_tokens_every_baseline_recovers_the_noise_free_target() throws Exception {
        Prompts p = prompts(200, 3, "d", "4", "N", "12", "P", "16", "basis", "random", "r", "0.5");
        double[] outputs = noisy(p.batch(), 0.3, 1);
        AnalysisResult r = run(p, outputs, 5, Map.of("resamples", "200"));
        Map<String, Double> s = r.scalars();
        for (String m : List.of("ols", "ridge", "posterior")) {
            assertTrue(s.get("loss_" + m) < 1e-6, m + ": " + s.get("loss_" + m));
        }
        assertTrue(s.get("loss_ols") < 1e-20, "ols is exact: " + s.get("loss_ols"));
        assertTrue(s.get("loss_posterior") < 1e-20, "the true member: " + s.get("loss_posterior"));
        assertTrue(s.get("loss_ridge") > s.get("loss_ols"), "ridge shrinks a little");
        // the model's loss is the runner's eval_loss, zero's its zero_predictor_loss
        PromptBatch b = p.batch();
        assertEquals(Forward.squaredError(outputs, b.queryTargets, b.classes), s.get("loss_model"), 1e-12 * s.get("loss_model"));
        assertEquals(Forward.squaredError(new double[outputs.length], b.queryTargets, b.classes), s.get("loss_zero"),
                1e-12 * s.get("loss_zero"));
        assertEquals(0.5 * 0.09 * 4, s.get("loss_model"), 0.03, "1/2 E||noise||^2");
        for (String m : RegressionComparison.METHODS) {
            double v = s.get("loss_" + m);
            assertTrue(s.get("loss_" + m + "_low") <= v && v <= s.get("loss_" + m + "_high"), m);
        }
        assertEquals(0.001, s.get("ridge_lambda"), 0.0);
        assertEquals(1e-8, s.get("posterior_sigma2"), 0.0);
    }

    @Test
    void below_d_tokens_least_squares_cannot_recover_the_target_but_the_pool_posterior_can() throws Exception {
        Prompts p = prompts(200, 4, "d", "6", "N", "3", "P", "8");
        AnalysisResult r = run(p, noisy(p.batch(), 0.1, 2), 6, Map.of("resamples", "200"));
        Map<String, Double> s = r.scalars();
        assertTrue(s.get("loss_ols") > 0.1 * s.get("loss_zero"), s.get("loss_ols") + " vs zero " + s.get("loss_zero"));
        assertEquals(s.get("loss_ols"), s.get("loss_ridge"), 0.01 * s.get("loss_ols"), "ridge at small lambda is minimum-norm OLS");
        assertTrue(s.get("loss_posterior") < 1e-10, "three tokens single out one of 8 members: " + s.get("loss_posterior"));
    }

    @Test
    void outputs_are_declared_and_consistent() throws Exception {
        Prompts p = prompts(120, 7, "d", "3", "N", "8", "P", "4");
        PromptBatch b = p.batch();
        AnalysisResult r = run(p, noisy(b, 0.5, 3), 9, Map.of("resamples", "100", "ridge_lambda", "0.5"));
        ContributionDescriptor d = registry.find(Role.ANALYZER, "baselines");
        Set<String> tables = d.outputs().stream().filter(o -> o.kind().equals("table")).map(ContributionDescriptor.Output::name)
                .collect(Collectors.toSet());
        assertEquals(Set.of("baselines-regression"), r.tables().keySet());
        assertTrue(tables.containsAll(r.tables().keySet()), "declared " + tables);
        var t = r.tables().get("baselines-regression");
        assertEquals(List.of("method", "loss", "low", "high", "n", "notes"), t.columns());
        assertEquals(RegressionComparison.METHODS, t.rows().stream().map(row -> row.get(0)).toList());
        assertTrue(((String) t.rows().get(2).get(5)).contains("lambda = 0.5"), (String) t.rows().get(2).get(5));
        for (var e : r.scalars().entrySet()) {
            assertTrue(Double.isFinite(e.getValue()), e.getKey() + " = " + e.getValue());
        }
        double[] ridge = (double[]) r.tensors().get("loss_ridge").data();
        assertEquals(b.count, ridge.length);
        assertEquals(java.util.Arrays.stream(ridge).average().orElseThrow(), r.scalars().get("loss_ridge"), 1e-12);
        assertTrue(r.scalars().get("loss_ridge") > 1e-6, "lambda = 0.5 visibly shrinks: " + r.scalars().get("loss_ridge"));
        assertFalse(r.summaryLines().isEmpty());
        assertTrue(r.summaryLines().stream().anyMatch(l -> l.contains("pool posterior mean")), String.join("\n", r.summaryLines()));
        // the same seed, the same result
        assertEquals(r.scalars(), run(p, noisy(b, 0.5, 3), 9, Map.of("resamples", "100", "ridge_lambda", "0.5")).scalars());
    }

    @Test
    void without_a_pool_in_the_task_structure_the_posterior_is_left_out() throws Exception {
        Prompts p = prompts(60, 8, "d", "3", "N", "6", "P", "4");
        TaskSpec bare = new TaskSpec(TaskSpec.REGRESSION, p.spec().features(), p.spec().classes(), p.spec().contextSize());
        AnalysisResult r = run(new Prompts(p.batch(), bare), noisy(p.batch(), 0.1, 4), 10, Map.of("resamples", "50"));
        assertTrue(Double.isNaN(r.scalars().get("loss_posterior")));
        assertTrue(Double.isNaN(r.scalars().get("posterior_sigma2")));
        assertEquals(List.of("model", "ols", "ridge", "zero"),
                r.tables().get("baselines-regression").rows().stream().map(row -> row.get(0)).toList());
        assertTrue(r.scalars().get("loss_ols") < 1e-20);
    }
}
