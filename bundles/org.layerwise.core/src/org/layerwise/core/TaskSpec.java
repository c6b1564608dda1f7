package org.layerwise.core;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a task stage produces, known before any prompt is generated: d features, C classes
 * (or target width), N context tokens per prompt, and the task's own fixed structure where a
 * model or analyzer needs it (named arrays drawn once from the task's settings and seed, e.g.
 * the linear-regression task's input covariance basis "U", spectrum "s" and pool statistics;
 * empty for the classification tasks).
 *
 * <p>A token-sequence task (kind {@link #SEQUENCE}) also carries its {@link SequenceShape};
 * the other fields keep a meaning for readers that know only in-context tasks: features is
 * the vocabulary, classes the number of answers, contextSize the sequence length - 1. An
 * in-context task has no sequence shape (null).
 */
public record TaskSpec(String kind, int features, int classes, int contextSize, Map<String, double[]> structure,
        SequenceShape sequence) {

    public static final String CLASSIFICATION = "classification";
    /** Targets y in R^C in the label block, squared error on the query's (docs/mathematics.md section 2). */
    public static final String REGRESSION = "regression";
    /** A fixed set of token sequences with a train/test split, the answer read at one position (SequenceTaskGenerator). */
    public static final String SEQUENCE = "sequence";

    public TaskSpec {
        structure = structure == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(structure));
        if (SEQUENCE.equals(kind) != (sequence != null)) {
            throw new IllegalArgumentException("a task of kind " + kind + (sequence == null ? " needs" : " takes no") + " sequence shape");
        }
        if (sequence != null && (features != sequence.vocabulary() || contextSize != sequence.length() - 1)) {
            throw new IllegalArgumentException("a sequence task has features = vocabulary and contextSize = length - 1; got features "
                    + features + ", contextSize " + contextSize + " for " + sequence);
        }
    }

    /** An in-context task. */
    public TaskSpec(String kind, int features, int classes, int contextSize, Map<String, double[]> structure) {
        this(kind, features, classes, contextSize, structure, null);
    }

    /** A task without structure of its own. */
    public TaskSpec(String kind, int features, int classes, int contextSize) {
        this(kind, features, classes, contextSize, Map.of());
    }

    /** A token-sequence task of this shape with {@code classes} answers. */
    public static TaskSpec ofSequence(SequenceShape shape, int classes, Map<String, double[]> structure) {
        return new TaskSpec(SEQUENCE, shape.vocabulary(), classes, shape.length() - 1, structure, shape);
    }

    public boolean isSequence() {
        return sequence != null;
    }

    public int tokenDim() {
        return features + classes;
    }

    /** A named array of the task's structure (a copy), or null when the task has none of that name. */
    public double[] structure(String name) {
        double[] a = structure.get(name);
        return a == null ? null : a.clone();
    }

    /** Equal shapes (sequence shapes included) and kinds, and structures with equal arrays. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TaskSpec t) || !kind.equals(t.kind) || features != t.features || classes != t.classes
                || contextSize != t.contextSize || !java.util.Objects.equals(sequence, t.sequence)
                || !structure.keySet().equals(t.structure.keySet())) {
            return false;
        }
        for (var e : structure.entrySet()) {
            if (!java.util.Arrays.equals(e.getValue(), t.structure.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(kind, features, classes, contextSize, structure.keySet(), sequence);
    }

    @Override
    public String toString() {
        return "TaskSpec[" + kind + ", d=" + features + ", C=" + classes + ", N=" + contextSize
                + (sequence == null ? "" : ", " + sequence) + (structure.isEmpty() ? "" : ", structure " + structure.keySet()) + "]";
    }
}
