package org.layerwise.report.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.io.Csv;
import org.layerwise.report.StudyReport;
import org.layerwise.report.Verdict;
import org.layerwise.report.internal.PaperA;
import org.layerwise.runner.RunDirectory;

/** report.html and figures/ from hand-written run directories: every result, real figure files, the plotted numbers. */
class PaperAReportTest {

    @TempDir
    Path dir;

    @Test
    void the_report_lists_every_result_says_which_did_not_hold_and_plots_the_run_numbers() throws Exception {
        Map<String, RunDirectory> runs = new LinkedHashMap<>();
        for (String role : PaperA.ROLES) {
            SyntheticRun r = new SyntheticRun();
            if (role.equals(PaperA.SYMMETRIZED)) {
                r.asymmetry = 0.6;
            }
            if (role.equals(PaperA.UNCONSTRAINED)) {
                r.asymmetry = 0.7;
                r.accuracy = 0.9;
                r.accuracyLow = 0.88;
                r.accuracyHigh = 0.92;
            }
            runs.put(role, r.write(Files.createDirectories(dir.resolve("runs").resolve(role))));
        }
        Path out = dir.resolve("study");
        StudyReport report = PaperA.study().reporter().write(out, runs, false);

        String html = Files.readString(report.html());
        for (int result = 1; result <= 5; result++) {
            assertTrue(html.contains("id=\"result-" + result + "\""), "section of result " + result);
        }
        assertEquals(Verdict.NOT_HELD, report.claims().get(0).verdict());
        assertEquals(Verdict.NOT_HELD, report.claims().get(1).verdict());
        assertTrue(html.contains("Did not hold: 1 (A symmetrized model reaches the accuracy"), "summary names the failed claims");
        String withoutNamespaces = html.replaceAll("xmlns(:\\w+)?=(\"[^\"]*\"|'[^']*')", "");
        assertTrue(!withoutNamespaces.contains("http://") && !withoutNamespaces.contains("https://"),
                "self-contained: no address but XML namespace names");

        for (String name : List.of("accuracy-vs-baselines", "layer-dynamics", "twelve-scalars", "variant-coefficients")) {
            Path svg = out.resolve("figures/" + name + ".svg");
            Path png = out.resolve("figures/" + name + ".png");
            Path csv = out.resolve("figures/" + name + ".csv");
            assertTrue(report.figureFiles().containsAll(List.of(svg, png, csv)), name);
            DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
            xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            assertNotNull(xml.newDocumentBuilder().parse(svg.toFile()).getDocumentElement(), name);
            BufferedImage image = ImageIO.read(png.toFile());
            assertTrue(image.getWidth() > 100 && image.getHeight() > 100, name);
            assertTrue(html.contains("figures/" + name + ".csv"), name);
        }

        Csv.Table accuracy = Csv.read(out.resolve("figures/accuracy-vs-baselines.csv"));
        assertEquals(PaperA.ROLES.size() * 4, accuracy.size());
        for (int i = 0; i < accuracy.size(); i++) {
            Csv.Table baselines = Csv.read(runs.get(accuracy.get(i, "run")).path().resolve("baselines.csv"));
            int row = baselines.column("method").indexOf(accuracy.get(i, "method"));
            for (String col : List.of("accuracy", "low", "high")) {
                assertEquals(Csv.parseDouble(baselines.get(row, col)), Csv.parseDouble(accuracy.get(i, col)), 0.0, col);
            }
        }
    }
}
