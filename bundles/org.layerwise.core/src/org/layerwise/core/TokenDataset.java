package org.layerwise.core;

/**
 * The examples of a token-sequence task and their split: {@code tokens} holds n examples of
 * {@code length} token ids, row-major [n, length], ids in [0, vocabulary); {@code labels} [n]
 * the answer of each, in [0, classes), read at {@code answerPosition}. {@code train} and
 * {@code test} are example indices, each strictly increasing, together a partition of 0..n-1.
 * The arrays are shared, not copied.
 */
public record TokenDataset(int vocabulary, int classes, int length, int answerPosition, int[] tokens, int[] labels, int[] train,
        int[] test) {

    public int count() {
        return labels.length;
    }

    /** Token {@code position} of example {@code example}. */
    public int token(int example, int position) {
        return tokens[example * length + position];
    }

    /** Why this dataset does not match the sequence task {@code spec}, or null when it does. */
    public String problem(TaskSpec spec) {
        SequenceShape shape = spec.sequence();
        if (shape == null) {
            return "the task is of kind " + spec.kind() + ", not " + TaskSpec.SEQUENCE;
        }
        if (tokens == null || labels == null || train == null || test == null) {
            return "tokens, labels, train and test must all be given";
        }
        if (vocabulary != shape.vocabulary() || classes != spec.classes() || length != shape.length()
                || answerPosition != shape.answerPosition()) {
            return "shape (vocabulary " + vocabulary + ", classes " + classes + ", length " + length + ", answer at " + answerPosition
                    + ") differs from the task's " + shape + " with " + spec.classes() + " classes";
        }
        int n = labels.length;
        if (n != shape.examples() || tokens.length != (long) n * length) {
            return n + " labels and " + tokens.length + " tokens; the task declares " + shape.examples() + " examples of "
                    + length + " tokens";
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocabulary) {
                return "token " + tokens[i] + " of example " + i / length + " is outside [0, " + vocabulary + ")";
            }
        }
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                return "label " + labels[i] + " of example " + i + " is outside [0, " + classes + ")";
            }
        }
        if (train.length != shape.trainExamples()) {
            return train.length + " training examples; the task declares " + shape.trainExamples();
        }
        boolean[] seen = new boolean[n];
        for (int[] split : new int[][] {train, test}) {
            String name = split == train ? "train" : "test";
            for (int k = 0; k < split.length; k++) {
                int e = split[k];
                if (e < 0 || e >= n) {
                    return name + " index " + e + " is outside [0, " + n + ")";
                }
                if (k > 0 && e <= split[k - 1]) {
                    return name + " indices must be strictly increasing; " + e + " follows " + split[k - 1];
                }
                if (seen[e]) {
                    return "example " + e + " is in both train and test";
                }
                seen[e] = true;
            }
        }
        if (train.length + test.length != n) {
            return "train and test hold " + (train.length + test.length) + " of the " + n + " examples; every example must be in one";
        }
        return null;
    }

    /** The accuracy of guessing uniformly: 1 / classes. */
    public double chance() {
        return 1.0 / classes;
    }

    /** The commonest label of the training split (the smallest such label on a tie). */
    public int majorityClass() {
        int[] counts = new int[classes];
        int best = 0;
        for (int e : train) {
            int c = labels[e];
            counts[c]++;
            if (counts[c] > counts[best] || (counts[c] == counts[best] && c < best)) {
                best = c;
            }
        }
        return best;
    }

    /** The test accuracy of always answering {@link #majorityClass()}. */
    public double majorityRate() {
        int c = majorityClass();
        int hits = 0;
        for (int e : test) {
            hits += labels[e] == c ? 1 : 0;
        }
        return test.length == 0 ? 0 : hits / (double) test.length;
    }
}
