package org.layerwise.sweep.slurm.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.sweep.slurm.Slurm;
import org.layerwise.sweep.slurm.Slurm.TaskState;

/** sbatch, squeue, the completion record and scancel against a real cluster (skipped without one). */
class SlurmClusterTest {

    static Slurm slurm;

    @TempDir
    Path dir;

    @BeforeAll
    static void cluster() {
        slurm = Cluster.require();
    }

    private Path script(String body) throws Exception {
        Path script = dir.resolve("task.sh");
        Files.writeString(script, "#!/bin/bash\n" + body + "\n");
        return script;
    }

    @Test
    void anArrayOfFourTasksRunsEachTaskOnceAndIsSeenInTheQueue() throws Exception {
        Path script = script("sleep 2\necho \"task $SLURM_ARRAY_TASK_ID of $SLURM_ARRAY_JOB_ID in $PWD $LW_TEST_WORD\" > out-$SLURM_ARRAY_TASK_ID.txt");
        String job = slurm.submit(script, List.of("--array=0-3", "--chdir=" + dir, "--output=" + dir + "/%A_%a.log",
                "--job-name=layerwise-slurm-test", "--export=ALL,LW_TEST_WORD=passed"));
        List<TaskState> queued = slurm.queue(job);
        assertFalse(queued.isEmpty(), "a 4-task array of 2-second tasks is still in the queue right after sbatch");
        for (TaskState t : queued) {
            assertEquals(job, t.jobId(), t.toString());
            assertTrue(t.task() >= 0 && t.task() <= 3, "array task ids are 0..3: " + t);
            assertTrue(t.active(), "a queued task is pending or running: " + t);
        }
        assertTrue(Cluster.await(Duration.ofSeconds(90), () -> Cluster.queue(slurm, job).isEmpty()),
                "the array leaves the queue within 90 s: " + Cluster.queue(slurm, job));
        for (int i = 0; i < 4; i++) {
            Path out = dir.resolve("out-" + i + ".txt");
            assertTrue(Files.isRegularFile(out), "task " + i + " wrote its file");
            assertEquals("task " + i + " of " + job + " in " + dir.toRealPath() + " passed", Files.readString(out).strip());
        }
        List<TaskState> ended = slurm.accounting(job);
        assertEquals(Set.of(0, 1, 2, 3), ended.stream().map(TaskState::task).collect(Collectors.toSet()),
                "sacct or the completion file records each task: " + ended);
        assertTrue(ended.stream().allMatch(t -> t.state().equals("COMPLETED")), ended.toString());
    }

    @Test
    void cancellingOneTaskEndsItWhileTheOthersGoOn() throws Exception {
        Path script = script("touch started-$SLURM_ARRAY_TASK_ID\nsleep 60");
        String job = slurm.submit(script, List.of("--array=0-2%1", "--chdir=" + dir, "--output=/dev/null"));
        try {
            assertTrue(Cluster.await(Duration.ofSeconds(60), () -> Files.exists(dir.resolve("started-0"))), "task 0 starts");
            Map<Integer, String> states = Cluster.queue(slurm, job).stream()
                    .collect(Collectors.toMap(TaskState::task, TaskState::state));
            assertEquals(Map.of(0, "RUNNING", 1, "PENDING", 2, "PENDING"), states, "%1: one task at a time");
            slurm.cancel(job, 0);
            assertTrue(Cluster.await(Duration.ofSeconds(60), () -> Files.exists(dir.resolve("started-1"))),
                    "task 1 starts once task 0 is cancelled");
            assertFalse(Cluster.queue(slurm, job).stream().anyMatch(t -> t.task() == 0), "task 0 left the queue");
        } finally {
            slurm.cancel(job);
        }
        assertTrue(Cluster.await(Duration.ofSeconds(60), () -> Cluster.queue(slurm, job).isEmpty()), "scancel JOB empties the queue");
        Map<Integer, String> ended = slurm.accounting(job).stream().collect(Collectors.toMap(TaskState::task, TaskState::state, (a, b) -> b));
        assertEquals("CANCELLED", ended.get(0), "task 0 recorded as cancelled: " + ended);
        assertEquals(new TreeSet<>(Set.of(0, 1, 2)), new TreeSet<>(ended.keySet()), "every task has an end record: " + ended);
    }

    @Test
    void aFailingCommandSaysWhatSlurmPrinted() {
        Slurm.SlurmException e = assertThrows(Slurm.SlurmException.class,
                () -> slurm.submit(dir.resolve("no-such-script.sh"), List.of()));
        assertTrue(e.getMessage().contains("sbatch") && e.getMessage().contains("Unable to open file"), e.getMessage());
    }

    @Test
    void aJobSlurmNoLongerKnowsHasAnEmptyQueue() throws Exception {
        assertEquals(List.of(), slurm.queue("999999"));
    }
}
