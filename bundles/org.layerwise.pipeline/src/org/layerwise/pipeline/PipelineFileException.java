package org.layerwise.pipeline;

import java.nio.file.Path;

/**
 * A *.layerwise file could not be read as a pipeline. The message has the form
 * {@code quickstart.layerwise:7:5: XML error: ...}, with line and column left out when not
 * known, so that consoles and editors can jump to the place.
 */
public class PipelineFileException extends Exception {

    private static final long serialVersionUID = 1L;

    private final transient Path path;
    private final String source;
    private final int line;
    private final int column;
    private final String problem;

    /**
     * @param path    the file, or null for text that did not come from a file
     * @param source  the name used in the message, usually the file name
     * @param line    1-based, or -1 when unknown
     * @param column  1-based, or -1 when unknown
     * @param problem what is wrong, in words a researcher understands, without the location
     * @param cause   the underlying exception, or null
     */
    public PipelineFileException(Path path, String source, int line, int column, String problem, Throwable cause) {
        super(format(source, line, column, problem), cause);
        this.path = path;
        this.source = source;
        this.line = line > 0 ? line : -1;
        this.column = line > 0 && column > 0 ? column : -1;
        this.problem = problem;
    }

    /** The file that was read; null when the text came from {@link PipelineFiles#fromXml}. */
    public Path getPath() {
        return path;
    }

    /** The name the message uses for the file (its file name, or the name given to fromXml). */
    public String getSource() {
        return source;
    }

    /** The 1-based line of the problem, or -1 when unknown. */
    public int getLine() {
        return line;
    }

    /** The 1-based column of the problem, or -1 when unknown. */
    public int getColumn() {
        return column;
    }

    /** The problem without its location. */
    public String getProblem() {
        return problem;
    }

    private static String format(String source, int line, int column, String problem) {
        StringBuilder sb = new StringBuilder(source);
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        return sb.append(": ").append(problem).toString();
    }
}
