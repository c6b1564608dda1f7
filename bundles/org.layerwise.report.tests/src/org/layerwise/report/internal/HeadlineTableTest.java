package org.layerwise.report.internal;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.Headline;
import org.layerwise.core.Role;
import org.layerwise.figures.HtmlPage;
import org.layerwise.io.Json;
import org.layerwise.runner.RunDirectory;

/** A report's table of an analyzer's headlines comes from its declaration, a third party's as a built-in's. */
class HeadlineTableTest {

    @TempDir
    Path dir;

    @Test
    void columns_come_from_the_declared_headlines_and_details_and_rows_from_each_runs_scalars() throws Exception {
        Headline score = new Headline("widget_score", "widget score", "percent", "", Headline.Better.HIGHER, "widget_score_low",
                "widget_score_high", 1, null, null, null, List.of(new Headline.Detail("widget_spread", "spread", "%.2f")));
        ContributionDescriptor widget = ContributionDescriptor.of(Role.ANALYZER, "widget-probe", "com.example.widgets", List.of(),
                List.of(new ContributionDescriptor.Output("widget-probe", "scalars", "", List.of(score), null)), new Object());
        Map<String, RunDirectory> runs = new LinkedHashMap<>();
        runs.put("first", run("first", Map.of("widget_score", 0.42, "widget_score_low", 0.4, "widget_score_high", 0.44,
                "widget_spread", 1.5)));
        runs.put("second", run("second", Map.of("widget_score", 0.5)));

        HtmlPage page = new HtmlPage("widgets");
        ReportPages.headlines(page, "Widget scores", List.of("first", "missing", "second"), runs, widget);
        String html = page.page();
        assertTrue(html.contains("<caption>Widget scores (widget-probe)</caption>"), html);
        assertTrue(html.contains("<th>run</th><th>widget score (higher is better)</th><th>widget score: spread</th>"), html);
        assertTrue(html.contains("<td>first</td><td>42.0% [40.0%, 44.0%]</td><td>1.50</td>"), html);
        assertTrue(html.contains("<td>second</td><td>50.0%</td><td>n/a</td>"), "a run without a detail: n/a; " + html);
        assertTrue(!html.contains("<td>missing</td>"), "a role without a run has no row");

        HtmlPage without = new HtmlPage("not installed");
        ReportPages.headlines(without, "Widget scores", List.of("first"), runs, null);
        assertTrue(without.page().contains("Widget scores: not shown, the analyzer is not installed"), without.page());
    }

    private RunDirectory run(String name, Map<String, Double> scalars) throws Exception {
        Path d = Files.createDirectories(dir.resolve(name));
        Json.write(d.resolve("run.json"), Map.of("status", "OK"));
        Json.write(d.resolve("metrics.json"), Map.of("analyzers", Map.of("widget-probe", scalars)));
        return RunDirectory.open(d);
    }
}
