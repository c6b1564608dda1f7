package org.layerwise.core;

/**
 * The shape of a token-sequence task (kind {@link TaskSpec#SEQUENCE}): every example is
 * {@code length} tokens from a vocabulary of {@code vocabulary} ids, and its label is read at
 * {@code answerPosition}. The task has a fixed set of {@code examples}, of which
 * {@code trainExamples} form the training split and the rest the test split; both are non-empty.
 */
public record SequenceShape(int vocabulary, int length, int answerPosition, int examples, int trainExamples) {

    public SequenceShape {
        if (vocabulary < 1 || length < 1 || answerPosition < 0 || answerPosition >= length) {
            throw new IllegalArgumentException("a sequence needs a vocabulary, at least one token and an answer position inside it; got "
                    + "vocabulary " + vocabulary + ", length " + length + ", answer at " + answerPosition);
        }
        if (trainExamples < 1 || trainExamples >= examples) {
            throw new IllegalArgumentException("both splits must be non-empty; got " + trainExamples + " training examples of "
                    + examples);
        }
    }

    public int testExamples() {
        return examples - trainExamples;
    }
}
