package com.example.layerwise.symmetry;

import java.util.SplittableRandom;

import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer;

/**
 * Random conjugation by the cyclic subgroup Z_d x Z_C of G = S_d x S_C: every step, layer and head
 * rotates the features by a uniform shift and the labels by another. The weights are pushed only
 * towards block-circulant matrices, a larger space than the commutant of G, so the six-scalar
 * abstraction need not hold: factors() reports no factor of G.
 */
public final class CyclicConjugation implements SymmetryEnforcer {

    @Override
    public Factors factors(Settings settings) {
        return Factors.NONE;
    }

    @Override
    public int[] permutation(Settings settings, int d, int classes, SplittableRandom rng) {
        int featureShift = rng.nextInt(d);
        int labelShift = settings.bool("labels") ? rng.nextInt(classes) : 0;
        int[] p = new int[d + classes];
        for (int k = 0; k < d; k++) {
            p[k] = (k + featureShift) % d;
        }
        for (int c = 0; c < classes; c++) {
            p[d + c] = d + (c + labelShift) % classes;
        }
        return p;
    }
}
