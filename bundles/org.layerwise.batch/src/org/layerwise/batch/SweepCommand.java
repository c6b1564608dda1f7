package org.layerwise.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import org.layerwise.core.ContributionRegistry;
import org.layerwise.runner.ExitCode;
import org.layerwise.runner.PipelineException;
import org.layerwise.runner.PipelineLoader;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.sweep.LocalExecutor;
import org.layerwise.sweep.PointCommand;
import org.layerwise.sweep.PointRuns;
import org.layerwise.sweep.SweepDirectory;
import org.layerwise.sweep.SweepExpansion;
import org.layerwise.sweep.SweepPoint;
import org.layerwise.sweep.SweepSpec;
import org.layerwise.sweep.SweepValidation;
import org.layerwise.sweep.slurm.JobSettings;
import org.layerwise.sweep.slurm.SlurmExecutor;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * `layerwise sweep SWEEP`: validates every point, makes (or reopens) the sweep directory and
 * runs the points that are not done on the local cores or as a SLURM job array; `sweep status`
 * reads a sweep directory; `sweep run-points` is what a point's process runs (docs/sweeps.md).
 */
@Command(name = "sweep", description = "Run a sweep (*.sweep: a grid of one pipeline's settings over seeds), each point into "
        + "its own run directory of the sweep directory; rerunning the same command skips the points that ended and resumes "
        + "FAILED, CANCELLED and INTERRUPTED ones.", subcommands = {SweepCommand.Status.class, SweepCommand.RunPoints.class})
final class SweepCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    Cli cli;

    // Optional for picocli only: a parent's required parameter would be demanded before its subcommands too.
    @Parameters(paramLabel = "SWEEP", arity = "0..1", description = "The *.sweep file.")
    Path file;

    @Option(names = "--executor", paramLabel = "local|slurm", description = "Where the points run (default: local).")
    String executor = "local";

    @Option(names = "--out", paramLabel = "DIR", description = "The sweep directory (default: ./sweeps/NAME, so that the same "
            + "command finds it again).")
    Path out;

    @Option(names = "--max-parallel", paramLabel = "K", description = "At most K points at once (default, local: the cores "
            + "divided by the threads one point uses; slurm: no limit).")
    Integer maxParallel;

    @Option(names = "--eval-prompts", paramLabel = "N", description = "Evaluation prompts of every point (default: 1280).")
    int evalPrompts = RunOptions.DEFAULT_EVAL_PROMPTS;

    // SLURM (--executor slurm): each overrides the sweep file's <slurm> attribute of the same meaning.
    @Option(names = "--wait", description = "slurm: follow the job array until it leaves the queue, then report every point.")
    boolean await;

    @Option(names = "--partition", paramLabel = "P", description = "slurm: the partition of the array tasks.")
    String partition;

    @Option(names = "--time", paramLabel = "T", description = "slurm: each array task's time limit (minutes, H:MM:SS, D-HH:MM:SS).")
    String time;

    @Option(names = "--mem", paramLabel = "M", description = "slurm: each array task's memory (sbatch --mem: 4G, 4096); the heap "
            + "of its JVM is fitted to it.")
    String mem;

    @Option(names = "--cpus-per-task", paramLabel = "C", description = "slurm: CPUs of each array task (and threads of its JVM).")
    Integer cpusPerTask;

    @Option(names = "--points-per-task", paramLabel = "N", description = "slurm: points each array task runs one after the "
            + "other in one JVM (default 1).")
    Integer pointsPerTask;

    @Option(names = "--sbatch-arg", paramLabel = "ARG", description = "slurm: an sbatch option passed through as it is "
            + "(repeatable), e.g. --sbatch-arg=--account=lab.")
    List<String> sbatchArgs = new ArrayList<>();

    @Option(names = "--points-per-process", paramLabel = "N", description = "local: points one process runs one after the other "
            + "(JVM start and warm-up paid once per N points; default 1: a process per point).")
    int pointsPerProcess = 1;

    /** The sweep, its pipeline and points, all validated. */
    record Checked(SweepSpec spec, PipelineSpec base, List<SweepPoint> points, SweepValidation.Result result) {
    }

    static Checked check(Path file, Cli cli) throws PipelineException {
        SweepSpec spec = SweepSpec.load(file);
        PipelineSpec base = PipelineLoader.load(spec.pipelineFile());
        List<SweepPoint> points = SweepExpansion.expand(spec, base.seed());
        ContributionRegistry registry = ContributionRegistry.load();
        registry.problems().forEach(p -> cli.err.println("layerwise: warning: " + p));
        SweepValidation.Result result = SweepValidation.validate(spec, base, points, new PipelineValidator(registry));
        return new Checked(spec, base, points, result);
    }

    @Override
    public Integer call() {
        if (file == null) {
            cli.err.println("layerwise: sweep: give the *.sweep file to run (or: sweep status DIR)");
            new CommandLine(this).usage(cli.err);
            return ExitCode.USAGE.code;
        }
        if (!executor.equals("local") && !executor.equals("slurm")) {
            cli.err.println("layerwise: --executor " + executor + ": expected local or slurm");
            return ExitCode.USAGE.code;
        }
        if (pointsPerProcess < 1) {
            cli.err.println("layerwise: --points-per-process must be at least 1");
            return ExitCode.USAGE.code;
        }
        if (maxParallel != null && maxParallel < 1) {
            cli.err.println("layerwise: --max-parallel must be at least 1");
            return ExitCode.USAGE.code;
        }
        if (evalPrompts < 1) {
            cli.err.println("layerwise: --eval-prompts must be at least 1");
            return ExitCode.USAGE.code;
        }
        Checked c;
        SweepDirectory sweep;
        try {
            c = check(file, cli);
            PipelineRunner.checkMemory(c.result().first(), new RunOptions(Path.of("."), evalPrompts));
            if (executor.equals("slurm")) {
                SlurmExecutor.check(c.spec().slurm(), slurmOptions());
            }
            Path dir = (out != null ? out : Path.of("sweeps").resolve(c.spec().name())).toAbsolutePath().normalize();
            sweep = SweepDirectory.prepare(dir, c.spec(), c.points(), evalPrompts);
        } catch (PipelineException e) {
            return cli.report(e);
        }
        Map<String, String> statuses = sweep.statuses();
        List<SweepPoint> todo = sweep.points().stream().filter(p -> PointRuns.needsRun(statuses.get(p.id()))).toList();
        cli.err.println("[sweep] " + sweep.name() + ": " + sweep.points().size() + " points (" + c.result().combinations()
                + " combinations x " + (sweep.points().size() / c.result().combinations()) + " seeds) in " + sweep.path());
        if (executor.equals("slurm")) {
            try {
                return SlurmExecutor.run(sweep, c.spec().slurm(), slurmOptions()).code;
            } catch (PipelineException e) {
                return cli.report(e);
            }
        }
        describeRerun(statuses, todo);
        if (todo.isEmpty()) {
            cli.err.println("[sweep] nothing to run");
            return summary(sweep, false);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        int k = maxParallel != null ? maxParallel : Math.max(1, cores / c.result().threads());
        sweep.put("executor", Map.of("kind", "local", "max_parallel", k, "points_per_process", pointsPerProcess));
        return runLocal(sweep, todo, k, pointsPerProcess);
    }

    private SlurmExecutor.Options slurmOptions() {
        return SlurmExecutor.Options.of(new JobSettings(partition, time, mem, cpusPerTask, pointsPerTask, sbatchArgs), maxParallel, await,
                cli.out, cli.err);
    }

    /** Says which points a rerun leaves alone and which it resumes, by status. */
    private void describeRerun(Map<String, String> statuses, List<SweepPoint> todo) {
        Map<String, List<String>> byStatus = new LinkedHashMap<>();
        statuses.forEach((id, s) -> byStatus.computeIfAbsent(s, x -> new ArrayList<>()).add(id));
        if (byStatus.keySet().equals(java.util.Set.of(SweepDirectory.PENDING))) {
            return;
        }
        for (Map.Entry<String, List<String>> e : byStatus.entrySet()) {
            String what = e.getKey().equals(SweepDirectory.PENDING) ? "to run"
                    : PointRuns.needsRun(e.getKey()) ? "to resume or rerun" : e.getKey().equals("RUNNING") ? "running elsewhere: left alone"
                    : "ended: skipped";
            cli.err.println("[sweep]   " + e.getValue().size() + " " + e.getKey() + " (" + what + ")" + (PointRuns.needsRun(e.getKey())
                    && !e.getKey().equals(SweepDirectory.PENDING) ? ": " + abbreviate(e.getValue()) : ""));
        }
        cli.err.println("[sweep]   " + todo.size() + " to run now");
    }

    private static String abbreviate(List<String> ids) {
        return ids.size() <= 12 ? String.join(" ", ids) : String.join(" ", ids.subList(0, 12)) + " ... (" + ids.size() + ")";
    }

    private int runLocal(SweepDirectory sweep, List<SweepPoint> todo, int k, int perProcess) {
        cli.err.println("[sweep] running " + todo.size() + " points, at most " + k + " processes at once"
                + (perProcess > 1 ? ", " + perProcess + " points each" : "") + "; their output: " + sweep.path().resolve("logs") + "/");
        PointCommand command;
        try {
            command = PointCommand.forProduct(Cli.home());
        } catch (IllegalStateException e) {
            cli.err.println("layerwise: " + e.getMessage());
            return ExitCode.USAGE.code;
        }
        LocalExecutor.Listener listener = new LocalExecutor.Listener() {
            @Override
            public void started(SweepPoint p, int attempt, Path log) {
                cli.err.println("[sweep] " + p.id() + " started (" + p.describe() + ")" + (attempt > 1 ? ", attempt " + attempt : ""));
            }

            @Override
            public void finished(SweepPoint p, String status, double seconds, int exitCode, Path log) {
                String accuracy = Cli.percent(accuracy(sweep.runDirectory(p)));
                String headline = accuracy.equals("-") ? "" : ", accuracy " + accuracy;
                cli.err.printf(Locale.ROOT, "[sweep] %s %s in %.1f s%s%s%n", p.id(),
                        SweepDirectory.PENDING.equals(status) ? "did not start its run" : status, seconds, headline,
                        "OK".equals(status) ? "" : " (exit " + exitCode + "; see " + log + ")");
            }

            @Override
            public void progress(LocalExecutor.Progress pr) {
                String running = pr.running().entrySet().stream()
                        .map(e -> e.getKey() + (e.getValue().isEmpty() ? "" : " " + e.getValue())).collect(Collectors.joining(", "));
                cli.err.printf(Locale.ROOT, "[sweep] %d/%d done (%d OK), %d running%s, %d queued, %s elapsed, %s left%n", pr.done(),
                        pr.total(), pr.ok(), pr.running().size(), running.isEmpty() ? "" : " [" + running + "]", pr.queued(),
                        duration(pr.elapsedSeconds()), Double.isNaN(pr.secondsLeft()) ? "?" : "about " + duration(pr.secondsLeft()));
            }
        };
        // The points stop as a Ctrl-C would stop a run; this process waits for them (their own grace is 10 s).
        try (Interruption interruption = new Interruption(Cli.CANCEL, cli.out, cli.err, LocalExecutor.STOP_SECONDS + 15)) {
            LocalExecutor.Outcome outcome;
            try {
                outcome = new LocalExecutor(sweep, command, k, perProcess, listener).run(todo, Cli.CANCEL::get);
            } catch (IOException e) {
                cli.err.println("layerwise: the sweep stopped: " + e.getMessage());
                return interruption.finish(ExitCode.OUTPUT_NOT_WRITABLE.code);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return interruption.finish(ExitCode.CANCELLED.code);
            }
            return interruption.finish(summary(sweep, outcome.cancelled()));
        }
    }

    /** "2 DIVERGED, 62 OK": points per status, statuses in alphabetical order. */
    static String counts(Map<String, String> statuses) {
        return statuses.values().stream().collect(Collectors.groupingBy(s -> s, java.util.TreeMap::new, Collectors.counting()))
                .entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }

    /** A run directory's accuracy, NaN when it has none or cannot be read (its status says why). */
    static double accuracy(Path run) {
        try {
            return org.layerwise.runner.RunDirectory.isRun(run) ? org.layerwise.runner.RunDirectory.open(run).metric("accuracy")
                    : Double.NaN;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        return s < 60 ? s + " s" : s < 3600 ? String.format(Locale.ROOT, "%d min %02d s", s / 60, s % 60)
                : String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
    }

    /** Counts per status on stdout; exit 0 when every point is OK, 130 when cancelled, else SWEEP_INCOMPLETE. */
    private int summary(SweepDirectory sweep, boolean cancelled) {
        Map<String, String> statuses;
        try {
            statuses = sweep.write();
        } catch (IOException e) {
            cli.err.println("layerwise: " + sweep.path().resolve(SweepDirectory.FILE) + " cannot be written: " + e.getMessage());
            return ExitCode.OUTPUT_NOT_WRITABLE.code;
        }
        cli.out.println("Sweep " + sweep.name() + ": " + counts(statuses) + " of " + statuses.size() + " points");
        List<String> notOk = statuses.entrySet().stream().filter(e -> !e.getValue().equals("OK")).map(Map.Entry::getKey).toList();
        if (!notOk.isEmpty()) {
            cli.out.println("Not OK: " + abbreviate(notOk) + " (./layerwise sweep status " + sweep.path() + ")");
        }
        cli.out.println("Sweep directory: " + sweep.path() + " (tables and figures: ./layerwise aggregate " + sweep.path() + ")");
        cli.out.flush();
        return cancelled ? ExitCode.CANCELLED.code : notOk.isEmpty() ? ExitCode.OK.code : ExitCode.SWEEP_INCOMPLETE.code;
    }

    @Command(name = "status", description = "Each point of a sweep directory with its status, read from its run directory.")
    static class Status implements Callable<Integer> {
        @CommandLine.ParentCommand
        SweepCommand parent;

        @Parameters(paramLabel = "DIR", description = "The sweep directory (it holds sweep.json).")
        Path dir;

        @Override
        public Integer call() {
            Cli cli = parent.cli;
            SweepDirectory sweep;
            try {
                sweep = SweepDirectory.open(dir.toAbsolutePath().normalize());
            } catch (PipelineException e) {
                return cli.report(e);
            }
            Map<String, String> statuses = sweep.statuses();
            Map<String, String> slurm;
            try {
                slurm = SlurmExecutor.states(sweep);
            } catch (IOException e) {
                cli.err.println("layerwise: warning: SLURM's view of the sweep's jobs is not available: " + e.getMessage());
                slurm = Map.of();
            }
            cli.out.printf(Locale.ROOT, "%-8s %-11s %9s  %s%n", "POINT", "STATUS", "ACCURACY", "COORDINATES");
            for (SweepPoint p : sweep.points()) {
                cli.out.printf(Locale.ROOT, "%-8s %-11s %9s  %s%n", p.id(), sweep.describeStatus(p, statuses.get(p.id())),
                        Cli.percent(accuracy(sweep.runDirectory(p))), p.describe()
                        + (slurm.containsKey(p.id()) ? "  [" + slurm.get(p.id()) + "]" : ""));
            }
            cli.out.println(counts(statuses) + " of " + statuses.size() + " points");
            return ExitCode.OK.code;
        }
    }

    @Command(name = "run-points", description = "Run some points of a sweep directory in this process, one after the other "
            + "(what the executors start; a point that ended is skipped, a FAILED, CANCELLED or INTERRUPTED one resumed).")
    static class RunPoints implements Callable<Integer> {
        @CommandLine.ParentCommand
        SweepCommand parent;

        @Parameters(index = "0", paramLabel = "DIR", description = "The sweep directory.")
        Path dir;

        @Parameters(index = "1..*", paramLabel = "POINT", arity = "0..*", description = "Point ids (p0007).")
        List<String> ids = new ArrayList<>();

        @Option(names = "--task-file", paramLabel = "FILE", description = "A file whose line I lists the points of task I.")
        Path taskFile;

        @Option(names = "--task-index", paramLabel = "I", description = "The line of --task-file (0-based; SLURM_ARRAY_TASK_ID).")
        Integer taskIndex;

        @Override
        public Integer call() {
            Cli cli = parent.cli;
            List<String> points = new ArrayList<>(ids);
            if ((taskFile == null) != (taskIndex == null)) {
                cli.err.println("layerwise: --task-file and --task-index go together");
                return ExitCode.USAGE.code;
            }
            if (taskFile != null) {
                try {
                    List<String> lines = Files.readAllLines(taskFile);
                    if (taskIndex < 0 || taskIndex >= lines.size()) {
                        cli.err.println("layerwise: " + taskFile + " has " + lines.size() + " lines; --task-index " + taskIndex
                                + " is not one of them");
                        return ExitCode.USAGE.code;
                    }
                    points.addAll(List.of(lines.get(taskIndex).strip().split("\\s+")));
                } catch (IOException e) {
                    cli.err.println("layerwise: " + taskFile + " cannot be read: " + e.getMessage());
                    return ExitCode.USAGE.code;
                }
            }
            if (points.isEmpty()) {
                cli.err.println("layerwise: no points given (ids, or --task-file and --task-index)");
                return ExitCode.USAGE.code;
            }
            SweepDirectory sweep;
            ContributionRegistry registry;
            try {
                sweep = SweepDirectory.open(dir.toAbsolutePath().normalize());
                for (String id : points) {
                    sweep.point(id);
                }
                registry = ContributionRegistry.load();
                registry.problems().forEach(p -> cli.err.println("layerwise: warning: " + p));
            } catch (PipelineException e) {
                return cli.report(e);
            }
            int worst = ExitCode.OK.code;
            for (String id : points) {
                if (Cli.CANCEL.get()) {
                    return ExitCode.CANCELLED.code;
                }
                int code = runPoint(cli, sweep, id, registry);
                if (code == ExitCode.CANCELLED.code) {
                    return code;
                }
                worst = worst != ExitCode.OK.code ? worst : code;
            }
            return points.size() == 1 || worst == ExitCode.OK.code ? worst : ExitCode.SWEEP_INCOMPLETE.code;
        }

        /** One point: skipped, resumed or run fresh; a failure is reported and the next point still runs. */
        private static int runPoint(Cli cli, SweepDirectory sweep, String id, ContributionRegistry registry) {
            PointRuns.Plan plan;
            try {
                SweepPoint p = sweep.point(id);
                cli.err.println("[sweep] point " + p.id() + " (" + p.describe() + ")");
                plan = PointRuns.plan(sweep, p, registry);
            } catch (PipelineException e) {
                return cli.report(e);
            }
            RunResult r;
            switch (plan) {
                case PointRuns.Skip s -> {
                    cli.err.println("[sweep] " + id + " is " + s.status() + ": left alone");
                    return "RUNNING".equals(s.status()) || "OK".equals(s.status()) ? ExitCode.OK.code : ExitCode.SWEEP_INCOMPLETE.code;
                }
                case PointRuns.Resume resume -> {
                    cli.err.println("[sweep] resuming " + resume.resumption().directory() + " (was " + resume.resumption().status() + ")");
                    resume.resumption().warnings().forEach(w -> cli.err.println("layerwise: warning: " + w));
                    try (Interruption interruption = new Interruption(Cli.CANCEL, cli.out, cli.err)) {
                        interruption.running(resume.resumption().directory());
                        r = PipelineRunner.resume(resume.resumption(), new ProgressPrinter(cli.err, Cli.CANCEL));
                        interruption.finish(Cli.CANCEL.get() ? ExitCode.CANCELLED.code : r.exitCode().code);
                    }
                }
                case PointRuns.Fresh fresh -> {
                    if (fresh.setAside() != null) {
                        cli.err.println("[sweep] " + id + ": its earlier run directory could not be resumed; kept as " + fresh.setAside());
                    }
                    r = cli.runCancellable(fresh.pipeline(), fresh.options(), fresh.directory());
                }
            }
            return cli.printResult(r);
        }
    }
}
