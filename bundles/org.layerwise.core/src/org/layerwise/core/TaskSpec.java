package org.layerwise.core;

/**
 * What a task stage produces, known before any prompt is generated: d features, C classes
 * (or target width), N context tokens per prompt.
 */
public record TaskSpec(String kind, int features, int classes, int contextSize) {

    public static final String CLASSIFICATION = "classification";
    /** Targets y in R^C in the label block, squared error on the query's (SCIENCE.md section 2). */
    public static final String REGRESSION = "regression";

    public int tokenDim() {
        return features + classes;
    }
}
