package org.layerwise.io;

import java.io.IOException;

/** A CSV file that is not valid RFC 4180 or whose records do not match its header. */
public class CsvFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    public CsvFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
