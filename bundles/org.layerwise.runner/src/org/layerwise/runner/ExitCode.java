package org.layerwise.runner;

/** Exit codes of the batch product, one per kind of outcome; README.md lists them. */
public enum ExitCode {
    OK(0, "the run completed (status OK)"),
    FAILED(1, "a stage failed while running (status FAILED, cause in run.json)"),
    USAGE(2, "the command line is wrong (unknown command or option)"),
    MALFORMED_PIPELINE(3, "the pipeline file is missing, not XML, or not a Layerwise pipeline"),
    UNKNOWN_CONTRIBUTION(4, "a stage names a contribution id that no installed bundle provides"),
    INVALID_SETTING(5, "a setting is unknown, of the wrong type or out of range (in the file or a --set)"),
    INCOMPATIBLE_STAGES(6, "the stages do not form a runnable pipeline (missing, repeated or incompatible)"),
    OUTPUT_NOT_WRITABLE(7, "the output directory cannot be created or written"),
    BAD_INPUT_FILE(8, "an input data file (e.g. model weights) is malformed or inconsistent"),
    DIVERGED(9, "training diverged (non-finite loss; status DIVERGED)"),
    PARTIAL(10, "the model was built but an analyzer failed (status PARTIAL)"),
    NOT_RESUMABLE(11, "the run directory cannot be resumed (not a run, still running, or completed)"),
    SWEEP_INCOMPLETE(12, "a sweep ended with points that are not OK (sweep status DIR names them)"),
    SWEEP_MISMATCH(19, "the sweep directory holds another sweep, or its sweep.json is unreadable"),
    CANCELLED(130, "the run was cancelled (status CANCELLED)");

    public final int code;
    public final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }
}
