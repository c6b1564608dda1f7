package org.layerwise.backend.transformer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.layerwise.core.TokenDataset;
import org.layerwise.core.model.NetworkConfig;

/** End to end: either engine with AdamW fits the training split of modular addition. */
class TrainingTest {

    @ParameterizedTest(name = "{0} engine")
    @ValueSource(strings = {"reference", "batched"})
    void fullBatchAdamWFitsModularAdditionAtP7(String kind) {
        TokenDataset d = Fixtures.modularAddition(7, 0.5, 3);
        assertEquals(24, d.train().length);
        NetworkConfig c = Fixtures.config(8, 7, 3, 32, 1, 4, 8, 64, false, false);
        Engine engine = kind.equals("batched") ? new BatchedEngine(c, d) : new ReferenceEngine(c, d);
        double[][] w = TransformerInit.initialize(c, 1, -1).values();
        double[][] g = Parameters.zerosLike(Parameters.sizes(c));
        AdamW adam = new AdamW(Parameters.sizes(c), 0.9, 0.98, 1e-8, 0);
        Engine.Evaluation first = engine.evaluate(w, d.train());
        int steps = 0;
        Engine.Evaluation e = first;
        while (e.accuracy() < 1 && steps < 400) {
            e = engine.lossAndGradient(w, d.train(), g);
            adam.step(w, g, 1e-2);
            steps++;
        }
        Engine.Evaluation last = engine.evaluate(w, d.train());
        assertEquals(1.0, last.accuracy(), "training accuracy after " + steps + " steps; loss " + first.loss() + " -> " + last.loss());
        assertTrue(last.loss() < 0.5 * first.loss(), first.loss() + " -> " + last.loss());
    }
}
