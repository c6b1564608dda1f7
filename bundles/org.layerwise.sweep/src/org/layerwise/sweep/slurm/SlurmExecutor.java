package org.layerwise.sweep.slurm;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.layerwise.runner.ExitCode;
import org.layerwise.runner.PipelineException;
import org.layerwise.runner.RunDirectory;
import org.layerwise.sweep.PointCommand;
import org.layerwise.sweep.PointRuns;
import org.layerwise.sweep.SweepDirectory;
import org.layerwise.sweep.SweepPoint;
import org.layerwise.sweep.SweepSpec;

/**
 * Runs a sweep's points as one SLURM job array per submission: the points that still need a
 * run are grouped into array tasks (several points per task run in one JVM), the task file and
 * batch script go to the sweep directory's {@code slurm/} folder, {@code sbatch} submits them and
 * sweep.json's {@code "slurm"} key records the job. Points write only their run directories on
 * the nodes; only this process writes sweep.json. A rerun submits only the points that are not
 * done, and is refused while an earlier array of the sweep is still in SLURM's queue.
 */
public final class SlurmExecutor {

    /**
     * The command line's choices.
     *
     * @param overrides   settings given on the command line; each replaces the sweep file's
     * @param maxParallel at most this many array tasks at once ({@code --array=...%K}); null: no cap
     * @param await       follow the array until it leaves the queue, then refresh sweep.json
     * @param home        the folder of the {@code layerwise} start script the nodes run
     * @param poll        how often {@code await} asks squeue
     */
    public record Options(JobSettings overrides, Integer maxParallel, boolean await, Path home, Duration poll, PrintStream out,
            PrintStream err) {

        /** The command line's options with the product this process runs from ({@code -Dlayerwise.home}) and a 5 s poll. */
        public static Options of(JobSettings overrides, Integer maxParallel, boolean await, PrintStream out, PrintStream err) {
            String home = System.getProperty("layerwise.home");
            return new Options(overrides, maxParallel, await, home == null ? null : Path.of(home), Duration.ofSeconds(5), out, err);
        }
    }

    /** One recorded submission: its job, the number of its files (slurm/array-N.sh, tasks-N.txt), its tasks' points. */
    public record Submission(String job, int number, Instant submitted, List<List<String>> tasks) {

        /** The array task that runs the point, or -1. */
        int taskOf(String point) {
            for (int t = 0; t < tasks.size(); t++) {
                if (tasks.get(t).contains(point)) {
                    return t;
                }
            }
            return -1;
        }
    }

    static final String KEY = "slurm";
    private static final long PROGRESS_MILLIS = 30_000;

    private final SweepDirectory sweep;
    private final Slurm slurm;
    private final PrintStream out;
    private final PrintStream err;

    SlurmExecutor(SweepDirectory sweep, Slurm slurm, PrintStream out, PrintStream err) {
        this.sweep = sweep;
        this.slurm = slurm;
        this.out = out;
        this.err = err;
    }

    /**
     * What the command line can refuse before the sweep directory is made: settings SLURM would not
     * take, a product that cannot be found, and a SLURM that cannot be reached (all exit USAGE, the
     * reason in the message). {@link #run} checks the same.
     *
     * @return the sweep file's settings with the command line's replacing them
     */
    public static JobSettings check(SweepSpec.Slurm fileSettings, Options o) throws PipelineException {
        JobSettings settings = JobSettings.of(fileSettings).overriddenBy(o.overrides() == null ? JobSettings.NONE : o.overrides());
        if (!settings.problems().isEmpty()) {
            throw new PipelineException(ExitCode.USAGE, "--executor slurm: " + String.join("; ", settings.problems()));
        }
        if (o.maxParallel() != null && o.maxParallel() < 1) {
            throw new PipelineException(ExitCode.USAGE, "--max-parallel " + o.maxParallel() + ": expected 1 or more");
        }
        if (o.home() == null) {
            throw new PipelineException(ExitCode.USAGE, "--executor slurm: the nodes start the product through the repository's "
                    + "layerwise script, and this process does not know where it is (-Dlayerwise.home is not set)");
        }
        java.util.Optional<String> why = Slurm.fromEnvironment().unavailableReason();
        if (why.isPresent()) {
            throw new PipelineException(ExitCode.USAGE, "--executor slurm: " + why.get());
        }
        return settings;
    }

    /**
     * {@code layerwise sweep SWEEP --executor slurm}: submits the points that need a run (all of
     * them the first time) as one job array and, with {@code await}, follows it to its end.
     *
     * @return OK when submitted (with {@code await}: when every point ended OK); SWEEP_INCOMPLETE
     *         when, with {@code await}, some point did not end OK, or when an earlier array of
     *         the sweep is still queued or running (nothing is submitted then)
     *         (CANCELLED when interrupted while following, OUTPUT_NOT_WRITABLE when sweep.json or the
     *         slurm/ folder cannot be written; both said on {@code err})
     * @throws PipelineException USAGE for unusable settings, where SLURM cannot be reached, or when
     *         sbatch refuses the array
     */
    public static ExitCode run(SweepDirectory sweep, SweepSpec.Slurm fileSettings, Options o) throws PipelineException {
        JobSettings settings = check(fileSettings, o);
        Slurm slurm = Slurm.fromEnvironment();
        try {
            return new SlurmExecutor(sweep, slurm, o.out(), o.err()).submit(settings, o);
        } catch (Slurm.SlurmException e) {
            throw new PipelineException(ExitCode.USAGE, "sweep " + sweep.name() + ": " + e.getMessage());
        } catch (IOException e) {
            o.err().println("layerwise: sweep " + sweep.name() + ": " + e.getMessage());
            return ExitCode.OUTPUT_NOT_WRITABLE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            o.err().println("layerwise: stopped following the array; it goes on in SLURM (layerwise sweep status " + sweep.path() + ")");
            return ExitCode.CANCELLED;
        }
    }

    ExitCode submit(JobSettings settings, Options o) throws PipelineException, IOException, InterruptedException {
        List<Submission> submissions = submissions(sweep);
        for (Submission s : submissions) {
            List<Slurm.TaskState> active = slurm.queue(s.job()).stream().filter(Slurm.TaskState::active).toList();
            if (!active.isEmpty()) {
                err.println("layerwise: sweep " + sweep.name() + ": job " + s.job() + " (submission " + s.number() + ") still has " + active.size()
                        + " of " + s.tasks().size() + " array tasks queued or running; nothing submitted. Wait for it "
                        + "(layerwise sweep status " + sweep.path() + ") or cancel it: scancel " + s.job());
                return ExitCode.SWEEP_INCOMPLETE;
            }
        }
        Map<String, String> statuses = sweep.statuses();
        List<SweepPoint> todo = new ArrayList<>();
        Map<String, Long> skipped = new LinkedHashMap<>();
        for (SweepPoint p : sweep.points()) {
            String status = statuses.get(p.id());
            // no array of the sweep is in the queue, so a point one of them left RUNNING died with its task
            boolean deadOnCluster = "RUNNING".equals(status) && submissions.stream().anyMatch(s -> s.taskOf(p.id()) >= 0);
            if (PointRuns.needsRun(status) || deadOnCluster) {
                todo.add(p);
            } else {
                skipped.merge(status, 1L, Long::sum);
            }
        }
        if (todo.isEmpty()) {
            out.println("Sweep " + sweep.name() + ": nothing to submit, every point has ended ("
                    + describeCounts(skipped) + "); layerwise aggregate " + sweep.path());
            return ExitCode.OK;
        }
        err.println("[sweep] " + todo.size() + " of " + sweep.points().size() + " points to run"
                + (skipped.isEmpty() ? "" : ", " + skipped.values().stream().mapToLong(Long::longValue).sum() + " skipped ("
                        + describeCounts(skipped) + ")"));
        if (todo.size() < sweep.points().size()) {
            err.println("[sweep]   rerun: " + todo.stream().map(p -> p.id() + " (" + statuses.get(p.id()) + ")").collect(Collectors.joining(", ")));
        }
        warnAboutSharedPaths(o.home());

        List<String> ids = todo.stream().map(SweepPoint::id).toList();
        JobArray array = JobArray.write(sweep.path(), sweep.name(), ids, settings, o.maxParallel(), PointCommand.forProduct(o.home()));
        String job;
        try {
            List<String> options = new ArrayList<>(array.sbatchOptions());
            options.addAll(settings.sbatchArgs());
            job = slurm.submit(array.script(), options);
        } catch (Slurm.SlurmException e) {
            Files.deleteIfExists(array.script());
            Files.deleteIfExists(array.taskFile());
            String hint = array.tasks().size() > 1000 ? " (" + array.tasks().size() + " array tasks: clusters often allow at most 1000 "
                    + "per array; raise --points-per-task)" : "";
            throw new PipelineException(ExitCode.USAGE, "sweep " + sweep.name() + ": the job array was not submitted: " + e.getMessage() + hint);
        }
        Instant submitted = Instant.now();
        todo.forEach(sweep::countAttempt);
        record(array, job, submitted, settings, o.maxParallel());
        sweep.write();
        out.println("Sweep " + sweep.name() + ": submitted job " + job + ": " + array.tasks().size() + " array tasks of "
                + settings.points() + " point" + (settings.points() == 1 ? "" : "s") + " each (" + sweep.path().relativize(array.script())
                + "); logs " + sweep.path().resolve("slurm") + "/" + job + "_TASK.log");
        if (!o.await()) {
            out.println("Follow it with: ./layerwise sweep status " + sweep.path());
            return ExitCode.OK;
        }
        return follow(new Submission(job, array.number(), submitted, array.tasks()), o.poll());
    }

    /** The note every submission prints: the nodes need the same paths; a warning for folders that are usually node-local. */
    private void warnAboutSharedPaths(Path home) {
        Path dir = sweep.path().toAbsolutePath().normalize();
        Path product = home.toAbsolutePath().normalize();
        err.println("[sweep] the nodes run " + product.resolve("layerwise") + " and write into " + dir
                + ": both must be on a file system every node mounts at the same path");
        for (Path p : List.of(product, dir)) {
            for (String local : List.of("/tmp", "/var/tmp", "/dev/shm", "/run")) {
                if (p.startsWith(local)) {
                    err.println("layerwise: warning: " + p + " is under " + local + ", which is usually local to each machine: "
                            + "on a cluster of more than one node its points cannot run there");
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void record(JobArray array, String job, Instant submitted, JobSettings settings, Integer maxParallel) {
        Map<String, Object> slurmKey = sweep.get(KEY) instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m)
                : new LinkedHashMap<>();
        List<Object> list = slurmKey.get("submissions") instanceof List<?> l ? new ArrayList<>(l) : new ArrayList<>();
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("job", job);
        s.put("submission", array.number());
        s.put("submitted", submitted.toString());
        s.put("tasks", array.tasks().size());
        s.put("points", array.points());
        s.put("script", sweep.path().relativize(array.script()).toString());
        s.put("task_file", sweep.path().relativize(array.taskFile()).toString());
        List<String> options = new ArrayList<>(array.sbatchOptions());
        options.addAll(settings.sbatchArgs());
        s.put("sbatch", options);
        list.add(s);
        slurmKey.put("submissions", list);
        sweep.put(KEY, slurmKey);
        Map<String, Object> executor = new LinkedHashMap<>();
        executor.put("kind", "slurm");
        executor.put("max_parallel", maxParallel);
        executor.put("points_per_task", settings.points());
        sweep.put("executor", executor);
    }

    /** The submissions sweep.json records, oldest first, with each one's tasks read from its task file. */
    public static List<Submission> submissions(SweepDirectory sweep) throws IOException {
        List<Submission> out = new ArrayList<>();
        if (!(sweep.get(KEY) instanceof Map<?, ?> m) || !(m.get("submissions") instanceof List<?> list)) {
            return out;
        }
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> s) || s.get("job") == null) {
                continue;
            }
            int number = s.get("submission") instanceof Number n ? n.intValue() : out.size() + 1;
            Instant at = s.get("submitted") instanceof String t ? Instant.parse(t) : Instant.EPOCH;
            List<List<String>> tasks = new ArrayList<>();
            Path file = JobArray.taskFileOf(sweep.path(), number);
            if (Files.isRegularFile(file)) {
                for (String line : Files.readAllLines(file)) {
                    tasks.add(line.isBlank() ? List.of() : List.of(line.strip().split("\\s+")));
                }
            }
            out.add(new Submission(String.valueOf(s.get("job")), number, at, tasks));
        }
        return out;
    }

    /**
     * Follows the array until it leaves SLURM's queue: a line per point when it starts and ends,
     * a summary with the time left every 30 s; then sweep.json is refreshed.
     */
    ExitCode follow(Submission s, Duration poll) throws IOException, InterruptedException {
        List<SweepPoint> points = new ArrayList<>();
        for (List<String> task : s.tasks()) {
            for (String id : task) {
                points.add(point(id));
            }
        }
        // a rerun's points start from their old status: a point counts as done once its run.json
        // was written after the submission with a status that ends a run
        Map<String, String> seen = new HashMap<>();
        for (SweepPoint p : points) {
            seen.put(p.id(), sweep.status(p));
        }
        java.util.Set<String> ended = new java.util.HashSet<>();
        long lastSummary = 0;
        int failures = 0;
        while (true) {
            List<Slurm.TaskState> queue;
            try {
                queue = slurm.queue(s.job());
                failures = 0;
            } catch (Slurm.SlurmException e) {
                if (++failures >= 5) {
                    throw e;
                }
                err.println("layerwise: warning: " + e.getMessage() + " (asking again)");
                Thread.sleep(poll.toMillis());
                continue;
            }
            boolean changed = false;
            for (SweepPoint p : points) {
                String status = sweep.status(p);
                boolean newlyEnded = !status.equals("RUNNING") && !status.equals(SweepDirectory.PENDING) && !ended.contains(p.id())
                        && writtenSince(p, s.submitted());
                if (!status.equals(seen.get(p.id())) || newlyEnded) {
                    err.println("[sweep] " + p.id() + " " + status + detail(p, status));
                    changed = true;
                }
                if (newlyEnded) {
                    ended.add(p.id());
                }
                seen.put(p.id(), status);
            }
            long now = System.currentTimeMillis();
            if (changed || now - lastSummary >= PROGRESS_MILLIS) {
                lastSummary = now;
                err.println(summary(s, seen, ended.size(), queue));
            }
            if (queue.stream().noneMatch(Slurm.TaskState::active)) {
                break;
            }
            Thread.sleep(poll.toMillis());
        }
        Map<String, String> end = sweep.write();
        List<String> notOk = new ArrayList<>();
        for (SweepPoint p : points) {
            String status = end.get(p.id());
            if (!"OK".equals(status)) {
                String log = "slurm/" + s.job() + "_" + s.taskOf(p.id()) + ".log";
                notOk.add(p.id() + " " + status + " (" + (SweepDirectory.PENDING.equals(status) ? "never started; "
                        : "RUNNING".equals(status) ? "its array task ended while it ran; " : "") + "see " + log + ")");
            }
        }
        out.println("Sweep " + sweep.name() + ": job " + s.job() + " ended: " + (points.size() - notOk.size()) + " of " + points.size()
                + " points OK" + (notOk.isEmpty() ? "" : "; not OK: " + String.join(", ", notOk)
                        + ". Rerun the same command to run those again") + "; tables and figures: ./layerwise aggregate " + sweep.path());
        return notOk.isEmpty() ? ExitCode.OK : ExitCode.SWEEP_INCOMPLETE;
    }

    private SweepPoint point(String id) throws IOException {
        try {
            return sweep.point(id);
        } catch (PipelineException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** ": stage training", " in 12.3 s", ": the cause" from the point's run.json. */
    private String detail(SweepPoint p, String status) {
        try {
            Map<String, Object> run = RunDirectory.open(sweep.runDirectory(p)).run();
            if ("RUNNING".equals(status) && run.get("stage") != null) {
                return " (" + run.get("stage") + ")";
            }
            if (run.get("cause") != null) {
                return ": " + run.get("cause");
            }
            if (run.get("wall_seconds") instanceof Number n) {
                return String.format(Locale.ROOT, " in %.1f s", n.doubleValue());
            }
        } catch (IOException | RuntimeException e) {
            // no run.json yet
        }
        return "";
    }

    /** Whether the point's run.json was written at or after the time (a status from this submission, not an earlier one). */
    private boolean writtenSince(SweepPoint p, Instant since) {
        try {
            return !Files.getLastModifiedTime(sweep.runDirectory(p).resolve("run.json")).toInstant().isBefore(since.minusSeconds(1));
        } catch (IOException e) {
            return false;
        }
    }

    private String summary(Submission s, Map<String, String> statuses, int done, List<Slurm.TaskState> queue) {
        long ok = statuses.values().stream().filter("OK"::equals).count();
        long running = statuses.values().stream().filter("RUNNING"::equals).count();
        long pendingTasks = queue.stream().filter(t -> t.state().equals("PENDING")).count();
        int total = statuses.size();
        double elapsed = Duration.between(s.submitted(), Instant.now()).toMillis() / 1000.0;
        String left = done == 0 || done == total ? "" : "; about " + duration(elapsed / done * (total - done)) + " left at the rate so far";
        return "[sweep] job " + s.job() + ": " + done + "/" + total + " points done (" + ok + " OK), " + running + " running, "
                + (total - done - running) + " waiting (" + pendingTasks + " array tasks queued)" + left;
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 60 ? s + " s" : s < 3600 ? (s / 60) + " min " + (s % 60) + " s" : (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }

    private static String describeCounts(Map<String, Long> counts) {
        return counts.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }

    /**
     * What SLURM says now of each point of the sweep's recorded jobs that it still knows: from
     * squeue while a task is queued or running ("queued (REASON)", "running"), else from sacct or
     * the completion file (COMPLETED, FAILED, CANCELLED, TIMEOUT, OUT_OF_MEMORY, ...). The latest
     * submission of a point wins; points of jobs SLURM has forgotten are absent.
     */
    public static Map<String, String> states(SweepDirectory sweep, Slurm slurm) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (Submission s : submissions(sweep)) {
            Map<Integer, String> byTask = new HashMap<>();
            for (Slurm.TaskState t : slurm.queue(s.job())) {
                byTask.put(t.task(), switch (t.state()) {
                    case "PENDING" -> "queued" + (t.reason().isEmpty() ? "" : " (" + t.reason() + ")");
                    case "RUNNING" -> "running";
                    default -> t.state();
                });
            }
            if (byTask.size() < s.tasks().size()) {
                for (Slurm.TaskState t : slurm.accounting(s.job())) {
                    byTask.putIfAbsent(t.task(), t.state());
                }
            }
            for (int task = 0; task < s.tasks().size(); task++) {
                String state = byTask.get(task);
                for (String point : s.tasks().get(task)) {
                    if (state != null) {
                        out.put(point, "job " + s.job() + "_" + task + " " + state);
                    } else {
                        out.remove(point); // an older job's state would mislead
                    }
                }
            }
        }
        return out;
    }

    /** {@link #states(SweepDirectory, Slurm)} with the SLURM commands on this process's PATH; empty when SLURM cannot be reached. */
    public static Map<String, String> states(SweepDirectory sweep) throws IOException {
        if (submissions(sweep).isEmpty()) {
            return Map.of();
        }
        Slurm slurm = Slurm.fromEnvironment();
        return slurm.available() ? states(sweep, slurm) : Map.of();
    }
}
