package org.layerwise.core;

/**
 * P in-context prompts (docs/mathematics.md section 1) in one flat row-major block:
 * z[p][i][k] at ((p * (N + 1)) + i) * D + k, tokens as rows, the query last with a zero
 * label block. For classification, contextLabels holds each context token's observed label
 * (-1: unlabeled) and queryLabels the query's class. For regression (section 2's linear
 * regression) the label block of a context token is its target y, queryTargets holds the
 * query's target [P, width] and both label arrays are empty.
 */
public final class PromptBatch {

    public final int count;
    public final int features;
    public final int classes;
    public final int contextSize;
    public final double[] z;
    public final int[] queryLabels;
    public final int[] contextLabels;
    /** The query's target per prompt, [count, classes] row-major, for regression; null for classification. */
    public final double[] queryTargets;

    public PromptBatch(int count, int features, int classes, int contextSize, double[] z, int[] queryLabels,
            int[] contextLabels) {
        this(count, features, classes, contextSize, z, queryLabels, contextLabels, null);
    }

    private PromptBatch(int count, int features, int classes, int contextSize, double[] z, int[] queryLabels,
            int[] contextLabels, double[] queryTargets) {
        this.count = count;
        this.features = features;
        this.classes = classes;
        this.contextSize = contextSize;
        this.z = z;
        this.queryLabels = queryLabels;
        this.contextLabels = contextLabels;
        this.queryTargets = queryTargets;
    }

    /** Regression prompts: targets of width {@code width} in the label block, the query's in {@code queryTargets}. */
    public static PromptBatch regression(int count, int features, int width, int contextSize, double[] z, double[] queryTargets) {
        return new PromptBatch(count, features, width, contextSize, z, new int[0], new int[0], queryTargets);
    }

    public boolean isRegression() {
        return queryTargets != null;
    }

    public int tokens() {
        return contextSize + 1;
    }

    public int tokenDim() {
        return features + classes;
    }

    public int offset(int prompt, int token) {
        return (prompt * tokens() + token) * tokenDim();
    }

    /** Checks the invariants every consumer relies on; returns null when valid, else what is wrong. */
    public String problem(TaskSpec spec, int expectedCount) {
        if (count != expectedCount) {
            return "returned " + count + " prompts, " + expectedCount + " were asked for";
        }
        if (features != spec.features() || classes != spec.classes() || contextSize != spec.contextSize()) {
            return "prompts have d=" + features + ", C=" + classes + ", N=" + contextSize + " but the task declared d="
                    + spec.features() + ", C=" + spec.classes() + ", N=" + spec.contextSize();
        }
        int dim = tokenDim();
        if (isRegression() != TaskSpec.REGRESSION.equals(spec.kind())) {
            return "prompts are for " + (isRegression() ? TaskSpec.REGRESSION : TaskSpec.CLASSIFICATION) + " but the task declared "
                    + spec.kind();
        }
        if (isRegression() ? z.length != count * tokens() * dim || queryTargets.length != count * classes
                : z.length != count * tokens() * dim || queryLabels.length != count || contextLabels.length != count * contextSize) {
            return "array lengths do not match " + count + " prompts of " + tokens() + " tokens of width " + dim;
        }
        for (double v : z) {
            if (!Double.isFinite(v)) {
                return "a prompt contains a non-finite value";
            }
        }
        if (isRegression()) {
            for (double v : queryTargets) {
                if (!Double.isFinite(v)) {
                    return "a query target is not finite";
                }
            }
            for (int p = 0; p < count; p++) {
                int q = offset(p, contextSize);
                for (int c = 0; c < classes; c++) {
                    if (z[q + features + c] != 0) {
                        return "prompt " + p + ": the query's target block is not zero";
                    }
                }
            }
            return null;
        }
        for (int p = 0; p < count; p++) {
            if (queryLabels[p] < 0 || queryLabels[p] >= classes) {
                return "prompt " + p + ": query label " + queryLabels[p] + " outside [0, " + classes + ")";
            }
            int q = offset(p, contextSize);
            for (int c = 0; c < classes; c++) {
                if (z[q + features + c] != 0) {
                    return "prompt " + p + ": the query's label block is not zero";
                }
            }
            for (int i = 0; i < contextSize; i++) {
                int label = contextLabels[p * contextSize + i];
                if (label < -1 || label >= classes) {
                    return "prompt " + p + ", token " + i + ": label " + label + " outside [-1, " + classes + ")";
                }
            }
        }
        return null;
    }

    /** Prompts [from, from + n) as their own batch (copies). */
    public PromptBatch slice(int from, int n) {
        int per = tokens() * tokenDim();
        double[] zz = java.util.Arrays.copyOfRange(z, from * per, (from + n) * per);
        if (isRegression()) {
            return regression(n, features, classes, contextSize, zz,
                    java.util.Arrays.copyOfRange(queryTargets, from * classes, (from + n) * classes));
        }
        int[] q = java.util.Arrays.copyOfRange(queryLabels, from, from + n);
        int[] c = java.util.Arrays.copyOfRange(contextLabels, from * contextSize, (from + n) * contextSize);
        return new PromptBatch(n, features, classes, contextSize, zz, q, c);
    }
}
