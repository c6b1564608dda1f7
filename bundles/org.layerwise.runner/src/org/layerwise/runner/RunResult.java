package org.layerwise.runner;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** The terminal state of a run: status, where it was written, its metrics and summary lines. */
public record RunResult(RunStatus status, String cause, Path directory, Map<String, Object> metrics, List<String> summary) {

    public ExitCode exitCode() {
        return switch (status) {
            case OK -> ExitCode.OK;
            case FAILED -> ExitCode.FAILED;
            case CANCELLED -> ExitCode.CANCELLED;
            case PARTIAL -> ExitCode.PARTIAL;
            case DIVERGED -> ExitCode.DIVERGED;
            case RUNNING, INTERRUPTED -> throw new IllegalStateException("a finished run cannot be " + status);
        };
    }
}
