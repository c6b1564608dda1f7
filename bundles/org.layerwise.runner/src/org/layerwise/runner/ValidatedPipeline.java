package org.layerwise.runner;

import java.util.List;
import java.util.Map;

import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ModelBackend;
import org.layerwise.core.ProvidedResult;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer;
import org.layerwise.core.TaskGenerator;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.NetworkConfig;

/**
 * A pipeline that passed validation: every stage resolved to its contribution, typed
 * settings and implementation, the shapes flowing between stages known, and the provider of
 * every shared result its analyzers require (directly or through another provider), by name.
 * A pipeline's backend builds either an attention-only model ({@code modelConfig}) or a network
 * ({@code network}), never both.
 */
public record ValidatedPipeline(PipelineSpec spec, Bound<TaskGenerator> task, Bound<ModelBackend> backend,
        Bound<SymmetryEnforcer> enforcer, List<Bound<RecursionAnalyzer>> analyzers, TaskSpec taskSpec,
        ModelConfig modelConfig, SymmetryEnforcer.Factors factors, Map<String, ProvidedResult> providers, NetworkConfig network) {

    /** Whether the backend builds a network ({@link #network()}, then {@code modelConfig} is null). */
    public boolean isNetwork() {
        return network != null;
    }

    /** The family of the model the backend builds: attention-only or the network's. */
    public String family() {
        return network != null ? network.family() : ContributionDescriptor.ATTENTION_ONLY;
    }

    /** A stage bound to its contribution. */
    public record Bound<T>(ContributionDescriptor descriptor, Settings settings, T implementation) {
        public String id() {
            return descriptor.id();
        }
    }
}
