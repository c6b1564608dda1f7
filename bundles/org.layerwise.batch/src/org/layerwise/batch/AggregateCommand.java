package org.layerwise.batch;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

import org.layerwise.runner.ExitCode;
import org.layerwise.sweep.aggregate.Aggregation;
import org.layerwise.sweep.aggregate.Interval;
import org.layerwise.sweep.aggregate.SweepFormatException;
import org.layerwise.sweep.aggregate.SweepTable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code layerwise aggregate DIR}: runs.csv, report.html and figures/ of a sweep directory (docs/sweeps.md). */
@Command(name = "aggregate", description = "Read a sweep directory (sweep.json and its points' run directories) and write "
        + "runs.csv (a row per point), report.html and figures/ (each chosen metric against each axis, mean and 95% "
        + "interval across seeds) into it.")
final class AggregateCommand implements Callable<Integer> {

    @CommandLine.ParentCommand
    Cli cli;

    @Parameters(paramLabel = "DIR", description = "The sweep directory (the one holding sweep.json).")
    Path dir;

    @Option(names = "--interval", paramLabel = "t|bootstrap", defaultValue = "t",
            description = "The interval across seeds: t (Student-t, the default) or bootstrap (percentile, "
                    + Interval.RESAMPLES + " resamples).")
    String interval;

    @Override
    public Integer call() {
        Interval kind = Interval.ofKey(interval);
        if (kind == null) {
            cli.err.println("layerwise: --interval is '" + interval + "'; it takes t or bootstrap");
            return ExitCode.USAGE.code;
        }
        SweepTable table;
        try {
            table = SweepTable.read(dir);
        } catch (SweepFormatException e) {
            cli.err.println("layerwise: " + e.getMessage());
            return ExitCode.SWEEP_MISMATCH.code;
        } catch (IOException e) {
            cli.err.println("layerwise: " + dir + " cannot be read: " + e.getMessage());
            return ExitCode.SWEEP_MISMATCH.code;
        }
        Aggregation.Result r;
        try {
            r = Aggregation.write(table, kind);
        } catch (IOException e) {
            cli.err.println("layerwise: cannot write the aggregate into " + table.directory() + ": " + e.getMessage());
            return ExitCode.OUTPUT_NOT_WRITABLE.code;
        }
        cli.out.println("Sweep " + table.name() + ": " + table.rows().size() + " points, " + table.statusCounts().entrySet()
                .stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")));
        for (Map.Entry<String, double[]> m : Aggregation.ranges(table).entrySet()) {
            double[] range = m.getValue();
            cli.out.println("  " + m.getKey() + ": " + (r.missingMetrics().contains(m.getKey()) ? "no OK run reports it"
                    : String.format(Locale.ROOT, "%.4g to %.4g over the OK runs", range[0], range[1])));
        }
        cli.out.println("Wrote " + r.runsCsv() + " (one row per point, " + table.valueColumns().size() + " value columns)");
        cli.out.println("Wrote " + r.report() + " (" + r.figures().size() + " figure files in "
                + table.directory().resolve(Aggregation.FIGURES) + ", intervals: " + kind.description + ")");
        return ExitCode.OK.code;
    }
}
