package org.layerwise.symmetry;

import java.util.SplittableRandom;

import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer;
import org.layerwise.core.symmetry.Commutant;

/**
 * Enforcer "projection": after every optimizer step each QK and OV is replaced by its
 * Reynolds projection R(M) = E_Pi[Pi M Pi^T] (closed form, docs/mathematics.md section 4). R commutes
 * with transposition, so projecting OV projects V = OV^T.
 */
public class ReynoldsProjection implements SymmetryEnforcer {

    @Override
    public Factors factors(Settings settings) {
        return Factors.BOTH;
    }

    @Override
    public int[] permutation(Settings settings, int d, int classes, SplittableRandom rng) {
        return null;
    }

    @Override
    public boolean actsOnMergedWeights(Settings settings) {
        return true;
    }

    @Override
    public void afterStep(Settings settings, double[][] qk, double[][] ov, int d, int classes) {
        for (double[][] matrices : new double[][][] {qk, ov}) {
            for (int i = 0; i < matrices.length; i++) {
                matrices[i] = Commutant.reynolds(matrices[i], d, classes);
            }
        }
    }
}
