package org.layerwise.report.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.io.Csv;
import org.layerwise.report.StudyReport;
import org.layerwise.report.Verdict;
import org.layerwise.report.internal.PaperB;

/** Paper B's report.html from hand-written run directories: a claim that fails is shown as failed, its figures are drawn. */
class PaperBReportTest {

    @TempDir
    Path dir;

    @Test
    void a_failed_claim_is_reported_as_failed_with_its_rule_and_the_figures_plot_the_run_numbers() throws Exception {
        Map<String, SyntheticDynamicsRun> runs = new LinkedHashMap<>();
        for (String role : PaperB.LINEAR) {
            runs.put(role, new SyntheticDynamicsRun());
        }
        runs.get(PaperB.STAGED).maxDeviation = 0.03; // the closed form 3% off: claim 2 fails
        Path out = dir.resolve("out");
        StudyReport report = PaperB.study().reporter().write(out, SyntheticStudy.write(dir.resolve("runs"), runs), true);

        assertEquals(Verdict.NOT_HELD, SyntheticStudy.claim(report.claims(), "2", "closed form").verdict());
        String html = Files.readString(report.html());
        assertTrue(html.contains("Did not hold: 2 (In the reduced parameterisation"), "the summary names the failed claim");
        assertTrue(html.contains("class=\"not-held\">did not hold<"), "the table marks it");
        assertTrue(html.contains("is at most 0.01"), "with its rule");
        assertTrue(html.contains("QUICK mode"));
        assertTrue(html.contains("Figure loss: not drawn"), "no training.npz, no loss figure, and the page says so");
        for (String figure : new String[] {"mode-trajectories", "conserved-quantity"}) {
            for (String ext : new String[] {"svg", "png", "csv"}) {
                assertTrue(Files.size(out.resolve("figures/" + figure + "." + ext)) > 0, figure + "." + ext);
            }
        }
        Csv.Table conserved = Csv.read(out.resolve("figures/conserved-quantity.csv"));
        assertEquals(2 * 2 * 4, conserved.size(), "two runs, two checkpoints, four modes");
        for (int i = 0; i < conserved.size(); i++) {
            double expected = conserved.get(i, "step").equals("0") ? 0 : runs.get(conserved.get(i, "run")).drift;
            assertEquals(expected, Csv.parseDouble(conserved.get(i, "abs_c_minus_c0")), 1e-15, "row " + i);
        }
    }
}
