package org.layerwise.core;

import org.layerwise.core.model.NetworkModel;
import org.layerwise.core.model.TransformerModel;

/**
 * The inputs of an analyzer: the model, the evaluation prompts with the activation cache of
 * the network on them, the enforcer's factors (which symmetry the weights should have), the
 * analyzer's settings and derived seed, the results the run's analyzers share, the run's
 * checkpoint series (empty when the run kept none), and what the backend reported of its
 * training (its loss curve and facts; null when the context was built outside a run). For a
 * network ({@link NetworkBackend}) on a sequence task, {@code network} and {@code dataset} stand
 * in for the attention-only {@code model}, the prompts and the cache, which are then null.
 */
public record AnalysisContext(Settings settings, TransformerModel model, TaskSpec task, PromptBatch evaluation,
        ActivationCache cache, SymmetryEnforcer.Factors enforced, long seed, TrainingMonitor monitor, SharedResults shared,
        ModelSeries.Series series, TrainedModel training, NetworkModel network, TokenDataset dataset) {

    public AnalysisContext {
        if (series == null) {
            series = ModelSeries.Series.EMPTY;
        }
    }

    /** A context of an attention-only model and in-context prompts. */
    public AnalysisContext(Settings settings, TransformerModel model, TaskSpec task, PromptBatch evaluation,
            ActivationCache cache, SymmetryEnforcer.Factors enforced, long seed, TrainingMonitor monitor, SharedResults shared,
            ModelSeries.Series series, TrainedModel training) {
        this(settings, model, task, evaluation, cache, enforced, seed, monitor, shared, series, training, null, null);
    }

    /**
     * A context of a network ({@link NetworkBackend}) on a sequence task: no attention-only model,
     * no prompts and no activation cache; the network, the task's examples and split instead.
     */
    public static AnalysisContext ofNetwork(Settings settings, NetworkModel network, TaskSpec task, TokenDataset dataset,
            long seed, TrainingMonitor monitor, SharedResults shared, ModelSeries.Series series, TrainedModel training) {
        return new AnalysisContext(settings, null, task, null, null, SymmetryEnforcer.Factors.NONE, seed, monitor, shared, series,
                training, network, dataset);
    }

    /** Whether the model analysed is a network ({@link #network()}) rather than attention-only ({@link #model()}). */
    public boolean isNetwork() {
        return network != null;
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
