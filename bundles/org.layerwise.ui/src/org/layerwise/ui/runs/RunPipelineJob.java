package org.layerwise.ui.runs;

import java.nio.file.Path;
import java.util.Locale;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.core.runtime.IStatus;
import org.eclipse.core.runtime.Status;
import org.eclipse.core.runtime.SubMonitor;
import org.eclipse.core.runtime.jobs.Job;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.runner.PipelineException;
import org.layerwise.runner.PipelineRunner;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.RunListener;
import org.layerwise.runner.RunOptions;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.TrainingClock;
import org.layerwise.runner.ValidatedPipeline;

/**
 * Runs a pipeline in the background: validation, then the runner with its progress on a
 * SubMonitor (training step, loss, batch accuracy, time left). Cancelling stops the run at the next training
 * step; the runner then records CANCELLED in run.json.
 */
public final class RunPipelineJob extends Job {

    public static final Object FAMILY = RunPipelineJob.class;
    private static final String PLUGIN_ID = "org.layerwise.ui";

    private final PipelineSpec spec;
    private final RunOptions options;
    private volatile Path directory;
    private volatile RunResult result;

    public RunPipelineJob(PipelineSpec spec, RunOptions options) {
        super("Run " + spec.name());
        this.spec = spec;
        this.options = options;
        setUser(true);
    }

    @Override
    public boolean belongsTo(Object family) {
        return family == FAMILY;
    }

    /** The run directory once created, else null. */
    public Path directory() {
        return directory;
    }

    /** The outcome once the job is done (null when validation failed). */
    public RunResult result() {
        return result;
    }

    @Override
    protected IStatus run(IProgressMonitor monitor) {
        SubMonitor progress = SubMonitor.convert(monitor, getName(), 100);
        ValidatedPipeline pipeline;
        try {
            progress.subTask("validating");
            pipeline = new PipelineValidator(ContributionRegistry.load()).validate(spec);
            directory = PipelineRunner.createRunDirectory(options, spec);
        } catch (PipelineException e) {
            return Status.error(e.getMessage(), e);
        }
        progress.worked(2);
        RunEvents.started(this, directory);
        Progress listener = new Progress(progress.split(90), progress);
        result = PipelineRunner.run(pipeline, options, directory, listener);
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
