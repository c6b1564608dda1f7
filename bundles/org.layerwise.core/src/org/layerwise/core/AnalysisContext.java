package org.layerwise.core;

import org.layerwise.core.model.TransformerModel;

/**
 * The inputs of an analyzer: the model, the evaluation prompts with the activation cache of
 * the network on them, the enforcer's factors (which symmetry the weights should have), the
 * analyzer's settings and derived seed.
 */
public record AnalysisContext(Settings settings, TransformerModel model, TaskSpec task, PromptBatch evaluation,
        ActivationCache cache, SymmetryEnforcer.Factors enforced, long seed, TrainingMonitor monitor) {
}
