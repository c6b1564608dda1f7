package org.layerwise.sweep;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.layerwise.core.ContributionRegistry;
import org.layerwise.runner.ExitCode;
import org.layerwise.runner.PipelineException;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.Resumption;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.ValidatedPipeline;

/**
 * What running a point means given its run directory: nothing when it ended (OK, PARTIAL,
 * DIVERGED: a rerun would compute the same) or runs elsewhere; a resume from its saved state
 * when it FAILED, was CANCELLED or INTERRUPTED (its process died); a fresh run otherwise. A run
 * directory that cannot be resumed is set aside under attempts/, never deleted.
 */
public final class PointRuns {

    /** Statuses a rerun leaves alone. */
    public static final Set<String> FINISHED = Set.of("OK", "PARTIAL", "DIVERGED");

    private PointRuns() {
    }

    /** What to do for one point. */
    public sealed interface Plan {
        SweepPoint point();
    }

    /** Leave it: it ended (status) or runs in another live process (RUNNING). */
    public record Skip(SweepPoint point, String status) implements Plan {
    }

    /** Run it from the start into {@code directory} (created, empty). */
    public record Fresh(SweepPoint point, ValidatedPipeline pipeline, RunOptions options, Path directory, Path setAside)
            implements Plan {
    }

    /** Continue it in its own directory. */
    public record Resume(SweepPoint point, Resumption resumption) implements Plan {
    }

    /** Whether the coordinator must start a process for a point of this status. */
    public static boolean needsRun(String status) {
        return !FINISHED.contains(status) && !"RUNNING".equals(status);
    }

    public static Plan plan(SweepDirectory sweep, SweepPoint p, ContributionRegistry registry) throws PipelineException {
        String status = sweep.status(p);
        if (!needsRun(status)) {
            return new Skip(p, status);
        }
        Path dir = sweep.runDirectory(p);
        if (!SweepDirectory.PENDING.equals(status) && !"UNREADABLE".equals(status)) {
            try {
                return new Resume(p, Resumption.of(dir, registry));
            } catch (PipelineException e) {
                if (e.exitCode() != ExitCode.NOT_RESUMABLE && e.exitCode() != ExitCode.BAD_INPUT_FILE) {
                    throw e;
                }
                // nothing to continue from: a fresh run, the old directory kept under attempts/
            }
        }
        ValidatedPipeline pipeline = new PipelineValidator(registry).validate(sweep.pipeline(p));
        try {
            Path aside = sweep.setAside(p);
            Files.createDirectories(dir);
            return new Fresh(p, pipeline, new RunOptions(dir.getParent(), sweep.evalPrompts()), dir, aside);
        } catch (IOException e) {
            throw new PipelineException(ExitCode.OUTPUT_NOT_WRITABLE, dir + " cannot be prepared: " + e.getMessage());
        }
    }
}
