package org.layerwise.batch;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.core.SettingSpec;
import org.layerwise.report.Studies;
import org.layerwise.runner.ExitCode;
import org.layerwise.runner.PipelineException;
import org.layerwise.runner.PipelineLoader;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.Resumption;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.ValidatedPipeline;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The batch product's command line: run, quickstart, reproduce, validate, list. Returns the exit code. */
@Command(name = "layerwise", mixinStandardHelpOptions = true, version = "Layerwise 0.1.0",
        description = "Train, symmetrize and analyze in-context classification transformers, headless.",
        subcommands = {Cli.Run.class, Cli.Quickstart.class, Cli.Resume.class, Cli.Reproduce.class, Cli.Validate.class,
            Cli.ListCommand.class, Cli.ListRuns.class, SweepCommand.class, AggregateCommand.class},
        exitCodeListHeading = "%nExit codes:%n")
public final class Cli implements Callable<Integer> {

    /** Set by SIGINT (shutdown hook) or IApplication.stop: the running pipeline stops at its next check. */
    static final AtomicBoolean CANCEL = new AtomicBoolean();

    final PrintStream out;
    final PrintStream err;

    private Cli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public static int execute(String[] args, PrintStream out, PrintStream err) {
        Cli cli = new Cli(out, err);
        CommandLine cl = new CommandLine(cli);
        java.util.Map<String, String> codes = new java.util.LinkedHashMap<>();
        for (ExitCode c : ExitCode.values()) {
            codes.put(String.format(Locale.ROOT, "%3d", c.code), c.meaning);
        }
        cl.getCommandSpec().usageMessage().exitCodeListHeading("%nExit codes:%n").exitCodeList(codes);
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("layerwise: " + ex.getMessage());
            ex.getCommandLine().usage(err);
            return ExitCode.USAGE.code;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            err.println("layerwise: internal error: " + ex);
            ex.printStackTrace(err);
            return ExitCode.FAILED.code;
        });
        return cl.execute(args);
    }

    static void cancelRunning() {
        CANCEL.set(true);
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(err);
        return ExitCode.USAGE.code;
    }

    /** Options shared by the commands that run or validate a pipeline. */
    static class PipelineOptions {
        @Option(names = "--seed", description = "Master seed (overrides the pipeline's); every component seed derives from it.")
        Long seed;

        @Option(names = "--set", paramLabel = "STAGE.SETTING=VALUE",
                description = "Override a setting; STAGE is task, backend, enforcer or an analyzer id. Repeatable.")
        List<String> sets = new ArrayList<>();
    }

    static class OutputOptions {
        @Option(names = "--out", paramLabel = "DIR", description = "Parent directory of the run directory (default: ./runs).")
        Path out = Path.of("runs");

        @Option(names = "--eval-prompts", paramLabel = "N", description = "Evaluation prompts (default: 1280).")
        int evalPrompts = RunOptions.DEFAULT_EVAL_PROMPTS;
    }

    ValidatedPipeline validated(Path file, PipelineOptions po) throws PipelineException {
        PipelineSpec spec = PipelineLoader.load(file);
        if (po.seed != null) {
            spec = spec.withSeed(po.seed);
        }
        spec = spec.withOverrides(po.sets);
        ContributionRegistry registry = ContributionRegistry.load();
        registry.problems().forEach(p -> err.println("layerwise: warning: " + p));
        return new PipelineValidator(registry).validate(spec);
    }

    int report(PipelineException e) {
        err.println("layerwise: " + e.getMessage().replace("\n", "\nlayerwise: "));
        if (e.exitCode() == ExitCode.UNKNOWN_CONTRIBUTION) {
            List<UnresolvedBundles.Entry> unresolved = UnresolvedBundles.find();
            if (!unresolved.isEmpty()) {
                err.println("layerwise: these installed bundles did not resolve, so their contributions are missing:");
                unresolved.forEach(u -> printUnresolved(err, u));
            }
        }
        return e.exitCode().code;
    }

    static void printUnresolved(PrintStream to, UnresolvedBundles.Entry u) {
        to.println("  " + u.id() + " " + u.version() + "  (" + u.location() + ")");
        u.missing().forEach(m -> to.println("      missing: " + m));
    }

    int runPipeline(Path file, PipelineOptions po, OutputOptions oo) {
        return runPipelines(List.of(file), po, oo);
    }

    /**
     * Runs pipelines one after the other in this process (JVM start and JIT warm-up paid once),
     * each into its own run directory. All are validated before the first trains; a run that
     * does not end OK stops the rest, and its exit code is the command's.
     */
    int runPipelines(List<Path> files, PipelineOptions po, OutputOptions oo) {
        String outProblem = outputProblem(oo.out);
        if (outProblem != null) {
            err.println("layerwise: --out " + outProblem);
            return ExitCode.USAGE.code;
        }
        if (oo.evalPrompts < 1) {
            err.println("layerwise: --eval-prompts must be at least 1");
            return ExitCode.USAGE.code;
        }
        RunOptions options = new RunOptions(oo.out, oo.evalPrompts);
        List<ValidatedPipeline> pipelines = new ArrayList<>();
        try {
            for (Path file : files) {
                ValidatedPipeline p = validated(file, po);
                PipelineRunner.checkMemory(p, options);
                pipelines.add(p);
            }
        } catch (PipelineException e) {
            return report(e);
        }
        try (Interruption interruption = new Interruption(CANCEL, out, err)) {
            for (ValidatedPipeline p : pipelines) {
                Path dir;
                try {
                    dir = PipelineRunner.createRunDirectory(options, p.spec());
                } catch (PipelineException e) {
                    return interruption.finish(report(e));
                }
                err.println("[layerwise] run directory " + dir);
                interruption.running(dir);
                RunResult r = PipelineRunner.run(p, options, dir, new ProgressPrinter(err, CANCEL));
                interruption.running(null);
                int code = printResult(r);
                if (code != ExitCode.OK.code) {
                    return interruption.finish(code);
                }
            }
            return interruption.finish(ExitCode.OK.code);
        }
    }

    /** The summary on stdout, the cause on stderr; returns the exit code of the status. */
    int printResult(RunResult r) {
        r.summary().forEach(out::println);
        out.println("Run directory: " + r.directory() + " (status " + r.status() + ")");
        if (r.cause() != null) {
            err.println("layerwise: run " + r.status() + ": " + r.cause());
        }
        out.flush();
        return r.exitCode().code;
    }

    /** Why --out is no folder name at all, or null (whether it can be written is checked with the run directory). */
    static String outputProblem(Path out) {
        if (out == null || out.toString().isBlank()) {
            return "is empty; give the folder that receives the run directories, e.g. --out runs";
        }
        return null;
    }

    /**
     * Runs one pipeline of several (reproduce) with Ctrl-C handled as for run. A Ctrl-C that
     * comes while the run finishes OK stops the whole command (exit 130) right after it.
     */
    RunResult runCancellable(ValidatedPipeline p, RunOptions options, Path dir) {
        try (Interruption interruption = new Interruption(CANCEL, out, err)) {
            interruption.running(dir);
            RunResult r = PipelineRunner.run(p, options, dir, new ProgressPrinter(err, CANCEL));
            interruption.finish(CANCEL.get() ? ExitCode.CANCELLED.code : r.exitCode().code);
            return r;
        }
    }

    /** "61.0%", or "-" for NaN: how the run listings print an accuracy. */
    static String percent(double fraction) {
        return Double.isNaN(fraction) ? "-" : String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }

    static Path home() {
        return Path.of(System.getProperty("layerwise.home", "."));
    }

    /** What run and quickstart share: the pipeline options and where to write. */
    abstract static class RunningCommand implements Callable<Integer> {
        @CommandLine.ParentCommand
        Cli cli;

        @CommandLine.Mixin
        PipelineOptions po;

        @CommandLine.Mixin
        OutputOptions oo;
    }

    @Command(name = "run", description = "Run pipelines, one after the other in this process, each into its own run directory.")
    static class Run extends RunningCommand {
        @Parameters(paramLabel = "PIPELINE", arity = "1..*", description = "*.layerwise files; all are validated before the "
                + "first runs, and a run that does not end OK stops the rest.")
        List<Path> files;

        @Override
        public Integer call() {
            return cli.runPipelines(files, po, oo);
        }
    }

    @Command(name = "quickstart", description = "Run examples/quickstart.layerwise on its built-in defaults.")
    static class Quickstart extends RunningCommand {
        @Override
        public Integer call() {
            Path file = home().resolve("examples/quickstart.layerwise");
            if (!Files.isRegularFile(file)) {
                cli.err.println("layerwise: " + file + ": quickstart pipeline not found (set -Dlayerwise.home to the repository)");
                return ExitCode.MALFORMED_PIPELINE.code;
            }
            return cli.runPipeline(file, po, oo);
        }
    }

    @Command(name = "resume", description = "Continue an interrupted, cancelled or failed run in its own directory from "
            + "its last saved training state (a run whose training had finished is evaluated and analysed again); it ends "
            + "with the numbers of an uninterrupted run of the same pipeline and seed on this machine and thread count.")
    static class Resume implements Callable<Integer> {
        @CommandLine.ParentCommand
        Cli cli;

        @Parameters(paramLabel = "RUN_DIR", description = "The run directory (it holds run.json).")
        Path dir;

        @Override
        public Integer call() {
            Resumption r;
            try {
                ContributionRegistry registry = ContributionRegistry.load();
                registry.problems().forEach(p -> cli.err.println("layerwise: warning: " + p));
                r = Resumption.of(dir.toAbsolutePath().normalize(), registry);
                PipelineRunner.checkMemory(r.pipeline(), r.options());
            } catch (PipelineException e) {
                return cli.report(e);
            }
            r.warnings().forEach(w -> cli.err.println("layerwise: warning: " + w));
            try (Interruption interruption = new Interruption(CANCEL, cli.out, cli.err)) {
                cli.err.println("[layerwise] resuming " + r.directory() + " (was " + r.status() + ")");
                interruption.running(r.directory());
                RunResult result = PipelineRunner.resume(r, new ProgressPrinter(cli.err, CANCEL));
                interruption.running(null);
                return interruption.finish(cli.printResult(result));
            }
        }
    }

    @Command(name = "list-runs", description = "List the run directories under a folder with their status; a run whose "
            + "process is gone (killed, machine down) shows as INTERRUPTED and can be resumed.")
    static class ListRuns implements Callable<Integer> {
        @CommandLine.ParentCommand
        Cli cli;

        @Parameters(paramLabel = "DIR", arity = "0..1", description = "The folder to search, two levels deep (default: ./runs).")
        Path root = Path.of("runs");

        @Override
        public Integer call() {
            if (!Files.isDirectory(root)) {
                cli.err.println("layerwise: " + root + " is not a directory");
                return ExitCode.USAGE.code;
            }
            List<Path> runs = new ArrayList<>();
            try (java.util.stream.Stream<Path> s = Files.find(root, 2, (p, a) -> a.isDirectory() && RunDirectory.isRun(p))) {
                s.sorted().forEach(runs::add);
            } catch (java.io.IOException | java.io.UncheckedIOException e) {
                cli.err.println("layerwise: " + root + " cannot be listed: " + e.getMessage());
                return ExitCode.FAILED.code;
            }
            cli.out.printf(Locale.ROOT, "%-11s %-22s %9s  %s%n", "STATUS", "START (UTC)", "ACCURACY", "RUN");
            for (Path p : runs) {
                try {
                    RunDirectory r = RunDirectory.open(p);
                    double acc = r.metric("accuracy");
                    String start = String.valueOf(r.run().getOrDefault("start", "?"));
                    cli.out.printf(Locale.ROOT, "%-11s %-22s %9s  %s%n", r.status(), start.length() > 19 ? start.substring(0, 19) : start,
                            percent(acc), root.relativize(p));
                } catch (java.io.IOException | RuntimeException e) {
                    cli.out.printf(Locale.ROOT, "%-11s %-22s %9s  %s  (run.json unreadable: %s)%n", "UNREADABLE", "?", "-",
                            root.relativize(p), e.getMessage());
                }
            }
            if (runs.isEmpty()) {
                cli.err.println("layerwise: no run directories under " + root);
            }
            return ExitCode.OK.code;
        }
    }

    @Command(name = "reproduce", description = "Run a study's pipelines (examples/STUDY/) and write report.html with its claims, "
            + "tables and figures beside one run directory per pipeline.")
    static class Reproduce implements Callable<Integer> {
        @CommandLine.ParentCommand
        Cli cli;

        @Parameters(paramLabel = "STUDY", completionCandidates = StudyNames.class,
                description = "The study to reproduce: ${COMPLETION-CANDIDATES}.")
        String study;

        @Option(names = "--quick", description = "Fewer training steps, evaluation prompts and bootstrap resamples: minutes, "
                + "for tests and a first look; the report says so.")
        boolean quick;

        @Option(names = "--out", paramLabel = "DIR", description = "The study directory: run directories, report.html, figures/ "
                + "(default: ./runs/STUDY-<UTC time>).")
        Path out;

        @Option(names = "--seed", description = "Master seed of every pipeline (default: each pipeline's own).")
        Long seed;

        @Override
        public Integer call() {
            return new Reproduction(cli, this).run();
        }
    }

    /** The known studies, for the usage message. */
    static class StudyNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return Studies.names().iterator();
        }
    }

    @Command(name = "validate", description = "Check a pipeline (ids, settings, stage compatibility), or every point of a "
            + "sweep, without running anything.")
    static class Validate implements Callable<Integer> {
        @CommandLine.ParentCommand
        Cli cli;

        @Parameters(paramLabel = "PIPELINE|SWEEP", description = "A *.layerwise or a *.sweep file.")
        Path file;

        @CommandLine.Mixin
        PipelineOptions po;

        @Override
        public Integer call() {
            if (file.getFileName() != null && file.getFileName().toString().endsWith(".sweep")) {
                return validateSweep();
            }
            try {
                ValidatedPipeline p = cli.validated(file, po);
                String task = p.taskSpec().isSequence()
                        ? String.format(Locale.ROOT, "%d examples of %d tokens, %d train, C=%d", p.taskSpec().sequence().examples(),
                                p.taskSpec().sequence().length(), p.taskSpec().sequence().trainExamples(), p.taskSpec().classes())
                        : String.format(Locale.ROOT, "d=%d, C=%d, N=%d", p.taskSpec().features(), p.taskSpec().classes(),
                                p.taskSpec().contextSize());
                String model = p.isNetwork()
                        ? String.format(Locale.ROOT, "%s, L=%d, H=%d, d_model=%d, d_mlp=%d", p.network().family(), p.network().nLayers(),
                                p.network().nHeads(), p.network().dModel(), p.network().dMlp())
                        : String.format(Locale.ROOT, "L=%d, H=%d", p.modelConfig().nLayers(), p.modelConfig().nHeads());
                cli.out.printf(Locale.ROOT, "%s: valid. task %s (%s) -> backend %s (%s) -> enforcer %s -> analyzers %s%n",
                        file, p.task().id(), task, p.backend().id(), model,
                        p.enforcer() == null ? "none" : p.enforcer().id(),
                        p.analyzers().isEmpty() ? "(none)" : String.join(", ", p.analyzers().stream().map(a -> a.id()).toList()));
                return ExitCode.OK.code;
            } catch (PipelineException e) {
                return cli.report(e);
            }
        }

        private int validateSweep() {
            if (po.seed != null || !po.sets.isEmpty()) {
                cli.err.println("layerwise: --seed and --set apply to a pipeline; a sweep takes its seeds and settings from its axes");
                return ExitCode.USAGE.code;
            }
            try {
                SweepCommand.Checked c = SweepCommand.check(file, cli);
                cli.out.printf(Locale.ROOT, "%s: valid. %d points (%d combinations x %d seeds) of %s; axes %s; metrics %s%n", file,
                        c.points().size(), c.result().combinations(), c.points().size() / c.result().combinations(),
                        c.spec().pipelineFile().getFileName(), c.spec().axes().isEmpty() ? "(none)"
                                : String.join(", ", c.spec().axes().stream().map(a -> a.setting() + " (" + a.values().size() + ")").toList()),
                        c.spec().metrics().isEmpty() ? "(none)" : String.join(", ", c.spec().metrics()));
                return ExitCode.OK.code;
            } catch (PipelineException e) {
                return cli.report(e);
            }
        }
    }

    @Command(name = "list", description = "List every registered contribution with its settings, defaults and ranges.")
    static class ListCommand implements Callable<Integer> {
        @CommandLine.ParentCommand
        Cli cli;

        @Override
        public Integer call() {
            ContributionRegistry registry = ContributionRegistry.load();
            for (Role role : Role.values()) {
                cli.out.println(role.label.toUpperCase(Locale.ROOT) + "S (" + role.extensionPointId() + ")");
                for (ContributionDescriptor d : registry.all(role)) {
                    cli.out.println("  " + d.id() + " - " + d.name() + "  [" + d.bundle() + " " + d.bundleVersion() + "]");
                    if (!d.description().isBlank()) {
                        cli.out.println("      " + d.description());
                    }
                    for (SettingSpec s : d.settings()) {
                        cli.out.printf(Locale.ROOT, "      %-12s %-8s default %-8s %s%n", s.name(), s.type().key(),
                                s.defaultValue().isEmpty() ? "\"\"" : s.defaultValue(), s.range());
                        cli.out.println("                   " + s.description());
                    }
                    for (ContributionDescriptor.Output o : d.outputs()) {
                        cli.out.printf(Locale.ROOT, "      output %s (%s): %s%n", o.name(), o.kind(), o.description());
                    }
                }
                cli.out.println();
            }
            List<UnresolvedBundles.Entry> unresolved = UnresolvedBundles.find();
            if (!unresolved.isEmpty()) {
                cli.out.println("UNRESOLVED BUNDLES (installed, but their requirements are not met: they contribute nothing)");
                unresolved.forEach(u -> printUnresolved(cli.out, u));
                cli.out.println();
            }
            for (String p : registry.problems()) {
                cli.err.println("layerwise: warning: " + p);
            }
            return ExitCode.OK.code;
        }
    }
}
