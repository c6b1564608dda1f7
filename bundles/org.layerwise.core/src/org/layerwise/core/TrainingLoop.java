package org.layerwise.core;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.eclipse.core.runtime.OperationCanceledException;
import org.layerwise.core.TrainingCheckpoints.TrainingState;
import org.layerwise.core.model.TransformerModel;

/**
 * The loop of a backend that trains by steps, around what the backend supplies (a
 * {@link Trainee}): it resumes from the saved training state, keeps the checkpoint series
 * (SeriesSchedule), saves the training state at its cadence (CheckpointSchedule), when
 * cancelled and when training ends, stops at the first step whose loss is not finite
 * (divergence), reports progress to the monitor and times the steps.
 *
 * <p>The training state holds the trainee's arrays and the curves: "loss" and, when the loop
 * keeps accuracies, "accuracy", each of the completed steps (one more when the last step
 * diverged: its loss is not finite and no update followed). A state after all steps, or of a run
 * that diverged, resumes without a step.
 *
 * <p>Facts: "resumed_from_step" when resumed, then "dtype" and "steps_per_second" (the steps
 * completed after the warm-up, when there were any).
 */
public final class TrainingLoop {

    /** What the loop trains: the backend's model, optimizer and gradient. */
    public interface Trainee {
        /** Step {@code step}'s loss and gradient, on that step's prompts; the loop applies the update only if the loss is finite. */
        Step step(int step);

        /** The model as it is now (for the checkpoint series). */
        TransformerModel model();

        /** Puts copies of everything besides the curves that the next step depends on. */
        void save(Map<String, Tensor> into);

        /** Restores what {@link #save} saved, in place; throws, naming the array, when the state does not fit. */
        void restore(TrainingState state) throws IOException;
    }

    /** One step's loss, its training accuracy (NaN when unknown), and the update it computed. */
    public record Step(double loss, double accuracy, Runnable update) {
        public Step(double loss, Runnable update) {
            this(loss, Double.NaN, update);
        }
    }

    /** The curves (accuracies null unless kept), whether training diverged, and how many steps took how long after warm-up. */
    public record Result(double[] losses, double[] accuracies, boolean diverged, int timedSteps, double seconds) {
    }

    private final BackendContext ctx;
    private final Map<String, Object> facts;
    private int warmUpSteps;
    private boolean accuracy;

    /** A loop over the context's "steps" that puts its facts into {@code facts}. */
    public TrainingLoop(BackendContext ctx, Map<String, Object> facts) {
        this.ctx = ctx;
        this.facts = facts;
    }

    /** Steps that steps_per_second leaves out (at least the last step is timed). */
    public TrainingLoop warmUp(int steps) {
        this.warmUpSteps = steps;
        return this;
    }

    /** Keeps the accuracy curve too (in the result and in the training state). */
    public TrainingLoop withAccuracy() {
        this.accuracy = true;
        return this;
    }

    /**
     * Trains to the end (or to divergence), or throws OperationCanceledException once the
     * monitor is cancelled, the state after the completed steps saved.
     */
    public Result run(Trainee trainee) {
        Settings s = ctx.settings();
        int steps = s.integer("steps");
        double[] losses = new double[steps];
        double[] accuracies = accuracy ? new double[steps] : null;
        boolean diverged = false;
        int start = 0;
        int saved = 0; // length of the curves in the state saved last (or resumed from)
        TrainingState resumed = TrainingCheckpoints.resumeFrom(ctx.checkpoints());
        if (resumed != null) {
            int curve = restore(resumed, steps, trainee, losses, accuracies);
            start = resumed.step();
            saved = curve;
            facts.put("resumed_from_step", start);
            if (curve > start) { // the state of a run that diverged at step start: nothing left to train
                diverged = true;
                losses = Arrays.copyOf(losses, curve);
                accuracies = accuracies == null ? null : Arrays.copyOf(accuracies, curve);
            }
        }
        boolean keep = ctx.checkpoints() != TrainingCheckpoints.NONE;
        CheckpointSchedule schedule = TrainingCheckpoints.cadence(s);
        SeriesSchedule series = SeriesSchedule.of(s);
        if (start == 0 && series.due(0)) {
            ctx.series().takeOrFail(0, trainee.model());
        }
        long timedFrom = 0;
        int timedSteps = 0;
        for (int step = start; step < steps && !diverged; step++) {
            if (step == Math.min(start + warmUpSteps, steps - 1)) {
                timedFrom = System.nanoTime();
            }
            if (ctx.monitor().isCanceled()) {
                if (keep && saved != step) {
                    save(step, trainee, losses, accuracies, step);
                }
                throw new OperationCanceledException();
            }
            Step done = trainee.step(step);
            losses[step] = done.loss();
            if (accuracies != null) {
                accuracies[step] = done.accuracy();
            }
            if (!Double.isFinite(done.loss())) {
                diverged = true;
                losses = Arrays.copyOf(losses, step + 1);
                accuracies = accuracies == null ? null : Arrays.copyOf(accuracies, step + 1);
                break;
            }
            done.update().run();
            ctx.monitor().step(step + 1, steps, done.loss(), done.accuracy());
            if (series.due(step + 1)) {
                ctx.series().takeOrFail(step + 1, trainee.model());
            }
            if (keep && schedule.due(step + 1)) {
                save(step + 1, trainee, losses, accuracies, step + 1);
                saved = step + 1;
                schedule.saved();
            }
            if (timedFrom != 0) {
                timedSteps++;
            }
        }
        double seconds = (System.nanoTime() - timedFrom) / 1e9;
        if (keep && saved != losses.length) { // the final state: a run stopped after training resumes without a step
            save(diverged ? losses.length - 1 : steps, trainee, losses, accuracies, losses.length);
        }
        facts.put("dtype", ctx.config().dtype());
        if (timedSteps > 0) {
            facts.put("steps_per_second", timedSteps / seconds);
        }
        return new Result(losses, accuracies, diverged, timedSteps, seconds);
    }

    /**
     * The training state after {@code step} completed steps: the arrays {@code arrays} puts, and
     * copies of the curves' first {@code curve} values ("accuracy" only when accuracies is not null).
     */
    public static TrainingState state(int step, Consumer<Map<String, Tensor>> arrays, double[] losses, double[] accuracies,
            int curve) {
        Map<String, Tensor> into = new LinkedHashMap<>();
        arrays.accept(into);
        into.put("loss", TrainingState.copyOf(Arrays.copyOf(losses, curve)));
        if (accuracies != null) {
            into.put("accuracy", TrainingState.copyOf(Arrays.copyOf(accuracies, curve)));
        }
        return new TrainingState(step, into);
    }

    private void save(int step, Trainee trainee, double[] losses, double[] accuracies, int curve) {
        TrainingCheckpoints.saveOrFail(ctx.checkpoints(), state(step, trainee::save, losses, accuracies, curve));
    }

    /**
     * Restores a saved state into the trainee and the curves (of {@code steps} entries) and returns
     * the length of its curves; refuses, naming the array, a state that does not fit.
     */
    private static int restore(TrainingState state, int steps, Trainee trainee, double[] losses, double[] accuracies) {
        try {
            int step = state.step();
            if (step > steps) {
                throw new IOException("the saved training state is at step " + step + " but the run trains " + steps + " steps");
            }
            trainee.restore(state);
            int curve = state.curveLength(steps);
            state.copyInto("loss", curve, losses);
            if (accuracies != null) {
                state.copyInto("accuracy", curve, accuracies);
            }
            return curve;
        } catch (IOException e) {
            throw new IllegalStateException("cannot resume training: " + e.getMessage(), e);
        }
    }
}
