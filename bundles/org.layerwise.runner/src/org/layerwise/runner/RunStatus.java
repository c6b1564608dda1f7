package org.layerwise.runner;

/**
 * Status of a run. run.json says RUNNING until the run ends, so a torn run never looks
 * complete; INTERRUPTED is never written: it is what a reader makes of a RUNNING run whose
 * process is gone (killed, or the machine went down), see {@link RunDirectory#status(java.nio.file.Path)}.
 */
public enum RunStatus {
    RUNNING, OK, FAILED, CANCELLED, PARTIAL, DIVERGED, INTERRUPTED;

    /** True for the statuses a finished run records. */
    public boolean terminal() {
        return this != RUNNING && this != INTERRUPTED;
    }
}
