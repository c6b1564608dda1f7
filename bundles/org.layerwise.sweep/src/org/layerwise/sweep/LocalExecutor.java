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
 * take another down) or a few in one process (JVM start and warm-up paid once), at most K
 * processes at once. A process writes only its points' run directories and its log
 * (logs/ID.log, or logs/FIRST-LAST.log for a group, appended to across attempts); this process
 * reads their statuses and rewrites sweep.json as points end. Cancelling stops the running points as Ctrl-C would
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
    private final int pointsPerProcess;
    private final Listener listener;

    public LocalExecutor(SweepDirectory sweep, PointCommand command, int maxParallel, Listener listener) {
        this(sweep, command, maxParallel, 1, listener);
    }

    /**
     * @param pointsPerProcess points one process runs one after the other (JVM start and JIT warm-up paid
     *                         once; a crash takes the rest of its group with it)
     */
    public LocalExecutor(SweepDirectory sweep, PointCommand command, int maxParallel, int pointsPerProcess, Listener listener) {
        if (maxParallel < 1 || pointsPerProcess < 1) {
            throw new IllegalArgumentException("maxParallel " + maxParallel + ", pointsPerProcess " + pointsPerProcess);
        }
        this.sweep = sweep;
        this.command = command;
        this.maxParallel = maxParallel;
        this.pointsPerProcess = pointsPerProcess;
        this.listener = listener;
    }

    /** One process and its points; {@code open} are those whose end has not been reported yet. */
    private static final class Running {
        final List<SweepPoint> open;
        final Process process;
        final Path log;
        long since;

        Running(List<SweepPoint> points, Process process, Path log) {
            this.open = new ArrayList<>(points);
            this.process = process;
            this.log = log;
            this.since = System.nanoTime();
        }
    }

    public Outcome run(List<SweepPoint> todo, BooleanSupplier cancelled) throws IOException, InterruptedException {
        Deque<SweepPoint> queue = new ArrayDeque<>(todo);
        List<Running> running = new ArrayList<>();
        Map<String, String> statuses = new LinkedHashMap<>();
        long start = System.nanoTime();
        long lastProgress = start;
        long lastWrite = start - WRITE_MILLIS * 1_000_000L;
        double[] busy = {0};
        Files.createDirectories(sweep.path().resolve("logs"));
        try {
            while (!queue.isEmpty() || !running.isEmpty()) {
                if (cancelled.getAsBoolean()) {
                    stop(running, statuses);
                    sweep.write();
                    return new Outcome(statuses, true);
                }
                while (running.size() < maxParallel && !queue.isEmpty()) {
                    List<SweepPoint> group = new ArrayList<>();
                    while (group.size() < pointsPerProcess && !queue.isEmpty()) {
                        group.add(queue.poll());
                    }
                    running.add(launch(group));
                }
                boolean changed = false;
                for (int i = running.size() - 1; i >= 0; i--) {
                    Running r = running.get(i);
                    boolean exited = !r.process.isAlive();
                    changed |= reportEnded(r, exited, statuses, busy);
                    if (exited) {
                        running.remove(i);
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
                    long ok = statuses.values().stream().filter("OK"::equals).count();
                    listener.progress(progress(todo.size(), statuses.size(), (int) ok, queue.size(), running, now - start, busy[0]));
                }
                if (!running.isEmpty()) {
                    running.get(0).process.waitFor(POLL_MILLIS, TimeUnit.MILLISECONDS);
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

    /**
     * Reports the points of a process that ended: in order, as long as each one's run directory
     * holds a terminal status and it is not the process's last; all of them once it has exited.
     */
    private boolean reportEnded(Running r, boolean exited, Map<String, String> statuses, double[] busy) {
        boolean any = false;
        while (!r.open.isEmpty()) {
            SweepPoint p = r.open.get(0);
            String status = sweep.status(p);
            // the last point of a process is reported with the process's exit code, once it has exited
            boolean ended = exited || r.open.size() > 1 && !(status.equals(SweepDirectory.PENDING) || status.equals("RUNNING"));
            if (!ended) {
                break;
            }
            r.open.remove(0);
            long now = System.nanoTime();
            double seconds = (now - r.since) / 1e9;
            r.since = now;
            busy[0] += seconds;
            statuses.put(p.id(), status);
            if (exited) {
                sweep.recordExit(p, r.process.exitValue());
            }
            listener.finished(p, status, seconds, exited ? r.process.exitValue() : 0, r.log);
            any = true;
        }
        return any;
    }

    private Running launch(List<SweepPoint> group) throws IOException {
        int attempt = 0;
        for (SweepPoint p : group) {
            attempt = Math.max(attempt, sweep.countAttempt(p));
        }
        String name = group.size() == 1 ? group.get(0).id() : group.get(0).id() + "-" + group.get(group.size() - 1).id();
        Path log = sweep.path().resolve("logs").resolve(name + ".log");
        List<String> argv = command.argv(sweep.path(), group.stream().map(SweepPoint::id).toList());
        Files.writeString(log, "=== attempt " + attempt + " at " + Instant.now() + ": " + String.join(" ", argv) + "\n",
                StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(command.environment());
        Process process = pb.start();
        for (SweepPoint p : group) {
            listener.started(p, attempt, log);
        }
        return new Running(group, process, log);
    }

    /** SIGTERM to every running process (its shutdown hook cancels the run), then waits; the stubborn are killed. */
    private void stop(List<Running> running, Map<String, String> statuses) throws InterruptedException {
        running.forEach(r -> r.process.destroy());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STOP_SECONDS);
        for (Running r : running) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !r.process.waitFor(left, TimeUnit.NANOSECONDS)) {
                r.process.descendants().forEach(ProcessHandle::destroyForcibly);
                r.process.destroyForcibly().waitFor();
            }
            for (SweepPoint p : r.open) {
                statuses.put(p.id(), sweep.status(p));
            }
        }
        running.clear();
    }

    private Progress progress(int total, int done, int ok, int queued, List<Running> running, long elapsedNanos, double busySeconds) {
        Map<String, String> detail = new LinkedHashMap<>();
        double mean = done == 0 ? Double.NaN : busySeconds / done;
        double work = queued * mean;
        for (Running r : running) {
            if (!r.open.isEmpty()) {
                detail.put(r.open.get(0).id(), lastStep(r.log));
                work += Math.max(0, mean - (System.nanoTime() - r.since) / 1e9) + (r.open.size() - 1) * mean;
            }
        }
        double left = done == 0 ? Double.NaN : work / Math.min(maxParallel, Math.max(1, running.size() + queued));
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
