package org.layerwise.core;

import org.layerwise.core.model.ModelConfig;

/** Extension point org.layerwise.core.modelBackends (docs/mathematics.md section 3). */
public interface ModelBackend {

    /**
     * Checks the settings against the task and returns the model shape, without computing.
     * A backend that loads a model reads and validates its files here, so that a bad file
     * stops the pipeline before anything is written (throw BadInputFileException).
     */
    ModelConfig configure(Settings settings, TaskSpec task) throws InvalidSettingException, BadInputFileException;

    /** Trains (or loads) the model; throws OperationCanceledException when cancelled. */
    TrainedModel build(BackendContext context) throws Exception;

    /**
     * Why this backend cannot train with the pipeline's enforcer, or null when it can (the
     * default: a backend that trains applies its permutations). The validator asks before
     * anything is computed; a pipeline without an enforcer stage is asked about "none".
     */
    default String enforcerProblem(SymmetryEnforcer enforcer, Settings enforcerSettings) {
        return null;
    }

    /**
     * Bytes of heap that {@link #build} needs at its peak besides the model itself (training
     * batches, activations, optimizer state), estimated from the settings alone, or -1 when
     * the count overflows. The runner holds it against the heap before anything is computed
     * (MemoryBudget), so that an impossible pipeline is refused at once; 0 means nothing
     * worth counting.
     */
    default long memoryEstimate(Settings settings, ModelConfig config) {
        return 0;
    }
}
