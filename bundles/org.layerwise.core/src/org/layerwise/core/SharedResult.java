package org.layerwise.core;

/**
 * The name and type of a result that analyzers of one run share: a contribution provides it
 * ({@code <provides result="NAME" class="..."/>} in plugin.xml), an analyzer that reads it
 * declares {@code <requires result="NAME"/>} and asks {@link AnalysisContext#require}.
 */
public record SharedResult<T>(String name, Class<T> type) {

    public SharedResult {
        if (name == null || !name.matches(ContributionRegistry.RESULT_NAME)) {
            throw new IllegalArgumentException("shared result name '" + name + "' must be lower-case letters, digits, '-' or '.'");
        }
    }

    public static <T> SharedResult<T> of(String name, Class<T> type) {
        return new SharedResult<>(name, type);
    }
}
