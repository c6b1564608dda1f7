package org.layerwise.sweep.aggregate;

import java.io.IOException;
import java.nio.file.Path;

/**
 * sweep.json is missing, is not JSON, is of another format or version, or a field has the wrong
 * shape. The message names the file and, where one is to blame, the field.
 */
public final class SweepFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String field;

    public SweepFormatException(Path file, String field, String problem, Throwable cause) {
        super(file + (field == null ? "" : ": field '" + field + "'") + ": " + problem, cause);
        this.file = file;
        this.field = field;
    }

    public Path file() {
        return file;
    }

    /** The field at fault (a JSON path such as {@code points[3].seed}), or null for the file as a whole. */
    public String field() {
        return field;
    }
}
