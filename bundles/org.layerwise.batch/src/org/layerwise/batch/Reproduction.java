package org.layerwise.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import org.layerwise.report.Claim;
import org.layerwise.report.Studies;
import org.layerwise.report.Study;
import org.layerwise.report.StudyReport;
import org.layerwise.runner.ExitCode;
import org.layerwise.runner.PipelineException;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;
import org.layerwise.runner.ValidatedPipeline;

/**
 * `layerwise reproduce STUDY`: validates every pipeline of the study before anything is
 * computed, runs them one after the other into the study directory, and has the study's
 * reporter write report.html from the run directories. A failed run is reported and the
 * others still run; the exit code is the first failure's.
 */
final class Reproduction {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Cli cli;
    private final Cli.Reproduce command;

    Reproduction(Cli cli, Cli.Reproduce command) {
        this.cli = cli;
        this.command = command;
    }

    int run() {
        Optional<Study> found = Studies.named(command.study);
        if (found.isEmpty()) {
            cli.err.println("layerwise: unknown study '" + command.study + "'; known studies: " + String.join(", ", Studies.names()));
            return ExitCode.USAGE.code;
        }
        Study study = found.get();
        Cli.PipelineOptions po = new Cli.PipelineOptions();
        po.seed = command.seed;
        if (command.quick) {
            po.sets.addAll(study.quickSettings());
        }
        Path folder = Cli.home().resolve(study.directory());
        List<ValidatedPipeline> pipelines = new ArrayList<>();
        for (Study.Pipeline p : study.pipelines()) {
            Path file = folder.resolve(p.file());
            if (!Files.isRegularFile(file)) {
                cli.err.println("layerwise: " + file + ": pipeline of study " + study.name()
                        + " not found (set -Dlayerwise.home to the repository)");
                return ExitCode.MALFORMED_PIPELINE.code;
            }
            try {
                pipelines.add(cli.validated(file, po));
            } catch (PipelineException e) {
                return cli.report(e);
            }
        }
        int evalPrompts = command.quick ? study.quickEvalPrompts() : RunOptions.DEFAULT_EVAL_PROMPTS;
        try {
            for (ValidatedPipeline p : pipelines) { // before the study directory exists
                PipelineRunner.checkMemory(p, new RunOptions(Path.of("."), evalPrompts));
            }
        } catch (PipelineException e) {
            return cli.report(e);
        }
        Path out = command.out != null ? command.out : Path.of("runs", study.name() + "-" + TIME.format(Instant.now()));
        try {
            Files.createDirectories(out);
            if (!Files.isWritable(out)) {
                throw new IOException("not writable");
            }
        } catch (IOException | SecurityException e) {
            cli.err.println("layerwise: study directory " + out.toAbsolutePath() + " cannot be written: " + e.getMessage()
                    + "; choose another with --out DIR");
            return ExitCode.OUTPUT_NOT_WRITABLE.code;
        }
        RunOptions options = new RunOptions(out, evalPrompts);

        ExitCode exit = ExitCode.OK;
        Map<String, RunDirectory> runs = new LinkedHashMap<>();
        for (int i = 0; i < pipelines.size(); i++) {
            String role = study.pipelines().get(i).role();
            cli.err.printf(Locale.ROOT, "[layerwise] %s %d/%d: %s%s%n", study.name(), i + 1, pipelines.size(), role,
                    command.quick ? " (quick)" : "");
            Path dir;
            try {
                dir = PipelineRunner.createRunDirectory(options, pipelines.get(i).spec());
            } catch (PipelineException e) {
                return cli.report(e);
            }
            cli.err.println("[layerwise] run directory " + dir);
            RunResult r = cli.runCancellable(pipelines.get(i), options, dir);
            cli.out.println(role + ": " + (r.summary().isEmpty() ? "" : r.summary().get(0) + " ") + "(status " + r.status() + ")");
            if (r.status() == RunStatus.CANCELLED) {
                cli.err.println("layerwise: " + study.name() + " cancelled during " + role + "; no report written");
                return ExitCode.CANCELLED.code;
            }
            if (r.status() != RunStatus.OK) {
                cli.err.println("layerwise: run " + role + " " + r.status() + ": " + r.cause());
                if (exit == ExitCode.OK) {
                    exit = r.exitCode();
                }
            }
            try {
                runs.put(role, RunDirectory.open(dir));
            } catch (IOException e) {
                cli.err.println("layerwise: run directory " + dir + " cannot be read: " + e.getMessage());
            }
        }

        cli.err.println("[layerwise] writing the report");
        StudyReport report;
        try {
            report = study.reporter().write(out, runs, command.quick);
        } catch (IOException | RuntimeException e) {
            cli.err.println("layerwise: the report could not be written: " + e);
            return ExitCode.FAILED.code;
        }
        cli.out.println();
        for (Claim c : report.claims()) {
            cli.out.println("Result " + c.result() + " " + c.verdict().label.toUpperCase(Locale.ROOT) + ": " + c.statement());
            cli.out.println("    measured: " + c.measured());
        }
        cli.out.println("Report: " + report.html().toAbsolutePath());
        return exit.code;
    }
}
