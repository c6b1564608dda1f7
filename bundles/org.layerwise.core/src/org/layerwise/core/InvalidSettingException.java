package org.layerwise.core;

/** A setting value that does not fit its declaration; the message says what was expected. */
public class InvalidSettingException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String setting;

    public InvalidSettingException(String setting, String message) {
        super(message);
        this.setting = setting;
    }

    /** The name of the offending setting, or null if the problem spans several. */
    public String setting() {
        return setting;
    }
}
