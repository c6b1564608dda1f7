package org.layerwise.sweep.slurm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.layerwise.core.AtomicFiles;
import org.layerwise.sweep.PointCommand;

/**
 * One submission of a sweep to SLURM, as files in the sweep directory's {@code slurm/} folder:
 * {@code tasks-N.txt} (line i: the ids of the points array task i runs, in order) and
 * {@code array-N.sh}, the batch script every task runs: the worker ({@link PointCommand}) on the
 * points of its line, in one JVM, with the product taken as built and a heap fitted to the task's
 * memory.
 */
public record JobArray(int number, Path sweepDir, List<List<String>> tasks, List<String> sbatchOptions) {

    /** The options the batch product's start script uses unless LAYERWISE_JAVA_OPTS replaces them (see ./layerwise). */
    static final String DEFAULT_JVM_OPTIONS = "-XX:+UseSerialGC -Xmn64m";

    public Path script() {
        return scriptOf(sweepDir, number);
    }

    public Path taskFile() {
        return taskFileOf(sweepDir, number);
    }

    static Path scriptOf(Path sweepDir, int number) {
        return sweepDir.resolve("slurm").resolve("array-" + number + ".sh");
    }

    static Path taskFileOf(Path sweepDir, int number) {
        return sweepDir.resolve("slurm").resolve("tasks-" + number + ".txt");
    }

    /** Every point of this submission, in task order. */
    public List<String> points() {
        return tasks.stream().flatMap(List::stream).toList();
    }

    /** The first submission number whose files do not exist yet (1, 2, ...). */
    static int nextNumber(Path sweepDir) {
        int n = 1;
        while (Files.exists(scriptOf(sweepDir, n)) || Files.exists(taskFileOf(sweepDir, n))) {
            n++;
        }
        return n;
    }

    /**
     * Writes the task file and the script of the next submission of these points (atomically,
     * the script executable) and returns it. {@code command} starts the batch product's worker on
     * points; {@code maxParallel}, when given, caps the tasks running at once ({@code %K}).
     */
    public static JobArray write(Path sweepDir, String sweepName, List<String> points, JobSettings settings,
            Integer maxParallel, PointCommand command) throws IOException {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("no points to submit");
        }
        Path dir = sweepDir.toAbsolutePath().normalize();
        int number = nextNumber(dir);
        List<List<String>> tasks = new ArrayList<>();
        for (int i = 0; i < points.size(); i += settings.points()) {
            tasks.add(List.copyOf(points.subList(i, Math.min(points.size(), i + settings.points()))));
        }
        List<String> options = new ArrayList<>();
        options.add("--job-name=" + jobName(sweepName));
        options.add("--array=0-" + (tasks.size() - 1) + (maxParallel != null ? "%" + maxParallel : ""));
        options.add("--output=" + dir.resolve("slurm") + "/%A_%a.log");
        options.add("--chdir=" + dir);
        options.addAll(settings.sbatchOptions());
        JobArray array = new JobArray(number, dir, List.copyOf(tasks), List.copyOf(options));

        StringBuilder lines = new StringBuilder();
        for (List<String> t : tasks) {
            lines.append(String.join(" ", t)).append('\n');
        }
        AtomicFiles.writeString(array.taskFile(), lines.toString());

        StringBuilder s = new StringBuilder("#!/bin/bash\n");
        s.append("# Sweep ").append(sweepName).append(", submission ").append(number).append(": array task i runs the points on\n");
        s.append("# line i+1 of ").append(array.taskFile().getFileName()).append(" one after the other in one JVM. Written by\n");
        s.append("# `layerwise sweep`, which submits it and records the job in sweep.json, with:\n");
        s.append("#   sbatch");
        for (String o : options) {
            s.append(' ').append(quote(o));
        }
        for (String o : settings.sbatchArgs()) {
            s.append(' ').append(quote(o));
        }
        s.append(' ').append(quote(array.script().toString())).append('\n');
        s.append("set -euo pipefail\n");
        s.append("export LAYERWISE_JAVA_OPTS=").append(quote(jvmOptions(settings))).append('\n');
        command.environment().forEach((k, v) -> s.append("export ").append(k).append('=').append(quote(v)).append('\n'));
        s.append("exec");
        for (String word : command.argv(dir, List.of())) {
            s.append(' ').append(quote(word));
        }
        s.append(" --task-file ").append(quote(array.taskFile().toString())).append(" --task-index \"$SLURM_ARRAY_TASK_ID\"\n");
        AtomicFiles.writeString(array.script(), s.toString());
        Files.setPosixFilePermissions(array.script(), PosixFilePermissions.fromString("rwxr-xr-x"));
        return array;
    }

    /**
     * The JVM options of a task: the start script's defaults, a heap fitted to the task's memory
     * (else the start script's share of the node's RAM, which other tasks share too), and as many
     * processors as the task was given, so that the engine's threads match its CPUs even where
     * SLURM does not pin tasks to their cores.
     */
    static String jvmOptions(JobSettings settings) {
        long heap = settings.heapMegabytes();
        return DEFAULT_JVM_OPTIONS + (heap > 0 ? " -Xmx" + heap + "m" : " -XX:MaxRAMPercentage=50")
                + " -XX:ActiveProcessorCount=" + (settings.cpusPerTask() != null ? settings.cpusPerTask() : 1);
    }

    static String jobName(String sweepName) {
        String n = sweepName == null ? "" : sweepName.replaceAll("[^A-Za-z0-9_.-]", "_");
        return "layerwise-" + (n.isEmpty() ? "sweep" : n);
    }

    /** A single-quoted shell word. */
    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
