package org.layerwise.sweep.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.io.Json;
import org.layerwise.runner.PipelineLoader;
import org.layerwise.sweep.LocalExecutor;
import org.layerwise.sweep.PointCommand;
import org.layerwise.sweep.PointRuns;
import org.layerwise.sweep.SweepDirectory;
import org.layerwise.sweep.SweepExpansion;
import org.layerwise.sweep.SweepPoint;
import org.layerwise.sweep.SweepSpec;

/**
 * The local executor's scheduling, status bookkeeping and cancellation, with a shell script in
 * place of the batch product (the product itself runs sweeps in releng/org.layerwise.product.tests).
 */
class LocalExecutorTest {

    @TempDir
    Path tmp;

    /**
     * A fake worker: records start and end times in DIR/trace, writes run.json with the status the
     * point id asks for (p1 fails, every other point is OK) and exits; "hang" points wait until killed.
     */
    private PointCommand fakeWorker(double seconds, String hangingPoint) throws Exception {
        Path script = tmp.resolve("worker.sh");
        Files.writeString(script, """
                #!/bin/sh
                dir="$1"; shift
                for id in "$@"; do
                echo "start $id $(date +%%s%%N) $$" >> "$dir/trace"
                mkdir -p "$dir/points/$id"
                if [ "$id" = "%s" ]; then trap 'echo "{\\"status\\": \\"CANCELLED\\"}" > "$dir/points/$id/run.json"; exit 130' TERM; while :; do sleep 0.05; done; fi
                echo "[layerwise] training step 5/10  loss 1.0" >&2
                sleep %s
                if [ "$id" = "p1" ]; then s=FAILED; code=1; else s=OK; code=0; fi
                echo "{\\"status\\": \\"$s\\"}" > "$dir/points/$id/run.json"
                echo "end $id $(date +%%s%%N) $$" >> "$dir/trace"
                done
                exit $code
                """.formatted(hangingPoint, seconds));
        script.toFile().setExecutable(true);
        return new PointCommand(List.of(script.toString()), Map.of());
    }

    private SweepDirectory sweep(int combinations) throws Exception {
        StringBuilder values = new StringBuilder();
        for (int i = 1; i <= combinations; i++) {
            values.append(i).append(' ');
        }
        SweepSpec spec = SweepSpec.load(SweepFiles.sweep(tmp, "local", "", "<axes setting=\"backend.layers\" values=\"" + values + "\"/>"));
        List<SweepPoint> points = SweepExpansion.expand(spec, PipelineLoader.load(spec.pipelineFile()).seed());
        return SweepDirectory.prepare(tmp.resolve("out"), spec, points, 64);
    }

    private static final class Recorder implements LocalExecutor.Listener {
        final List<String> finished = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger started = new AtomicInteger();
        final List<LocalExecutor.Progress> progress = new ArrayList<>();

        @Override
        public void started(SweepPoint p, int attempt, Path log) {
            started.incrementAndGet();
        }

        @Override
        public void finished(SweepPoint p, String status, double seconds, int exitCode, Path log) {
            finished.add(p.id() + " " + status + " " + exitCode);
        }

        @Override
        public void progress(LocalExecutor.Progress p) {
            progress.add(p);
        }
    }

    @Test
    void runsAtMostKAtOnceRecordsEveryStatusAndLogsEachPoint() throws Exception {
        SweepDirectory sweep = sweep(5);
        Recorder r = new Recorder();
        LocalExecutor.Outcome o = new LocalExecutor(sweep, fakeWorker(0.4, "none"), 2, r).run(sweep.points(), () -> false);
        assertFalse(o.cancelled());
        assertEquals(4, o.ok());
        assertEquals("FAILED", o.statuses().get("p1"));
        assertTrue(r.finished.contains("p1 FAILED 1"), r.finished.toString());
        // the trace: at no moment more than two points between start and end
        List<long[]> events = new ArrayList<>();
        for (String line : Files.readAllLines(sweep.path().resolve("trace"))) {
            String[] f = line.split(" ");
            events.add(new long[] {Long.parseLong(f[2]), f[0].equals("start") ? 1 : -1});
        }
        events.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int running = 0;
        int most = 0;
        for (long[] e : events) {
            running += (int) e[1];
            most = Math.max(most, running);
        }
        assertEquals(10, events.size());
        assertEquals(2, most, "two at once, never three");
        Map<String, Object> json = Json.readMap(sweep.path().resolve(SweepDirectory.FILE));
        List<?> points = (List<?>) json.get("points");
        assertEquals("FAILED", ((Map<?, ?>) points.get(1)).get("status"));
        assertEquals("OK", ((Map<?, ?>) points.get(4)).get("status"));
        assertEquals(1, ((Number) ((Map<?, ?>) points.get(4)).get("attempts")).intValue());
        assertTrue(Files.readString(sweep.path().resolve("logs/p3.log")).contains("training step 5/10"));
        LocalExecutor.Progress last = r.progress.get(r.progress.size() - 1);
        assertEquals(5, last.done());
        assertEquals(4, last.ok());
    }

    @Test
    void pointsPerProcessRunsAGroupInOneProcessAndReportsEachPoint() throws Exception {
        SweepDirectory sweep = sweep(5);
        Recorder r = new Recorder();
        LocalExecutor.Outcome o = new LocalExecutor(sweep, fakeWorker(0.2, "none"), 1, 2, r).run(sweep.points(), () -> false);
        assertEquals(4, o.ok());
        assertEquals(5, r.finished.size(), r.finished.toString());
        Map<String, String> pidOf = new java.util.HashMap<>();
        for (String line : Files.readAllLines(sweep.path().resolve("trace"))) {
            String[] f = line.split(" ");
            pidOf.put(f[1], f[3]);
        }
        assertEquals(pidOf.get("p0"), pidOf.get("p1"));
        assertEquals(pidOf.get("p2"), pidOf.get("p3"));
        assertTrue(!pidOf.get("p1").equals(pidOf.get("p2")) && !pidOf.get("p3").equals(pidOf.get("p4")), pidOf.toString());
        assertTrue(Files.exists(sweep.path().resolve("logs/p0-p1.log")) && Files.exists(sweep.path().resolve("logs/p4.log")));
        // p0 was reported when its run.json said OK, before its process (which went on to p1) ended
        assertEquals("p0 OK 0", r.finished.get(0));
        assertEquals("p1 FAILED 1", r.finished.get(1));
    }

    @Test
    void aRerunStartsOnlyThePointsThatAreNotDone() throws Exception {
        SweepDirectory sweep = sweep(4);
        new LocalExecutor(sweep, fakeWorker(0.05, "none"), 2, new Recorder()).run(sweep.points(), () -> false);
        Map<String, String> statuses = sweep.statuses();
        List<SweepPoint> todo = sweep.points().stream().filter(p -> PointRuns.needsRun(statuses.get(p.id()))).toList();
        assertEquals(List.of("p1"), todo.stream().map(SweepPoint::id).toList());
        Recorder again = new Recorder();
        new LocalExecutor(sweep, fakeWorker(0.05, "none"), 2, again).run(todo, () -> false);
        assertEquals(1, again.started.get());
        Map<String, Object> json = Json.readMap(sweep.path().resolve(SweepDirectory.FILE));
        assertEquals(2, ((Number) ((Map<?, ?>) ((List<?>) json.get("points")).get(1)).get("attempts")).intValue());
        assertEquals(1, ((Number) ((Map<?, ?>) ((List<?>) json.get("points")).get(0)).get("attempts")).intValue());
    }

    @Test
    void cancellingStopsTheRunningPointsAndLeavesTheQueuedOnesPending() throws Exception {
        SweepDirectory sweep = sweep(4);
        Recorder r = new Recorder();
        long t0 = System.nanoTime();
        // p0 hangs until SIGTERM; cancel once it has started
        LocalExecutor.Outcome o = new LocalExecutor(sweep, fakeWorker(0.05, "p0"), 1, r).run(sweep.points(),
                () -> r.started.get() > 0 && System.nanoTime() - t0 > 500_000_000L);
        assertTrue(o.cancelled());
        assertEquals("CANCELLED", sweep.status(sweep.points().get(0)));
        assertEquals(SweepDirectory.PENDING, sweep.status(sweep.points().get(1)));
        assertEquals(1, r.started.get());
        Map<String, Object> json = Json.readMap(sweep.path().resolve(SweepDirectory.FILE));
        assertEquals("CANCELLED", ((Map<?, ?>) ((List<?>) json.get("points")).get(0)).get("status"));
    }
}
