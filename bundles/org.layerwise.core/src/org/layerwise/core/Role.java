package org.layerwise.core;

/** The four kinds of contribution, each an extension point of org.layerwise.core. */
public enum Role {
    TASK("task", "taskGenerators", "taskGenerator", "task generator"),
    BACKEND("backend", "modelBackends", "modelBackend", "model backend"),
    ENFORCER("enforcer", "symmetryEnforcers", "symmetryEnforcer", "symmetry enforcer"),
    ANALYZER("analyzer", "recursionAnalyzers", "recursionAnalyzer", "recursion analyzer");

    /** The name used in pipelines and on the command line. */
    public final String key;
    /** The element name inside the extension. */
    public final String element;
    public final String label;
    private final String pointSimpleId;

    Role(String key, String pointSimpleId, String element, String label) {
        this.key = key;
        this.pointSimpleId = pointSimpleId;
        this.element = element;
        this.label = label;
    }

    public String extensionPointId() {
        return "org.layerwise.core." + pointSimpleId;
    }

    public static Role fromKey(String key) {
        for (Role r : values()) {
            if (r.key.equals(key)) {
                return r;
            }
        }
        return null;
    }
}
