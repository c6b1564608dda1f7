package org.layerwise.core;

import java.nio.file.Path;

/**
 * An input data file (model weights, a config) is missing, malformed or inconsistent. The
 * message names the file, the item (tensor or key) and what was expected; the batch product
 * exits with its own code and writes nothing.
 */
public class BadInputFileException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    public BadInputFileException(Path file, String message, Throwable cause) {
        super(file + ": " + message, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
