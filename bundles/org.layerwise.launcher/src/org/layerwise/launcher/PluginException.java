package org.layerwise.launcher;

/** A plugin command or the launcher cannot go on; the message says why and the exit code what kind of problem it is. */
public class PluginException extends Exception {
    private static final long serialVersionUID = 1L;
    private final Exit exit;

    public PluginException(Exit exit, String message) {
        super(message);
        this.exit = exit;
    }

    public PluginException(Exit exit, String message, Throwable cause) {
        super(message, cause);
        this.exit = exit;
    }

    public Exit exit() {
        return exit;
    }
}
