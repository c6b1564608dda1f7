package org.layerwise.core;

import org.layerwise.core.model.ModelConfig;

/**
 * Everything a backend needs to build its model: its own settings and derived seed, the
 * model shape it declared, a source of training prompts, the pipeline's enforcer, and where
 * to keep its training state so that an interrupted run resumes (see TrainingCheckpoints).
 */
public record BackendContext(Settings settings, ModelConfig config, TaskSpec task, PromptSource prompts,
        SymmetryEnforcer enforcer, Settings enforcerSettings, long seed, long enforcerSeed, TrainingMonitor monitor,
        TrainingCheckpoints checkpoints) {

    public BackendContext {
        if (checkpoints == null) {
            checkpoints = TrainingCheckpoints.NONE;
        }
    }

    /** A context whose training state is neither saved nor resumed. */
    public BackendContext(Settings settings, ModelConfig config, TaskSpec task, PromptSource prompts,
            SymmetryEnforcer enforcer, Settings enforcerSettings, long seed, long enforcerSeed, TrainingMonitor monitor) {
        this(settings, config, task, prompts, enforcer, enforcerSettings, seed, enforcerSeed, monitor, TrainingCheckpoints.NONE);
    }

    /** Training prompts: the batch of a given step, deterministic in (seed, step). */
    @FunctionalInterface
    public interface PromptSource {
        PromptBatch batch(long step, int size);
    }
}
