package org.layerwise.core;

import org.layerwise.core.model.TransformerModel;

/**
 * The inputs of an analyzer: the model, the evaluation prompts with the activation cache of
 * the network on them, the enforcer's factors (which symmetry the weights should have), the
 * analyzer's settings and derived seed, the results the run's analyzers share, the run's
 * checkpoint series (empty when the run kept none), and what the backend reported of its
 * training (its loss curve and facts; null when the context was built outside a run).
 */
public record AnalysisContext(Settings settings, TransformerModel model, TaskSpec task, PromptBatch evaluation,
        ActivationCache cache, SymmetryEnforcer.Factors enforced, long seed, TrainingMonitor monitor, SharedResults shared,
        ModelSeries.Series series, TrainedModel training) {

    public AnalysisContext {
        if (series == null) {
            series = ModelSeries.Series.EMPTY;
        }
    }

    /** A context with a checkpoint series but without the backend's training record. */
    public AnalysisContext(Settings settings, TransformerModel model, TaskSpec task, PromptBatch evaluation,
            ActivationCache cache, SymmetryEnforcer.Factors enforced, long seed, TrainingMonitor monitor, SharedResults shared,
            ModelSeries.Series series) {
        this(settings, model, task, evaluation, cache, enforced, seed, monitor, shared, series, null);
    }

    /** A context without a checkpoint series. */
    public AnalysisContext(Settings settings, TransformerModel model, TaskSpec task, PromptBatch evaluation,
            ActivationCache cache, SymmetryEnforcer.Factors enforced, long seed, TrainingMonitor monitor, SharedResults shared) {
        this(settings, model, task, evaluation, cache, enforced, seed, monitor, shared, ModelSeries.Series.EMPTY, null);
    }

    /**
     * A shared result that another contribution provides (or this one), computed once per run;
     * the analyzer's plugin.xml must declare it with {@code <requires result="NAME"/>}.
     */
    public <T> T require(SharedResult<T> result) throws ContributionException {
        return shared.require(result, this);
    }

    /** A context whose analyzer shares nothing with others. */
    public AnalysisContext(Settings settings, TransformerModel model, TaskSpec task, PromptBatch evaluation,
            ActivationCache cache, SymmetryEnforcer.Factors enforced, long seed, TrainingMonitor monitor) {
        this(settings, model, task, evaluation, cache, enforced, seed, monitor, new SharedResults());
    }
}
