package org.layerwise.sweep.slurm;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.layerwise.sweep.SweepSpec;

/**
 * What each array task of a sweep asks SLURM for: a partition, a time limit, memory and CPUs,
 * how many points one task runs one after the other in a single JVM, and sbatch options passed
 * through as they are. Null (or, for the options, empty) means the cluster's default. The sweep
 * file's {@code <slurm>} element gives them; the command line's options override it one by one.
 */
public record JobSettings(String partition, String time, String memory, Integer cpusPerTask, Integer pointsPerTask,
        List<String> sbatchArgs) {

    public static final JobSettings NONE = new JobSettings(null, null, null, null, null, List.of());

    private static final Pattern MEMORY = Pattern.compile("(\\d+)([KMGT]?)B?", Pattern.CASE_INSENSITIVE);
    // sbatch --time: M, M:S, H:M:S, D-H, D-H:M, D-H:M:S (or UNLIMITED)
    private static final Pattern TIME = Pattern.compile("\\d+(:\\d{1,2}){0,2}|\\d+-\\d{1,2}(:\\d{1,2}){0,2}|UNLIMITED|INFINITE");

    public JobSettings {
        partition = blankToNull(partition);
        time = blankToNull(time);
        memory = blankToNull(memory);
        sbatchArgs = sbatchArgs == null ? List.of() : List.copyOf(sbatchArgs);
    }

    /** The sweep file's {@code <slurm>} element (blanks and zeros: the cluster's default; {@code extra}: sbatch options separated by spaces). */
    public static JobSettings of(SweepSpec.Slurm s) {
        List<String> extra = s.extra() == null || s.extra().isBlank() ? List.of() : List.of(s.extra().strip().split("\\s+"));
        return new JobSettings(s.partition(), s.time(), s.memory(), s.cpusPerTask() > 0 ? s.cpusPerTask() : null,
                s.pointsPerTask() > 0 ? s.pointsPerTask() : null, extra);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }

    /** These settings with each one {@code over} gives replacing this one's; its sbatch options come after these. */
    public JobSettings overriddenBy(JobSettings over) {
        List<String> args = new ArrayList<>(sbatchArgs);
        args.addAll(over.sbatchArgs);
        return new JobSettings(over.partition != null ? over.partition : partition, over.time != null ? over.time : time,
                over.memory != null ? over.memory : memory, over.cpusPerTask != null ? over.cpusPerTask : cpusPerTask,
                over.pointsPerTask != null ? over.pointsPerTask : pointsPerTask, args);
    }

    /** Points per array task, 1 unless set. */
    public int points() {
        return pointsPerTask == null ? 1 : pointsPerTask;
    }

    /** The problems of these settings, each naming the setting; empty when they are usable. */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (memory != null && !MEMORY.matcher(memory).matches()) {
            p.add("memory '" + memory + "' is not a SLURM size (a whole number with an optional K, M, G or T; M by default)");
        } else if (memory != null && memoryMegabytes() < 512) {
            p.add("memory '" + memory + "' is below 512M, too little for the JVM of a task");
        }
        if (time != null && !TIME.matcher(time.toUpperCase(Locale.ROOT)).matches()) {
            p.add("time '" + time + "' is not a SLURM time limit (minutes, H:MM:SS or D-HH:MM:SS)");
        }
        if (cpusPerTask != null && cpusPerTask < 1) {
            p.add("cpus per task " + cpusPerTask + " is below 1");
        }
        if (pointsPerTask != null && pointsPerTask < 1) {
            p.add("points per task " + pointsPerTask + " is below 1");
        }
        if (partition != null && !partition.matches("[A-Za-z0-9_.,-]+")) {
            p.add("partition '" + partition + "' is not a partition name");
        }
        return p;
    }

    /** The memory in MB (SLURM's unit when none is given); -1 when not set. */
    public long memoryMegabytes() {
        if (memory == null) {
            return -1;
        }
        Matcher m = MEMORY.matcher(memory);
        if (!m.matches()) {
            throw new IllegalArgumentException(problems().get(0));
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2).toUpperCase(Locale.ROOT)) {
            case "K" -> n / 1024;
            case "G" -> n * 1024;
            case "T" -> n * 1024 * 1024;
            default -> n;
        };
    }

    /**
     * The JVM heap that fits the task's memory: three quarters of it, leaving at least 256 MB for
     * the JVM's own memory (classes, code, threads, the engine's native buffers); -1 when no
     * memory is set.
     */
    public long heapMegabytes() {
        long mem = memoryMegabytes();
        return mem < 0 ? -1 : Math.min(mem * 3 / 4, mem - 256);
    }

    /** The sbatch options these settings stand for (before the passed-through ones). */
    List<String> sbatchOptions() {
        List<String> o = new ArrayList<>();
        if (partition != null) {
            o.add("--partition=" + partition);
        }
        if (time != null) {
            o.add("--time=" + time);
        }
        if (memory != null) {
            o.add("--mem=" + memory);
        }
        if (cpusPerTask != null) {
            o.add("--cpus-per-task=" + cpusPerTask);
        }
        return o;
    }
}
