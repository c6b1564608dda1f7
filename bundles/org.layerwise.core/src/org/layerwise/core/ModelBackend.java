package org.layerwise.core;

import org.layerwise.core.model.ModelConfig;

/** Extension point org.layerwise.core.modelBackends (SCIENCE.md section 3). */
public interface ModelBackend {

    /**
     * Checks the settings against the task and returns the model shape, without computing.
     * A backend that loads a model reads and validates its files here, so that a bad file
     * stops the pipeline before anything is written (throw BadInputFileException).
     */
    ModelConfig configure(Settings settings, TaskSpec task) throws InvalidSettingException, BadInputFileException;

    /** Trains (or loads) the model; throws OperationCanceledException when cancelled. */
    TrainedModel build(BackendContext context) throws Exception;
}
