package org.layerwise.core;

/**
 * Computes a shared result (element {@code <provides>} of org.layerwise.core.recursionAnalyzers)
 * once per run, the first time an analyzer asks for it. The context carries the run's model,
 * prompts, activation cache, factors and checkpoint series, no settings, and a seed derived from
 * the run's seed and the result's name, so the value does not depend on which analyzer asked first.
 */
public interface SharedResultProvider {

    Object compute(AnalysisContext context) throws Exception;
}
