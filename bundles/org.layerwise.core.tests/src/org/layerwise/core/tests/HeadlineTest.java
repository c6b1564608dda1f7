package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.Headline;
import org.layerwise.core.Role;

/** One formatter for every presentation: value, unit, interval, details, note, order. */
class HeadlineTest {

    private static Headline headline(String scalar, String format, String unit, Headline.Better better, String low, String high,
            int order, String note, List<Headline.Detail> details) {
        return new Headline(scalar, scalar.replace('_', ' '), format, unit, better, low, high, order, null, null, note, details);
    }

    @Test
    void a_percent_with_its_interval_and_unit() {
        Headline h = headline("agreement", "percent", "agreement", Headline.Better.HIGHER, "agreement_low", "agreement_high", 1, "",
                List.of(new Headline.Detail("logit_r2", "logit R2", null), new Headline.Detail("n", "prompts", "integer")));
        Headline.Figure f = h.figure("x", Map.of("agreement", 0.9234, "agreement_low", 0.9, "agreement_high", 0.95, "logit_r2", 0.5,
                "n", 128.0));
        assertEquals("92.3% agreement", f.value());
        assertEquals("[90.0%, 95.0%]", f.interval());
        assertEquals(List.of("logit R2 50.0%", "prompts 128"), f.details(), "a detail takes the headline's format unless it has its own");
        assertEquals("logit R2 50.0%, prompts 128; higher is better", f.note());
        assertEquals("agreement 92.3% agreement [90.0%, 95.0%] (logit R2 50.0%, prompts 128)", f.line());
    }

    @Test
    void printf_formats_units_and_undefined_values() {
        Headline h = headline("loss", "%.3f", "nats", Headline.Better.LOWER, null, null, 1, "per prompt", List.of());
        assertEquals("0.693 nats", h.figure("x", Map.of("loss", Math.log(2))).value());
        assertEquals("n/a", h.figure("x", Map.of("loss", Double.NaN)).value(), "no unit after n/a");
        assertEquals("per prompt; lower is better", h.figure("x", Map.of("loss", 1.0)).note());
        assertEquals("12.5%", headline("share", "%.1f", "%", Headline.Better.NONE, null, null, 1, "", List.of())
                .figure("x", Map.of("share", 12.5)).value(), "a % unit needs no space");
        assertEquals("0.1235", Headline.of("x", null).format(0.123456), "the default format is %.4g");
        assertEquals("", Headline.of("x", null).figure("x", Map.of("x", 1.0)).note());
        assertNull(h.figure("x", Map.of("other", 1.0)), "a run without the scalar has no such figure");
        assertEquals("", headline("a", "%.2f", "", Headline.Better.NONE, "a_low", "a_high", 1, "", List.of())
                .interval(Map.of("a", 1.0, "a_low", 0.5)), "half an interval is none");
    }

    @Test
    void formats_that_cannot_print_a_number_are_named() {
        assertNull(Headline.formatProblem("percent"));
        assertNull(Headline.formatProblem("integer"));
        assertNull(Headline.formatProblem("%.4g"));
        assertNull(Headline.formatProblem("%+.2e"));
        assertNotNull(Headline.formatProblem("%d"));
        assertNotNull(Headline.formatProblem("%s"));
        assertNotNull(Headline.formatProblem("%.2f and %.2f"));
        assertNotNull(Headline.formatProblem("percentage"));
    }

    @Test
    void figures_come_by_declared_order_then_by_the_order_the_analyzers_ran() {
        ContributionDescriptor first = analyzer("first", headline("a", null, null, null, null, null, 100, null, null),
                headline("b", null, null, null, null, null, 10, null, null));
        ContributionDescriptor second = analyzer("second", headline("c", null, null, null, null, null, 100, null, null),
                headline("d", null, null, null, null, null, 100, null, null));
        Map<String, Map<String, Double>> scalars = Map.of("first", Map.of("a", 1.0, "b", 2.0), "second", Map.of("c", 3.0));
        List<Headline.Figure> figures = Headline.figures(List.of(first, second), scalars::get);
        assertEquals(List.of("b", "a", "c"), figures.stream().map(f -> f.headline().scalar()).toList());
        assertEquals(List.of("first", "first", "second"), figures.stream().map(Headline.Figure::analyzer).toList());
        assertEquals(List.of(), Headline.figures(List.of(first), id -> null), "an analyzer without results has no figures");
    }

    private static ContributionDescriptor analyzer(String id, Headline... headlines) {
        return ContributionDescriptor.of(Role.ANALYZER, id, "com.example", List.of(),
                List.of(new ContributionDescriptor.Output(id, "scalars", "", List.of(headlines), null)), new Object());
    }
}
