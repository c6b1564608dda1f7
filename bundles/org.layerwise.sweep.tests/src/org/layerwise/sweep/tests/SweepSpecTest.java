package org.layerwise.sweep.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.runner.ExitCode;
import org.layerwise.runner.PipelineException;
import org.layerwise.sweep.SweepExpansion;
import org.layerwise.sweep.SweepPoint;
import org.layerwise.sweep.SweepSpec;

/** A sweep file read into values, and its expansion into points. */
class SweepSpecTest {

    @TempDir
    Path tmp;

    @Test
    void aGridVariesTheFirstAxisSlowestAndRunsEveryCombinationOncePerSeed() throws Exception {
        SweepSpec spec = SweepSpec.load(SweepFiles.sweep(tmp, "grid", "seeds=\"1..2\"", """
                <axes setting="task.N" values="4, 8 16"/>
                <axes setting="enforcer" values="none random-conjugation"/>
                """));
        assertEquals(tmp.resolve("tiny.layerwise"), spec.pipelineFile());
        List<SweepPoint> points = SweepExpansion.expand(spec, 7);
        assertEquals(3 * 2 * 2, points.size());
        assertEquals("p00", points.get(0).id());
        assertEquals("p11", points.get(11).id());
        assertEquals(Map.of("task.N", "4", "enforcer", "none"), points.get(0).coordinates());
        assertEquals(1, points.get(0).seed());
        assertEquals(2, points.get(1).seed());
        assertEquals(Map.of("task.N", "4", "enforcer", "random-conjugation"), points.get(2).coordinates());
        assertEquals(Map.of("task.N", "8", "enforcer", "none"), points.get(4).coordinates());
        Set<String> seen = new HashSet<>();
        for (SweepPoint p : points) {
            assertTrue(seen.add(p.coordinates() + "/" + p.seed()), "twice: " + p);
            assertEquals(points.indexOf(p), p.index());
        }
    }

    @Test
    void zipTakesTheAxesTogetherAndWithoutSeedsUsesThePipelines() throws Exception {
        SweepSpec spec = SweepSpec.load(SweepFiles.sweep(tmp, "zip", "combination=\"zip\"", """
                <axes setting="task.N" values="4 8 16"/>
                <axes setting="backend.layers" values="1..3"/>
                """));
        List<SweepPoint> points = SweepExpansion.expand(spec, 7);
        assertEquals(3, points.size());
        assertEquals(Map.of("task.N", "16", "backend.layers", "3"), points.get(2).coordinates());
        assertTrue(points.stream().allMatch(p -> p.seed() == 7));
    }

    @Test
    void zipOfUnequalAxesIsRefusedWithTheLine() throws Exception {
        PipelineException e = assertThrows(PipelineException.class, () -> SweepSpec.load(SweepFiles.sweep(tmp, "bad",
                "combination=\"zip\"", """
                <axes setting="task.N" values="4 8 16"/>
                <axes setting="backend.layers" values="1 2"/>""")));
        assertEquals(ExitCode.MALFORMED_PIPELINE, e.exitCode());
        assertTrue(e.getMessage().startsWith("bad.sweep:4: "), e.getMessage());
        assertTrue(e.getMessage().contains("'task.N' has 3, 'backend.layers' has 2"), e.getMessage());
    }

    @Test
    void rangesOnALogScale() throws Exception {
        SweepSpec spec = SweepSpec.load(SweepFiles.sweep(tmp, "log", "", """
                <axes setting="backend.lr" from="1e-4" to="1e-2" count="5" scale="log"/>
                <axes setting="task.N" from="8" to="64" count="4" scale="log"/>
                <axes setting="task.noise" from="0" to="0.5" count="3"/>
                """));
        assertEquals(List.of("0.0001", "0.000316228", "0.001", "0.00316228", "0.01"), spec.axes().get(0).values());
        assertEquals(List.of("8", "16", "32", "64"), spec.axes().get(1).values());
        assertEquals(List.of("0", "0.25", "0.5"), spec.axes().get(2).values());
    }

    @Test
    void malformedAxesNameTheFileTheLineAndWhatWasExpected() throws Exception {
        record Case(String children, String expected) {
        }
        List<Case> cases = List.of(
                new Case("<axes setting=\"task.N\" values=\"4 8\" from=\"1\" to=\"2\" count=\"2\"/>", "give either values"),
                new Case("<axes setting=\"task.N\"/>", "give either values"),
                new Case("<axes setting=\"backend.lr\" from=\"0\" to=\"1\" count=\"3\" scale=\"log\"/>", "needs from and to above 0"),
                new Case("<axes setting=\"backend.lr\" from=\"x\" to=\"1\" count=\"3\"/>", "from=\"x\": expected a number"),
                new Case("<axes setting=\"task.N\" from=\"1\" to=\"3\" count=\"5\"/>", "repeat"),
                new Case("<axes setting=\"task.N\" values=\"4 4\"/>", "repeats a value"),
                new Case("<axes setting=\"task.N\" values=\"4\"/><axes setting=\"task.N\" values=\"8\"/>", "given twice"),
                new Case("<axes setting=\"task N\" values=\"4\"/>", "expected STAGE.SETTING"),
                new Case("<metrics name=\"acc uracy\"/>", "expected a key of metrics.json"));
        for (Case c : cases) {
            PipelineException e = assertThrows(PipelineException.class,
                    () -> SweepSpec.load(SweepFiles.sweep(tmp, "bad", "", c.children())), c.children());
            assertEquals(ExitCode.MALFORMED_PIPELINE, e.exitCode(), c.children());
            assertTrue(e.getMessage().matches("(?s)bad\\.sweep:3: .*") && e.getMessage().contains(c.expected()),
                    c.children() + " -> " + e.getMessage());
        }
    }

    @Test
    void xmlProblemsAreReportedAsForPipelines() throws Exception {
        PipelineException e = assertThrows(PipelineException.class, () -> SweepSpec.load(SweepFiles.sweep(tmp, "bad", "",
                "<axes setting=\"task.N\" valuez=\"4\"/>")));
        assertEquals(ExitCode.MALFORMED_PIPELINE, e.exitCode());
        assertTrue(e.getMessage().startsWith("bad.sweep:3:")
                && e.getMessage().contains("unknown attribute \"valuez\""), e.getMessage());
        PipelineException notASweep = assertThrows(PipelineException.class, () -> SweepSpec.load(tmp.resolve("tiny.layerwise")));
        assertTrue(notASweep.getMessage().contains("not a Layerwise sweep"), notASweep.getMessage());
        PipelineException seeds = assertThrows(PipelineException.class,
                () -> SweepSpec.load(SweepFiles.sweep(tmp, "bad", "seeds=\"1 two\"", "")));
        assertTrue(seeds.getMessage().contains("\"two\" is not a whole number"), seeds.getMessage());
    }
}
