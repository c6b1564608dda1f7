package org.layerwise.batch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.batch.tests.CliHarness.Outcome;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.testing.Fixtures;

/** `reproduce paper-b --quick` end to end: six runs, a verdict per claim, figures that plot the runs' numbers. */
class ReproducePaperBTest {

    static final List<String> ROLES = List.of("staged-learning", "conservation-eta", "conservation-half-eta", "full-parameterization",
            "emergence", "emergence-regression");
    static final List<String> FIGURES = List.of("loss", "mode-trajectories", "conserved-quantity", "emergence",
            "emergence-regression");

    @TempDir
    Path dir;

    /** paper-a's fixture: the repository as layerwise.home for the test, restored after it. */
    private final ReproduceTest home = new ReproduceTest();

    @BeforeEach
    void repositoryAsHome() {
        home.repositoryAsHome();
    }

    @AfterEach
    void restoreHome() {
        home.restoreHome();
    }

    @Test
    void quick_paper_b_judges_every_claim_and_its_figures_plot_the_numbers_of_the_run_directories() throws Exception {
        Path out = dir.resolve("paper-b");
        Outcome o = CliHarness.run("reproduce", "paper-b", "--quick", "--out", out.toString());
        assertEquals(0, o.exitCode(), o.toString());

        Map<String, Path> runs = CliHarness.okRuns(out, "");
        assertEquals(Set.copyOf(ROLES), runs.keySet(), "one run directory per pipeline");

        String html = Files.readString(out.resolve("report.html"));
        for (int result = 1; result <= 4; result++) {
            assertTrue(html.contains("id=\"result-" + result + "\""), "report section of claim " + result);
            assertTrue(o.out().contains("Result " + result + " "), "claim " + result + " on stdout\n" + o.out());
        }
        for (String task : List.of("classification", "regression")) {
            assertEquals(1, o.out().lines().filter(l -> l.startsWith("Result 4 ") && l.contains("in-context " + task)).count(),
                    "claim 4 judged on the " + task + " run\n" + o.out());
        }
        Map<String, Object> regression = Json.readMap(runs.get("emergence-regression").resolve("run.json"));
        assertTrue(regression.toString().contains("linear-regression"), "the regression run trained on linear-regression");
        // Every claim is judged on measured numbers, whichever way it goes.
        for (String line : o.out().lines().filter(l -> l.startsWith("Result ")).toList()) {
            assertTrue(line.contains(" HELD") || line.contains("DID NOT HOLD"), line);
        }
        assertTrue(html.contains("QUICK mode"), "the report says it is a quick run");

        for (String figure : FIGURES) {
            for (String ext : List.of("svg", "png", "csv")) {
                assertTrue(Files.size(out.resolve("figures/" + figure + "." + ext)) > 0, figure + "." + ext);
            }
            assertTrue(html.contains("figures/" + figure + ".csv"), figure + " in the report");
        }

        // The mode trajectories are the staged-learning run's learning-dynamics.csv, over a_inf.
        Csv.Table plotted = Csv.read(out.resolve("figures/mode-trajectories.csv"));
        Csv.Table measured = Csv.read(runs.get("staged-learning").resolve("learning-dynamics.csv"));
        Csv.Table modes = Csv.read(runs.get("staged-learning").resolve("learning-dynamics-modes.csv"));
        int checked = 0;
        for (int i = 0; i < plotted.size(); i++) {
            if (!plotted.get(i, "run").equals("staged-learning")) {
                continue;
            }
            double aInf = Csv.parseDouble(modes.get(Integer.parseInt(plotted.get(i, "mode")), "a_inf"));
            assertEquals(Csv.parseDouble(measured.get(checked, "a_simulated")) / aInf,
                    Csv.parseDouble(plotted.get(i, "a_simulated_over_a_inf")), 1e-12, "row " + i);
            assertEquals(Csv.parseDouble(measured.get(checked, "a_closed")) / aInf,
                    Csv.parseDouble(plotted.get(i, "a_closed_over_a_inf")), 1e-12, "row " + i);
            checked++;
        }
        assertEquals(measured.size(), checked, "every checkpoint and mode plotted");
    }

    /** A wrong regression pipeline stops the study before anything trains: no study directory, no run. */
    @Test
    void a_wrong_emergence_regression_pipeline_is_refused_before_anything_trains() throws Exception {
        Path home = dir.resolve("home");
        Path folder = Files.createDirectories(home.resolve("examples/paper-b"));
        try (Stream<Path> files = Files.list(Fixtures.repository().resolve("examples/paper-b"))) {
            for (Path f : files.toList()) {
                Files.copy(f, folder.resolve(f.getFileName()));
            }
        }
        Path pipeline = folder.resolve("emergence-regression.layerwise");
        String xml = Files.readString(pipeline);
        String analyzer = "  <stages role=\"analyzer\"";
        assertTrue(xml.contains(analyzer), xml);
        // Regression takes no symmetry enforcer in softmax-attention: an incompatibility only the validator sees.
        Files.writeString(pipeline, xml.replace(analyzer, "  <stages role=\"enforcer\" contribution=\"random-conjugation\"/>\n"
                + analyzer));
        System.setProperty("layerwise.home", home.toString());

        Path out = dir.resolve("paper-b");
        Outcome o = CliHarness.run("reproduce", "paper-b", "--quick", "--out", out.toString());
        assertEquals(6, o.exitCode(), o.toString());
        assertTrue(o.err().contains("emergence-regression.layerwise") && o.err().contains("enforcer"), o.toString());
        assertFalse(Files.exists(out), "nothing was trained or written");
        assertFalse(o.err().contains("paper-b 1/6"), "no pipeline started\n" + o.err());
    }
}
