package org.layerwise.sweep.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.sweep.slurm.Slurm.TaskState;

/** What SLURM prints, read without a cluster: array task specs and the job-completion file. */
class SlurmParsingTest {

    @Test
    void arrayTaskSpecsExpandToTheirIds() {
        assertEquals(List.of(3), Slurm.taskIds("3"));
        assertEquals(List.of(1, 2, 3, 5), Slurm.taskIds("[1-3,5%1]"));
        assertEquals(List.of(0, 2, 4, 6), Slurm.taskIds("0-6:2"));
        assertEquals(List.of(-1), Slurm.taskIds("N/A"));
    }

    @Test
    void theCompletionFileGivesTheLastRecordOfEachTaskOfTheJob(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("jobcomp.txt");
        Files.writeString(file, String.join("\n",
                "JobId=12 UserId=u(1) JobState=FAILED Partition=p ArrayJobId=12 ArrayTaskId=0 ExitCode=1:0 ",
                "JobId=13 UserId=u(1) JobState=NODE_FAIL Partition=p ArrayJobId=12 ArrayTaskId=1 ExitCode=0:0 ",
                "JobId=120 UserId=u(1) JobState=COMPLETED Partition=p ArrayJobId=120 ArrayTaskId=1 ExitCode=0:0 ",
                "JobId=14 UserId=u(1) JobState=COMPLETED Partition=p ArrayJobId=12 ArrayTaskId=1 ExitCode=0:0 ",
                "JobId=15 UserId=u(1) JobState=TIMEOUT Partition=p ArrayJobId=0 ArrayTaskId=4294967294 ExitCode=0:0 ",
                ""));
        List<TaskState> tasks = Slurm.fromJobCompletionFile(file, "12");
        assertEquals(List.of(new TaskState("12", 0, "FAILED", ""), new TaskState("12", 1, "COMPLETED", "")), tasks);
        assertEquals(List.of(new TaskState("15", -1, "TIMEOUT", "")), Slurm.fromJobCompletionFile(file, "15"));
    }

    @Test
    void withoutTheCommandsItSaysWhichAreMissing(@TempDir Path empty) {
        Slurm slurm = Slurm.on(empty.toString(), Map.of(), Duration.ofSeconds(5));
        String why = slurm.unavailableReason().orElseThrow();
        assertTrue(why.contains("sbatch") && why.contains("squeue") && why.contains("scancel"), why);
        Slurm.SlurmException e = assertThrows(Slurm.SlurmException.class, () -> slurm.submit(empty.resolve("x.sh"), List.of()));
        assertTrue(e.getMessage().contains("sbatch is not on the PATH"), e.getMessage());
    }
}
