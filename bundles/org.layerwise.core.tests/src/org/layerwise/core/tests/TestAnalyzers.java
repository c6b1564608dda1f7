package org.layerwise.core.tests;

import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.RecursionAnalyzer;

/** Contributions declared in fragment.xml to exercise the registry and the SafeRunner boundary. */
public final class TestAnalyzers {

    private TestAnalyzers() {
    }

    public static final class Good implements RecursionAnalyzer {
        @Override
        public AnalysisResult analyze(AnalysisContext context) {
            return new AnalysisResult().scalar("value", context.settings().real("level"));
        }
    }

    public static final class Throws implements RecursionAnalyzer {
        @Override
        public AnalysisResult analyze(AnalysisContext context) {
            throw new IllegalStateException("deliberate failure");
        }
    }
}
