package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Headline;
import org.layerwise.core.Role;
import org.layerwise.core.TableAxis;

/** The registry reads how outputs present themselves (fragment.xml), and names and leaves out what is wrong. */
class OutputDeclarationsTest {

    private final ContributionRegistry registry = ContributionRegistry.load();

    @Test
    void headlines_and_axes_are_read_as_declared() {
        ContributionDescriptor d = registry.find(Role.ANALYZER, "test-headlines");
        assertNotNull(d, registry.problems().toString());
        List<Headline> headlines = d.headlines();
        assertEquals(2, headlines.size());
        Headline hit = headlines.get(0);
        assertEquals(new Headline("hit_rate", "hit rate", "percent", "", Headline.Better.HIGHER, "hit_rate_low", "hit_rate_high", 5,
                "hit_rate", null, "", List.of(new Headline.Detail("misses", "misses", "integer"),
                        new Headline.Detail("spread", "spread", null))), hit);
        Headline spread = headlines.get(1);
        assertEquals("spread", spread.label(), "the label defaults to the scalar");
        assertEquals(Headline.DEFAULT_FORMAT, spread.format());
        assertEquals("nats", spread.unit());
        assertEquals(Headline.Better.LOWER, spread.better());
        assertEquals("eval_loss", spread.sameAs());
        assertEquals(Headline.DEFAULT_ORDER, spread.order());
        assertEquals("on the same prompts", spread.note());

        TableAxis layer = d.table("test-headlines").axis();
        assertEquals(new TableAxis("layer", TableAxis.By.LAYER, "layer (block)", "layer t = block t",
                List.of(new TableAxis.LayerOffset("measure", "after", 1))), layer);
        assertEquals(3, layer.layerOf(Map.of("measure", "after"), 2));
        assertEquals(2, layer.layerOf(Map.of("measure", "before"), 2));
        TableAxis steps = d.table("test-headlines-steps").axis();
        assertEquals("step", steps.column(), "the column defaults to what by names");
        assertEquals("step", steps.title());
        assertEquals(TableAxis.By.STEP, steps.by());
        assertNull(d.table("test-headlines-plain").axis(), "nothing declared: no axis");
    }

    @Test
    void presentation_mistakes_are_named_and_left_out_and_the_analyzer_stays() {
        ContributionDescriptor d = registry.find(Role.ANALYZER, "test-bad-headlines");
        assertNotNull(d, "a presentation mistake does not refuse the analyzer");
        String problems = String.join("\n", registry.problems());
        String origin = "bundle org.layerwise.core, extension point org.layerwise.core.recursionAnalyzers, id 'test-bad-headlines': ";
        String a = origin + "output 'test-bad-headlines', <headline scalar=\"a\">: ";
        for (String expected : List.of(origin + "output 'test-bad-headlines': <headline> without attribute 'scalar'; ignored",
                a + "attribute 'format' '%d' is not percent, integer or one printf conversion of a number such as %.4g; ignored",
                a + "attribute 'better' is 'sideways', not higher, lower or none; ignored",
                a + "attribute 'order' is 'first', not an integer; ignored",
                a + "attributes 'interval-low' and 'interval-high' come together, one is missing; ignored",
                a + "attribute 'promote' is 'accuracy': the runner writes that key of metrics.json itself; ignored",
                a + "attribute 'same-as' is 'nothing', not one of the run's metrics",
                origin + "output 'test-bad-headlines': <headline scalar=\"a\"> declared twice; ignored",
                origin + "output 'test-bad-headlines', <headline scalar=\"b\">: attribute 'promote': 'hit_rate' of metrics.json is "
                        + "promoted by bundle org.layerwise.core, extension point org.layerwise.core.recursionAnalyzers, id 'test-headlines' already; ignored",
                origin + "output 'test-bad-headlines': <headline> belongs on an output of kind scalars, not tensors; ignored",
                origin + "output 'test-bad-headlines': attributes 'axis' and 'by' belong on an output of kind table, not tensors; ignored",
                origin + "output 'test-bad-headlines-table': attribute 'by' is 'diagonal', not layer, step, mode or none; ignored")) {
            assertTrue(problems.contains(expected), expected + "\nnot in\n" + problems);
        }
        assertEquals(List.of(new Headline("a", null, null, null, null, null, null, Headline.DEFAULT_ORDER, null, null, null, null),
                new Headline("b", null, null, null, null, null, null, Headline.DEFAULT_ORDER, null, null, null, null)), d.headlines(),
                "what is wrong is left out, the rest kept");
        assertNull(d.table("test-bad-headlines-table").axis());
    }

    @Test
    void an_output_of_unknown_kind_refuses_the_contribution() {
        assertNull(registry.find(Role.ANALYZER, "test-bad-kind"));
        String problems = String.join("\n", registry.problems());
        assertTrue(problems.contains("id 'test-bad-kind': output 'test-bad-kind': unknown kind 'tabel' (table, scalars or tensors); "
                + "contribution skipped"), problems);
    }
}
