package org.layerwise.core;

import java.util.Map;
import java.util.TreeMap;

/**
 * What a task stage produces, known before any prompt is generated: d features, C classes
 * (or target width), N context tokens per prompt, and the task's own fixed structure where a
 * model or analyzer needs it (named arrays drawn once from the task's settings and seed, e.g.
 * the linear-regression task's input covariance basis "U", spectrum "s" and pool statistics;
 * empty for the classification tasks).
 */
public record TaskSpec(String kind, int features, int classes, int contextSize, Map<String, double[]> structure) {

    public static final String CLASSIFICATION = "classification";
    /** Targets y in R^C in the label block, squared error on the query's (SCIENCE.md section 2). */
    public static final String REGRESSION = "regression";

    public TaskSpec {
        structure = structure == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(structure));
    }

    /** A task without structure of its own. */
    public TaskSpec(String kind, int features, int classes, int contextSize) {
        this(kind, features, classes, contextSize, Map.of());
    }

    public int tokenDim() {
        return features + classes;
    }

    /** A named array of the task's structure (a copy), or null when the task has none of that name. */
    public double[] structure(String name) {
        double[] a = structure.get(name);
        return a == null ? null : a.clone();
    }

    /** Equal shapes and kinds, and structures with equal arrays. */
    @Override
    public boolean equals(Object o) {
        if (!(o instanceof TaskSpec t) || !kind.equals(t.kind) || features != t.features || classes != t.classes
                || contextSize != t.contextSize || !structure.keySet().equals(t.structure.keySet())) {
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
        return java.util.Objects.hash(kind, features, classes, contextSize, structure.keySet());
    }

    @Override
    public String toString() {
        return "TaskSpec[" + kind + ", d=" + features + ", C=" + classes + ", N=" + contextSize
                + (structure.isEmpty() ? "" : ", structure " + structure.keySet()) + "]";
    }
}
