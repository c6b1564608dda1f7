package org.layerwise.sweep.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.sweep.PointCommand;
import org.layerwise.sweep.SweepSpec;

/** The settings of an array task and the files of a submission, without a cluster. */
class JobArrayTest {

    @Test
    void theCommandLineReplacesTheFilesSettingsOneByOneAndAddsItsSbatchOptions() {
        JobSettings file = JobSettings.of(new SweepSpec.Slurm("short", "00:30:00", "4G", 2, 3, "--account=lab  --qos=low"));
        assertEquals(List.of("--account=lab", "--qos=low"), file.sbatchArgs());
        JobSettings both = file.overriddenBy(new JobSettings(null, "2:00:00", null, 4, 5, List.of("--qos=high")));
        assertEquals(new JobSettings("short", "2:00:00", "4G", 4, 5, List.of("--account=lab", "--qos=low", "--qos=high")), both);
        assertEquals(file, file.overriddenBy(JobSettings.NONE), "nothing given on the command line: the file's settings");
        assertEquals(List.of("--partition=short", "--time=2:00:00", "--mem=4G", "--cpus-per-task=4"), both.sbatchOptions());
        JobSettings defaults = JobSettings.of(SweepSpec.Slurm.DEFAULT);
        assertEquals(List.of(), defaults.sbatchOptions(), "blanks and zeros: the cluster's defaults");
        assertEquals(1, defaults.points());
    }

    @Test
    void theHeapFitsTheTasksMemoryAndBadSettingsAreNamed() {
        Map<String, Long> heap = Map.of("4G", 3072L, "1G", 768L, "600M", 344L, "600", 344L, "2097152K", 1536L, "1T", 786432L);
        heap.forEach((mem, mb) -> assertEquals(mb, new JobSettings(null, null, mem, null, null, null).heapMegabytes(), mem));
        assertEquals(-1, JobSettings.NONE.heapMegabytes());
        assertEquals("-XX:+UseSerialGC -Xmn64m -Xmx3072m -XX:ActiveProcessorCount=2",
                JobArray.jvmOptions(new JobSettings(null, null, "4G", 2, null, null)));
        assertEquals("-XX:+UseSerialGC -Xmn64m -XX:MaxRAMPercentage=50 -XX:ActiveProcessorCount=1", JobArray.jvmOptions(JobSettings.NONE));
        for (String ok : List.of("30", "30:00", "1:00:00", "2-12", "2-12:30", "2-12:30:00", "UNLIMITED")) {
            assertEquals(List.of(), new JobSettings(null, ok, null, null, null, null).problems(), ok);
        }
        for (String bad : List.of("soon", "1:2:3:4", "1h", "-5")) {
            assertTrue(new JobSettings(null, bad, null, null, null, null).problems().get(0).startsWith("time '" + bad + "'"), bad);
        }
        assertEquals(List.of("memory '4 G' is not a SLURM size (a whole number with an optional K, M, G or T; M by default)"),
                new JobSettings(null, null, "4 G", null, null, null).problems());
        assertEquals(List.of("memory '511M' is below 512M, too little for the JVM of a task"),
                new JobSettings(null, null, "511M", null, null, null).problems());
    }

    @Test
    void aSubmissionGroupsThePointsIntoTasksAndItsScriptRunsTheWorkerOnItsLine(@TempDir Path tmp) throws Exception {
        Path home = Files.createDirectories(tmp.resolve("it's home"));
        Files.writeString(home.resolve("layerwise"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(home.resolve("layerwise"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Path dir = tmp.resolve("sweep");
        JobSettings s = new JobSettings("short", null, "1G", null, 2, List.of("--qos=x"));
        List<String> points = List.of("p0", "p2", "p3", "p5", "p7");
        JobArray first = JobArray.write(dir, "depth by context", points, s, 3, PointCommand.forProduct(home));
        assertEquals(1, first.number());
        assertEquals(List.of(List.of("p0", "p2"), List.of("p3", "p5"), List.of("p7")), first.tasks());
        assertEquals(List.of("p0 p2", "p3 p5", "p7"), Files.readAllLines(dir.resolve("slurm/tasks-1.txt")));
        assertEquals(List.of("--job-name=layerwise-depth_by_context", "--array=0-2%3", "--output=" + dir + "/slurm/%A_%a.log",
                "--chdir=" + dir, "--partition=short", "--mem=1G"), first.sbatchOptions());
        String script = Files.readString(first.script());
        assertTrue(Files.isExecutable(first.script()));
        assertTrue(script.contains("exec '" + home.toString().replace("'", "'\\''") + "/layerwise' 'sweep' 'run-points' '" + dir
                + "' --task-file '" + dir + "/slurm/tasks-1.txt' --task-index \"$SLURM_ARRAY_TASK_ID\"\n"), script);
        assertTrue(script.contains("export LAYERWISE_NO_BUILD='1'\n") && script.contains("-Xmx768m"), script);
        assertTrue(script.contains("'--qos=x' '" + dir + "/slurm/array-1.sh'"), "the comment holds the whole sbatch command: " + script);
        assertEquals(2, JobArray.write(dir, "d", List.of("p1"), s, null, PointCommand.forProduct(home)).number(), "the next submission");
        assertEquals("0", JobArray.write(dir, "d", List.of("p1"), s, null, PointCommand.forProduct(home)).sbatchOptions().get(1)
                .substring("--array=0-".length()), "one task, no cap");
    }
}
