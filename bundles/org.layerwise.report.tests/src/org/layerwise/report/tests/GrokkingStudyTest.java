package org.layerwise.report.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Tensor;
import org.layerwise.io.Csv;
import org.layerwise.report.Claim;
import org.layerwise.report.Studies;
import org.layerwise.report.Study;
import org.layerwise.report.StudyReport;
import org.layerwise.report.Verdict;
import org.layerwise.runner.PipelineLoader;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunListener;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;
import org.layerwise.runner.ValidatedPipeline;
import org.layerwise.testing.Fixtures;

/**
 * The grokking study end to end on a tiny shape: its two shipped pipelines, with the quick variant's settings and then
 * these on top (p = 7, a few hundred steps), run through the runner; the report judges every claim on the run
 * directories and its curves figure plots exactly the runs' evaluated numbers.
 */
class GrokkingStudyTest {

    /** Applied after the study's quick settings, as further --set assignments. */
    static final List<String> TINY = List.of("task.p=7", "backend.d_model=16", "backend.heads=2", "backend.d_head=8",
            "backend.d_mlp=32", "backend.steps=300", "backend.checkpoints=log:12", "fourier.k=2");

    @TempDir
    Path dir;

    @Test
    void the_study_runs_on_a_tiny_shape_and_judges_every_claim_from_its_run_directories() throws Exception {
        Study study = Studies.named("grokking").orElseThrow();
        List<String> sets = new ArrayList<>(study.quickSettings());
        sets.addAll(TINY);
        ContributionRegistry registry = ContributionRegistry.load();
        RunOptions options = new RunOptions(dir.resolve("study"), study.quickEvalPrompts());
        Map<String, RunDirectory> runs = new LinkedHashMap<>();
        for (Study.Pipeline p : study.pipelines()) {
            Path file = Fixtures.repository().resolve(study.directory()).resolve(p.file());
            ValidatedPipeline v = new PipelineValidator(registry).validate(PipelineLoader.load(file).withOverrides(sets));
            Path run = PipelineRunner.createRunDirectory(options, v.spec());
            RunResult r = PipelineRunner.run(v, options, run, RunListener.SILENT);
            assertEquals(RunStatus.OK, r.status(), p.role() + ": " + r.cause());
            runs.put(p.role(), RunDirectory.open(run));
        }

        StudyReport report = study.reporter().write(dir.resolve("study"), runs, true);
        assertEquals(List.of("1", "2", "3", "4"), report.claims().stream().map(Claim::result).toList());
        // Both runs memorise 24 pairs within 300 steps: claims 1 and 2 are judged, not left unmeasured.
        for (Claim c : report.claims().subList(0, 2)) {
            assertNotEquals(Verdict.NOT_MEASURED, c.verdict(), c.toString());
        }
        double memorised = runs.get("grokking").scalar("generalization", "memorisation_step").orElseThrow();
        assertTrue(report.claims().get(0).measured().startsWith("memorised at step " + Math.round(memorised)),
                report.claims().get(0).measured());

        String html = Files.readString(report.html());
        for (int result = 1; result <= 4; result++) {
            assertTrue(html.contains("id=\"result-" + result + "\""), "section of claim " + result);
        }
        assertTrue(html.contains("QUICK mode"));
        for (String figure : List.of("curves", "spectra-grokking", "spectra-no-weight-decay", "fourier")) {
            for (String ext : List.of("svg", "png", "csv")) {
                assertTrue(Files.size(dir.resolve("study/figures/" + figure + "." + ext)) > 0, figure + "." + ext);
            }
            assertTrue(html.contains("figures/" + figure + ".csv"), figure);
        }

        // The curves figure's test accuracy is training.npz's, step for step (300 steps / 10: every evaluation drawn).
        Map<String, Tensor> training = runs.get("grokking").archive("training").orElseThrow();
        double[] steps = training.get("step").toDoubles();
        double[] test = training.get("test_accuracy").toDoubles();
        Csv.Table plotted = Csv.read(dir.resolve("study/figures/curves.csv"));
        int checked = 0;
        for (int i = 0; i < plotted.size(); i++) {
            if (plotted.get(i, "run").equals("grokking") && plotted.get(i, "curve").equals("test_accuracy")) {
                long step = Long.parseLong(plotted.get(i, "step"));
                int at = java.util.Arrays.binarySearch(steps, step);
                assertTrue(at >= 0, "step " + step + " was evaluated");
                assertEquals(test[at], Csv.parseDouble(plotted.get(i, "value")), 0.0, "step " + step);
                checked++;
            }
        }
        assertEquals(steps.length, checked, "every evaluated step, 0 included (in the CSV, not drawn on the log axis)");

        // The fourier figure's W_E top-K share at each checkpoint is the sum of the K = 2 largest non-constant shares of
        // the analyzer's own fourier.npz row (the report reads fourier.csv).
        Map<String, Tensor> fourier = runs.get("grokking").archive("fourier").orElseThrow();
        long[] checkpoints = fourier.get("steps").toLongs();
        double[] shares = fourier.get("W_E.share").toDoubles();
        int frequencies = shares.length / checkpoints.length;
        Csv.Table topK = Csv.read(dir.resolve("study/figures/fourier.csv"));
        checked = 0;
        for (int i = 0; i < topK.size(); i++) {
            if (topK.get(i, "run").equals("grokking") && topK.get(i, "matrix").equals("W_E")) {
                int s = java.util.Arrays.binarySearch(checkpoints, Long.parseLong(topK.get(i, "step")));
                double[] row = java.util.Arrays.copyOfRange(shares, s * frequencies + 1, (s + 1) * frequencies);
                java.util.Arrays.sort(row);
                assertEquals(row[row.length - 1] + row[row.length - 2], Csv.parseDouble(topK.get(i, "top_k_share")), 1e-12);
                checked++;
            }
        }
        assertEquals(checkpoints.length, checked, "every checkpoint");
    }
}
