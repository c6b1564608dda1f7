package org.layerwise.runner.tests;

import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Settings;
import org.layerwise.core.Table;
import org.layerwise.core.TaskGenerator;
import org.layerwise.core.TaskSpec;

/** Contributions declared in fragment.xml that misbehave in the ways the runner must contain. */
public final class FaultyContributions {

    private FaultyContributions() {
    }

    public static final class Throws implements RecursionAnalyzer {
        @Override
        public AnalysisResult analyze(AnalysisContext context) {
            throw new ArithmeticException("deliberate failure");
        }
    }

    public static final class OutOfMemory implements RecursionAnalyzer {
        @Override
        public AnalysisResult analyze(AnalysisContext context) {
            throw new OutOfMemoryError("Java heap space");
        }
    }

    /** Recurses without end: a real StackOverflowError, not a thrown one. */
    public static final class Recurses implements RecursionAnalyzer {
        @Override
        public AnalysisResult analyze(AnalysisContext context) {
            return new AnalysisResult().scalar("depth", depth(0));
        }

        private static int depth(int n) {
            return depth(n + 1) + 1;
        }
    }

    /** Throws an Error that is neither about memory nor the stack. */
    public static final class InternalError implements RecursionAnalyzer {
        @Override
        public AnalysisResult analyze(AnalysisContext context) {
            throw new java.lang.InternalError("deliberate internal error");
        }
    }

    /** Takes its time and never looks at cancellation (as careless contributed code would). */
    public static final class IgnoresCancel implements RecursionAnalyzer {
        @Override
        public AnalysisResult analyze(AnalysisContext context) throws InterruptedException {
            Thread.sleep(1500);
            return new AnalysisResult().scalar("slept", 1.5);
        }
    }

    public static final class Undeclared implements RecursionAnalyzer {
        @Override
        public AnalysisResult analyze(AnalysisContext context) {
            return new AnalysisResult().table("surprise", Table.of("x").add(1));
        }
    }

    /** NaN for 'score', which its plugin.xml does not declare undefined. */
    public static final class ReturnsNaN implements RecursionAnalyzer {
        @Override
        public AnalysisResult analyze(AnalysisContext context) {
            return new AnalysisResult().scalar("fine", 1).scalar("coverage", Double.NaN).scalar("score", Double.NaN);
        }
    }

    /** NaN only for 'coverage', which its plugin.xml declares undefined. */
    public static final class DeclaredNaN implements RecursionAnalyzer {
        @Override
        public AnalysisResult analyze(AnalysisContext context) {
            return new AnalysisResult().scalar("fine", 1).scalar("coverage", Double.NaN);
        }
    }

    public static final class ShortTask implements TaskGenerator {
        @Override
        public TaskSpec configure(Settings settings) {
            return new TaskSpec(TaskSpec.CLASSIFICATION, 3, 2, 4);
        }

        @Override
        public PromptBatch generate(Settings settings, int count, long seed) {
            int n = Math.max(0, count - 1);
            return new PromptBatch(n, 3, 2, 4, new double[n * 5 * 5], new int[n], new int[n * 4]);
        }
    }

    /** Declares a sequence task but has no dataset: the validator must refuse it. */
    public static final class SequenceImpostor implements TaskGenerator {
        @Override
        public TaskSpec configure(Settings settings) {
            return TaskSpec.ofSequence(new org.layerwise.core.SequenceShape(4, 3, 2, 9, 3), 3, null);
        }

        @Override
        public PromptBatch generate(Settings settings, int count, long seed) {
            throw new IllegalStateException("never called");
        }
    }
}
