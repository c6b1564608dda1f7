package org.layerwise.ui.runs;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.ISchedulingRule;
import org.eclipse.core.runtime.jobs.Job;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.runner.PipelineException;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.Resumption;
import org.layerwise.runner.RunListener;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;
import org.layerwise.runner.TrainingClock;
import org.layerwise.runner.ValidatedPipeline;

/**
 * Runs a pipeline in the background, or resumes a run in its own directory: validation (or
 * run.json read back), then the runner with its progress on a SubMonitor (training step, loss,
 * batch accuracy, time left). Cancelling stops the run at the next training step; the runner
 * then records CANCELLED in run.json, and the run can be resumed again.
 */
public final class RunPipelineJob extends Job {

    public static final Object FAMILY = RunPipelineJob.class;
    private static final String PLUGIN_ID = "org.layerwise.ui";

    /** The statuses a run can be resumed from: it is not running and did not end OK. */
    public static final Set<RunStatus> RESUMABLE = EnumSet.of(RunStatus.CANCELLED, RunStatus.INTERRUPTED,
            RunStatus.FAILED, RunStatus.PARTIAL, RunStatus.DIVERGED);

    /** A run ready to go: its directory, how to run it there, and what the user should know first. */
    private record Prepared(Path directory, Function<RunListener, RunResult> run, List<String> warnings) {
    }

    /** Validates and finds (or makes) the run directory; what it throws is told to the user. */
    private interface Preparation {
        Prepared prepare() throws PipelineException;
    }

    private final Preparation preparation;
    private final boolean resuming;
    private volatile Path directory;
    private volatile RunResult result;
    private volatile List<String> warnings = List.of();

    /** A new run of the pipeline, in a new run directory under the options' output root. */
    public RunPipelineJob(PipelineSpec spec, RunOptions options) {
        this("Run " + spec.name(), false, () -> {
            ValidatedPipeline pipeline = new PipelineValidator(ContributionRegistry.load()).validate(spec);
            PipelineRunner.checkMemory(pipeline, options);
            Path dir = PipelineRunner.createRunDirectory(options, spec);
            return new Prepared(dir, listener -> PipelineRunner.run(pipeline, options, dir, listener), List.of());
        });
    }

    private RunPipelineJob(String name, boolean resuming, Preparation preparation) {
        super(name);
        this.resuming = resuming;
        this.preparation = preparation;
        setUser(true);
    }

    /**
     * Resumes a cancelled, interrupted, failed, partial or diverged run in its own directory,
     * from the training state it saved last, with the pipeline, seed and evaluation prompts
     * run.json records. A run that cannot be resumed (OK, still running, run.json unreadable)
     * ends the job with an error status that says why. Two jobs on one directory do not overlap.
     */
    public static RunPipelineJob resume(Path runDirectory) {
        Path dir = runDirectory.toAbsolutePath().normalize();
        RunPipelineJob job = new RunPipelineJob("Resume " + dir.getFileName(), true, () -> {
            Resumption r = Resumption.of(dir, ContributionRegistry.load());
            PipelineRunner.checkMemory(r.pipeline(), r.options());
            return new Prepared(dir, listener -> PipelineRunner.resume(r, listener), r.warnings());
        });
        job.directory = dir;
        job.setRule(new DirectoryRule(dir));
        return job;
    }

    /** Lets one job at a time work in a run directory. */
    private record DirectoryRule(Path directory) implements ISchedulingRule {
        @Override
        public boolean contains(ISchedulingRule rule) {
            return rule == this;
        }

        @Override
        public boolean isConflicting(ISchedulingRule rule) {
            return rule instanceof DirectoryRule d && d.directory.equals(directory);
        }
    }

    @Override
    public boolean belongsTo(Object family) {
        return family == FAMILY;
    }

    /** True for a job that resumes an existing run rather than starting a new one. */
    public boolean resuming() {
        return resuming;
    }

    /** The run directory once created (from the start when resuming), else null. */
    public Path directory() {
        return directory;
    }

    /** The outcome once the job is done (null when the pipeline or the run could not start). */
    public RunResult result() {
        return result;
    }

    /**
     * What differs from the run's first start (versions, CPU), known once the job has started;
     * each is also logged. Empty for a new run.
     */
    public List<String> warnings() {
        return warnings;
    }

    @Override
    protected IStatus run(IProgressMonitor monitor) {
        SubMonitor progress = SubMonitor.convert(monitor, getName(), 100);
        Prepared prepared;
        try {
            progress.subTask(resuming ? "reading run.json" : "validating");
            prepared = preparation.prepare();
        } catch (PipelineException e) {
            return Status.error(e.getMessage(), e);
        }
        directory = prepared.directory();
        warnings = prepared.warnings();
        warnings.forEach(w -> ILog.of(RunPipelineJob.class).warn(getName() + ": " + w));
        progress.worked(2);
        RunEvents.started(this, directory);
        Progress listener = new Progress(progress.split(90), progress);
        result = prepared.run().apply(listener);
        RunEvents.finished(this, result);
        return switch (result.status()) {
            case OK -> Status.OK_STATUS;
            case CANCELLED -> Status.CANCEL_STATUS;
            case PARTIAL -> new Status(IStatus.WARNING, PLUGIN_ID, "Run " + directory.getFileName() + " is partial: " + result.cause());
            default -> new Status(IStatus.ERROR, PLUGIN_ID, "Run " + directory.getFileName() + " " + result.status() + ": " + result.cause());
        };
    }

    /** Turns runner callbacks into monitor work, a status line and run events. */
    private final class Progress implements RunListener {
        private final SubMonitor training;
        private final SubMonitor whole;
        private final TrainingClock clock = new TrainingClock();
        private boolean started;
        private long lastText;

        Progress(SubMonitor training, SubMonitor whole) {
            this.training = training;
            this.whole = whole;
        }

        @Override
        public void stage(String name) {
            whole.subTask(name);
        }

        @Override
        public void trainingStep(int step, int total, double loss, double accuracy) {
            clock.step(step);
            long now = clock.nanos();
            if (!started) {
                started = true;
                training.setWorkRemaining(Math.max(1, total - step + 1));
            }
            RunEvents.trainingStep(RunPipelineJob.this, step, total, loss, accuracy);
            if (now - lastText > 100_000_000L || step == total) {
                lastText = now;
                double left = clock.secondsLeft(total);
                whole.subTask(String.format(Locale.ROOT, "training step %d/%d, loss %.4f%s, %s left", step, total, loss,
                        Double.isNaN(accuracy) ? "" : String.format(Locale.ROOT, ", batch accuracy %.0f%%", 100 * accuracy),
                        eta(Double.isNaN(left) ? 0 : left)));
            }
            training.split(1); // throws OperationCanceledException once cancelled: the runner records CANCELLED
        }

        @Override
        public boolean isCanceled() {
            return whole.isCanceled();
        }
    }

    static String eta(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
