package org.layerwise.core;

import java.util.SplittableRandom;

/** Extension point org.layerwise.core.symmetryEnforcers (docs/mathematics.md section 4). */
public interface SymmetryEnforcer {

    /** Which factors of G = S_d x S_C the enforcer imposes (none, features, labels or both). */
    record Factors(boolean features, boolean labels) {
        public static final Factors NONE = new Factors(false, false);
        public static final Factors BOTH = new Factors(true, true);

        public boolean any() {
            return features || labels;
        }

        public String key() {
            return features && labels ? "both" : features ? "features" : labels ? "labels" : "none";
        }
    }

    /** The factors this enforcer imposes under the given settings; analyzers read it. */
    Factors factors(Settings settings);

    /**
     * The permutation to conjugate one layer's head with at one training step, as an index
     * map of the D = d + C coordinates (see BlockPermutation), or null for no conjugation.
     * Called once per step, layer and head, in that order, with the stage's random stream.
     */
    int[] permutation(Settings settings, int d, int classes, SplittableRandom rng);

    /**
     * True when the backend should train only the six commutant scalars of every QK and OV
     * (docs/mathematics.md section 5) instead of their entries.
     */
    default boolean tied(Settings settings) {
        return false;
    }

    /**
     * True when the enforcer constrains or edits the merged QK and OV themselves (tied
     * scalars, a projection after each step): a factored model cannot follow that, so the
     * validator refuses the combination.
     */
    default boolean actsOnMergedWeights(Settings settings) {
        return tied(settings);
    }

    /**
     * True when the enforcer does nothing under these settings: no permutation, no tying, no
     * edits of the merged weights (enforcer none); what a backend without symmetries accepts.
     */
    static boolean inert(SymmetryEnforcer enforcer, Settings settings) {
        return enforcer.permutation(settings, 1, 1, new SplittableRandom(0)) == null && !enforcer.tied(settings)
                && !enforcer.actsOnMergedWeights(settings);
    }

    /**
     * Called after every optimizer step with the weights (QK and OV per layer and head,
     * D x D row-major), which it may change in place; e.g. the Reynolds projection.
     */
    default void afterStep(Settings settings, double[][] qk, double[][] ov, int d, int classes) {
    }
}
