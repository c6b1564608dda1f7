package org.layerwise.symmetry;

import java.util.SplittableRandom;

import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer;

/**
 * Enforcer "tied": every QK and OV is parameterized directly in the commutant of
 * G = S_d x S_C, so the backend trains six scalars per matrix (docs/mathematics.md section 5).
 */
public class TiedCommutant implements SymmetryEnforcer {

    @Override
    public Factors factors(Settings settings) {
        return Factors.BOTH;
    }

    @Override
    public int[] permutation(Settings settings, int d, int classes, SplittableRandom rng) {
        return null;
    }

    @Override
    public boolean tied(Settings settings) {
        return true;
    }
}
