package org.layerwise.backend.transformer;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemm} with jdk.incubator.vector: broadcast one A entry, multiply-add a vector of B's
 * row into C, four rows of C and four vectors of columns per block (sixteen accumulators in
 * registers), then four rows by one vector; the columns after the last full vector run as
 * scalar fused multiply-adds.
 * Only lane-wise fma is used, so each entry's chain is the scalar one.
 */
final class VectorGemm extends Gemm {

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int W = S.length();

    static int lanes() {
        return W;
    }

    @Override
    String description() {
        return "Vector API " + S;
    }

    @Override
    void gemm(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int ldb, int rows, int inner,
            int n, boolean accumulate) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int cr = cOff + r * ldc;
            int ar = aOff + r * ars;
            int j = 0;
            for (; j + 4 * W <= n; j += 4 * W) {
                block4x4(c, cr + j, ldc, a, ar, ars, acs, b, bOff + j, ldb, inner, accumulate);
            }
            for (; j + W <= n; j += W) {
                block4x1(c, cr + j, ldc, a, ar, ars, acs, b, bOff + j, ldb, inner, accumulate);
            }
            if (j < n) {
                for (int q = 0; q < 4; q++) {
                    scalarRow(c, cr + q * ldc, a, ar + q * ars, acs, b, bOff, ldb, inner, j, n, accumulate);
                }
            }
        }
        for (; r < rows; r++) {
            int cr = cOff + r * ldc;
            int ar = aOff + r * ars;
            int j = 0;
            for (; j + W <= n; j += W) {
                FloatVector acc = accumulate ? FloatVector.fromArray(S, c, cr + j) : FloatVector.zero(S);
                int bs = bOff + j;
                int as = ar;
                for (int s = 0; s < inner; s++, bs += ldb, as += acs) {
                    acc = FloatVector.broadcast(S, a[as]).fma(FloatVector.fromArray(S, b, bs), acc);
                }
                acc.intoArray(c, cr + j);
            }
            if (j < n) {
                scalarRow(c, cr, a, ar, acs, b, bOff, ldb, inner, j, n, accumulate);
            }
        }
    }

    private static void block4x4(float[] c, int c0, int ldc, float[] a, int a0, int ars, int acs, float[] b, int bs, int ldb, int inner,
            boolean accumulate) {
        FloatVector x00;
        FloatVector x01;
        FloatVector x02;
        FloatVector x03;
        FloatVector x10;
        FloatVector x11;
        FloatVector x12;
        FloatVector x13;
        FloatVector x20;
        FloatVector x21;
        FloatVector x22;
        FloatVector x23;
        FloatVector x30;
        FloatVector x31;
        FloatVector x32;
        FloatVector x33;
        if (accumulate) {
            x00 = FloatVector.fromArray(S, c, c0);
            x01 = FloatVector.fromArray(S, c, c0 + W);
            x02 = FloatVector.fromArray(S, c, c0 + 2 * W);
            x03 = FloatVector.fromArray(S, c, c0 + 3 * W);
            x10 = FloatVector.fromArray(S, c, c0 + ldc);
            x11 = FloatVector.fromArray(S, c, c0 + ldc + W);
            x12 = FloatVector.fromArray(S, c, c0 + ldc + 2 * W);
            x13 = FloatVector.fromArray(S, c, c0 + ldc + 3 * W);
            x20 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            x21 = FloatVector.fromArray(S, c, c0 + 2 * ldc + W);
            x22 = FloatVector.fromArray(S, c, c0 + 2 * ldc + 2 * W);
            x23 = FloatVector.fromArray(S, c, c0 + 2 * ldc + 3 * W);
            x30 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
            x31 = FloatVector.fromArray(S, c, c0 + 3 * ldc + W);
            x32 = FloatVector.fromArray(S, c, c0 + 3 * ldc + 2 * W);
            x33 = FloatVector.fromArray(S, c, c0 + 3 * ldc + 3 * W);
        } else {
            x00 = x01 = x02 = x03 = x10 = x11 = x12 = x13 = x20 = x21 = x22 = x23 = x30 = x31 = x32 = x33 = FloatVector.zero(S);
        }
        int as = a0;
        for (int s = 0; s < inner; s++, bs += ldb, as += acs) {
            FloatVector v0 = FloatVector.fromArray(S, b, bs);
            FloatVector v1 = FloatVector.fromArray(S, b, bs + W);
            FloatVector v2 = FloatVector.fromArray(S, b, bs + 2 * W);
            FloatVector v3 = FloatVector.fromArray(S, b, bs + 3 * W);
            FloatVector w0 = FloatVector.broadcast(S, a[as]);
            FloatVector w1 = FloatVector.broadcast(S, a[as + ars]);
            FloatVector w2 = FloatVector.broadcast(S, a[as + 2 * ars]);
            FloatVector w3 = FloatVector.broadcast(S, a[as + 3 * ars]);
            x00 = w0.fma(v0, x00);
            x01 = w0.fma(v1, x01);
            x02 = w0.fma(v2, x02);
            x03 = w0.fma(v3, x03);
            x10 = w1.fma(v0, x10);
            x11 = w1.fma(v1, x11);
            x12 = w1.fma(v2, x12);
            x13 = w1.fma(v3, x13);
            x20 = w2.fma(v0, x20);
            x21 = w2.fma(v1, x21);
            x22 = w2.fma(v2, x22);
            x23 = w2.fma(v3, x23);
            x30 = w3.fma(v0, x30);
            x31 = w3.fma(v1, x31);
            x32 = w3.fma(v2, x32);
            x33 = w3.fma(v3, x33);
        }
        x00.intoArray(c, c0);
        x01.intoArray(c, c0 + W);
        x02.intoArray(c, c0 + 2 * W);
        x03.intoArray(c, c0 + 3 * W);
        x10.intoArray(c, c0 + ldc);
        x11.intoArray(c, c0 + ldc + W);
        x12.intoArray(c, c0 + ldc + 2 * W);
        x13.intoArray(c, c0 + ldc + 3 * W);
        x20.intoArray(c, c0 + 2 * ldc);
        x21.intoArray(c, c0 + 2 * ldc + W);
        x22.intoArray(c, c0 + 2 * ldc + 2 * W);
        x23.intoArray(c, c0 + 2 * ldc + 3 * W);
        x30.intoArray(c, c0 + 3 * ldc);
        x31.intoArray(c, c0 + 3 * ldc + W);
        x32.intoArray(c, c0 + 3 * ldc + 2 * W);
        x33.intoArray(c, c0 + 3 * ldc + 3 * W);
    }

    private static void block4x1(float[] c, int c0, int ldc, float[] a, int a0, int ars, int acs, float[] b, int bs, int ldb, int inner,
            boolean accumulate) {
        FloatVector x0;
        FloatVector x1;
        FloatVector x2;
        FloatVector x3;
        if (accumulate) {
            x0 = FloatVector.fromArray(S, c, c0);
            x1 = FloatVector.fromArray(S, c, c0 + ldc);
            x2 = FloatVector.fromArray(S, c, c0 + 2 * ldc);
            x3 = FloatVector.fromArray(S, c, c0 + 3 * ldc);
        } else {
            x0 = x1 = x2 = x3 = FloatVector.zero(S);
        }
        int as = a0;
        for (int s = 0; s < inner; s++, bs += ldb, as += acs) {
            FloatVector v = FloatVector.fromArray(S, b, bs);
            x0 = FloatVector.broadcast(S, a[as]).fma(v, x0);
            x1 = FloatVector.broadcast(S, a[as + ars]).fma(v, x1);
            x2 = FloatVector.broadcast(S, a[as + 2 * ars]).fma(v, x2);
            x3 = FloatVector.broadcast(S, a[as + 3 * ars]).fma(v, x3);
        }
        x0.intoArray(c, c0);
        x1.intoArray(c, c0 + ldc);
        x2.intoArray(c, c0 + 2 * ldc);
        x3.intoArray(c, c0 + 3 * ldc);
    }
}
