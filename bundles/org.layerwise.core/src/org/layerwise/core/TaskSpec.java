package org.layerwise.core;

/**
 * What a task stage produces, known before any prompt is generated: d features, C classes
 * (or target width), N context tokens per prompt.
 */
public record TaskSpec(String kind, int features, int classes, int contextSize) {

    public static final String CLASSIFICATION = "classification";

    public int tokenDim() {
        return features + classes;
    }
}
