package org.layerwise.launcher;

/** Exit codes of the plugin commands and the launcher helper (README.md lists them with the product's). */
public enum Exit {
    OK(0, "done"),
    USAGE(2, "the command line is wrong"),
    SOURCE(14, "what to add does not exist, cannot be read, or is neither a jar, a directory nor a local p2 repository"),
    NOT_A_BUNDLE(15, "a jar or directory is not an OSGi bundle (no Bundle-SymbolicName), or a p2 repository lists no bundle"),
    CLASH(16, "the bundle's id is one of Layerwise's own bundles (or in its reserved org.layerwise. namespace)"),
    NOT_INSTALLED(17, "no plugin with that id is in the plugin folder"),
    FOLDER(18, "the plugin folder or the configuration cache cannot be created or written");

    public final int code;
    public final String meaning;

    Exit(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }
}
