package org.layerwise.analysis.dynamics.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.batch.Cli;
import org.layerwise.core.Tensor;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;

/** A tiny pipeline with both analyzers through the batch command line, and the files they write. */
class EndToEndTest {

    @TempDir
    Path dir;

    static final String PIPELINE = """
            <?xml version="1.0" encoding="UTF-8"?>
            <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" \
            xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="dynamics-e2e" seed="5">
              <stages role="task" contribution="semi-supervised">
                <settings key="d" value="4"/>
                <settings key="C" value="3"/>
                <settings key="N" value="8"/>
                <settings key="u" value="0.25"/>
              </stages>
              <stages role="backend" contribution="softmax-attention">
                <settings key="layers" value="2"/>
                <settings key="steps" value="40"/>
                <settings key="batch" value="32"/>
              </stages>
              <stages role="enforcer" contribution="random-conjugation"/>
              <stages role="analyzer" contribution="coupled-mean-shift"/>
              <stages role="analyzer" contribution="layer-dynamics">
                <settings key="resamples" value="200"/>
              </stages>
            </layerwise:Pipeline>
            """;

    @Test
    void a_pipeline_with_coupled_mean_shift_and_layer_dynamics_writes_their_files() throws Exception {
        Path file = dir.resolve("dynamics-e2e.layerwise");
        Files.writeString(file, PIPELINE);
        Path out = dir.resolve("runs");
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int code = Cli.execute(new String[] {"run", file.toString(), "--out", out.toString(), "--eval-prompts", "64"},
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8));
        String printed = stdout.toString(StandardCharsets.UTF_8);
        String report = "exit " + code + "\n--- stdout\n" + printed + "\n--- stderr\n" + stderr.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, report);
        assertTrue(printed.contains("Coupled mean-shift recursion"), report);
        assertTrue(printed.contains("Recursion fidelity (full, 64 prompts)"), report);
        assertTrue(printed.contains("Layer dynamics (docs/mathematics.md section 7)"), report);
        Path run;
        try (Stream<Path> s = Files.list(out)) {
            run = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertEquals("OK", Json.readMap(run.resolve("run.json")).get("status"));

        Map<String, Object> cms = Json.readMap(run.resolve("coupled-mean-shift.json"));
        assertEquals("coupled-mean-shift", cms.get("analyzer"));
        assertTrue(cms.keySet().containsAll(List.of("scalars", "coefficients", "fidelity", "dropped", "conventions", "reduced_form")),
                cms.keySet().toString());
        Map<?, ?> scalars = (Map<?, ?>) cms.get("scalars");
        double agreement = ((Number) scalars.get("agreement_full")).doubleValue();
        assertTrue(agreement >= 0 && agreement <= 1);
        assertEquals(2, ((List<?>) cms.get("coefficients")).size());

        Csv.Table coefficients = Csv.read(run.resolve("coupled-mean-shift-coefficients.csv"));
        assertEquals(List.of("layer", "head", "q_a", "q_b", "q_f", "q_g", "q_c", "q_e", "v_a", "v_b", "v_f", "v_g", "v_c", "v_e",
                "alpha", "beta", "gamma", "delta", "q_asymmetry", "v_asymmetry"), coefficients.header());
        assertEquals(2, coefficients.rows().size());
        Csv.Table perLayer = Csv.read(run.resolve("coupled-mean-shift.csv"));
        assertEquals(List.of("layer", "head", "form", "measure", "block", "value"), perLayer.header());
        assertEquals(2 * 2 * 4, perLayer.rows().stream().filter(r -> r.get(3).equals("hidden_r2")).count());

        Map<String, Tensor> trajectories = Npz.read(run.resolve("coupled-mean-shift.npz"));
        assertEquals(List.of("full.blocks.0.hook_resid_post", "full.blocks.1.hook_resid_post", "reduced.blocks.0.hook_resid_post",
                "reduced.blocks.1.hook_resid_post"), List.copyOf(trajectories.keySet()));
        for (Tensor t : trajectories.values()) {
            assertEquals(Tensor.DType.F32, t.dtype());
            assertArrayEquals(new long[] {64, 9, 7}, t.shape());
        }

        Csv.Table dynamics = Csv.read(run.resolve("layer-dynamics.csv"));
        assertEquals(List.of("source", "layer", "block", "head", "measure", "mean", "low", "high", "n"), dynamics.header());
        assertEquals(2 * (3 * 6 + 2 * 3 * 2), dynamics.rows().size());
        Map<String, Object> dyn = Json.readMap(run.resolve("layer-dynamics.json"));
        Map<?, ?> settings = (Map<?, ?>) dyn.get("settings");
        assertEquals(200, ((Number) settings.get("resamples")).intValue());
        assertEquals(0.95, ((Number) settings.get("level")).doubleValue(), 0.0);
        assertTrue(((List<?>) dyn.get("summary_lines")).size() >= 9);

        Map<String, Object> metrics = Json.readMap(run.resolve("metrics.json"));
        Map<?, ?> analyzers = (Map<?, ?>) metrics.get("analyzers");
        assertTrue(analyzers.containsKey("coupled-mean-shift") && analyzers.containsKey("layer-dynamics"), analyzers.toString());
    }
}
