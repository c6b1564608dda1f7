package org.layerwise.batch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.batch.tests.CliHarness.Outcome;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.testing.Fixtures;

/**
 * examples/paper-b/staged-learning.layerwise end to end: the linear-regression task, the
 * linear-attention backend on the exact expected gradient, its checkpoint series, and the
 * learning-dynamics analyzer's verdicts (docs/mathematics.md section 9).
 */
class PaperBDynamicsTest {

    @TempDir
    Path dir;

    @Test
    void the_reduced_model_follows_the_closed_form_within_one_percent_and_learns_its_modes_in_the_order_of_s() throws Exception {
        Path pipeline = Fixtures.repository().resolve("examples/paper-b/staged-learning.layerwise");
        Path out = dir.resolve("runs");
        Outcome o = CliHarness.run("run", pipeline.toString(), "--out", out.toString(), "--eval-prompts", "64");
        assertEquals(0, o.exitCode(), o.toString());
        Path run;
        try (Stream<Path> s = Files.list(out)) {
            run = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        Map<?, ?> ld = (Map<?, ?>) ((Map<?, ?>) Json.readMap(run.resolve("metrics.json")).get("analyzers")).get("learning-dynamics");
        assertTrue(((Number) ld.get("max_deviation")).doubleValue() < 0.01, ld.toString());
        assertEquals(1.0, ((Number) ld.get("staged_order")).doubleValue(), ld.toString());
        assertTrue(((Number) ld.get("conservation_drift")).doubleValue() < 1e-6, ld.toString());
        Csv.Table modes = Csv.read(run.resolve("learning-dynamics-modes.csv"));
        int sim = modes.header().indexOf("half_step_simulated");
        int closed = modes.header().indexOf("half_step_closed");
        int tau = modes.header().indexOf("tau");
        for (List<String> row : modes.rows()) {
            double t = Double.parseDouble(row.get(tau));
            assertEquals(Double.parseDouble(row.get(closed)), Double.parseDouble(row.get(sim)), 0.05 * t,
                    "each mode reaches a_inf / 2 when the closed form says, to a twentieth of its timescale: " + row);
        }
        Map<String, Object> metrics = Json.readMap(run.resolve("metrics.json"));
        assertTrue(((Number) metrics.get("eval_loss")).doubleValue() < 0.5 * ((Number) metrics.get("zero_predictor_loss")).doubleValue(),
                "the trained model regresses in context: " + metrics);
    }
}
