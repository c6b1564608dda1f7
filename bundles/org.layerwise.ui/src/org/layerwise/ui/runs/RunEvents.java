package org.layerwise.ui.runs;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.layerwise.runner.RunResult;

/** Where views hear about runs started from the workbench. Called on the job's thread. */
public final class RunEvents {

    /** What happens during one run; every method has an empty default. */
    public interface Listener {
        default void started(RunPipelineJob job, Path directory) {
        }

        default void trainingStep(RunPipelineJob job, int step, int total, double loss) {
        }

        /**
         * A step with its training accuracy (the batch's fraction of prompts whose largest query
         * logit is the label, from the step's forward pass; NaN where undefined). The default
         * drops the accuracy.
         */
        default void trainingStep(RunPipelineJob job, int step, int total, double loss, double accuracy) {
            trainingStep(job, step, total, loss);
        }

        default void finished(RunPipelineJob job, RunResult result) {
        }
    }

    private static final List<Listener> LISTENERS = new CopyOnWriteArrayList<>();

    private RunEvents() {
    }

    public static void add(Listener l) {
        LISTENERS.add(l);
    }

    public static void remove(Listener l) {
        LISTENERS.remove(l);
    }

    static void started(RunPipelineJob job, Path dir) {
        LISTENERS.forEach(l -> l.started(job, dir));
    }

    static void trainingStep(RunPipelineJob job, int step, int total, double loss, double accuracy) {
        LISTENERS.forEach(l -> l.trainingStep(job, step, total, loss, accuracy));
    }

    static void finished(RunPipelineJob job, RunResult result) {
        LISTENERS.forEach(l -> l.finished(job, result));
    }
}
