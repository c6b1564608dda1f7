package org.layerwise.core;

import org.layerwise.core.model.ModelConfig;

/** Extension point org.layerwise.core.recursionAnalyzers (docs/SCIENCE.md sections 4-8). */
public interface RecursionAnalyzer {

    /** Checks that the analyzer applies to this model and task, without computing. */
    default void configure(Settings settings, ModelConfig model, TaskSpec task) throws InvalidSettingException {
    }

    AnalysisResult analyze(AnalysisContext context) throws Exception;
}
