package org.layerwise.runner.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.Tensor;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunStatus;

/** The one reader of run directories: what the explorer, the reports and list-runs read from a run's files. */
class RunDirectoryTest {

    @TempDir
    Path dir;

    private RunDirectory written(String status) throws Exception {
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("status", status);
        run.put("pipeline", Map.of("stages", List.of(
                Map.of("role", "task", "id", "linear", "settings", Map.of("d", 8)),
                Map.of("role", "backend", "id", "softmax-attention", "settings", Map.of("layers", 2)))));
        Json.write(dir.resolve("run.json"), run);
        Map<String, Object> metrics = new LinkedHashMap<>();
        metrics.put("accuracy", 0.75);
        metrics.put("analyzers", Map.of("widget-probe", Map.of("hit_rate", 0.5)));
        Json.write(dir.resolve("metrics.json"), metrics);
        Npz.write(dir.resolve("training.npz"), Map.of("loss", Tensor.of(new double[] {2, 1}, 2)));
        Files.writeString(dir.resolve("widget-probe.csv"), "layer,value\n0,1.5\n1,2.5\n");
        return RunDirectory.open(dir);
    }

    @Test
    void reads_the_stages_metrics_scalars_tables_and_archives_a_run_wrote() throws Exception {
        RunDirectory r = written("OK");
        assertEquals(dir.getFileName().toString(), r.id());
        assertEquals(RunStatus.OK, r.status());
        assertEquals("softmax-attention", r.stage("backend").orElseThrow().id());
        assertEquals(2, r.stage("backend").orElseThrow().settings().get("layers"));
        assertTrue(r.stage("enforcer").isEmpty(), "a role the pipeline did not have");
        assertEquals(Optional.of(0.75), r.findMetric("accuracy"));
        assertTrue(r.findMetric("chance").isEmpty());
        assertTrue(Double.isNaN(r.metric("chance")));
        assertEquals(Optional.of(0.5), r.scalar("widget-probe", "hit_rate"));
        assertTrue(r.scalar("widget-probe", "misses").isEmpty());
        assertTrue(r.scalars("coupled-mean-shift").isEmpty(), "an analyzer that did not run");
        assertEquals(2, r.table("widget-probe").rows().size());
        assertNull(r.table("layer-dynamics"));
        Map<String, Tensor> training = r.archive("training").orElseThrow();
        assertSame(training, r.archive("training").orElseThrow(), "an archive is read once");
        assertTrue(r.archive("eval").isEmpty());
        assertArrayEquals(new double[] {2, 1}, r.training().get("loss"));
        assertTrue(Double.isNaN(r.training().get("accuracy")[0]), "a run written before accuracy was recorded");
    }

    @Test
    void a_running_run_without_a_process_reads_interrupted_but_records_running() throws Exception {
        RunDirectory r = written("RUNNING");
        assertEquals(RunStatus.RUNNING, r.recordedStatus());
        assertEquals(RunStatus.INTERRUPTED, r.status(), "no lock, no pid, no heartbeat");
        assertEquals(RunStatus.INTERRUPTED, RunDirectory.status(dir));
        assertNull(RunDirectory.status(dir.resolve("absent")));
    }
}
