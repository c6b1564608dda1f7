package org.layerwise.report.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.figures.HtmlPage;
import org.layerwise.report.Claim;
import org.layerwise.report.Study;
import org.layerwise.report.StudyReport;
import org.layerwise.report.internal.PaperAMeasures.Coefficients;
import org.layerwise.report.internal.PaperAMeasures.LayerValue;
import org.layerwise.runner.RunDirectory;

/** report.html and figures/ for paper A: the claims first, then one section per result. */
final class PaperAReport implements Study.Reporter {

    private static final Map<String, String> RESULTS = new LinkedHashMap<>();

    static {
        RESULTS.put("1", "A symmetrized model reaches the accuracy of an unconstrained one of the same depth.");
        RESULTS.put("2", "Its weights are structured: asymmetry near zero, against large for the unconstrained one.");
        RESULTS.put("3", "The recursion from 12 scalars per layer reproduces its predictions.");
        RESULTS.put("4", "Separation grows with depth; the probe's margin is positive and grows.");
        RESULTS.put("5", "The same recursion form, with other coefficients, fits the label-noise, semi-supervised and prototype variants.");
    }

    @Override
    public StudyReport write(Path out, Map<String, RunDirectory> runs, boolean quick) throws IOException {
        List<Claim> claims = new PaperAClaims(runs).judge();
        ContributionRegistry registry = ContributionRegistry.load();
        ReportPages.Figures figures = ReportPages.Figures.write(out.resolve("figures"), new PaperAFigures(runs).all());

        HtmlPage page = new HtmlPage("Paper A reproduced: results 1-5 of docs/mathematics.md section 10");
        page.paragraph("Lutz, Haris, Chandra, Gangrade, Saligrama, \"Symmetry Reveals Layerwise Dynamics: How Transformers Perform "
                + "In-Context Classification\". Every number below was measured by the runs listed under Runs and is read from "
                + "their run directories; the papers' own numbers are not used. Written " + Instant.now().truncatedTo(ChronoUnit.SECONDS)
                + (quick ? ". QUICK mode: the models trained for far fewer steps on fewer evaluation prompts than the full study, "
                        + "so these verdicts describe under-trained models; run without --quick for the study." : "."));
        ReportPages.claims(page, claims);
        runsTable(page, runs);

        ReportPages.section(page, "1", RESULTS.get("1"), claims);
        accuracyTable(page, runs);
        figures.show(page, "accuracy-vs-baselines");

        ReportPages.section(page, "2", RESULTS.get("2"), claims);
        ReportPages.headlines(page, "Weight asymmetry ||M - R(M)||_F / ||M||_F and functional equivariance error", PaperA.ROLES, runs,
                registry.find(Role.ANALYZER, "weight-abstraction"));

        ReportPages.section(page, "3", RESULTS.get("3"), claims);
        ReportPages.headlines(page, "How well the recursions reproduce each network: prediction agreement, logit R^2, smallest "
                + "hidden-state R^2 over layers and blocks; the unconstrained model is shown for contrast", PaperA.ROLES, runs,
                registry.find(Role.ANALYZER, "coupled-mean-shift"));
        figures.show(page, "twelve-scalars");
        figures.show(page, "token-trajectories");

        ReportPages.section(page, "4", RESULTS.get("4"), claims);
        dynamicsTable(page, runs.get(PaperA.SYMMETRIZED));
        figures.show(page, "layer-dynamics");

        ReportPages.section(page, "5", RESULTS.get("5"), claims);
        coefficientTable(page, runs);
        figures.show(page, "variant-coefficients");

        return ReportPages.finish(out, page, claims, figures);
    }

    private static void runsTable(HtmlPage page, Map<String, RunDirectory> runs) {
        ReportPages.runs(page, PaperA.ROLES, runs, r -> r.stage("backend").map(s -> "L = " + s.settings().get("layers") + ", "
                + s.settings().get("steps") + " steps of " + s.settings().get("batch")).orElse("?"));
    }

    private static void accuracyTable(HtmlPage page, Map<String, RunDirectory> runs) throws IOException {
        List<List<Object>> rows = new ArrayList<>();
        for (String role : PaperA.ROLES) {
            RunDirectory r = runs.get(role);
            if (r == null) {
                continue;
            }
            List<Object> row = new ArrayList<>(List.of(role));
            for (String method : PaperAFigures.METHODS) {
                row.add(PaperAMeasures.accuracy(r, method).map(Text::pctWithInterval).orElse("n/a"));
            }
            row.add(Text.pct(r.findMetric("chance").orElse(Double.NaN)));
            rows.add(row);
        }
        List<String> header = new ArrayList<>(List.of("run"));
        header.addAll(PaperAFigures.METHOD_NAMES);
        header.add("chance");
        page.table("Accuracy on the evaluation prompts with bootstrap intervals (baselines.csv)", header, rows);
    }

    private static void dynamicsTable(HtmlPage page, RunDirectory run) throws IOException {
        if (run == null) {
            page.paragraph("The symmetrized run is missing: no per-layer measurements.");
            return;
        }
        List<String> header = new ArrayList<>(List.of("layer"));
        List<List<LayerValue>> columns = new ArrayList<>();
        for (String[] d : PaperAFigures.DYNAMICS) {
            for (String source : List.of("network", "recursion")) {
                header.add(d[2] + ", " + source);
                columns.add(PaperAMeasures.perLayer(run, source, d[0], d[1]));
            }
        }
        int layers = columns.stream().mapToInt(List::size).max().orElse(0);
        List<List<Object>> rows = new ArrayList<>();
        for (int l = 0; l < layers; l++) {
            List<Object> row = new ArrayList<>(List.of(l));
            for (List<LayerValue> c : columns) {
                row.add(l < c.size() ? Text.withInterval(c.get(l).value()) : "n/a");
            }
            rows.add(row);
        }
        page.table("Symmetrized model, per layer: mean over prompts [bootstrap interval] (layer-dynamics.csv)", header, rows);
    }

    private static void coefficientTable(HtmlPage page, Map<String, RunDirectory> runs) throws IOException {
        List<String> columns = new ArrayList<>(PaperAMeasures.TWELVE);
        columns.addAll(PaperAMeasures.REDUCED);
        List<List<Object>> rows = new ArrayList<>();
        List<String> roles = new ArrayList<>(List.of(PaperA.SYMMETRIZED));
        roles.addAll(PaperA.VARIANTS);
        for (String role : roles) {
            RunDirectory r = runs.get(role);
            if (r == null) {
                continue;
            }
            for (Coefficients c : PaperAMeasures.coefficients(r, columns)) {
                List<Object> row = new ArrayList<>(List.of(PaperA.SYMMETRIZED.equals(role) ? "linear (symmetrized)" : role, c.layer(),
                        c.head()));
                for (double v : c.scalars()) {
                    row.add(Text.num(v));
                }
                rows.add(row);
            }
        }
        List<String> header = new ArrayList<>(List.of("task", "layer", "head"));
        header.addAll(columns);
        page.table("The coefficients each task's model learned: the twelve scalars (q_* of Q, v_* of V) read from the trained "
                + "weights through the Reynolds projection, and the reduced alpha, beta, gamma, delta derived from them "
                + "(coupled-mean-shift-coefficients.csv)", header, rows);
    }
}
