package org.layerwise.runner;

import java.util.List;

/** The pipeline cannot run; carries every problem found and the exit code of the first. */
public class PipelineException extends Exception {
    private static final long serialVersionUID = 1L;
    private final ExitCode exitCode;
    private final transient List<PipelineProblem> problems;

    public PipelineException(List<PipelineProblem> problems) {
        super(String.join("\n", problems.stream().map(PipelineProblem::toString).toList()));
        this.problems = List.copyOf(problems);
        this.exitCode = problems.get(0).code();
    }

    public PipelineException(ExitCode code, String message) {
        super(message);
        this.problems = List.of();
        this.exitCode = code;
    }

    public ExitCode exitCode() {
        return exitCode;
    }

    public List<PipelineProblem> problems() {
        return problems;
    }
}
