package org.layerwise.batch;

import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.RecursionAnalyzer;

/** Takes 2 s and never looks at cancellation, as careless contributed code would. */
public final class SlowAnalyzer implements RecursionAnalyzer {
    @Override
    public AnalysisResult analyze(AnalysisContext context) throws InterruptedException {
        Thread.sleep(2000);
        return new AnalysisResult().scalar("slept", 2);
    }
}
