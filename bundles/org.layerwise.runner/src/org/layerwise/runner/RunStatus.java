package org.layerwise.runner;

/** Status recorded in run.json; RUNNING until the run ends, so a torn run never looks complete. */
public enum RunStatus {
    RUNNING, OK, FAILED, CANCELLED, PARTIAL, DIVERGED
}
