package org.layerwise.report.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.layerwise.figures.HtmlPage;
import org.layerwise.report.Claim;
import org.layerwise.report.Study;
import org.layerwise.report.StudyReport;
import org.layerwise.report.internal.LearningDynamics.Mode;
import org.layerwise.runner.RunDirectory;

/** report.html and figures/ for paper B: the claims first, then one section per claim. */
final class PaperBReport implements Study.Reporter {

    @Override
    public StudyReport write(Path out, Map<String, RunDirectory> runs, boolean quick) throws IOException {
        List<Claim> claims = new PaperBClaims(runs).judge();
        ReportPages.Figures figures = ReportPages.Figures.write(out.resolve("figures"), new PaperBFigures(runs).all());

        HtmlPage page = new HtmlPage("Paper B reproduced: result 6 of docs/mathematics.md section 10");
        page.paragraph("The training dynamics of a one-layer linear transformer learning in-context regression (docs/mathematics.md "
                + "section 9): per-mode closed forms a(t), the conserved quantity c = p^2 - q^2, the full parameterisation "
                + "against them, and emergence in softmax attention-only networks on in-context classification and regression. "
                + "Every number below was measured by the runs listed under Runs and is read from their run directories; the "
                + "paper's own numbers are not used. Each claim's rule was fixed in the code before the runs were measured, "
                + "its thresholds on exploratory runs with master seeds 101-105 (not the pipelines' own; "
                + "docs/reproduce.md). Written " + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                + (quick ? ". QUICK mode: the same steps, but the sampled gradients on batches of 100 prompts (the "
                        + "full-parameterization run's instead of 1000, the emergence runs' instead of 128), fewer checkpoints and "
                        + "evaluation prompts; run without --quick for the study." : "."));
        ReportPages.claims(page, claims);
        ReportPages.runs(page, PaperB.ROLES, runs, PaperBReport::training);

        ReportPages.section(page, "1",
                "Staged learning: the modes are learned in the order of s, each on its timescale tau.", claims);
        modesTable(page, runs.get(PaperB.STAGED), PaperB.STAGED);
        figures.show(page, "loss");
        figures.show(page, "mode-trajectories");

        ReportPages.section(page, "2",
                "The closed form matches simulation in the reduced parameterisation and the conservation law holds.", claims);
        scalarsTable(page, runs);
        figures.show(page, "conserved-quantity");

        ReportPages.section(page, "3",
                "The full model's deviation from the reduced closed form, measured and shown.", claims);
        modesTable(page, runs.get(PaperB.FULL), PaperB.FULL);
        page.paragraph("The full model's a(t) against the reduced closed form is the lower panel of the mode-trajectories figure "
                + "under result 1.");

        ReportPages.section(page, "4", "Emergence in a softmax attention-only network, on in-context classification and on "
                + "in-context regression: a loss plateau, a sudden drop, and the weights' spectra across it.", claims);
        page.paragraph("The same rule judges each run. Classification (the emergence run):");
        figures.show(page, PaperB.EMERGENCE);
        page.paragraph("Regression (the emergence-regression run):");
        figures.show(page, PaperB.EMERGENCE_REGRESSION);

        return ReportPages.finish(out, page, claims, figures);
    }

    private static String training(RunDirectory r) {
        if (r.stage("backend").map(s -> s.id().equals("softmax-attention")).orElse(false)) {
            Map<String, Object> s = r.stage("backend").get().settings();
            return "softmax attention-only, L = " + s.get("layers") + ", " + s.get("steps") + " steps of " + s.get("batch")
                    + ", Adam lr " + s.get("lr") + (s.containsKey("eps") ? " eps " + s.get("eps") : "") + ", init_scale "
                    + s.get("init_scale") + ", checkpoints " + s.get("checkpoints");
        }
        return r.stage("backend").map(s -> s.settings().get("parameterization") + ", " + s.settings().get("gradient")
                + " gradient" + ("sampled".equals(s.settings().get("gradient")) ? " (batch " + s.settings().get("batch") + ")" : "")
                + ", eta " + s.settings().get("eta") + ", " + s.settings().get("steps") + " steps, init " + s.settings().get("init")
                + ", checkpoints " + s.settings().get("checkpoints")).orElse("?");
    }

    private static void modesTable(HtmlPage page, RunDirectory run, String role) throws IOException {
        List<Mode> modes = run == null ? List.of() : LearningDynamics.modes(run);
        if (modes.isEmpty()) {
            page.paragraph("The " + role + " run wrote no learning-dynamics-modes.csv.");
            return;
        }
        List<List<Object>> rows = new ArrayList<>();
        for (Mode m : modes) {
            rows.add(List.of(m.mode(), Text.num(m.s()), Text.num(m.tau()), Text.num(m.aInf()), Text.num(m.halfSimulated()),
                    Text.num(m.halfClosed()), Text.num(Math.abs(m.halfSimulated() - m.halfClosed()) / m.tau())));
        }
        page.table(role + ": per mode, the timescale, the limit and the step at which a reaches a_inf / 2 "
                + "(learning-dynamics-modes.csv)", List.of("mode", "s", "tau (steps)", "a_inf", "half-step simulated",
                        "half-step closed form", "|difference| / tau"), rows);
    }

    private static void scalarsTable(HtmlPage page, Map<String, RunDirectory> runs) {
        List<List<Object>> rows = new ArrayList<>();
        for (String role : PaperB.LINEAR) {
            RunDirectory r = runs.get(role);
            if (r == null) {
                continue;
            }
            List<Object> row = new ArrayList<>(List.of(role, Text.num(LearningDynamics.backend(r, "eta")),
                    Text.num(LearningDynamics.backend(r, "eta") * LearningDynamics.backend(r, "steps"))));
            for (String k : List.of("max_deviation", "conservation_drift", "staged_order")) {
                row.add(Text.num(LearningDynamics.scalar(r, k).orElse(Double.NaN)));
            }
            rows.add(row);
        }
        page.table("The learning-dynamics analyzer's scalars of every run (metrics.json); the conserved quantity is c = p^2 - q^2 "
                + "per mode in the reduced parameterisation, ||W_P||_F^2 - ||W_Q||_F^2 in the full one",
                List.of("run", "eta", "flow time eta * steps", "max_deviation (of a_inf)", "conservation_drift", "staged_order"), rows);
    }
}
