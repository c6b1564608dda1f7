package org.layerwise.core;

import org.layerwise.core.model.ModelConfig;

/**
 * Everything a backend needs to build its model: its own settings and derived seed, the
 * model shape it declared, a source of training prompts, the pipeline's enforcer, and where
 * to keep its training state so that an interrupted run resumes (see TrainingCheckpoints), and
 * where to put the checkpoints of its model that the run keeps as a series (see ModelSeries).
 */
public record BackendContext(Settings settings, ModelConfig config, TaskSpec task, PromptSource prompts,
        SymmetryEnforcer enforcer, Settings enforcerSettings, long seed, long enforcerSeed, TrainingMonitor monitor,
        TrainingCheckpoints checkpoints, ModelSeries.Sink series) {

    public BackendContext {
        if (checkpoints == null) {
            checkpoints = TrainingCheckpoints.NONE;
        }
        if (series == null) {
            series = ModelSeries.Sink.NONE;
        }
    }

    /** A context that keeps no checkpoint series. */
    public BackendContext(Settings settings, ModelConfig config, TaskSpec task, PromptSource prompts,
            SymmetryEnforcer enforcer, Settings enforcerSettings, long seed, long enforcerSeed, TrainingMonitor monitor,
            TrainingCheckpoints checkpoints) {
        this(settings, config, task, prompts, enforcer, enforcerSettings, seed, enforcerSeed, monitor, checkpoints,
                ModelSeries.Sink.NONE);
    }

    /** A context whose training state is neither saved nor resumed. */
    public BackendContext(Settings settings, ModelConfig config, TaskSpec task, PromptSource prompts,
            SymmetryEnforcer enforcer, Settings enforcerSettings, long seed, long enforcerSeed, TrainingMonitor monitor) {
        this(settings, config, task, prompts, enforcer, enforcerSettings, seed, enforcerSeed, monitor, TrainingCheckpoints.NONE,
                ModelSeries.Sink.NONE);
    }

    /** Training prompts: the batch of a given step, deterministic in (seed, step). */
    @FunctionalInterface
    public interface PromptSource {
        PromptBatch batch(long step, int size);
    }
}
