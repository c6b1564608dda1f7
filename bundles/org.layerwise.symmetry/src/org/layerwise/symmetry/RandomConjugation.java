package org.layerwise.symmetry;

import java.util.SplittableRandom;

import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer;
import org.layerwise.core.symmetry.BlockPermutation;

/**
 * Paper A's enforcer: a fresh uniform Pi per step, layer and head. Training the conjugated
 * model optimises the group-averaged loss, whose minimisers are equivariant.
 */
public class RandomConjugation implements SymmetryEnforcer {

    @Override
    public Factors factors(Settings settings) {
        return switch (settings.text("factor")) {
            case "features" -> new Factors(true, false);
            case "labels" -> new Factors(false, true);
            default -> Factors.BOTH;
        };
    }

    @Override
    public int[] permutation(Settings settings, int d, int classes, SplittableRandom rng) {
        Factors f = factors(settings);
        return BlockPermutation.draw(d, classes, f.features(), f.labels(), rng);
    }
}
