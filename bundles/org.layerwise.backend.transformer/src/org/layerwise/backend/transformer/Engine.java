package org.layerwise.backend.transformer;

/**
 * Loss, accuracy and gradient of a transformer on examples of the engine's
 * {@link org.layerwise.core.TokenDataset}. Weights and gradients are in the {@link Parameters}
 * layout. The loss is the mean cross-entropy of the answer logits (log-softmax in float64), the
 * accuracy the share of examples whose largest logit (the smallest index on a tie) is the label.
 */
public interface Engine {

    /** Mean cross-entropy and accuracy over a set of examples. */
    record Evaluation(double loss, double accuracy) {
    }

    /** Loss and accuracy on the examples {@code rows}, and the loss's gradient written over {@code gradient}. */
    Evaluation lossAndGradient(double[][] weights, int[] rows, double[][] gradient);

    /** Loss and accuracy on the examples {@code rows}. */
    Evaluation evaluate(double[][] weights, int[] rows);
}
