package org.layerwise.io;

import java.io.IOException;

/** A JSON file that cannot be parsed, or that does not hold what was asked for. */
public class JsonFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final long line;
    private final long column;

    /** @param line 1-based, or -1 when unknown; @param column 1-based, or -1 when unknown */
    public JsonFormatException(String source, long line, long column, String detail, Throwable cause) {
        super(source + (line > 0 ? ": line " + line + (column > 0 ? ", column " + column : "") : "") + ": " + detail, cause);
        this.source = source;
        this.line = line;
        this.column = column;
    }

    public String source() {
        return source;
    }

    /** 1-based line of the problem, or -1 when it is not about one place in the text. */
    public long line() {
        return line;
    }

    /** 1-based column of the problem, or -1. */
    public long column() {
        return column;
    }
}
