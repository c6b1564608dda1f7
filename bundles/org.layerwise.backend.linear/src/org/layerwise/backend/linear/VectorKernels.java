package org.layerwise.backend.linear;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/** {@link Kernels} in the preferred species' lanes (lane-wise fma only), the columns past the last full vector in Math.fma. */
final class VectorKernels extends Kernels {

    private static final VectorSpecies<Double> S = DoubleVector.SPECIES_PREFERRED;

    int lanes() {
        return S.length();
    }

    @Override
    void axpy(double x, double[] v, int vo, double[] y, int yo, int n) {
        int i = 0;
        if (n >= S.length()) {
            DoubleVector xs = DoubleVector.broadcast(S, x);
            for (int bound = S.loopBound(n); i < bound; i += S.length()) {
                DoubleVector.fromArray(S, v, vo + i).fma(xs, DoubleVector.fromArray(S, y, yo + i)).intoArray(y, yo + i);
            }
        }
        axpyFrom(i, x, v, vo, y, yo, n);
    }

    @Override
    void sumRows(double[] c, int co, int cs, double[] m, int mo, int ms, int rows, double[] out, int o, int n,
            boolean accumulate) {
        int j = 0;
        int w = S.length();
        for (; j + 2 * w <= n; j += 2 * w) { // two independent chains at a time: each fma waits on the one before
            DoubleVector acc0 = accumulate ? DoubleVector.fromArray(S, out, o + j) : DoubleVector.zero(S);
            DoubleVector acc1 = accumulate ? DoubleVector.fromArray(S, out, o + j + w) : DoubleVector.zero(S);
            for (int r = 0; r < rows; r++) {
                DoubleVector x = DoubleVector.broadcast(S, c[co + r * cs]);
                int at = mo + r * ms + j;
                acc0 = DoubleVector.fromArray(S, m, at).fma(x, acc0);
                acc1 = DoubleVector.fromArray(S, m, at + w).fma(x, acc1);
            }
            acc0.intoArray(out, o + j);
            acc1.intoArray(out, o + j + w);
        }
        for (int bound = S.loopBound(n); j < bound; j += w) {
            DoubleVector acc = accumulate ? DoubleVector.fromArray(S, out, o + j) : DoubleVector.zero(S);
            for (int r = 0; r < rows; r++) {
                acc = DoubleVector.fromArray(S, m, mo + r * ms + j).fma(DoubleVector.broadcast(S, c[co + r * cs]), acc);
            }
            acc.intoArray(out, o + j);
        }
        sumRowsFrom(j, c, co, cs, m, mo, ms, rows, out, o, n, accumulate);
    }

    @Override
    String description() {
        return "Vector API, " + S.length() + " double lanes (" + S + ")";
    }
}
