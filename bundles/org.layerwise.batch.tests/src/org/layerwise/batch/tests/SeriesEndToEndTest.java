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
import org.layerwise.core.SeriesSchedule;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;

/** A run that keeps a checkpoint series is measured by spectral-dynamics from the files the run wrote. */
class SeriesEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void spectral_dynamics_measures_every_checkpoint_of_the_run_and_the_final_one_is_at_distance_zero() throws Exception {
        Path f = CliHarness.pipeline(dir, "series", CliHarness.TINY_TASK + CliHarness.TINY_BACKEND
                + "\n  <stages role=\"analyzer\" contribution=\"spectral-dynamics\"/>");
        Path out = dir.resolve("runs");
        Outcome o = CliHarness.run("run", f.toString(), "--out", out.toString(), "--eval-prompts", "16", "--set",
                "backend.checkpoints=log:5");
        assertEquals(0, o.exitCode(), o.toString());
        Path run;
        try (Stream<Path> s = Files.list(out)) {
            run = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        int[] steps = SeriesSchedule.parse("log:5", 40).steps();
        Csv.Table t = Csv.read(run.resolve("spectral-dynamics.csv"));
        // TINY_BACKEND: 2 layers, 1 head, merged: QK and OV per head and checkpoint
        assertEquals(steps.length * 2 * 2, t.rows().size(), t.header().toString());
        int step = t.header().indexOf("step");
        int distance = t.header().indexOf("subspace_distance");
        for (List<String> row : t.rows()) {
            if (Integer.parseInt(row.get(step)) == steps[steps.length - 1]) {
                assertEquals(0.0, Double.parseDouble(row.get(distance)), 1e-9, "the final checkpoint against itself: " + row);
            }
        }
        long[] npzSteps = Npz.read(run.resolve("spectral-dynamics.npz")).get("steps").toLongs();
        assertEquals(steps.length, npzSteps.length);
        Map<?, ?> scalars = (Map<?, ?>) ((Map<?, ?>) Json.readMap(run.resolve("metrics.json")).get("analyzers")).get("spectral-dynamics");
        assertEquals((double) steps.length, ((Number) scalars.get("checkpoints")).doubleValue());
        assertTrue(o.out().contains("spectral") || o.out().contains("effective rank"), o.out());
    }
}
