package org.layerwise.batch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sweep commands' checks, in process: validate of a *.sweep file, the refusals that come
 * before anything runs (nothing is written), status and run-points on what is not a sweep. The
 * executors run the real product in releng/org.layerwise.product.tests (LocalSweepTest, SlurmSweepTest).
 */
class SweepCommandTest {

    @TempDir
    Path tmp;

    private Path sweep(String attributes, String children) throws Exception {
        CliHarness.pipeline(tmp, "tiny", """
                <stages role="task" contribution="linear"><settings key="d" value="4"/><settings key="C" value="2"/><settings key="N" value="8"/></stages>
                <stages role="backend" contribution="softmax-attention"><settings key="steps" value="5"/><settings key="batch" value="4"/></stages>
                <stages role="analyzer" contribution="weight-abstraction"/>
                """);
        Path f = tmp.resolve("s.sweep");
        Files.writeString(f, """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Sweep xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" pipeline="tiny.layerwise" %s>
                %s
                </layerwise:Sweep>
                """.formatted(attributes, children));
        return f;
    }

    @Test
    void validateCountsThePointsOfAValidSweep() throws Exception {
        Path f = sweep("seeds=\"1..3\"", """
                <axes setting="backend.layers" values="1 2"/>
                <axes setting="enforcer" values="none random-conjugation"/>
                <metrics name="accuracy"/>
                """);
        CliHarness.Outcome o = CliHarness.run("validate", f.toString());
        assertEquals(0, o.exitCode(), o.toString());
        assertTrue(o.out().contains("valid. 12 points (4 combinations x 3 seeds) of tiny.layerwise; axes backend.layers (2), "
                + "enforcer (2); metrics accuracy"), o.toString());
    }

    @Test
    void anOutOfRangePointIsNamedAndNothingIsWritten() throws Exception {
        Path f = sweep("", "<axes setting=\"backend.layers\" values=\"1 0\"/>");
        CliHarness.Outcome v = CliHarness.run("validate", f.toString());
        assertEquals(5, v.exitCode(), v.toString());
        assertTrue(v.err().contains("point p1 (backend.layers=0)"), v.toString());
        Path out = tmp.resolve("out");
        CliHarness.Outcome s = CliHarness.run("sweep", f.toString(), "--out", out.toString());
        assertEquals(5, s.exitCode(), s.toString());
        assertFalse(Files.exists(out), "nothing is written before every point is valid");
    }

    @Test
    void wrongOptionsAndForeignDirectoriesAreRefused() throws Exception {
        Path f = sweep("", "<axes setting=\"backend.layers\" values=\"1 2\"/>");
        assertEquals(2, CliHarness.run("sweep", f.toString(), "--executor", "cloud").exitCode());
        assertEquals(2, CliHarness.run("sweep", f.toString(), "--max-parallel", "0").exitCode());
        assertEquals(2, CliHarness.run("sweep", f.toString(), "--points-per-process", "0").exitCode());
        assertEquals(2, CliHarness.run("sweep").exitCode());
        assertEquals(2, CliHarness.run("validate", f.toString(), "--seed", "3").exitCode());
        Path foreign = tmp.resolve("foreign");
        Files.createDirectories(foreign);
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        CliHarness.Outcome o = CliHarness.run("sweep", f.toString(), "--out", foreign.toString());
        assertEquals(19, o.exitCode(), o.toString());
        assertTrue(o.err().contains("exists and is not a sweep directory"), o.toString());
        assertEquals("mine", Files.readString(foreign.resolve("notes.txt")));
        CliHarness.Outcome status = CliHarness.run("sweep", "status", foreign.toString());
        assertEquals(19, status.exitCode(), status.toString());
        assertTrue(status.err().contains("sweep.json not found"), status.toString());
        Files.writeString(foreign.resolve("sweep.json"), "{\"format\": \"layerwise-sweep\", \"version\": 7}");
        CliHarness.Outcome version = CliHarness.run("sweep", "run-points", foreign.toString(), "p0");
        assertEquals(19, version.exitCode(), version.toString());
        assertTrue(version.err().contains("field 'version' is 7"), version.toString());
    }

    @Test
    void slurmSettingsThatCannotWorkAreRefusedBeforeAnythingIsWritten() throws Exception {
        Path f = sweep("", "<axes setting=\"backend.layers\" values=\"1 2\"/>\n<slurm memory=\"2G\" time=\"10\"/>");
        Path out = tmp.resolve("slurm-out");
        String[][] cases = {{"--mem", "100", "memory '100' is below 512M"}, {"--time", "soon", "time 'soon' is not a SLURM time limit"},
            {"--points-per-task", "0", "points per task 0 is below 1"}, {"--cpus-per-task", "0", "cpus per task 0 is below 1"}};
        for (String[] c : cases) {
            CliHarness.Outcome o = CliHarness.run("sweep", f.toString(), "--executor", "slurm", "--out", out.toString(), c[0], c[1]);
            assertEquals(2, o.exitCode(), o.toString());
            assertTrue(o.err().contains("--executor slurm: " + c[2]), o.toString());
            assertFalse(Files.exists(out), "nothing is written: " + c[0]);
        }
    }
}
