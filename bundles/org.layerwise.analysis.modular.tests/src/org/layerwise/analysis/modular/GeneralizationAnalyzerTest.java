package org.layerwise.analysis.modular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.EvaluatedCurves;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.ModelSeries;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Settings;
import org.layerwise.core.SharedResults;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.NetworkModel;

/** Memorisation and generalisation steps found on hand-made curves. */
class GeneralizationAnalyzerTest {

    static EvaluatedCurves curves(long[] steps, double[] train, double[] test) {
        Map<String, double[]> v = new LinkedHashMap<>();
        v.put(EvaluatedCurves.TRAIN_ACCURACY, train);
        v.put(EvaluatedCurves.TEST_ACCURACY, test);
        v.put(EvaluatedCurves.TRAIN_LOSS, new double[steps.length]);
        return new EvaluatedCurves(steps, v);
    }

    static final long[] GRID = {0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95};

    @Test
    void the_first_grid_steps_at_the_level_and_their_ratio() {
        // train reaches 0.99 exactly at 30 (and dips after), test first at 80
        double[] train = {0.01, 0.5, 0.98, 0.99, 0.97, 1, 1, 1, 1, 1, 1};
        double[] test = {0.01, 0.02, 0.02, 0.03, 0.1, 0.5, 0.9, 0.989, 0.995, 0.98, 1};
        GeneralizationAnalyzer.Steps s = GeneralizationAnalyzer.steps(curves(GRID, train, test), 0.99);
        assertEquals(30, s.memorisation());
        assertEquals(80, s.generalisation());
        assertEquals(80.0 / 30, s.ratio(), 1e-15);
        assertEquals(10, s.grid(), "the widest gap; the last one (5) is narrower");
        GeneralizationAnalyzer.Steps lower = GeneralizationAnalyzer.steps(curves(GRID, train, test), 0.5);
        assertEquals(10, lower.memorisation());
        assertEquals(50, lower.generalisation());
    }

    @Test
    void a_level_never_reached_is_nan_and_so_is_the_ratio() {
        double[] train = {0.01, 0.5, 0.98, 0.99, 0.97, 1, 1, 1, 1, 1, 1};
        double[] test = {0.01, 0.02, 0.02, 0.03, 0.1, 0.5, 0.9, 0.95, 0.97, 0.98, 0.989};
        GeneralizationAnalyzer.Steps s = GeneralizationAnalyzer.steps(curves(GRID, train, test), 0.99);
        assertEquals(30, s.memorisation());
        assertTrue(Double.isNaN(s.generalisation()));
        assertTrue(Double.isNaN(s.ratio()));
        GeneralizationAnalyzer.Steps neither = GeneralizationAnalyzer.steps(curves(GRID, test, test), 0.99);
        assertTrue(Double.isNaN(neither.memorisation()) && Double.isNaN(neither.ratio()));
    }

    @Test
    void memorised_at_step_0_divides_by_1_and_one_evaluation_has_no_grid() {
        GeneralizationAnalyzer.Steps s = GeneralizationAnalyzer.steps(curves(new long[] {0, 100, 200},
                new double[] {1, 1, 1}, new double[] {0, 0, 0.999}), 0.99);
        assertEquals(0, s.memorisation());
        assertEquals(200, s.ratio());
        assertEquals(100, s.grid());
        GeneralizationAnalyzer.Steps single = GeneralizationAnalyzer.steps(curves(new long[] {0}, new double[] {1},
                new double[] {1}), 0.99);
        assertEquals(0, single.generalisation());
        assertTrue(Double.isNaN(single.grid()));
    }

    @Test
    void curves_without_test_accuracy_are_refused_by_name() {
        EvaluatedCurves trainOnly = new EvaluatedCurves(new long[] {0, 1}, Map.of(EvaluatedCurves.TRAIN_ACCURACY, new double[] {0, 1}));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> GeneralizationAnalyzer.steps(trainOnly, 0.99));
        assertTrue(e.getMessage().contains("'test_accuracy'"), e.getMessage());
    }

    static AnalysisContext context(Settings settings, TaskSpec task, TrainedModel training) {
        NetworkModel network = Networks.random(Networks.config(5, 4, 1, 4, 8), 0.1, new SplittableRandom(1));
        return AnalysisContext.ofNetwork(settings, network, task, null, 3L, TrainingMonitor.NONE, new SharedResults(),
                ModelSeries.Series.EMPTY, training);
    }

    @Test
    void registered_for_transformers_and_run_on_a_training_record_with_its_undefined_scalars_declared() throws Exception {
        ContributionDescriptor d = Networks.installed("generalization");
        Settings defaults = d.resolve(Map.of());
        assertEquals(Map.of("level", 0.99), defaults.asMap());
        RecursionAnalyzer a = d.create(RecursionAnalyzer.class);
        Networks.Task task = Networks.Task.of(5, "add");
        a.configureNetwork(defaults, Networks.config(5, 4, 1, 4, 8), task.spec());
        InvalidSettingException notSequence = assertThrows(InvalidSettingException.class,
                () -> a.configureNetwork(defaults, Networks.config(5, 4, 1, 4, 8), new TaskSpec(TaskSpec.CLASSIFICATION, 5, 3, 8)));
        assertTrue(notSequence.getMessage().contains("no test split"), notSequence.getMessage());

        double[] test = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95};
        TrainedModel trained = TrainedModel.ofNetwork(null, new double[95], false, Map.of(), null,
                curves(GRID, new double[] {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, test));
        AnalysisResult r = a.analyze(context(defaults, task.spec(), trained));
        assertEquals(10.0, r.scalars().get("memorisation_step"));
        assertTrue(Double.isNaN(r.scalars().get("generalisation_step")));
        Networks.assertDeclared(d, r);
        assertTrue(r.summaryLines().get(0).contains("generalised at step none"), r.summaryLines().toString());
    }

    @Test
    void a_run_without_evaluated_curves_fails_saying_why() throws Exception {
        Settings s = Settings.of(Map.of("level", 0.99));
        TaskSpec spec = Networks.Task.of(5, "add").spec();
        TrainedModel loaded = TrainedModel.ofNetwork(null, new double[0], false, Map.of(), null, null);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> new GeneralizationAnalyzer().analyze(context(s, spec, loaded)));
        assertTrue(e.getMessage().contains("loaded, not trained"), e.getMessage());
        IllegalStateException none = assertThrows(IllegalStateException.class,
                () -> new GeneralizationAnalyzer().analyze(context(s, spec, null)));
        assertTrue(none.getMessage().contains("this run has none"), none.getMessage());
    }
}
