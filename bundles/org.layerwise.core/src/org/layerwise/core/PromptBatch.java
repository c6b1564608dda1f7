package org.layerwise.core;

/**
 * P in-context classification prompts (SCIENCE.md section 1) in one flat row-major block:
 * z[p][i][k] at ((p * (N + 1)) + i) * D + k, tokens as rows, the query last with a zero
 * label block. contextLabels holds each context token's observed label (-1: unlabeled).
 */
public final class PromptBatch {

    public final int count;
    public final int features;
    public final int classes;
    public final int contextSize;
    public final double[] z;
    public final int[] queryLabels;
    public final int[] contextLabels;

    public PromptBatch(int count, int features, int classes, int contextSize, double[] z, int[] queryLabels,
            int[] contextLabels) {
        this.count = count;
        this.features = features;
        this.classes = classes;
        this.contextSize = contextSize;
        this.z = z;
        this.queryLabels = queryLabels;
        this.contextLabels = contextLabels;
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
        if (z.length != count * tokens() * dim || queryLabels.length != count || contextLabels.length != count * contextSize) {
            return "array lengths do not match " + count + " prompts of " + tokens() + " tokens of width " + dim;
        }
        for (double v : z) {
            if (!Double.isFinite(v)) {
                return "a prompt contains a non-finite value";
            }
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
        int[] q = java.util.Arrays.copyOfRange(queryLabels, from, from + n);
        int[] c = java.util.Arrays.copyOfRange(contextLabels, from * contextSize, (from + n) * contextSize);
        return new PromptBatch(n, features, classes, contextSize, zz, q, c);
    }
}
