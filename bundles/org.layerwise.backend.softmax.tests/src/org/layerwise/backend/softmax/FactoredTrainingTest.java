package org.layerwise.backend.softmax;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.layerwise.core.BackendContext;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.AttentionFactors;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.symmetry.RandomConjugation;

/** Training W_Q, W_K, W_V, W_O with d_head below D, on both engines. */
class FactoredTrainingTest {

    static Settings settings(String engine, long steps) {
        return Settings.of(Map.ofEntries(Map.entry("layers", 2L), Map.entry("heads", 2L), Map.entry("keys", "context"),
                Map.entry("parameterization", "factored"), Map.entry("d_head", 3L), Map.entry("steps", steps),
                Map.entry("batch", 32L), Map.entry("lr", 0.01), Map.entry("beta1", 0.9), Map.entry("beta2", 0.999),
                Map.entry("eps", 1e-8), Map.entry("init_scale", 0.1), Map.entry("dtype", "float32"), Map.entry("threads", 2L),
                Map.entry("nd4j_threads", 1L), Map.entry("engine", engine), Map.entry("schedule", "constant"),
                Map.entry("weight_decay", 0.0)));
    }

    static TrainedModel train(String engine, long steps) throws Exception {
        SoftmaxAttentionBackend backend = new SoftmaxAttentionBackend();
        TaskSpec task = new TaskSpec(TaskSpec.CLASSIFICATION, SoftmaxAttentionGraphTest.D, SoftmaxAttentionGraphTest.C,
                SoftmaxAttentionGraphTest.N);
        ModelConfig c = backend.configure(settings(engine, steps), task);
        BackendContext ctx = new BackendContext(settings(engine, steps), c, task,
                (step, size) -> SoftmaxAttentionGraphTest.prompts(size, 3000 + step), new RandomConjugation(),
                Settings.of(Map.of("factor", "both")), 5, 6, TrainingMonitor.NONE);
        return backend.build(ctx);
    }

    @Test
    void factored_training_learns_on_both_engines_along_the_same_trajectory() throws Exception {
        TrainedModel fused = train("fused", 200);
        TrainedModel nd4j = train("nd4j", 100);
        assertEquals("fused", fused.facts().get("engine"));
        assertEquals("nd4j", nd4j.facts().get("engine"));
        double worst = 0;
        for (int i = 0; i < 100; i++) {
            worst = Math.max(worst, Math.abs(fused.lossCurve()[i] - nd4j.lossCurve()[i]) / nd4j.lossCurve()[i]);
        }
        assertTrue(worst < 1e-3, "worst relative loss difference over 100 steps " + worst);
        double[] curve = fused.lossCurve();
        double first = 0;
        double last = 0;
        for (int i = 0; i < 20; i++) {
            first += curve[i] / 20;
            last += curve[curve.length - 20 + i] / 20;
        }
        assertTrue(last < first - 0.05, "loss " + first + " -> " + last);
    }

    @Test
    void the_trained_model_carries_factors_whose_products_are_its_matrices() throws Exception {
        TrainedModel t = train("fused", 30);
        ModelConfig c = t.model().config();
        assertEquals("factored", c.parameterization());
        assertEquals(3, c.dHead());
        AttentionFactors f = t.model().factors();
        assertNotNull(f);
        assertEquals(3, f.dHead());
        for (int l = 0; l < 2; l++) {
            for (int h = 0; h < 2; h++) {
                assertArrayEquals(f.qk(l * 2 + h), t.model().qk(l, h), 0.0);
                assertArrayEquals(f.ov(l * 2 + h), t.model().ov(l, h), 0.0);
            }
        }
        for (double v : f.wo()[3]) {
            assertEquals((float) v, v, 0.0, "float32 training keeps float32 factors");
        }
        assertTrue(String.valueOf(t.facts().get("parameterization")).startsWith("factored"));
    }
}
