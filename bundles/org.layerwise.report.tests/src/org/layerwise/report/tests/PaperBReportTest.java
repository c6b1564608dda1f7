package org.layerwise.report.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.io.Csv;
import org.layerwise.report.StudyReport;
import org.layerwise.report.Verdict;
import org.layerwise.report.internal.PaperB;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

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
        // The SVG draws one line per run and mode, each one path through its checkpoints after step 0 (a log axis shows no 0).
        DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        NodeList groups = xml.newDocumentBuilder().parse(out.resolve("figures/conserved-quantity.svg").toFile()).getElementsByTagName("g");
        Map<String, Integer> drawn = new TreeMap<>();
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if ("series-line".equals(g.getAttribute("class"))) {
                assertEquals(1, g.getElementsByTagName("path").getLength(), g.getAttribute("data-series"));
                String d = ((Element) g.getElementsByTagName("path").item(0)).getAttribute("d");
                drawn.put(g.getAttribute("data-series"), d.split("[ML]", -1).length - 1);
            }
        }
        Map<String, Integer> plotted = new TreeMap<>();
        for (int i = 0; i < conserved.size(); i++) {
            if (!conserved.get(i, "step").equals("0")) {
                plotted.merge(conserved.get(i, "run") + ".mode." + conserved.get(i, "mode"), 1, Integer::sum);
            }
        }
        assertEquals(8, plotted.size());
        assertEquals(plotted, drawn);
    }

    @Test
    void each_emergence_run_has_its_figure_and_its_verdict_in_section_4() throws Exception {
        Map<String, SyntheticStudy.Run> runs = new LinkedHashMap<>();
        for (String role : PaperB.LINEAR) {
            runs.put(role, new SyntheticDynamicsRun());
        }
        SyntheticEmergenceRun classification = new SyntheticEmergenceRun();
        classification.rankAfter = classification.rankBefore; // the ranks stay put: this run's claim fails
        SyntheticEmergenceRun regression = SyntheticEmergenceRun.regression();
        runs.put(PaperB.EMERGENCE, classification);
        runs.put(PaperB.EMERGENCE_REGRESSION, regression);
        Path out = dir.resolve("out");
        StudyReport report = PaperB.study().reporter().write(out, SyntheticStudy.write(dir.resolve("runs"), runs), false);

        assertEquals(Verdict.NOT_HELD, SyntheticStudy.claim(report.claims(), "4", "in-context classification").verdict());
        assertEquals(Verdict.HELD, SyntheticStudy.claim(report.claims(), "4", "in-context regression").verdict());
        String html = Files.readString(report.html());
        String section = html.substring(html.indexOf("id=\"result-4\""));
        assertTrue(section.contains("did not hold") && section.contains(": held"), "both verdicts in section 4");
        for (String role : PaperB.EMERGENCE_RUNS) {
            for (String ext : new String[] {"svg", "png", "csv"}) {
                assertTrue(Files.size(out.resolve("figures/" + role + "." + ext)) > 0, role + "." + ext);
            }
            assertTrue(section.contains("figures/" + role + ".csv"), role + " shown in section 4");
        }

        // The regression figure plots the regression run's loss, a mean over each window of 20 steps ending at the step.
        Csv.Table plotted = Csv.read(out.resolve("figures/" + PaperB.EMERGENCE_REGRESSION + ".csv"));
        int checked = 0;
        for (int i = 0; i < plotted.size(); i++) {
            assertEquals(PaperB.EMERGENCE_REGRESSION, plotted.get(i, "run"));
            if (!plotted.get(i, "quantity").equals("loss_smoothed")) {
                continue;
            }
            int step = Integer.parseInt(plotted.get(i, "step"));
            double mean = 0;
            for (int t = step - 19; t <= step; t++) { // the synthetic curve at step t, noise +-0.01 cancelling over 20 steps
                double f = t <= regression.dropFrom ? 0 : t >= regression.dropTo ? 1
                        : (t - regression.dropFrom) / (double) (regression.dropTo - regression.dropFrom);
                mean += (regression.plateau + f * (regression.after - regression.plateau)) / 20;
            }
            assertEquals(mean, Csv.parseDouble(plotted.get(i, "value")), 1e-9, "step " + step);
            checked++;
        }
        assertTrue(checked > 100, checked + " loss points");
        assertEquals(Verdict.HELD, SyntheticStudy.claim(report.claims(), "1", "mode by mode").verdict(), "claims 1-3 unaffected");
    }
}
