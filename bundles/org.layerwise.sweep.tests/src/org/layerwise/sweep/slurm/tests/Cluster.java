package org.layerwise.sweep.slurm.tests;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

import org.layerwise.sweep.slurm.Slurm;

/** The SLURM cluster the tests run against: the one SLURM_CONF names (releng/slurm/local-cluster start). */
final class Cluster {

    private Cluster() {
    }

    /** The cluster's client, or the test is skipped with the reason (printed too, so the build log shows it). */
    static Slurm require() {
        String conf = System.getenv("SLURM_CONF");
        Optional<String> why = conf == null || conf.isEmpty()
                ? Optional.of("SLURM_CONF is not set")
                : Slurm.fromEnvironment().unavailableReason();
        if (why.isPresent()) {
            String message = "SLURM tests skipped: " + why.get()
                    + " (start a local cluster with releng/slurm/local-cluster start and export the SLURM_CONF it prints)";
            System.err.println(message);
            assumeTrue(false, message);
        }
        return Slurm.fromEnvironment();
    }

    /** Polls until the condition holds; false when it did not within the time. */
    static boolean await(Duration within, BooleanSupplier condition) throws InterruptedException {
        long end = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < end) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(300);
        }
        return condition.getAsBoolean();
    }

    static List<Slurm.TaskState> queue(Slurm slurm, String job) {
        try {
            return slurm.queue(job);
        } catch (Slurm.SlurmException e) {
            throw new AssertionError(e);
        }
    }
}
