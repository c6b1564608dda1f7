package org.layerwise.report;

/** What the measured numbers say about a claim. */
public enum Verdict {
    HELD("held"),
    NOT_HELD("did not hold"),
    /** A number the rule needs is missing (the run failed, or an analyzer did not write it). */
    NOT_MEASURED("not measured");

    public final String label;

    Verdict(String label) {
        this.label = label;
    }
}
