package org.layerwise.core;

import org.layerwise.core.model.NetworkConfig;

/**
 * A backend that builds (or loads) models of a family with embeddings, MLPs and an unembedding
 * ({@link NetworkConfig}) rather than the attention-only models of {@link ModelBackend#configure}.
 * For a pipeline whose {@link #configureNetwork} returns a config, the runner never calls
 * {@link #configure}; the {@link TrainedModel} that {@link #build} returns carries
 * {@link TrainedModel#network()} and no attention-only model.
 */
public interface NetworkBackend extends ModelBackend {

    /**
     * Checks the settings against the task and returns the network this pipeline builds, without
     * computing; null when the pipeline builds an attention-only model instead (then
     * {@link #configure} applies). A backend that loads a model reads and validates its files here.
     */
    NetworkConfig configureNetwork(Settings settings, TaskSpec task) throws InvalidSettingException, BadInputFileException;
}
