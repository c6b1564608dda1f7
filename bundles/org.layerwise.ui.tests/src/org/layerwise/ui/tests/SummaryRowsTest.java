package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.io.Json;
import org.layerwise.runner.RunDirectory;
import org.layerwise.ui.results.SummaryRows;

/** The Summary of a regression run speaks of squared error, not of accuracy it does not have. */
class SummaryRowsTest {

    @TempDir
    Path dir;

    @Test
    void a_regression_run_shows_its_squared_error_beside_predicting_zero() throws Exception {
        Json.write(dir.resolve("run.json"), Map.of("status", "OK"));
        Json.write(dir.resolve("metrics.json"), Map.of("eval_prompts", 64, "eval_loss", 0.125, "zero_predictor_loss", 2.5,
                "final_train_loss", 0.25, "steps", 100));
        List<SummaryRows.Row> rows = SummaryRows.of(RunDirectory.open(dir));
        SummaryRows.Row error = rows.stream().filter(r -> r.quantity().equals("squared error (model)")).findFirst().orElseThrow();
        assertEquals("0.1250", error.value());
        assertTrue(error.note().contains("predicting 0: 2.500") && error.note().contains("64 prompts"), error.note());
        assertTrue(rows.stream().noneMatch(r -> r.quantity().startsWith("accuracy")), rows.toString());
        assertTrue(rows.stream().anyMatch(r -> r.quantity().equals("final training loss") && r.note().contains("1/2 squared error")),
                rows.toString());
    }
}
