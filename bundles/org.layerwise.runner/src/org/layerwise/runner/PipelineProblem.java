package org.layerwise.runner;

import java.nio.file.Path;

/**
 * One thing wrong with a pipeline, located as precisely as known: file and line, or the
 * command-line option (--set) that gave the value; stage (its position and role/id) and setting. The editor shows it at the field, the batch product prints it.
 */
public record PipelineProblem(ExitCode code, Path file, int line, int stage, String stageLabel, String setting,
        String message, String option) {

    /** A problem found in the file (not in a command-line option). */
    public PipelineProblem(ExitCode code, Path file, int line, int stage, String stageLabel, String setting, String message) {
        this(code, file, line, stage, stageLabel, setting, message, null);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        if (option != null) {
            sb.append(option);
        } else {
            sb.append(file == null ? "<pipeline>" : file.toString());
            if (line > 0) {
                sb.append(':').append(line);
            }
        }
        sb.append(": ");
        if (stage >= 0) {
            sb.append("stage ").append(stage + 1).append(" (").append(stageLabel).append(")");
            if (setting != null) {
                sb.append(", setting '").append(setting).append("'");
            }
            sb.append(": ");
        }
        return sb.append(message).toString();
    }
}
