package org.layerwise.sweep;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.layerwise.pipeline.PipelineFileException;
import org.layerwise.pipeline.PipelineFiles;
import org.layerwise.pipeline.model.Axis;
import org.layerwise.pipeline.model.AxisScale;
import org.layerwise.pipeline.model.Combination;
import org.layerwise.pipeline.model.Metric;
import org.layerwise.pipeline.model.SlurmSettings;
import org.layerwise.pipeline.model.Sweep;
import org.layerwise.runner.ExitCode;
import org.layerwise.runner.PipelineException;

/**
 * A *.sweep file as plain values, its axes' values spelled out. Everything that can be checked
 * without the pipeline's contributions is checked here, with the file and line in the message.
 */
public record SweepSpec(String name, String description, Path file, Path pipelineFile, boolean zip, List<Long> seeds,
        List<AxisSpec> axes, List<String> metrics, Slurm slurm) {

    /** No more points than this in one sweep (sweep.json stays a few MB; docs/scaling.md). */
    public static final int MAX_POINTS = 100_000;

    public SweepSpec {
        seeds = List.copyOf(seeds);
        axes = List.copyOf(axes);
        metrics = List.copyOf(metrics);
    }

    /**
     * One axis: the setting as written (STAGE.SETTING, or a bare role whose values are
     * contribution ids) and its values as the pipeline receives them.
     */
    public record AxisSpec(String setting, List<String> values, int line) {
        public AxisSpec {
            values = List.copyOf(values);
        }

        /** True when the axis chooses a stage's contribution (setting "task", "backend" or "enforcer"). */
        public boolean choosesContribution() {
            return setting.indexOf('.') < 0;
        }
    }

    /** The {@code <slurm>} element; blank strings and zeros mean "the cluster's default". */
    public record Slurm(String partition, String time, String memory, int cpusPerTask, int pointsPerTask, String extra) {
        public static final Slurm DEFAULT = new Slurm("", "", "", 0, 1, "");
    }

    public static SweepSpec load(Path file) throws PipelineException {
        Sweep s;
        try {
            s = PipelineFiles.loadSweep(file);
        } catch (PipelineFileException e) {
            throw new PipelineException(ExitCode.MALFORMED_PIPELINE, e.getMessage());
        }
        return of(s, file);
    }

    static SweepSpec of(Sweep s, Path file) throws PipelineException {
        Path at = file.toAbsolutePath().normalize();
        String where = at.getFileName().toString();
        if (s.getPipeline() == null || s.getPipeline().isBlank()) {
            throw malformed(where, PipelineFiles.lineOf(s), "attribute 'pipeline' is missing: give the *.layerwise file the sweep "
                    + "varies, relative to the sweep file, e.g. pipeline=\"../quickstart.layerwise\"");
        }
        Path pipeline = at.resolveSibling(s.getPipeline()).normalize();
        List<Long> seeds = seeds(s.getSeeds(), where, PipelineFiles.lineOf(s));
        List<AxisSpec> axes = new ArrayList<>();
        Set<String> settings = new LinkedHashSet<>();
        for (Axis a : s.getAxes()) {
            AxisSpec axis = axis(a, where);
            if (!settings.add(axis.setting())) {
                throw malformed(where, axis.line(), "axis '" + axis.setting() + "' is given twice");
            }
            axes.add(axis);
        }
        boolean zip = s.getCombination() == Combination.ZIP;
        long points = (long) Math.max(1, seeds.size());
        if (zip && !axes.isEmpty()) {
            int n = axes.get(0).values().size();
            for (AxisSpec a : axes) {
                if (a.values().size() != n) {
                    throw malformed(where, a.line(), "combination=\"zip\" takes the axes together, so they need as many values "
                            + "each: '" + axes.get(0).setting() + "' has " + n + ", '" + a.setting() + "' has " + a.values().size());
                }
            }
            points *= n;
        } else {
            for (AxisSpec a : axes) {
                points *= a.values().size();
            }
        }
        if (points > MAX_POINTS) {
            throw malformed(where, PipelineFiles.lineOf(s), "the sweep has " + points + " points; at most " + MAX_POINTS
                    + " fit one sweep (split it, or use fewer values or seeds)");
        }
        List<String> metrics = new ArrayList<>();
        for (Metric m : s.getMetrics()) {
            String name = m.getName() == null ? "" : m.getName().strip();
            if (!name.matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_.-]+)?")) {
                throw malformed(where, PipelineFiles.lineOf(m), "metric name \"" + name + "\": expected a key of metrics.json "
                        + "(accuracy, eval_loss, ...) or ANALYZER.SCALAR (weight-abstraction.asymmetry)");
            }
            if (metrics.contains(name)) {
                throw malformed(where, PipelineFiles.lineOf(m), "metric '" + name + "' is given twice");
            }
            metrics.add(name);
        }
        String name = s.getName() == null || s.getName().isBlank() ? where.replaceFirst("\\.sweep$", "") : s.getName();
        return new SweepSpec(name, s.getDescription() == null ? "" : s.getDescription(), at, pipeline, zip, seeds, axes, metrics,
                slurm(s.getSlurm(), where));
    }

    private static Slurm slurm(SlurmSettings s, String where) throws PipelineException {
        if (s == null) {
            return Slurm.DEFAULT;
        }
        int line = PipelineFiles.lineOf(s);
        if (s.getCpusPerTask() < 0) {
            throw malformed(where, line, "<slurm cpusPerTask=\"" + s.getCpusPerTask() + "\">: expected 0 (the cluster's default) or more");
        }
        if (s.getPointsPerTask() < 1) {
            throw malformed(where, line, "<slurm pointsPerTask=\"" + s.getPointsPerTask() + "\">: expected at least 1");
        }
        String memory = blank(s.getMemory());
        if (!memory.isEmpty() && !memory.matches("\\d+[KMGT]?")) {
            throw malformed(where, line, "<slurm memory=\"" + memory + "\">: expected sbatch's --mem form, e.g. 4G or 4096");
        }
        return new Slurm(blank(s.getPartition()), blank(s.getTime()), memory, s.getCpusPerTask(), s.getPointsPerTask(),
                blank(s.getExtra()));
    }

    private static String blank(String s) {
        return s == null ? "" : s.strip();
    }

    private static AxisSpec axis(Axis a, String where) throws PipelineException {
        int line = PipelineFiles.lineOf(a);
        String setting = a.getSetting() == null ? "" : a.getSetting().strip();
        if (!setting.matches("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)?")) {
            throw malformed(where, line, "axis setting \"" + setting + "\": expected STAGE.SETTING (task.N, backend.layers, "
                    + "an analyzer id and its setting) or a role whose contribution the axis chooses (task, backend, enforcer)");
        }
        boolean list = a.getValues() != null && !a.getValues().isBlank();
        boolean range = a.getFrom() != null || a.getTo() != null || a.getCount() != 0;
        if (list == range) {
            throw malformed(where, line, "axis '" + setting + "': give either values=\"...\" or from, to and count");
        }
        List<String> values = list ? list(a.getValues(), setting, where, line) : range(a, setting, where, line);
        if (new LinkedHashSet<>(values).size() != values.size()) {
            throw malformed(where, line, "axis '" + setting + "' repeats a value: " + String.join(" ", values));
        }
        return new AxisSpec(setting, values, line);
    }

    private static List<String> list(String text, String setting, String where, int line) throws PipelineException {
        List<String> out = new ArrayList<>();
        for (String token : text.strip().split("[\\s,]+")) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(-?\\d+)\\.\\.(-?\\d+)").matcher(token);
            if (m.matches()) {
                long a = Long.parseLong(m.group(1));
                long b = Long.parseLong(m.group(2));
                if (b < a || b - a >= MAX_POINTS) {
                    throw malformed(where, line, "axis '" + setting + "': range " + token + " must go upwards and hold at most "
                            + MAX_POINTS + " values");
                }
                for (long v = a; v <= b; v++) {
                    out.add(Long.toString(v));
                }
            } else {
                out.add(token);
            }
        }
        return out;
    }

    private static List<String> range(Axis a, String setting, String where, int line) throws PipelineException {
        double from = number(a.getFrom(), "from", setting, where, line);
        double to = number(a.getTo(), "to", setting, where, line);
        int count = a.getCount();
        if (count < 2 || count > 10_000) {
            throw malformed(where, line, "axis '" + setting + "': count=\"" + count + "\": expected 2 to 10000 values");
        }
        boolean log = a.getScale() == AxisScale.LOG;
        if (log && (from <= 0 || to <= 0)) {
            throw malformed(where, line, "axis '" + setting + "': scale=\"log\" needs from and to above 0 (from " + a.getFrom()
                    + ", to " + a.getTo() + ")");
        }
        // Written as whole numbers, the range is of whole numbers (N, layers): its values are rounded.
        boolean whole = a.getFrom().strip().matches("-?\\d+") && a.getTo().strip().matches("-?\\d+");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            double t = (double) i / (count - 1);
            double v = i == count - 1 ? to
                    : log ? Math.exp(Math.log(from) + t * (Math.log(to) - Math.log(from))) : from + t * (to - from);
            String text = whole ? Long.toString(Math.round(v)) : format(v);
            if (out.contains(text)) {
                throw malformed(where, line, "axis '" + setting + "': " + count + " whole numbers from " + a.getFrom() + " to "
                        + a.getTo() + " repeat " + text + "; use fewer values or a wider range");
            }
            out.add(text);
        }
        return out;
    }

    /** Six significant digits, no trailing zeros, no exponent below 1e-4 (1e-4 prints as 0.0001). */
    static String format(double v) {
        BigDecimal d = new BigDecimal(String.format(Locale.ROOT, "%.6g", v)).stripTrailingZeros();
        return Math.abs(v) >= 1e-4 && Math.abs(v) < 1e7 ? d.toPlainString() : d.toString().replace("E", "e").replace("e+", "e");
    }

    private static double number(String text, String attribute, String setting, String where, int line) throws PipelineException {
        try {
            double v = Double.parseDouble(text == null ? "" : text.strip());
            if (Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw malformed(where, line, "axis '" + setting + "': " + attribute + "=\"" + (text == null ? "" : text)
                + "\": expected a number");
    }

    private static List<Long> seeds(String text, String where, int line) throws PipelineException {
        if (text == null || text.isBlank()) {
            return List.of();
        }
        List<Long> out = new ArrayList<>();
        for (String token : list(text, "seeds", where, line)) {
            try {
                long seed = Long.parseLong(token);
                if (out.contains(seed)) {
                    throw malformed(where, line, "seeds=\"" + text + "\" repeats seed " + seed);
                }
                out.add(seed);
            } catch (NumberFormatException e) {
                throw malformed(where, line, "seeds=\"" + text + "\": \"" + token + "\" is not a whole number (write 1 2 3 or 1..5)");
            }
        }
        return out;
    }

    private static PipelineException malformed(String file, int line, String problem) {
        return new PipelineException(ExitCode.MALFORMED_PIPELINE, file + (line > 0 ? ":" + line : "") + ": " + problem);
    }
}
