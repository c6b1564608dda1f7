package org.layerwise.core;

import org.layerwise.core.model.ModelConfig;

/**
 * Everything a backend needs to build its model: its own settings and derived seed, the
 * model shape it declared, a source of training prompts and the pipeline's enforcer.
 */
public record BackendContext(Settings settings, ModelConfig config, TaskSpec task, PromptSource prompts,
        SymmetryEnforcer enforcer, Settings enforcerSettings, long seed, long enforcerSeed, TrainingMonitor monitor) {

    /** Training prompts: the batch of a given step, deterministic in (seed, step). */
    @FunctionalInterface
    public interface PromptSource {
        PromptBatch batch(long step, int size);
    }
}
