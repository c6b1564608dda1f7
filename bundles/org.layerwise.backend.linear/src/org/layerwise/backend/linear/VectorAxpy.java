package org.layerwise.backend.linear;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/** {@link Axpy} in the preferred species' lanes (lane-wise fma only), the tail in Math.fma. */
final class VectorAxpy extends Axpy {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

    int lanes() {
        return S.length();
    }

    @Override
    void run(double x, double[] v, int vo, double[] y, int yo, int n) {
        int i = 0;
        if (n >= S.length()) {
            DoubleVector xs = DoubleVector.broadcast(S, x);
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                DoubleVector.fromArray(S, v, vo + i).fma(xs, DoubleVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
            }
        }
        for (; i < n; i++) {
            y[yo + i] = Math.fma(x, v[vo + i], y[yo + i]);
        }
    }

    @Override
    String description() {
        return "Vector API, " + S.length() + " double lanes (" + S + ")";
    }
}
