package org.layerwise.batch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.batch.tests.CliHarness.Outcome;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.testing.Fixtures;

/** `reproduce paper-a --quick` end to end: five runs, a report that lists results 1-5, figures that plot the runs' numbers. */
class ReproduceTest {

    static final List<String> ROLES = List.of("symmetrized", "unconstrained", "label-noise", "semi-supervised", "prototype");
    static final List<String> FIGURES = List.of("accuracy-vs-baselines", "layer-dynamics", "twelve-scalars", "token-trajectories",
            "variant-coefficients");

    @TempDir
    Path dir;

    private String home;

    @BeforeEach
    void repositoryAsHome() {
        home = System.getProperty("layerwise.home");
        Path repo = Fixtures.repository();
        assertNotNull(repo, "repository root above " + System.getProperty("user.dir"));
        System.setProperty("layerwise.home", repo.toString());
    }

    @AfterEach
    void restoreHome() {
        if (home == null) {
            System.clearProperty("layerwise.home");
        } else {
            System.setProperty("layerwise.home", home);
        }
    }

    @Test
    void quick_paper_a_lists_every_result_and_its_figures_plot_the_numbers_of_the_run_directories() throws Exception {
        Path out = dir.resolve("paper-a");
        Outcome o = CliHarness.run("reproduce", "paper-a", "--quick", "--out", out.toString());
        assertEquals(0, o.exitCode(), o.toString());

        Map<String, Path> runs = CliHarness.okRuns(out, "paper-a-");
        assertEquals(Map.copyOf(runs).keySet(), java.util.Set.copyOf(ROLES), "one run directory per pipeline");

        String html = Files.readString(out.resolve("report.html"));
        for (int result = 1; result <= 5; result++) {
            assertTrue(html.contains("id=\"result-" + result + "\""), "report section of result " + result);
            assertTrue(o.out().contains("Result " + result + " "), "result " + result + " on stdout\n" + o.out());
        }
        assertFalse(o.out().contains("NOT MEASURED"), "every claim judged on measured numbers\n" + o.out());
        assertTrue(html.contains("QUICK mode"), "the report says it is a quick run");

        for (String figure : FIGURES) {
            for (String ext : List.of("svg", "png", "csv")) {
                assertTrue(Files.size(out.resolve("figures/" + figure + "." + ext)) > 0, figure + "." + ext);
            }
            assertTrue(html.contains("<svg") && html.contains("figures/" + figure + ".csv"), figure + " in the report");
        }

        Csv.Table accuracy = Csv.read(out.resolve("figures/accuracy-vs-baselines.csv"));
        assertEquals(ROLES.size() * 4, accuracy.size());
        for (int i = 0; i < accuracy.size(); i++) {
            Csv.Table baselines = Csv.read(runs.get(accuracy.get(i, "run")).resolve("baselines.csv"));
            int row = baselines.column("method").indexOf(accuracy.get(i, "method"));
            for (String col : List.of("accuracy", "low", "high")) {
                assertEquals(Csv.parseDouble(baselines.get(row, col)), Csv.parseDouble(accuracy.get(i, col)), 0.0, col);
            }
        }

        Csv.Table dynamics = Csv.read(out.resolve("figures/layer-dynamics.csv"));
        Csv.Table measured = Csv.read(runs.get("symmetrized").resolve("layer-dynamics.csv"));
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < measured.size(); i++) {
            index.put(String.join("/", measured.get(i, "source"), measured.get(i, "measure"), measured.get(i, "block"),
                    measured.get(i, "layer"), measured.get(i, "head")), i);
        }
        assertEquals(2 * 3 * 5, dynamics.size(), "network and recursion, three measures, layers 0-4");
        for (int i = 0; i < dynamics.size(); i++) {
            Integer row = index.get(String.join("/", dynamics.get(i, "source"), dynamics.get(i, "measure"), dynamics.get(i, "block"),
                    dynamics.get(i, "layer"), "-"));
            assertNotNull(row, "row " + i + " of the figure's CSV is in layer-dynamics.csv");
            for (String col : List.of("mean", "low", "high")) {
                assertEquals(Csv.parseDouble(measured.get(row, col)), Csv.parseDouble(dynamics.get(i, col)), 0.0, col);
            }
        }

        Csv.Table scalars = Csv.read(out.resolve("figures/twelve-scalars.csv"));
        Csv.Table coefficients = Csv.read(runs.get("symmetrized").resolve("coupled-mean-shift-coefficients.csv"));
        assertEquals(12 * coefficients.size(), scalars.size());
        for (int i = 0; i < scalars.size(); i++) {
            int layer = Integer.parseInt(scalars.get(i, "layer"));
            int row = coefficients.column("layer").indexOf(String.valueOf(layer));
            assertEquals(Csv.parseDouble(coefficients.get(row, scalars.get(i, "scalar"))), Csv.parseDouble(scalars.get(i, "value")),
                    0.0, "layer " + layer + " " + scalars.get(i, "scalar"));
        }

        // Both trajectories start from the same prompt: the input rows of network and recursion coincide.
        Csv.Table trajectories = Csv.read(out.resolve("figures/token-trajectories.csv"));
        assertEquals(2 * 5 * 33, trajectories.size(), "network and recursion, layers 0-4, 32 context tokens and the probe");
        List<List<String>> input = trajectories.rows().stream().filter(r -> r.get(1).equals("0")).map(r -> r.subList(2, 7)).toList();
        assertEquals(input.subList(0, 33), input.subList(33, 66));
    }

    @Test
    void an_unknown_study_is_a_usage_error_that_lists_the_known_ones() {
        Outcome o = CliHarness.run("reproduce", "paper-z", "--quick", "--out", dir.toString());
        assertEquals(2, o.exitCode(), o.toString());
        assertTrue(o.err().contains("unknown study 'paper-z'") && o.err().contains("paper-a"), o.toString());
    }
}
