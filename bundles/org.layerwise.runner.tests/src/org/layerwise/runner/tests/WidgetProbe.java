package org.layerwise.runner.tests;

import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.RecursionAnalyzer;

/** A third party's analyzer (fragment.xml) with fixed scalars, for what the runner makes of its declared headlines. */
public final class WidgetProbe implements RecursionAnalyzer {

    @Override
    public AnalysisResult analyze(AnalysisContext context) {
        return new AnalysisResult().scalar("widget_score", 0.42).scalar("widget_score_low", 0.4).scalar("widget_score_high", 0.44)
                .scalar("widget_spread", 1.5).scalar("model_accuracy", 0.25).scalar("model_accuracy_low", 0.125)
                .scalar("model_accuracy_high", 0.375);
    }
}
