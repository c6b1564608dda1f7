package org.layerwise.sweep.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.runner.ExitCode;
import org.layerwise.runner.PipelineException;
import org.layerwise.runner.PipelineLoader;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.sweep.PointPipelines;
import org.layerwise.sweep.SweepExpansion;
import org.layerwise.sweep.SweepPoint;
import org.layerwise.sweep.SweepSpec;
import org.layerwise.sweep.SweepValidation;

/** Every point checked before anything runs; a refused one named with its coordinates. */
class SweepValidationTest {

    @TempDir
    Path tmp;

    private SweepValidation.Result validate(Path sweepFile) throws PipelineException {
        SweepSpec spec = SweepSpec.load(sweepFile);
        PipelineSpec base = PipelineLoader.load(spec.pipelineFile());
        return SweepValidation.validate(spec, base, SweepExpansion.expand(spec, base.seed()),
                new PipelineValidator(ContributionRegistry.load()));
    }

    @Test
    void aValidSweepCountsItsCombinationsAndThreads() throws Exception {
        SweepValidation.Result r = validate(SweepFiles.sweep(tmp, "ok", "seeds=\"1..3\"", """
                <axes setting="backend.layers" values="1 2"/>
                <axes setting="enforcer" values="none random-conjugation"/>
                <metrics name="accuracy"/>
                <metrics name="asymmetry"/>
                <metrics name="weight-abstraction.asymmetry_q_mean"/>
                """));
        assertEquals(12, r.points());
        assertEquals(4, r.combinations());
        assertEquals(1, r.threads());
    }

    @Test
    void anOutOfRangePointIsNamedWithItsCoordinates() throws Exception {
        PipelineException e = assertThrows(PipelineException.class, () -> validate(SweepFiles.sweep(tmp, "range", "seeds=\"1 2\"", """
                <axes setting="task.N" values="8 16"/>
                <axes setting="backend.layers" values="1 0"/>
                """)));
        assertEquals(ExitCode.INVALID_SETTING, e.exitCode());
        String m = e.getMessage();
        assertTrue(m.startsWith("range.sweep: 2 of 4 combinations cannot run"), m);
        assertTrue(m.contains("point p2 (task.N=8, backend.layers=0): "), m);
        assertTrue(m.contains("point p6 (task.N=16, backend.layers=0): "), m);
        assertTrue(m.contains("axis backend.layers=0 of range.sweep"), "the validator names the axis that set it: " + m);
        assertTrue(!m.contains("backend.layers=1)"), m);
    }

    @Test
    void unknownContributionsAndStagesAndMetricsAreRefused() throws Exception {
        PipelineException unknown = assertThrows(PipelineException.class, () -> validate(SweepFiles.sweep(tmp, "u", "",
                "<axes setting=\"enforcer\" values=\"none no-such-enforcer\"/>")));
        assertEquals(ExitCode.UNKNOWN_CONTRIBUTION, unknown.exitCode());
        assertTrue(unknown.getMessage().contains("point p1 (enforcer=no-such-enforcer)"), unknown.getMessage());
        PipelineException stage = assertThrows(PipelineException.class, () -> validate(SweepFiles.sweep(tmp, "s", "",
                "<axes setting=\"spectral-dynamics.rank\" values=\"1 2\"/>")));
        assertEquals(ExitCode.INVALID_SETTING, stage.exitCode());
        assertTrue(stage.getMessage().contains("has no stage 'spectral-dynamics'"), stage.getMessage());
        PipelineException metric = assertThrows(PipelineException.class, () -> validate(SweepFiles.sweep(tmp, "m", "", """
                <metrics name="accuracy"/>
                <metrics name="accurracy"/>
                <metrics name="coupled-mean-shift.agreement_full"/>
                """)));
        assertEquals(ExitCode.INVALID_SETTING, metric.exitCode());
        assertTrue(metric.getMessage().contains("metrics accurracy, coupled-mean-shift.agreement_full: no point's pipeline writes them"),
                metric.getMessage());
        assertTrue(metric.getMessage().contains("ANALYZER one of weight-abstraction"), metric.getMessage());
    }

    @Test
    void aRoleAxisReplacesTheStageAndKeepsItsSettingsOnlyForTheSameContribution() throws Exception {
        SweepFiles.sweep(tmp, "x", "", "");
        PipelineSpec base = PipelineLoader.load(tmp.resolve("tiny.layerwise"));
        PipelineSpec none = PointPipelines.apply(base, new SweepPoint("p0", 0, Map.of("enforcer", "none", "task.N", "16"), 3), "x.sweep");
        PipelineSpec.Stage enforcer = none.stages().stream().filter(s -> s.role() == Role.ENFORCER).findFirst().orElseThrow();
        assertEquals("none", enforcer.id());
        assertTrue(enforcer.settings().isEmpty(), "the other enforcer's settings are dropped: " + enforcer.settings());
        assertEquals("16", none.stages().get(0).settings().get("N"));
        assertEquals(3, none.seed());
        PipelineSpec same = PointPipelines.apply(base, new SweepPoint("p1", 1, Map.of("enforcer", "random-conjugation"), 3), "x.sweep");
        assertEquals(Map.of("factor", "both"), same.stages().stream().filter(s -> s.role() == Role.ENFORCER).findFirst().orElseThrow()
                .settings());
        assertEquals("8", base.stages().get(0).settings().get("N"), "the base pipeline is not changed");
        assertNotEquals(List.of(), none.overrides());
    }
}
