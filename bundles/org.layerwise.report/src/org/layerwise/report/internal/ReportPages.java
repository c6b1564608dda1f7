package org.layerwise.report.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.layerwise.core.AtomicFiles;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.Headline;
import org.layerwise.figures.FigureFiles;
import org.layerwise.figures.HtmlPage;
import org.layerwise.report.Claim;
import org.layerwise.report.StudyReport;
import org.layerwise.report.Verdict;
import org.layerwise.runner.RunDirectory;

/** What every study's report.html shares: its figures on disk, the claims table and summary, a figure with its links. */
final class ReportPages {

    private ReportPages() {
    }

    /** The figures written as SVG, PNG and CSV into dir, by name in the given order. */
    record Figures(Map<String, Figure> specs, Map<String, FigureFiles.Written> written) {
        static Figures write(Path dir, List<Figure> figures) throws IOException {
            Map<String, Figure> specs = new LinkedHashMap<>();
            Map<String, FigureFiles.Written> written = new LinkedHashMap<>();
            for (Figure f : figures) {
                written.put(f.name(), FigureFiles.write(dir, f.name(), f.chart(), f.width(), f.height(), f.columns(), f.rows()));
                specs.put(f.name(), f);
            }
            return new Figures(specs, written);
        }

        List<Path> files() {
            return written.values().stream().flatMap(w -> w.files().stream()).toList();
        }

        /** The inline figure with links to its files, or a line saying the runs hold no data for it. */
        void show(HtmlPage page, String name) {
            FigureFiles.Written w = written.get(name);
            if (w == null) {
                page.paragraph("Figure " + name + ": not drawn, the runs hold no data for it.");
                return;
            }
            page.figure(w, specs.get(name).caption(), "figures");
        }
    }

    /** Writes the page as report.html into out: what the reporter returns. */
    static StudyReport finish(Path out, HtmlPage page, List<Claim> claims, Figures figures) throws IOException {
        Path html = out.resolve("report.html");
        AtomicFiles.writeString(html, page.page());
        return new StudyReport(html, claims, figures.files());
    }

    /** The "which claims held" heading, its one-paragraph summary and the table of every claim with its rule. */
    static void claims(HtmlPage page, List<Claim> claims) {
        page.heading(2, "claims", "Which claims held on the measured numbers");
        page.paragraph(summary(claims));
        page.table(null, List.of("result", "claim", "measured", "rule", "verdict"), claims.stream()
                .map(c -> List.<Object>of(c.result(), c.statement(), c.measured(), c.rule(), verdictCell(c.verdict()))).toList());
    }

    /** A section's heading (id result-N) and the verdicts of its claims. */
    static void section(HtmlPage page, String result, String title, List<Claim> claims) {
        page.heading(2, "result-" + result, "Result " + result + ": " + title);
        String verdicts = claims.stream().filter(c -> c.result().equals(result))
                .map(c -> shortly(c) + ": " + c.verdict().label).collect(Collectors.joining("; "));
        page.paragraph("Verdict on the measured numbers: " + verdicts + ".");
    }

    /** The Runs table: each role, its run directory beside the report, what it ran (training as the study describes it). */
    static void runs(HtmlPage page, List<String> roles, Map<String, RunDirectory> runs, Function<RunDirectory, String> training) {
        page.heading(2, "runs", "Runs");
        List<List<Object>> rows = new ArrayList<>();
        for (String role : roles) {
            RunDirectory r = runs.get(role);
            if (r == null) {
                rows.add(List.of(role, "not run", "", "", "", "", ""));
                continue;
            }
            String task = r.stage("task").map(s -> s.id() + " " + s.settings()).orElse("?");
            String enforcer = r.stage("enforcer").map(s -> s.id() + " " + s.settings()).orElse("none");
            rows.add(List.of(role, r.id(), task, enforcer, training.apply(r), r.recordedStatus().name(), Text.num(number(r.run().get("wall_seconds")))));
        }
        page.table("Each role of the study, its run directory (beside this report) and what it ran",
                List.of("role", "run directory", "task", "enforcer", "model and training", "status", "wall seconds"), rows);
    }

    /**
     * The table of one analyzer's declared headlines (plugin.xml) across the study's runs: a
     * column per headline (value [interval]) and per detail, a row per role; a line saying so
     * when the analyzer is not installed.
     */
    static void headlines(HtmlPage page, String caption, List<String> roles, Map<String, RunDirectory> runs,
            ContributionDescriptor analyzer) {
        if (analyzer == null) {
            page.paragraph(caption + ": not shown, the analyzer is not installed, so its headline figures are not known.");
            return;
        }
        List<String> header = new ArrayList<>(List.of("run"));
        for (Headline h : analyzer.headlines()) {
            header.add(h.label() + (h.better() == Headline.Better.NONE ? "" : " (" + h.better().words() + ")"));
            h.details().forEach(d -> header.add(h.label() + ": " + d.label()));
        }
        List<List<Object>> rows = new ArrayList<>();
        for (String role : roles) {
            RunDirectory r = runs.get(role);
            if (r == null) {
                continue;
            }
            Map<String, Double> scalars = r.scalars(analyzer.id());
            List<Object> row = new ArrayList<>(List.of(role));
            for (Headline h : analyzer.headlines()) {
                Headline.Figure f = h.figure(analyzer.id(), scalars);
                row.add(f == null ? "n/a" : f.value() + (f.interval().isEmpty() ? "" : " " + f.interval()));
                h.details().forEach(d -> row.add(Optional.ofNullable(h.detail(d, scalars)).orElse("n/a")));
            }
            rows.add(row);
        }
        page.table(caption + " (" + analyzer.id() + ")", header, rows);
    }

    static String summary(List<Claim> claims) {
        StringBuilder sb = new StringBuilder();
        for (Verdict v : Verdict.values()) {
            List<String> which = claims.stream().filter(c -> c.verdict() == v).map(c -> c.result() + " (" + shortly(c) + ")").toList();
            if (!which.isEmpty()) {
                sb.append(v == Verdict.HELD ? "Held: " : v == Verdict.NOT_HELD ? "Did not hold: " : "Not measured: ")
                        .append(String.join("; ", which)).append(". ");
            }
        }
        return sb.toString().trim();
    }

    static String shortly(Claim c) {
        return c.statement().replaceAll("\\.$", "");
    }

    static HtmlPage.Cell verdictCell(Verdict v) {
        return new HtmlPage.Cell(v.label, switch (v) {
            case HELD -> "held";
            case NOT_HELD -> "not-held";
            case NOT_MEASURED -> "not-measured";
        });
    }

    /** A JSON number (run.json, settings) as a double; NaN when it is none. */
    static double number(Object o) {
        if (o instanceof Number n) {
            return n.doubleValue();
        }
        try {
            return o == null ? Double.NaN : Double.parseDouble(String.valueOf(o));
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
