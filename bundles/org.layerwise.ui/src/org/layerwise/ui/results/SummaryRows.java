package org.layerwise.ui.results;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Headline;
import org.layerwise.runner.RunDirectory;

/**
 * The lines of the Summary view from one run directory: the run's own accuracy or squared error
 * (with the interval of an analyzer's headline that is the same as it), the training loss, then
 * every headline figure the run's installed analyzers declare (plugin.xml {@code <headline>}),
 * seeds, versions and status. Absent figures give no line; nothing is computed here.
 */
public final class SummaryRows {

    /** One line: what, its value, its interval ("" when none) and a note. */
    public record Row(String quantity, String value, String interval, String note) {
    }

    private SummaryRows() {
    }

    public static List<Row> of(RunDirectory run) {
        return of(run, ContributionRegistry.load());
    }

    public static List<Row> of(RunDirectory run, ContributionRegistry registry) {
        List<Row> rows = new ArrayList<>();
        Object cause = run.run().get("cause");
        rows.add(new Row("status", run.status().name(), "", cause == null ? "" : String.valueOf(cause).lines().findFirst().orElse("")));
        if (run.run().get("pipeline") instanceof Map<?, ?> p) {
            // the file's name: its folder is the explorer's, and run.json keeps the whole path
            rows.add(new Row("pipeline", String.valueOf(p.get("name")), "",
                    p.get("file") == null ? "" : java.nio.file.Path.of(String.valueOf(p.get("file"))).getFileName().toString()));
        }
        List<ContributionDescriptor> installed = AnalyzerOutputs.of(run, registry).stream().filter(AnalyzerOutputs.Analyzer::installed)
                .map(AnalyzerOutputs.Analyzer::descriptor).toList();
        List<Headline.Figure> figures = Headline.figures(installed, run::scalars);
        double accuracy = run.metric("accuracy");
        if (!Double.isNaN(accuracy)) {
            rows.add(new Row("accuracy (model)", Headline.format("percent", accuracy), sameAs(figures, "accuracy"),
                    String.format(Locale.ROOT, "chance %s, majority %s, %s prompts", Headline.format("percent", run.metric("chance")),
                            Headline.format("percent", run.metric("majority_rate")), integer(run.metric("eval_prompts")))));
        }
        double squared = run.metric("eval_loss");
        boolean regression = Double.isNaN(accuracy) && !Double.isNaN(run.metric("zero_predictor_loss"));
        if (regression) {
            // a regression run: the loss is 1/2 ||y_hat - y||^2, beside that of predicting 0
            rows.add(new Row("squared error (model)", number(squared), sameAs(figures, "eval_loss"), String.format(Locale.ROOT,
                    "1/2 ||y_hat - y||^2 per prompt; predicting 0: %s, %s prompts", number(run.metric("zero_predictor_loss")),
                    integer(run.metric("eval_prompts")))));
        }
        double loss = run.metric("final_train_loss");
        if (!Double.isNaN(loss)) {
            rows.add(new Row("final training loss", number(loss), "", integer(run.metric("steps")) + " steps ("
                    + (regression ? "1/2 squared error" : "nats") + " per prompt)"));
        }
        for (Headline.Figure f : figures) {
            if (f.headline().sameAs() == null) {
                rows.add(new Row(f.label(), f.value(), f.interval(), f.note()));
            }
        }
        if (run.run().get("seeds") instanceof Map<?, ?> seeds) {
            rows.add(new Row("seeds", "master " + seeds.get("master"), "", "every stage's seed is derived from the master seed"));
            seeds.forEach((k, v) -> {
                if (!"master".equals(k)) {
                    rows.add(new Row("  seed " + k, String.valueOf(v), "", ""));
                }
            });
        }
        if (run.run().get("versions") instanceof Map<?, ?> v) {
            rows.add(new Row("versions", "layerwise " + v.get("layerwise"), "", "java " + v.get("java") + "; " + v.get("os")));
        }
        return rows;
    }

    /** The interval of the headline that measures the run's own metric again, or "". */
    private static String sameAs(List<Headline.Figure> figures, String metric) {
        return figures.stream().filter(f -> metric.equals(f.headline().sameAs())).map(Headline.Figure::interval)
                .filter(i -> !i.isEmpty()).findFirst().orElse("");
    }

    private static String number(double x) {
        return Headline.format(Headline.DEFAULT_FORMAT, x);
    }

    private static String integer(double x) {
        return Headline.format("integer", x);
    }
}
