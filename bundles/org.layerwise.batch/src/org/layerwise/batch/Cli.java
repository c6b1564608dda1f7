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
        subcommands = {Cli.Run.class, Cli.Quickstart.class, Cli.Reproduce.class, Cli.Validate.class, Cli.ListCommand.class},
        exitCodeListHeading = "%nExit codes:%n")
public final class Cli implements Callable<Integer> {

    /** Set by SIGINT (shutdown hook) or IApplication.stop: the running pipeline stops at its next check. */
    static final AtomicBoolean CANCEL = new AtomicBoolean();
    private static volatile Thread running;

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
        return e.exitCode().code;
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
        if (oo.evalPrompts < 1) {
            err.println("layerwise: --eval-prompts must be at least 1");
            return ExitCode.USAGE.code;
        }
        RunOptions options = new RunOptions(oo.out, oo.evalPrompts);
        List<ValidatedPipeline> pipelines = new ArrayList<>();
        try {
            for (Path file : files) {
                pipelines.add(validated(file, po));
            }
        } catch (PipelineException e) {
            return report(e);
        }
        for (ValidatedPipeline p : pipelines) {
            Path dir;
            try {
                dir = PipelineRunner.createRunDirectory(options, p.spec());
            } catch (PipelineException e) {
                return report(e);
            }
            err.println("[layerwise] run directory " + dir);
            RunResult r = runCancellable(p, options, dir);
            r.summary().forEach(out::println);
            out.println("Run directory: " + r.directory() + " (status " + r.status() + ")");
            if (r.cause() != null) {
                err.println("layerwise: run " + r.status() + ": " + r.cause());
            }
            if (r.exitCode() != ExitCode.OK) {
                return r.exitCode().code;
            }
        }
        return ExitCode.OK.code;
    }

    /** Runs one pipeline; SIGINT (or IApplication.stop) cancels it and waits for run.json to say CANCELLED. */
    RunResult runCancellable(ValidatedPipeline p, RunOptions options, Path dir) {
        running = Thread.currentThread();
        Thread hook = new Thread(() -> {
            CANCEL.set(true);
            Thread t = running;
            if (t != null) {
                try {
                    t.join(30_000);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "layerwise-cancel");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            return PipelineRunner.run(p, options, dir, new ProgressPrinter(err, CANCEL));
        } finally {
            running = null;
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for us, nothing to remove
            }
        }
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

    @Command(name = "validate", description = "Check a pipeline (ids, settings, stage compatibility) without running it.")
    static class Validate implements Callable<Integer> {
        @CommandLine.ParentCommand
        Cli cli;

        @Parameters(paramLabel = "PIPELINE")
        Path file;

        @CommandLine.Mixin
        PipelineOptions po;

        @Override
        public Integer call() {
            try {
                ValidatedPipeline p = cli.validated(file, po);
                cli.out.printf(Locale.ROOT, "%s: valid. task %s (d=%d, C=%d, N=%d) -> backend %s (L=%d, H=%d) -> enforcer %s -> analyzers %s%n",
                        file, p.task().id(), p.taskSpec().features(), p.taskSpec().classes(), p.taskSpec().contextSize(),
                        p.backend().id(), p.modelConfig().nLayers(), p.modelConfig().nHeads(),
                        p.enforcer() == null ? "none" : p.enforcer().id(),
                        p.analyzers().isEmpty() ? "(none)" : String.join(", ", p.analyzers().stream().map(a -> a.id()).toList()));
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
                    cli.out.println("  " + d.id() + " - " + d.name() + "  [" + d.bundle() + "]");
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
            for (String p : registry.problems()) {
                cli.err.println("layerwise: warning: " + p);
            }
            return ExitCode.OK.code;
        }
    }
}
