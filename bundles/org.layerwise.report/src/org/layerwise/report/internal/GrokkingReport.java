package org.layerwise.report.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.figures.HtmlPage;
import org.layerwise.report.Claim;
import org.layerwise.report.Study;
import org.layerwise.report.StudyReport;
import org.layerwise.runner.RunDirectory;

/** report.html and figures/ for the grokking study: the claims first, then one section per claim. */
final class GrokkingReport implements Study.Reporter {

    @Override
    public StudyReport write(Path out, Map<String, RunDirectory> runs, boolean quick) throws IOException {
        ContributionRegistry registry = ContributionRegistry.load();
        Map<String, GrokkingRun> measured = new LinkedHashMap<>();
        for (var e : runs.entrySet()) {
            measured.put(e.getKey(), GrokkingRun.of(e.getValue(), registry));
        }
        List<Claim> claims = new GrokkingClaims(measured).judge();
        ReportPages.Figures figures = ReportPages.Figures.write(out.resolve("figures"), new GrokkingFigures(measured).all());

        HtmlPage page = new HtmlPage("Grokking reproduced: memorisation, generalisation and the spectra across them");
        page.paragraph("A one-layer transformer with embeddings, attention and an MLP trained on a fraction of the pairs of "
                + "modular addition, with weight decay (the grokking run) and without (the control), as in Power et al. (2022) "
                + "and Nanda et al. (2023). Every number below was measured by the runs listed under Runs and is read from their "
                + "run directories; no paper's numbers are used. Each claim's rule was fixed in the code before the runs were "
                + "measured (docs/reproduce.md). Written " + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                + (quick ? ". QUICK mode: a smaller model on a smaller modulus for fewer steps (" + String.join(", ",
                        Grokking.QUICK_SETTINGS) + "); run without --quick for the study at p = 113." : "."));
        ReportPages.claims(page, claims);
        ReportPages.runs(page, Grokking.ROLES, runs, GrokkingReport::training);

        ReportPages.section(page, "1", "Memorisation long before generalisation.", claims);
        ReportPages.headlines(page, "Memorisation and generalisation steps", Grokking.ROLES, runs,
                registry.find(Role.ANALYZER, Grokking.GENERALIZATION));
        figures.show(page, "curves");

        ReportPages.section(page, "2", "Without weight decay, no generalisation within the budget.", claims);
        page.paragraph("The dashed curves of the figure under result 1 are the run without weight decay.");

        ReportPages.section(page, "3", "The spectra of the weights across the transition.", claims);
        transitionTable(page, measured.get(Grokking.GROKKING));
        for (String role : Grokking.ROLES) {
            figures.show(page, "spectra-" + role);
        }

        ReportPages.section(page, "4", "The embedding's Fourier structure.", claims);
        ReportPages.headlines(page, "Fourier shares at the last checkpoint", Grokking.ROLES, runs,
                registry.find(Role.ANALYZER, Grokking.FOURIER));
        figures.show(page, "fourier");

        return ReportPages.finish(out, page, claims, figures);
    }

    private static String training(RunDirectory r) {
        return r.stage("backend").map(b -> {
            Map<String, Object> s = b.settings();
            return b.id() + ", " + s.get("layers") + " layer, " + s.get("heads") + " heads of " + s.get("d_head") + ", d_model "
                    + s.get("d_model") + ", d_mlp " + s.get("d_mlp") + ", normalization " + s.get("normalization") + ", "
                    + s.get("steps") + " steps (batch " + s.get("batch") + ", 0 = full), AdamW lr " + s.get("lr") + " betas "
                    + s.get("beta1") + "/" + s.get("beta2") + ", weight decay " + s.get("weight_decay") + ", warm-up "
                    + s.get("warmup") + ", evaluated every " + s.get("eval_every") + ", checkpoints " + s.get("checkpoints");
        }).orElse("?");
    }

    /** Every matrix kind's effective rank and subspace distance at step 0, c_m, c_g and the last checkpoint. */
    private static void transitionTable(HtmlPage page, GrokkingRun g) {
        if (g == null || g.spectra().isEmpty()) {
            page.paragraph("The grokking run wrote no spectral-dynamics rows.");
            return;
        }
        var transition = GrokkingClaims.transition(g, g.embeddingSpectrum());
        TreeMap<Long, double[]> we = g.embeddingSpectrum();
        List<Long> steps = new ArrayList<>(List.of(we.firstKey()));
        transition.ifPresent(t -> steps.addAll(List.of(t[0], t[1])));
        steps.add(we.lastKey());
        List<String> header = new ArrayList<>(List.of("matrix"));
        for (Long s : steps) {
            header.add("rank at " + s);
        }
        for (Long s : steps) {
            header.add("distance at " + s);
        }
        List<List<Object>> rows = new ArrayList<>();
        g.spectra().forEach((m, series) -> {
            List<Object> row = new ArrayList<>(List.of(m.equals("QK") || m.equals("OV") ? m + " (mean over heads)" : m));
            for (int k = 0; k < 2; k++) {
                for (Long s : steps) {
                    row.add(series.containsKey(s) ? Text.num(series.get(s)[k]) : "n/a");
                }
            }
            rows.add(row);
        });
        page.table("The grokking run's effective rank and subspace distance to the final checkpoint at step " + we.firstKey()
                + (transition.isPresent() ? ", at c_m and c_g around the transition," : "") + " and at the last checkpoint "
                + "(spectral-dynamics.csv)", header, rows);
    }
}
