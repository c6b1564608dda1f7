package org.layerwise.core;

import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.NetworkConfig;

/**
 * Everything a backend needs to build its model: its own settings and derived seed, the
 * model shape it declared, a source of training prompts, the pipeline's enforcer, and where
 * to keep its training state so that an interrupted run resumes (see TrainingCheckpoints), and
 * where to put the checkpoints of its model that the run keeps as a series (see ModelSeries).
 * For a network ({@link NetworkBackend}) on a sequence task, {@code network} and {@code dataset}
 * take the place of {@code config} (null) and the prompts.
 */
public record BackendContext(Settings settings, ModelConfig config, TaskSpec task, PromptSource prompts,
        SymmetryEnforcer enforcer, Settings enforcerSettings, long seed, long enforcerSeed, TrainingMonitor monitor,
        TrainingCheckpoints checkpoints, ModelSeries.Sink series, NetworkConfig network, TokenDataset dataset) {

    public BackendContext {
        if (checkpoints == null) {
            checkpoints = TrainingCheckpoints.NONE;
        }
        if (series == null) {
            series = ModelSeries.Sink.NONE;
        }
    }

    /** A context of an attention-only model trained on in-context prompts. */
    public BackendContext(Settings settings, ModelConfig config, TaskSpec task, PromptSource prompts,
            SymmetryEnforcer enforcer, Settings enforcerSettings, long seed, long enforcerSeed, TrainingMonitor monitor,
            TrainingCheckpoints checkpoints, ModelSeries.Sink series) {
        this(settings, config, task, prompts, enforcer, enforcerSettings, seed, enforcerSeed, monitor, checkpoints, series, null,
                null);
    }

    /**
     * A context of a network ({@link NetworkBackend#configureNetwork}) on a sequence task: the
     * network's declared shape and the task's examples with their split; no attention-only
     * config, no prompts, no enforcer.
     */
    public static BackendContext ofNetwork(Settings settings, NetworkConfig network, TaskSpec task, TokenDataset dataset, long seed,
            TrainingMonitor monitor, TrainingCheckpoints checkpoints, ModelSeries.Sink series) {
        PromptSource none = (step, size) -> {
            throw new UnsupportedOperationException("a sequence task has no prompts: train on BackendContext.dataset()");
        };
        return new BackendContext(settings, null, task, none, null, null, seed, 0, monitor, checkpoints, series, network, dataset);
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
