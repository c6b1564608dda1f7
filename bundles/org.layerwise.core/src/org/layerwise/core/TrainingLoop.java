package org.layerwise.core;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.eclipse.core.runtime.OperationCanceledException;
import org.layerwise.core.TrainingCheckpoints.TrainingState;
import org.layerwise.core.model.NetworkModel;
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

        /** A network trainee's model as it is now (for the checkpoint series), in place of {@link #model()}; null otherwise. */
        default NetworkModel network() {
            return null;
        }

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

    /**
     * The curves (accuracies null unless kept), whether training diverged, how many steps took how
     * long after warm-up, and the curves evaluated on the grid of {@link #withEvaluation} (else null).
     */
    public record Result(double[] losses, double[] accuracies, boolean diverged, int timedSteps, double seconds,
            EvaluatedCurves evaluated) {
        public Result(double[] losses, double[] accuracies, boolean diverged, int timedSteps, double seconds) {
            this(losses, accuracies, diverged, timedSteps, seconds, null);
        }
    }

    /** Measures of the model on the evaluation grid: called with the number of updates applied so far. */
    @FunctionalInterface
    public interface Evaluation {
        Map<String, Double> at(int step);
    }

    private final BackendContext ctx;
    private final Map<String, Object> facts;
    private int warmUpSteps;
    private boolean accuracy;
    private int evaluateEvery;
    private Evaluation evaluation;

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
     * Evaluates the model on the grid 0, every, 2 every, ... and after the last step (the values
     * at grid step k are those of the model after k updates; the loop's timing leaves the
     * evaluations out). Every call must return the same names; the curves are kept in the training
     * state ("eval.step", "eval.NAME"), so a resumed run has the whole grid.
     */
    public TrainingLoop withEvaluation(int every, Evaluation evaluate) {
        if (every < 1) {
            throw new IllegalArgumentException("evaluation every " + every + " steps; expected at least 1");
        }
        this.evaluateEvery = every;
        this.evaluation = evaluate;
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
        Grid grid = evaluation == null ? null : new Grid();
        TrainingState resumed = TrainingCheckpoints.resumeFrom(ctx.checkpoints());
        if (resumed != null) {
            int curve = restore(resumed, steps, trainee, losses, accuracies);
            if (grid != null) {
                grid.restore(resumed);
            }
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
            take(0, trainee);
        }
        long timedFrom = 0;
        long evaluating = 0; // nanoseconds spent evaluating while timed
        int timedSteps = 0;
        for (int step = start; step < steps && !diverged; step++) {
            if (step == Math.min(start + warmUpSteps, steps - 1)) {
                timedFrom = System.nanoTime();
            }
            if (grid != null && step % evaluateEvery == 0 && !grid.has(step)) {
                long e0 = System.nanoTime();
                grid.add(step, evaluation.at(step));
                evaluating += timedFrom != 0 ? System.nanoTime() - e0 : 0;
            }
            if (ctx.monitor().isCanceled()) {
                if (keep && saved != step) {
                    save(step, trainee, grid, losses, accuracies, step);
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
                take(step + 1, trainee);
            }
            if (grid != null && step + 1 == steps) {
                long e0 = System.nanoTime();
                grid.add(steps, evaluation.at(steps));
                evaluating += timedFrom != 0 ? System.nanoTime() - e0 : 0;
            }
            if (keep && schedule.due(step + 1)) {
                save(step + 1, trainee, grid, losses, accuracies, step + 1);
                saved = step + 1;
                schedule.saved();
            }
            if (timedFrom != 0) {
                timedSteps++;
            }
        }
        if (grid != null && steps == 0 && !grid.has(0)) {
            grid.add(0, evaluation.at(0));
        }
        double seconds = (System.nanoTime() - timedFrom - evaluating) / 1e9;
        if (keep && saved != losses.length) { // the final state: a run stopped after training resumes without a step
            save(diverged ? losses.length - 1 : steps, trainee, grid, losses, accuracies, losses.length);
        }
        facts.put("dtype", ctx.config() != null ? ctx.config().dtype() : ctx.network().dtype());
        if (timedSteps > 0) {
            facts.put("steps_per_second", timedSteps / seconds);
        }
        return new Result(losses, accuracies, diverged, timedSteps, seconds, grid == null ? null : grid.curves());
    }

    private void take(int step, Trainee trainee) {
        NetworkModel network = trainee.network();
        if (network != null) {
            ctx.series().takeOrFail(step, network);
        } else {
            ctx.series().takeOrFail(step, trainee.model());
        }
    }

    /** The evaluated curves so far, saved with the training state as "eval.step" and "eval.NAME". */
    private static final class Grid {
        private static final String PREFIX = "eval.";
        private final List<Long> steps = new ArrayList<>();
        private final Map<String, List<Double>> values = new LinkedHashMap<>();

        boolean has(int step) {
            return !steps.isEmpty() && steps.get(steps.size() - 1) >= step;
        }

        void add(int step, Map<String, Double> measured) {
            if (!steps.isEmpty() && !values.keySet().equals(measured.keySet())) {
                throw new IllegalStateException("the evaluation at step " + step + " measured " + measured.keySet() + ", earlier ones "
                        + values.keySet());
            }
            steps.add((long) step);
            measured.forEach((name, v) -> values.computeIfAbsent(name, n -> new ArrayList<>()).add(v));
        }

        /** The grid up to {@code step} updates (a state saved after a step that was evaluated later is not evaluated yet). */
        void put(Map<String, Tensor> into) {
            long[] s = steps.stream().mapToLong(Long::longValue).toArray();
            into.put(PREFIX + "step", Tensor.of(s, s.length));
            values.forEach((name, v) -> into.put(PREFIX + name, TrainingState.copyOf(v.stream().mapToDouble(Double::doubleValue).toArray())));
        }

        void restore(TrainingState state) {
            Tensor s = state.arrays().get(PREFIX + "step");
            if (s == null) {
                return; // a state saved before the first evaluation
            }
            for (long step : s.toLongs()) {
                steps.add(step);
            }
            for (var e : state.arrays().entrySet()) {
                String name = e.getKey();
                if (name.startsWith(PREFIX) && !name.equals(PREFIX + "step")) {
                    List<Double> v = new ArrayList<>();
                    for (double x : e.getValue().toDoubles()) {
                        v.add(x);
                    }
                    values.put(name.substring(PREFIX.length()), v);
                }
            }
        }

        EvaluatedCurves curves() {
            Map<String, double[]> v = new LinkedHashMap<>();
            values.forEach((name, list) -> v.put(name, list.stream().mapToDouble(Double::doubleValue).toArray()));
            return new EvaluatedCurves(steps.stream().mapToLong(Long::longValue).toArray(), v);
        }
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

    private void save(int step, Trainee trainee, Grid grid, double[] losses, double[] accuracies, int curve) {
        Consumer<Map<String, Tensor>> arrays = grid == null ? trainee::save : into -> {
            trainee.save(into);
            grid.put(into);
        };
        TrainingCheckpoints.saveOrFail(ctx.checkpoints(), state(step, arrays, losses, accuracies, curve));
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
