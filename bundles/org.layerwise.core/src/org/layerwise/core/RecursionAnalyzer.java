package org.layerwise.core;

import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.NetworkConfig;

/** Extension point org.layerwise.core.recursionAnalyzers (docs/mathematics.md sections 4-8). */
public interface RecursionAnalyzer {

    /** Checks that the analyzer applies to this model and task, without computing. */
    default void configure(Settings settings, ModelConfig model, TaskSpec task) throws InvalidSettingException {
    }

    /**
     * Checks that the analyzer applies to this network and task (for an analyzer whose plugin.xml
     * lists the network's family in {@code families}). The default asks {@link #configure} with no
     * attention-only model.
     */
    default void configureNetwork(Settings settings, NetworkConfig network, TaskSpec task) throws InvalidSettingException {
        configure(settings, null, task);
    }

    AnalysisResult analyze(AnalysisContext context) throws Exception;
}
