package org.layerwise.runner.tests;

import java.util.concurrent.atomic.AtomicInteger;

import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.SharedResult;
import org.layerwise.core.SharedResultProvider;

/** Shared results declared in fragment.xml: test.answer, test.doubled (requires test.answer), and their readers. */
public final class SharedAnswers {

    static final SharedResult<Double> ANSWER = SharedResult.of("test.answer", Double.class);
    static final SharedResult<Double> DOUBLED = SharedResult.of("test.doubled", Double.class);
    /** How often test.answer was computed in this JVM. */
    static final AtomicInteger COMPUTED = new AtomicInteger();

    private SharedAnswers() {
    }

    public static final class Answer implements SharedResultProvider {
        @Override
        public Double compute(AnalysisContext context) {
            COMPUTED.incrementAndGet();
            return context.evaluation().count + 0.5 + context.settings().asMap().size();
        }
    }

    public static final class Doubled implements SharedResultProvider {
        @Override
        public Double compute(AnalysisContext context) throws Exception {
            return 2 * context.require(ANSWER);
        }
    }

    /** Reads test.answer: declared by test-answer-provider (it provides it), undeclared for test-answer-peeker. */
    public static final class Provider implements RecursionAnalyzer {
        @Override
        public AnalysisResult analyze(AnalysisContext context) throws Exception {
            return new AnalysisResult().scalar("answer", context.require(ANSWER));
        }
    }

    public static final class Reader implements RecursionAnalyzer {
        @Override
        public AnalysisResult analyze(AnalysisContext context) throws Exception {
            return new AnalysisResult().scalar("doubled", context.require(DOUBLED)).scalar("computations", COMPUTED.get());
        }
    }
}
