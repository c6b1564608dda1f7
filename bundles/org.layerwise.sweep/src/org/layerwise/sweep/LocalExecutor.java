package org.layerwise.sweep;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a sweep's points on this machine, each as its own batch process (a crash of one cannot
 * take another down), at most K at once. A point's process writes only its run directory and
 * its log (logs/ID.log, appended to across attempts); this process reads their statuses and
 * rewrites sweep.json after every point. Cancelling stops the running points as Ctrl-C would
 * (they end CANCELLED and resumable) and leaves the queued ones PENDING.
 */
public final class LocalExecutor {

    /** What the command line prints; called from the executor's thread only. */
    public interface Listener {
        void started(SweepPoint p, int attempt, Path log);

        void finished(SweepPoint p, String status, double seconds, int exitCode, Path log);

        void progress(Progress progress);
    }

    /**
     * @param running     the running points with their training progress ("step 1200/6000") where their log shows it
     * @param secondsLeft NaN until a point has finished
     */
    public record Progress(int total, int done, int ok, int queued, Map<String, String> running, double elapsedSeconds,
            double secondsLeft) {
    }

    /** How the points of this execution ended (statuses read from their run directories). */
    public record Outcome(Map<String, String> statuses, boolean cancelled) {
        public long ok() {
            return statuses.values().stream().filter("OK"::equals).count();
        }
    }

    static final long POLL_MILLIS = 200;
    static final long PROGRESS_MILLIS = 5_000;
    static final long WRITE_MILLIS = 2_000;
    /** How long a point may take to end its run after SIGTERM (it writes CANCELLED and its state) before it is killed. */
    public static final long STOP_SECONDS = 60;

    private static final Pattern STEP = Pattern.compile("training step (\\d+)/(\\d+)");

    private final SweepDirectory sweep;
    private final PointCommand command;
    private final int maxParallel;
    private final Listener listener;

    public LocalExecutor(SweepDirectory sweep, PointCommand command, int maxParallel, Listener listener) {
        if (maxParallel < 1) {
            throw new IllegalArgumentException("maxParallel " + maxParallel + " < 1");
        }
        this.sweep = sweep;
        this.command = command;
        this.maxParallel = maxParallel;
        this.listener = listener;
    }

    private record Running(SweepPoint point, Process process, long startNanos, Path log) {
    }

    public Outcome run(List<SweepPoint> todo, BooleanSupplier cancelled) throws IOException, InterruptedException {
        Deque<SweepPoint> queue = new ArrayDeque<>(todo);
        List<Running> running = new ArrayList<>();
        Map<String, String> statuses = new LinkedHashMap<>();
        long start = System.nanoTime();
        long lastProgress = start;
        long lastWrite = start - WRITE_MILLIS * 1_000_000L;
        double busySeconds = 0;
        int ok = 0;
        Files.createDirectories(sweep.path().resolve("logs"));
        try {
            while (!queue.isEmpty() || !running.isEmpty()) {
                if (cancelled.getAsBoolean()) {
                    stop(running, statuses);
                    sweep.write();
                    return new Outcome(statuses, true);
                }
                while (running.size() < maxParallel && !queue.isEmpty()) {
                    running.add(launch(queue.poll()));
                }
                boolean changed = false;
                for (int i = running.size() - 1; i >= 0; i--) {
                    Running r = running.get(i);
                    if (!r.process().isAlive()) {
                        running.remove(i);
                        double seconds = (System.nanoTime() - r.startNanos()) / 1e9;
                        busySeconds += seconds;
                        String status = sweep.status(r.point());
                        statuses.put(r.point().id(), status);
                        sweep.recordExit(r.point(), r.process().exitValue());
                        ok += "OK".equals(status) ? 1 : 0;
                        listener.finished(r.point(), status, seconds, r.process().exitValue(), r.log());
                        changed = true;
                    }
                }
                long now = System.nanoTime();
                // sweep.json of a big sweep is megabytes: rewritten at most every few seconds, and at the end
                if (changed && now - lastWrite >= WRITE_MILLIS * 1_000_000L) {
                    sweep.write();
                    lastWrite = now;
                }
                if (changed || now - lastProgress >= PROGRESS_MILLIS * 1_000_000L) {
                    lastProgress = now;
                    listener.progress(progress(todo.size(), statuses.size(), ok, queue.size(), running, now - start, busySeconds));
                }
                if (!running.isEmpty()) {
                    running.get(0).process().waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            stop(running, statuses);
            sweep.write();
            throw e;
        }
        sweep.write();
        return new Outcome(statuses, false);
    }

    private Running launch(SweepPoint p) throws IOException {
        int attempt = sweep.countAttempt(p);
        Path log = sweep.path().resolve("logs").resolve(p.id() + ".log");
        List<String> argv = command.argv(sweep.path(), List.of(p.id()));
        Files.writeString(log, "=== attempt " + attempt + " at " + Instant.now() + ": " + String.join(" ", argv) + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(command.environment());
        Process process = pb.start();
        listener.started(p, attempt, log);
        return new Running(p, process, System.nanoTime(), log);
    }

    /** SIGTERM to every running point (its shutdown hook cancels the run), then waits; the stubborn are killed. */
    private void stop(List<Running> running, Map<String, String> statuses) throws InterruptedException {
        running.forEach(r -> r.process().destroy());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_SECONDS);
        for (Running r : running) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !r.process().waitFor(left, TimeUnit.NANOSECONDS)) {
                r.process().descendants().forEach(ProcessHandle::destroyForcibly);
                r.process().destroyForcibly().waitFor();
            }
            statuses.put(r.point().id(), sweep.status(r.point()));
        }
        running.clear();
    }

    private Progress progress(int total, int done, int ok, int queued, List<Running> running, long elapsedNanos, double busySeconds) {
        Map<String, String> detail = new LinkedHashMap<>();
        double left = Double.NaN;
        double mean = done == 0 ? Double.NaN : busySeconds / done;
        double work = queued * mean;
        for (Running r : running) {
            detail.put(r.point().id(), lastStep(r.log()));
            work += Math.max(0, mean - (System.nanoTime() - r.startNanos()) / 1e9);
        }
        if (done > 0) {
            left = work / Math.min(maxParallel, Math.max(1, queued + running.size()));
        }
        return new Progress(total, done, ok, queued, detail, elapsedNanos / 1e9, left);
    }

    /** "step 1200/6000" from the last training line in the point's log (read from its last 4 KB), or "". */
    static String lastStep(Path log) {
        try (RandomAccessFile f = new RandomAccessFile(log.toFile(), "r")) {
            long length = f.length();
            int n = (int) Math.min(4096, length);
            byte[] tail = new byte[n];
            f.seek(length - n);
            f.readFully(tail);
            Matcher m = STEP.matcher(new String(tail, StandardCharsets.UTF_8));
            String last = "";
            while (m.find()) {
                last = "step " + m.group(1) + "/" + m.group(2);
            }
            return last;
        } catch (IOException e) {
            return "";
        }
    }
}
