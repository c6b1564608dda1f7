package org.layerwise.batch;

import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.RecursionAnalyzer;

/** Fails in a method of its own, so that its frame must show in the stack trace the user sees. */
public final class ThrowingAnalyzer implements RecursionAnalyzer {
    @Override
    public AnalysisResult analyze(AnalysisContext context) {
        return new AnalysisResult().scalar("never", deeper());
    }

    private static double deeper() {
        throw new IllegalStateException("deliberate failure of a test analyzer");
    }
}
