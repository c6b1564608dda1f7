package org.layerwise.symmetry;

import java.util.SplittableRandom;

import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer;

/** Enforcer "none": no conjugation, no constraint. */
public class NoSymmetry implements SymmetryEnforcer {

    @Override
    public Factors factors(Settings settings) {
        return Factors.NONE;
    }

    @Override
    public int[] permutation(Settings settings, int d, int classes, SplittableRandom rng) {
        return null;
    }
}
