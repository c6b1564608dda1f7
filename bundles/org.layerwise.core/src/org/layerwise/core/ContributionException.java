package org.layerwise.core;

/** A contributed implementation failed or returned something invalid; names its origin. */
public class ContributionException extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient ContributionDescriptor contribution;

    public ContributionException(ContributionDescriptor contribution, String message, Throwable cause) {
        super(contribution.origin() + ": " + message, cause);
        this.contribution = contribution;
    }

    public ContributionDescriptor contribution() {
        return contribution;
    }
}
