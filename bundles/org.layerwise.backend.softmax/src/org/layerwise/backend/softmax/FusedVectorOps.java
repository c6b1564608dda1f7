package org.layerwise.backend.softmax;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link FusedOps} in float32 with jdk.incubator.vector.
 *
 * <p>Determinism: only lane-wise operations whose result is fully specified (add, mul, fma,
 * div, max, min, compare, conversion, lane moves) are used, and every sum across lanes is
 * taken in lane order by scalar code. reduceLanes(ADD) and lanewise(EXP) may round
 * differently in the interpreter and in C2-compiled code, so they are not used (exp is a
 * polynomial here): results are bit-identical however far the JIT has got.
 *
 * <p>The species is FloatVector.SPECIES_PREFERRED unless the system property
 * layerwise.fused.vectorBits (128, 256 or 512) chooses another; it is a static final so that
 * C2 compiles every vector to registers. With 512-bit vectors lane rows are padded to 8 only
 * and their last 8 lanes run as 256-bit vectors (T = 33 costs 40 lanes, not 48).
 */
final class FusedVectorOps extends FusedOps {

    static final VectorSpecies<Float> S = species();
    static final int W = S.length();
    /** 16 lanes: rows padded to 8, with a 256-bit half chunk at the end of a row. */
    static final boolean HALF = W == 16;
    static final VectorSpecies<Float> SH = HALF ? FloatVector.SPECIES_256 : S;
    static final int PAD = HALF ? 8 : W;
    /** 16 lanes: 16 x 16 transposes in registers; else gathers. */
    static final boolean REGISTER_TRANSPOSE = HALF;
    private static final int FEW_COLUMNS = 4;

    private static VectorSpecies<Float> species() {
        String bits = System.getProperty("layerwise.fused.vectorBits", "");
        return switch (bits) {
            case "128" -> FloatVector.SPECIES_128;
            case "256" -> FloatVector.SPECIES_256;
            case "512" -> FloatVector.SPECIES_512;
            default -> FloatVector.SPECIES_PREFERRED;
        };
    }

    // exp(x) for x <= 0 (Cephes expf), written out inline where used: 2^n * p(r), r = x - n ln 2, |r| <= ln 2 / 2.
    private static final float LOG2E = 1.44269504088896341f;
    private static final float LN2_HI = 0.693359375f;
    private static final float LN2_LO = -2.12194440e-4f;
    private static final float ROUND = 12582912f; // 1.5 * 2^23: adding and subtracting it rounds to an integer
    // 1.5 * 2^23 + 127: after adding it the low mantissa bits hold n + 127, so shifting them left by 23 gives 2^n
    private static final float ROUND_BIAS = 12582912f + 127f;
    private static final float EXP_MIN = -87.33654f;
    private static final float EXP_MAX = 88.37626f;
    private static final float P0 = 1.9875691500e-4f;
    private static final float P1 = 1.3981999507e-3f;
    private static final float P2 = 8.3334519073e-3f;
    private static final float P3 = 4.1665795894e-2f;
    private static final float P4 = 1.6666665459e-1f;
    private static final float P5 = 5.0000001201e-1f;

    // The 16 x 16 transpose network: stage b pairs rows i and j = i + s, s = 2^b, and makes
    //   new i = lanes l with bit b clear from row i, the others from row j shifted up by s;
    //   new j = lanes l with bit b clear from row i shifted down by s, the others from row j.
    // One single-source rearrange and one blend per new row (cheaper than two-vector rearranges).
    private static final VectorShuffle<Float> UP1 = shift(1, true);
    private static final VectorShuffle<Float> UP2 = shift(2, true);
    private static final VectorShuffle<Float> UP4 = shift(4, true);
    private static final VectorShuffle<Float> UP8 = shift(8, true);
    private static final VectorShuffle<Float> DOWN1 = shift(1, false);
    private static final VectorShuffle<Float> DOWN2 = shift(2, false);
    private static final VectorShuffle<Float> DOWN4 = shift(4, false);
    private static final VectorShuffle<Float> DOWN8 = shift(8, false);
    private static final VectorMask<Float> BIT1 = bit(1);
    private static final VectorMask<Float> BIT2 = bit(2);
    private static final VectorMask<Float> BIT4 = bit(4);
    private static final VectorMask<Float> BIT8 = bit(8);

    private static VectorShuffle<Float> shift(int s, boolean up) {
        if (!HALF) {
            return null;
        }
        int[] idx = new int[16];
        for (int l = 0; l < 16; l++) {
            idx[l] = up ? (l - s + 16) % 16 : (l + s) % 16;
        }
        return VectorShuffle.fromValues(S, idx);
    }

    private static VectorMask<Float> bit(int s) {
        if (!HALF) {
            return null;
        }
        boolean[] m = new boolean[16];
        for (int l = 0; l < 16; l++) {
            m[l] = (l & s) != 0;
        }
        return VectorMask.fromArray(S, m, 0);
    }

    private final float[] x;
    private final float[] hsum = new float[W];
    private final int[] gather = new int[W];
    private int gatherStride = -1;

    private FusedVectorOps(int size) {
        super(W, PAD, REGISTER_TRANSPOSE ? 16 : 1);
        this.x = new float[size];
    }

    /** Created through here so that callers never name this class's vector-typed members. */
    static FusedOps create(int size) {
        return new FusedVectorOps(size);
    }

    static int lanesPreferred() {
        return W;
    }

    static int padding() {
        return PAD;
    }

    static int transposeBlockSize() {
        return REGISTER_TRANSPOSE ? 16 : 1;
    }

    static String speciesName() {
        return S + (HALF ? " with 256-bit row ends, register transposes" : ", gather transposes");
    }

    private float sumLanes(FloatVector v) {
        v.intoArray(hsum, 0);
        float s = 0;
        for (int i = 0; i < W; i++) {
            s += hsum[i];
        }
        return s;
    }

    @Override
    void clear(int off, int len) {
        java.util.Arrays.fill(x, off, off + len, 0f);
    }

    @Override
    void copy(int src, int dst, int len) {
        System.arraycopy(x, src, x, dst, len);
    }

    @Override
    void gemm(int c, int ldc, int coef, int rs, int cs, int b, int ldb, int rows, int inner, int n, boolean accumulate) {
        float[] x = this.x;
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            int c0 = c + r * ldc;
            int k0 = coef + r * rs;
            int off = 0;
            while (HALF && n - off >= 4 * W) {
                if (n - off == 4 * W + 8) {
                    gemm4x72(x, c0 + off, ldc, k0, rs, cs, b + off, ldb, inner, accumulate); // the row's end in the same pass
                    off = n;
                } else {
                    gemm4x64(x, c0 + off, ldc, k0, rs, cs, b + off, ldb, inner, accumulate);
                    off += 4 * W;
                }
            }
            while (n - off >= 2 * W) {
                if (HALF && n - off == 2 * W + 8) {
                    gemm4x40(x, c0 + off, ldc, k0, rs, cs, b + off, ldb, inner, accumulate); // the row's end in the same pass
                    off = n;
                } else {
                    gemm4x32(x, c0 + off, ldc, k0, rs, cs, b + off, ldb, inner, accumulate);
                    off += 2 * W;
                }
            }
            if (n - off >= W) {
                gemm4(x, c0 + off, ldc, k0, rs, cs, b + off, ldb, inner, accumulate);
                off += W;
            }
            if (HALF && off < n) {
                gemm4Half(x, c0 + off, ldc, k0, rs, cs, b + off, ldb, inner, accumulate);
            }
        }
        for (; r < rows; r++) {
            int cr = c + r * ldc;
            int kr = coef + r * rs;
            int off = 0;
            for (; off + 2 * W <= n; off += 2 * W) {
                FloatVector a0 = accumulate ? FloatVector.fromArray(S, x, cr + off) : FloatVector.zero(S);
                FloatVector a1 = accumulate ? FloatVector.fromArray(S, x, cr + off + W) : FloatVector.zero(S);
                int kb = kr;
                int bb = b + off;
                for (int s = 0; s < inner; s++, kb += cs, bb += ldb) {
                    FloatVector w = FloatVector.broadcast(S, x[kb]);
                    a0 = w.fma(FloatVector.fromArray(S, x, bb), a0);
                    a1 = w.fma(FloatVector.fromArray(S, x, bb + W), a1);
                }
                a0.intoArray(x, cr + off);
                a1.intoArray(x, cr + off + W);
            }
            for (; off + W <= n; off += W) {
                gemm1(x, cr + off, kr, cs, b + off, ldb, inner, accumulate);
            }
            if (HALF && off < n) {
                gemm1Half(x, cr + off, kr, cs, b + off, ldb, inner, accumulate);
            }
        }
    }

    /**
     * Four rows, four full chunks (64 lanes, 512-bit vectors only): 16 accumulators, each
     * broadcast used four times; enough independent FMAs to keep both pipes busy.
     */
    private static void gemm4x64(float[] x, int c0, int ldc, int k0, int rs, int cs, int bb, int ldb, int inner,
            boolean accumulate) {
        FloatVector a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, x, c0);
            a01 = FloatVector.fromArray(S, x, c0 + W);
            a02 = FloatVector.fromArray(S, x, c0 + 2 * W);
            a03 = FloatVector.fromArray(S, x, c0 + 3 * W);
            a10 = FloatVector.fromArray(S, x, c0 + ldc);
            a11 = FloatVector.fromArray(S, x, c0 + ldc + W);
            a12 = FloatVector.fromArray(S, x, c0 + ldc + 2 * W);
            a13 = FloatVector.fromArray(S, x, c0 + ldc + 3 * W);
            a20 = FloatVector.fromArray(S, x, c0 + 2 * ldc);
            a21 = FloatVector.fromArray(S, x, c0 + 2 * ldc + W);
            a22 = FloatVector.fromArray(S, x, c0 + 2 * ldc + 2 * W);
            a23 = FloatVector.fromArray(S, x, c0 + 2 * ldc + 3 * W);
            a30 = FloatVector.fromArray(S, x, c0 + 3 * ldc);
            a31 = FloatVector.fromArray(S, x, c0 + 3 * ldc + W);
            a32 = FloatVector.fromArray(S, x, c0 + 3 * ldc + 2 * W);
            a33 = FloatVector.fromArray(S, x, c0 + 3 * ldc + 3 * W);
        } else {
            a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = a20 = a21 = a22 = a23 = a30 = a31 = a32 = a33 = FloatVector.zero(S);
        }
        int kb = k0;
        for (int s = 0; s < inner; s++, kb += cs, bb += ldb) {
            FloatVector v0 = FloatVector.fromArray(S, x, bb);
            FloatVector v1 = FloatVector.fromArray(S, x, bb + W);
            FloatVector v2 = FloatVector.fromArray(S, x, bb + 2 * W);
            FloatVector v3 = FloatVector.fromArray(S, x, bb + 3 * W);
            FloatVector w0 = FloatVector.broadcast(S, x[kb]);
            FloatVector w1 = FloatVector.broadcast(S, x[kb + rs]);
            FloatVector w2 = FloatVector.broadcast(S, x[kb + 2 * rs]);
            FloatVector w3 = FloatVector.broadcast(S, x[kb + 3 * rs]);
            a00 = w0.fma(v0, a00);
            a01 = w0.fma(v1, a01);
            a02 = w0.fma(v2, a02);
            a03 = w0.fma(v3, a03);
            a10 = w1.fma(v0, a10);
            a11 = w1.fma(v1, a11);
            a12 = w1.fma(v2, a12);
            a13 = w1.fma(v3, a13);
            a20 = w2.fma(v0, a20);
            a21 = w2.fma(v1, a21);
            a22 = w2.fma(v2, a22);
            a23 = w2.fma(v3, a23);
            a30 = w3.fma(v0, a30);
            a31 = w3.fma(v1, a31);
            a32 = w3.fma(v2, a32);
            a33 = w3.fma(v3, a33);
        }
        a00.intoArray(x, c0);
        a01.intoArray(x, c0 + W);
        a02.intoArray(x, c0 + 2 * W);
        a03.intoArray(x, c0 + 3 * W);
        a10.intoArray(x, c0 + ldc);
        a11.intoArray(x, c0 + ldc + W);
        a12.intoArray(x, c0 + ldc + 2 * W);
        a13.intoArray(x, c0 + ldc + 3 * W);
        a20.intoArray(x, c0 + 2 * ldc);
        a21.intoArray(x, c0 + 2 * ldc + W);
        a22.intoArray(x, c0 + 2 * ldc + 2 * W);
        a23.intoArray(x, c0 + 2 * ldc + 3 * W);
        a30.intoArray(x, c0 + 3 * ldc);
        a31.intoArray(x, c0 + 3 * ldc + W);
        a32.intoArray(x, c0 + 3 * ldc + 2 * W);
        a33.intoArray(x, c0 + 3 * ldc + 3 * W);
    }

    /** Four rows, four full chunks and a 256-bit half chunk (72 lanes): 20 accumulators. */
    private static void gemm4x72(float[] x, int c0, int ldc, int k0, int rs, int cs, int bb, int ldb, int inner,
            boolean accumulate) {
        FloatVector a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33;
        FloatVector h0, h1, h2, h3;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, x, c0);
            a01 = FloatVector.fromArray(S, x, c0 + W);
            a02 = FloatVector.fromArray(S, x, c0 + 2 * W);
            a03 = FloatVector.fromArray(S, x, c0 + 3 * W);
            a10 = FloatVector.fromArray(S, x, c0 + ldc);
            a11 = FloatVector.fromArray(S, x, c0 + ldc + W);
            a12 = FloatVector.fromArray(S, x, c0 + ldc + 2 * W);
            a13 = FloatVector.fromArray(S, x, c0 + ldc + 3 * W);
            a20 = FloatVector.fromArray(S, x, c0 + 2 * ldc);
            a21 = FloatVector.fromArray(S, x, c0 + 2 * ldc + W);
            a22 = FloatVector.fromArray(S, x, c0 + 2 * ldc + 2 * W);
            a23 = FloatVector.fromArray(S, x, c0 + 2 * ldc + 3 * W);
            a30 = FloatVector.fromArray(S, x, c0 + 3 * ldc);
            a31 = FloatVector.fromArray(S, x, c0 + 3 * ldc + W);
            a32 = FloatVector.fromArray(S, x, c0 + 3 * ldc + 2 * W);
            a33 = FloatVector.fromArray(S, x, c0 + 3 * ldc + 3 * W);
            h0 = FloatVector.fromArray(SH, x, c0 + 4 * W);
            h1 = FloatVector.fromArray(SH, x, c0 + ldc + 4 * W);
            h2 = FloatVector.fromArray(SH, x, c0 + 2 * ldc + 4 * W);
            h3 = FloatVector.fromArray(SH, x, c0 + 3 * ldc + 4 * W);
        } else {
            a00 = a01 = a02 = a03 = a10 = a11 = a12 = a13 = a20 = a21 = a22 = a23 = a30 = a31 = a32 = a33 = FloatVector.zero(S);
            h0 = h1 = h2 = h3 = FloatVector.zero(SH);
        }
        int kb = k0;
        for (int s = 0; s < inner; s++, kb += cs, bb += ldb) {
            FloatVector v0 = FloatVector.fromArray(S, x, bb);
            FloatVector v1 = FloatVector.fromArray(S, x, bb + W);
            FloatVector v2 = FloatVector.fromArray(S, x, bb + 2 * W);
            FloatVector v3 = FloatVector.fromArray(S, x, bb + 3 * W);
            FloatVector vh = FloatVector.fromArray(SH, x, bb + 4 * W);
            float s0 = x[kb];
            float s1 = x[kb + rs];
            float s2 = x[kb + 2 * rs];
            float s3 = x[kb + 3 * rs];
            FloatVector w0 = FloatVector.broadcast(S, s0);
            FloatVector w1 = FloatVector.broadcast(S, s1);
            FloatVector w2 = FloatVector.broadcast(S, s2);
            FloatVector w3 = FloatVector.broadcast(S, s3);
            a00 = w0.fma(v0, a00);
            a01 = w0.fma(v1, a01);
            a02 = w0.fma(v2, a02);
            a03 = w0.fma(v3, a03);
            a10 = w1.fma(v0, a10);
            a11 = w1.fma(v1, a11);
            a12 = w1.fma(v2, a12);
            a13 = w1.fma(v3, a13);
            a20 = w2.fma(v0, a20);
            a21 = w2.fma(v1, a21);
            a22 = w2.fma(v2, a22);
            a23 = w2.fma(v3, a23);
            a30 = w3.fma(v0, a30);
            a31 = w3.fma(v1, a31);
            a32 = w3.fma(v2, a32);
            a33 = w3.fma(v3, a33);
            h0 = FloatVector.broadcast(SH, s0).fma(vh, h0);
            h1 = FloatVector.broadcast(SH, s1).fma(vh, h1);
            h2 = FloatVector.broadcast(SH, s2).fma(vh, h2);
            h3 = FloatVector.broadcast(SH, s3).fma(vh, h3);
        }
        a00.intoArray(x, c0);
        a01.intoArray(x, c0 + W);
        a02.intoArray(x, c0 + 2 * W);
        a03.intoArray(x, c0 + 3 * W);
        a10.intoArray(x, c0 + ldc);
        a11.intoArray(x, c0 + ldc + W);
        a12.intoArray(x, c0 + ldc + 2 * W);
        a13.intoArray(x, c0 + ldc + 3 * W);
        a20.intoArray(x, c0 + 2 * ldc);
        a21.intoArray(x, c0 + 2 * ldc + W);
        a22.intoArray(x, c0 + 2 * ldc + 2 * W);
        a23.intoArray(x, c0 + 2 * ldc + 3 * W);
        a30.intoArray(x, c0 + 3 * ldc);
        a31.intoArray(x, c0 + 3 * ldc + W);
        a32.intoArray(x, c0 + 3 * ldc + 2 * W);
        a33.intoArray(x, c0 + 3 * ldc + 3 * W);
        h0.intoArray(x, c0 + 4 * W);
        h1.intoArray(x, c0 + ldc + 4 * W);
        h2.intoArray(x, c0 + 2 * ldc + 4 * W);
        h3.intoArray(x, c0 + 3 * ldc + 4 * W);
    }

    /** Four rows, two full chunks: 8 accumulators, each broadcast used twice. */
    private static void gemm4x32(float[] x, int c0, int ldc, int k0, int rs, int cs, int bb, int ldb, int inner,
            boolean accumulate) {
        FloatVector a00, a01, a10, a11, a20, a21, a30, a31;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, x, c0);
            a01 = FloatVector.fromArray(S, x, c0 + W);
            a10 = FloatVector.fromArray(S, x, c0 + ldc);
            a11 = FloatVector.fromArray(S, x, c0 + ldc + W);
            a20 = FloatVector.fromArray(S, x, c0 + 2 * ldc);
            a21 = FloatVector.fromArray(S, x, c0 + 2 * ldc + W);
            a30 = FloatVector.fromArray(S, x, c0 + 3 * ldc);
            a31 = FloatVector.fromArray(S, x, c0 + 3 * ldc + W);
        } else {
            a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = FloatVector.zero(S);
        }
        int kb = k0;
        for (int s = 0; s < inner; s++, kb += cs, bb += ldb) {
            FloatVector v0 = FloatVector.fromArray(S, x, bb);
            FloatVector v1 = FloatVector.fromArray(S, x, bb + W);
            FloatVector w0 = FloatVector.broadcast(S, x[kb]);
            FloatVector w1 = FloatVector.broadcast(S, x[kb + rs]);
            FloatVector w2 = FloatVector.broadcast(S, x[kb + 2 * rs]);
            FloatVector w3 = FloatVector.broadcast(S, x[kb + 3 * rs]);
            a00 = w0.fma(v0, a00);
            a01 = w0.fma(v1, a01);
            a10 = w1.fma(v0, a10);
            a11 = w1.fma(v1, a11);
            a20 = w2.fma(v0, a20);
            a21 = w2.fma(v1, a21);
            a30 = w3.fma(v0, a30);
            a31 = w3.fma(v1, a31);
        }
        a00.intoArray(x, c0);
        a01.intoArray(x, c0 + W);
        a10.intoArray(x, c0 + ldc);
        a11.intoArray(x, c0 + ldc + W);
        a20.intoArray(x, c0 + 2 * ldc);
        a21.intoArray(x, c0 + 2 * ldc + W);
        a30.intoArray(x, c0 + 3 * ldc);
        a31.intoArray(x, c0 + 3 * ldc + W);
    }

    /** Four rows, two full chunks and a 256-bit half chunk (40 lanes with 512-bit vectors): 12 accumulators. */
    private static void gemm4x40(float[] x, int c0, int ldc, int k0, int rs, int cs, int bb, int ldb, int inner,
            boolean accumulate) {
        FloatVector a00, a01, a10, a11, a20, a21, a30, a31;
        FloatVector h0, h1, h2, h3;
        int w2 = 2 * W;
        if (accumulate) {
            a00 = FloatVector.fromArray(S, x, c0);
            a01 = FloatVector.fromArray(S, x, c0 + W);
            a10 = FloatVector.fromArray(S, x, c0 + ldc);
            a11 = FloatVector.fromArray(S, x, c0 + ldc + W);
            a20 = FloatVector.fromArray(S, x, c0 + 2 * ldc);
            a21 = FloatVector.fromArray(S, x, c0 + 2 * ldc + W);
            a30 = FloatVector.fromArray(S, x, c0 + 3 * ldc);
            a31 = FloatVector.fromArray(S, x, c0 + 3 * ldc + W);
            h0 = FloatVector.fromArray(SH, x, c0 + w2);
            h1 = FloatVector.fromArray(SH, x, c0 + ldc + w2);
            h2 = FloatVector.fromArray(SH, x, c0 + 2 * ldc + w2);
            h3 = FloatVector.fromArray(SH, x, c0 + 3 * ldc + w2);
        } else {
            a00 = a01 = a10 = a11 = a20 = a21 = a30 = a31 = FloatVector.zero(S);
            h0 = h1 = h2 = h3 = FloatVector.zero(SH);
        }
        int kb = k0;
        for (int s = 0; s < inner; s++, kb += cs, bb += ldb) {
            FloatVector v0 = FloatVector.fromArray(S, x, bb);
            FloatVector v1 = FloatVector.fromArray(S, x, bb + W);
            FloatVector vh = FloatVector.fromArray(SH, x, bb + w2);
            float c0s = x[kb];
            float c1s = x[kb + rs];
            float c2s = x[kb + 2 * rs];
            float c3s = x[kb + 3 * rs];
            FloatVector w0 = FloatVector.broadcast(S, c0s);
            FloatVector w1 = FloatVector.broadcast(S, c1s);
            FloatVector w2v = FloatVector.broadcast(S, c2s);
            FloatVector w3 = FloatVector.broadcast(S, c3s);
            a00 = w0.fma(v0, a00);
            a01 = w0.fma(v1, a01);
            a10 = w1.fma(v0, a10);
            a11 = w1.fma(v1, a11);
            a20 = w2v.fma(v0, a20);
            a21 = w2v.fma(v1, a21);
            a30 = w3.fma(v0, a30);
            a31 = w3.fma(v1, a31);
            h0 = FloatVector.broadcast(SH, c0s).fma(vh, h0);
            h1 = FloatVector.broadcast(SH, c1s).fma(vh, h1);
            h2 = FloatVector.broadcast(SH, c2s).fma(vh, h2);
            h3 = FloatVector.broadcast(SH, c3s).fma(vh, h3);
        }
        a00.intoArray(x, c0);
        a01.intoArray(x, c0 + W);
        a10.intoArray(x, c0 + ldc);
        a11.intoArray(x, c0 + ldc + W);
        a20.intoArray(x, c0 + 2 * ldc);
        a21.intoArray(x, c0 + 2 * ldc + W);
        a30.intoArray(x, c0 + 3 * ldc);
        a31.intoArray(x, c0 + 3 * ldc + W);
        h0.intoArray(x, c0 + w2);
        h1.intoArray(x, c0 + ldc + w2);
        h2.intoArray(x, c0 + 2 * ldc + w2);
        h3.intoArray(x, c0 + 3 * ldc + w2);
    }

    /** Four rows, one full chunk. */
    private static void gemm4(float[] x, int c0, int ldc, int k0, int rs, int cs, int bb, int ldb,
            int inner, boolean accumulate) {
        FloatVector a0, a1, a2, a3;
        if (accumulate) {
            a0 = FloatVector.fromArray(S, x, c0);
            a1 = FloatVector.fromArray(S, x, c0 + ldc);
            a2 = FloatVector.fromArray(S, x, c0 + 2 * ldc);
            a3 = FloatVector.fromArray(S, x, c0 + 3 * ldc);
        } else {
            a0 = a1 = a2 = a3 = FloatVector.zero(S);
        }
        int kb = k0;
        for (int s = 0; s < inner; s++, kb += cs, bb += ldb) {
            FloatVector v = FloatVector.fromArray(S, x, bb);
            a0 = FloatVector.broadcast(S, x[kb]).fma(v, a0);
            a1 = FloatVector.broadcast(S, x[kb + rs]).fma(v, a1);
            a2 = FloatVector.broadcast(S, x[kb + 2 * rs]).fma(v, a2);
            a3 = FloatVector.broadcast(S, x[kb + 3 * rs]).fma(v, a3);
        }
        a0.intoArray(x, c0);
        a1.intoArray(x, c0 + ldc);
        a2.intoArray(x, c0 + 2 * ldc);
        a3.intoArray(x, c0 + 3 * ldc);
    }

    private static void gemm4Half(float[] x, int c0, int ldc, int k0, int rs, int cs, int bb, int ldb,
            int inner, boolean accumulate) {
        FloatVector a0, a1, a2, a3;
        if (accumulate) {
            a0 = FloatVector.fromArray(SH, x, c0);
            a1 = FloatVector.fromArray(SH, x, c0 + ldc);
            a2 = FloatVector.fromArray(SH, x, c0 + 2 * ldc);
            a3 = FloatVector.fromArray(SH, x, c0 + 3 * ldc);
        } else {
            a0 = a1 = a2 = a3 = FloatVector.zero(SH);
        }
        int kb = k0;
        for (int s = 0; s < inner; s++, kb += cs, bb += ldb) {
            FloatVector v = FloatVector.fromArray(SH, x, bb);
            a0 = FloatVector.broadcast(SH, x[kb]).fma(v, a0);
            a1 = FloatVector.broadcast(SH, x[kb + rs]).fma(v, a1);
            a2 = FloatVector.broadcast(SH, x[kb + 2 * rs]).fma(v, a2);
            a3 = FloatVector.broadcast(SH, x[kb + 3 * rs]).fma(v, a3);
        }
        a0.intoArray(x, c0);
        a1.intoArray(x, c0 + ldc);
        a2.intoArray(x, c0 + 2 * ldc);
        a3.intoArray(x, c0 + 3 * ldc);
    }

    private static void gemm1(float[] x, int cr, int kr, int cs, int bb, int ldb, int inner,
            boolean accumulate) {
        FloatVector a0 = accumulate ? FloatVector.fromArray(S, x, cr) : FloatVector.zero(S);
        int kb = kr;
        for (int s = 0; s < inner; s++, kb += cs, bb += ldb) {
            a0 = FloatVector.broadcast(S, x[kb]).fma(FloatVector.fromArray(S, x, bb), a0);
        }
        a0.intoArray(x, cr);
    }

    private static void gemm1Half(float[] x, int cr, int kr, int cs, int bb, int ldb, int inner,
            boolean accumulate) {
        FloatVector a0 = accumulate ? FloatVector.fromArray(SH, x, cr) : FloatVector.zero(SH);
        int kb = kr;
        for (int s = 0; s < inner; s++, kb += cs, bb += ldb) {
            a0 = FloatVector.broadcast(SH, x[kb]).fma(FloatVector.fromArray(SH, x, bb), a0);
        }
        a0.intoArray(x, cr);
    }

    @Override
    void colSoftmax(int a, int ld, int rows, int n) {
        float[] x = this.x;
        int off = 0;
        for (; off + W <= n; off += W) {
            softmaxColumns(x, a + off, ld, rows);
        }
        if (HALF && off < n) {
            softmaxColumnsHalf(x, a + off, ld, rows);
        }
    }

    private static void softmaxColumns(float[] x, int base, int ld, int rows) {
        FloatVector max = FloatVector.fromArray(S, x, base);
        for (int j = 1; j < rows; j++) { // compare and blend: max() pays for Math.max's NaN and -0.0 rules
            FloatVector v = FloatVector.fromArray(S, x, base + j * ld);
            max = max.blend(v, v.compare(VectorOperators.GT, max));
        }
        FloatVector sum = FloatVector.zero(S);
        for (int j = 0; j < rows; j++) {
            // e = exp(z - max), inline (Cephes expf; no vector crosses a call)
            FloatVector z = FloatVector.fromArray(S, x, base + j * ld).sub(max); // <= 0
            FloatVector et = z.blend(EXP_MIN, z.compare(VectorOperators.LT, EXP_MIN));
            FloatVector eb = et.fma(FloatVector.broadcast(S, LOG2E), FloatVector.broadcast(S, ROUND_BIAS));
            FloatVector en = eb.sub(ROUND_BIAS);
            FloatVector er = en.fma(FloatVector.broadcast(S, -LN2_HI), et);
            er = en.fma(FloatVector.broadcast(S, -LN2_LO), er);
            FloatVector ep = FloatVector.broadcast(S, P0).fma(er, FloatVector.broadcast(S, P1));
            ep = ep.fma(er, FloatVector.broadcast(S, P2));
            ep = ep.fma(er, FloatVector.broadcast(S, P3));
            ep = ep.fma(er, FloatVector.broadcast(S, P4));
            ep = ep.fma(er, FloatVector.broadcast(S, P5));
            FloatVector ey = ep.fma(er.mul(er), er.add(1f));
            FloatVector e = ey.mul(eb.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            e.intoArray(x, base + j * ld);
            sum = sum.add(e);
        }
        FloatVector inv = FloatVector.broadcast(S, 1f).div(sum);
        for (int j = 0; j < rows; j++) {
            FloatVector.fromArray(S, x, base + j * ld).mul(inv).intoArray(x, base + j * ld);
        }
    }

    private static void softmaxColumnsHalf(float[] x, int base, int ld, int rows) {
        FloatVector max = FloatVector.fromArray(SH, x, base);
        for (int j = 1; j < rows; j++) { // compare and blend: max() pays for Math.max's NaN and -0.0 rules
            FloatVector v = FloatVector.fromArray(SH, x, base + j * ld);
            max = max.blend(v, v.compare(VectorOperators.GT, max));
        }
        FloatVector sum = FloatVector.zero(SH);
        for (int j = 0; j < rows; j++) {
            FloatVector z = FloatVector.fromArray(SH, x, base + j * ld).sub(max); // <= 0
            FloatVector et = z.blend(EXP_MIN, z.compare(VectorOperators.LT, EXP_MIN));
            FloatVector eb = et.fma(FloatVector.broadcast(SH, LOG2E), FloatVector.broadcast(SH, ROUND_BIAS));
            FloatVector en = eb.sub(ROUND_BIAS);
            FloatVector er = en.fma(FloatVector.broadcast(SH, -LN2_HI), et);
            er = en.fma(FloatVector.broadcast(SH, -LN2_LO), er);
            FloatVector ep = FloatVector.broadcast(SH, P0).fma(er, FloatVector.broadcast(SH, P1));
            ep = ep.fma(er, FloatVector.broadcast(SH, P2));
            ep = ep.fma(er, FloatVector.broadcast(SH, P3));
            ep = ep.fma(er, FloatVector.broadcast(SH, P4));
            ep = ep.fma(er, FloatVector.broadcast(SH, P5));
            FloatVector ey = ep.fma(er.mul(er), er.add(1f));
            FloatVector e = ey.mul(eb.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            e.intoArray(x, base + j * ld);
            sum = sum.add(e);
        }
        FloatVector inv = FloatVector.broadcast(SH, 1f).div(sum);
        for (int j = 0; j < rows; j++) {
            FloatVector.fromArray(SH, x, base + j * ld).mul(inv).intoArray(x, base + j * ld);
        }
    }

    @Override
    void colSoftmaxBackward(int a, int da, int ld, int rows, int n) {
        float[] x = this.x;
        int off = 0;
        for (; off + W <= n; off += W) {
            softmaxBackwardColumns(x, a + off, da + off, ld, rows);
        }
        if (HALF && off < n) {
            softmaxBackwardColumnsHalf(x, a + off, da + off, ld, rows);
        }
    }

    private static void softmaxBackwardColumns(float[] x, int a, int da, int ld, int rows) {
        FloatVector r = FloatVector.zero(S);
        for (int j = 0; j < rows; j++) {
            r = FloatVector.fromArray(S, x, a + j * ld).fma(FloatVector.fromArray(S, x, da + j * ld), r);
        }
        for (int j = 0; j < rows; j++) {
            FloatVector av = FloatVector.fromArray(S, x, a + j * ld);
            av.mul(FloatVector.fromArray(S, x, da + j * ld).sub(r)).intoArray(x, da + j * ld);
        }
    }

    private static void softmaxBackwardColumnsHalf(float[] x, int a, int da, int ld, int rows) {
        FloatVector r = FloatVector.zero(SH);
        for (int j = 0; j < rows; j++) {
            r = FloatVector.fromArray(SH, x, a + j * ld).fma(FloatVector.fromArray(SH, x, da + j * ld), r);
        }
        for (int j = 0; j < rows; j++) {
            FloatVector av = FloatVector.fromArray(SH, x, a + j * ld);
            av.mul(FloatVector.fromArray(SH, x, da + j * ld).sub(r)).intoArray(x, da + j * ld);
        }
    }

    @Override
    void transpose(int src, int lds, int rows, int cols, int dst, int ldd) {
        if (REGISTER_TRANSPOSE) {
            transpose16(src, lds, rows, cols, dst, ldd);
        } else {
            transposeGather(src, lds, rows, cols, dst, ldd);
        }
    }

    private void transposeGather(int src, int lds, int rows, int cols, int dst, int ldd) {
        float[] x = this.x;
        int[] idx = gatherIndex(lds);
        for (int col = 0; col < cols; col++) {
            int d = dst + col * ldd;
            int r0 = 0;
            for (; r0 + W <= rows; r0 += W) {
                FloatVector.fromArray(S, x, src + r0 * lds + col, idx, 0).intoArray(x, d + r0);
            }
            for (; r0 < ldd; r0 += W) {
                FloatVector v = FloatVector.fromArray(S, x, src + r0 * lds + col, idx, 0, S.indexInRange(r0, rows));
                if (r0 + W <= ldd) {
                    v.intoArray(x, d + r0);
                } else {
                    v.intoArray(x, d + r0, S.indexInRange(r0, ldd));
                }
            }
        }
    }

    /** {0, stride, 2 stride, ...}: the lanes of a gather down a column. */
    private int[] gatherIndex(int stride) {
        if (gatherStride != stride) {
            for (int i = 0; i < W; i++) {
                gather[i] = i * stride;
            }
            gatherStride = stride;
        }
        return gather;
    }

    /**
     * 16 x 16 blocks through a 4-stage network of rearranges and blends, in registers. Whole
     * row blocks only: source rows [rows, roundUp(rows, 16)) are read (the engine keeps them
     * zero) and destination lanes up to roundUp(rows, 16) <= ldd are written.
     */
    private void transpose16(int src, int lds, int rows, int cols, int dst, int ldd) {
        float[] x = this.x;
        // a last block of at most FEW_COLUMNS columns (T = N + 1: often just the query's) is copied
        // element by element: 16 x FEW_COLUMNS moves instead of a whole 16 x 16 network
        int blocked = cols - cols % 16 + (cols % 16 > FEW_COLUMNS ? 16 : 0);
        for (int r0 = 0; r0 < rows; r0 += 16) {
            for (int c = blocked; c < cols; c++) {
                for (int r = r0; r < r0 + 16; r++) {
                    x[dst + c * ldd + r] = x[src + r * lds + c];
                }
            }
            for (int c0 = 0; c0 < blocked; c0 += 16) {
                int s = src + r0 * lds + c0;
                FloatVector v0 = FloatVector.fromArray(S, x, s);
                FloatVector v1 = FloatVector.fromArray(S, x, s + lds);
                FloatVector v2 = FloatVector.fromArray(S, x, s + 2 * lds);
                FloatVector v3 = FloatVector.fromArray(S, x, s + 3 * lds);
                FloatVector v4 = FloatVector.fromArray(S, x, s + 4 * lds);
                FloatVector v5 = FloatVector.fromArray(S, x, s + 5 * lds);
                FloatVector v6 = FloatVector.fromArray(S, x, s + 6 * lds);
                FloatVector v7 = FloatVector.fromArray(S, x, s + 7 * lds);
                FloatVector v8 = FloatVector.fromArray(S, x, s + 8 * lds);
                FloatVector v9 = FloatVector.fromArray(S, x, s + 9 * lds);
                FloatVector v10 = FloatVector.fromArray(S, x, s + 10 * lds);
                FloatVector v11 = FloatVector.fromArray(S, x, s + 11 * lds);
                FloatVector v12 = FloatVector.fromArray(S, x, s + 12 * lds);
                FloatVector v13 = FloatVector.fromArray(S, x, s + 13 * lds);
                FloatVector v14 = FloatVector.fromArray(S, x, s + 14 * lds);
                FloatVector v15 = FloatVector.fromArray(S, x, s + 15 * lds);
                FloatVector t0;
                FloatVector t1;
                t0 = v0.blend(v1.rearrange(UP1), BIT1); t1 = v0.rearrange(DOWN1).blend(v1, BIT1); v0 = t0; v1 = t1;
                t0 = v2.blend(v3.rearrange(UP1), BIT1); t1 = v2.rearrange(DOWN1).blend(v3, BIT1); v2 = t0; v3 = t1;
                t0 = v4.blend(v5.rearrange(UP1), BIT1); t1 = v4.rearrange(DOWN1).blend(v5, BIT1); v4 = t0; v5 = t1;
                t0 = v6.blend(v7.rearrange(UP1), BIT1); t1 = v6.rearrange(DOWN1).blend(v7, BIT1); v6 = t0; v7 = t1;
                t0 = v8.blend(v9.rearrange(UP1), BIT1); t1 = v8.rearrange(DOWN1).blend(v9, BIT1); v8 = t0; v9 = t1;
                t0 = v10.blend(v11.rearrange(UP1), BIT1); t1 = v10.rearrange(DOWN1).blend(v11, BIT1); v10 = t0; v11 = t1;
                t0 = v12.blend(v13.rearrange(UP1), BIT1); t1 = v12.rearrange(DOWN1).blend(v13, BIT1); v12 = t0; v13 = t1;
                t0 = v14.blend(v15.rearrange(UP1), BIT1); t1 = v14.rearrange(DOWN1).blend(v15, BIT1); v14 = t0; v15 = t1;

                t0 = v0.blend(v2.rearrange(UP2), BIT2); t1 = v0.rearrange(DOWN2).blend(v2, BIT2); v0 = t0; v2 = t1;
                t0 = v1.blend(v3.rearrange(UP2), BIT2); t1 = v1.rearrange(DOWN2).blend(v3, BIT2); v1 = t0; v3 = t1;
                t0 = v4.blend(v6.rearrange(UP2), BIT2); t1 = v4.rearrange(DOWN2).blend(v6, BIT2); v4 = t0; v6 = t1;
                t0 = v5.blend(v7.rearrange(UP2), BIT2); t1 = v5.rearrange(DOWN2).blend(v7, BIT2); v5 = t0; v7 = t1;
                t0 = v8.blend(v10.rearrange(UP2), BIT2); t1 = v8.rearrange(DOWN2).blend(v10, BIT2); v8 = t0; v10 = t1;
                t0 = v9.blend(v11.rearrange(UP2), BIT2); t1 = v9.rearrange(DOWN2).blend(v11, BIT2); v9 = t0; v11 = t1;
                t0 = v12.blend(v14.rearrange(UP2), BIT2); t1 = v12.rearrange(DOWN2).blend(v14, BIT2); v12 = t0; v14 = t1;
                t0 = v13.blend(v15.rearrange(UP2), BIT2); t1 = v13.rearrange(DOWN2).blend(v15, BIT2); v13 = t0; v15 = t1;

                t0 = v0.blend(v4.rearrange(UP4), BIT4); t1 = v0.rearrange(DOWN4).blend(v4, BIT4); v0 = t0; v4 = t1;
                t0 = v1.blend(v5.rearrange(UP4), BIT4); t1 = v1.rearrange(DOWN4).blend(v5, BIT4); v1 = t0; v5 = t1;
                t0 = v2.blend(v6.rearrange(UP4), BIT4); t1 = v2.rearrange(DOWN4).blend(v6, BIT4); v2 = t0; v6 = t1;
                t0 = v3.blend(v7.rearrange(UP4), BIT4); t1 = v3.rearrange(DOWN4).blend(v7, BIT4); v3 = t0; v7 = t1;
                t0 = v8.blend(v12.rearrange(UP4), BIT4); t1 = v8.rearrange(DOWN4).blend(v12, BIT4); v8 = t0; v12 = t1;
                t0 = v9.blend(v13.rearrange(UP4), BIT4); t1 = v9.rearrange(DOWN4).blend(v13, BIT4); v9 = t0; v13 = t1;
                t0 = v10.blend(v14.rearrange(UP4), BIT4); t1 = v10.rearrange(DOWN4).blend(v14, BIT4); v10 = t0; v14 = t1;
                t0 = v11.blend(v15.rearrange(UP4), BIT4); t1 = v11.rearrange(DOWN4).blend(v15, BIT4); v11 = t0; v15 = t1;

                t0 = v0.blend(v8.rearrange(UP8), BIT8); t1 = v0.rearrange(DOWN8).blend(v8, BIT8); v0 = t0; v8 = t1;
                t0 = v1.blend(v9.rearrange(UP8), BIT8); t1 = v1.rearrange(DOWN8).blend(v9, BIT8); v1 = t0; v9 = t1;
                t0 = v2.blend(v10.rearrange(UP8), BIT8); t1 = v2.rearrange(DOWN8).blend(v10, BIT8); v2 = t0; v10 = t1;
                t0 = v3.blend(v11.rearrange(UP8), BIT8); t1 = v3.rearrange(DOWN8).blend(v11, BIT8); v3 = t0; v11 = t1;
                t0 = v4.blend(v12.rearrange(UP8), BIT8); t1 = v4.rearrange(DOWN8).blend(v12, BIT8); v4 = t0; v12 = t1;
                t0 = v5.blend(v13.rearrange(UP8), BIT8); t1 = v5.rearrange(DOWN8).blend(v13, BIT8); v5 = t0; v13 = t1;
                t0 = v6.blend(v14.rearrange(UP8), BIT8); t1 = v6.rearrange(DOWN8).blend(v14, BIT8); v6 = t0; v14 = t1;
                t0 = v7.blend(v15.rearrange(UP8), BIT8); t1 = v7.rearrange(DOWN8).blend(v15, BIT8); v7 = t0; v15 = t1;

                int d = dst + c0 * ldd + r0;
                v0.intoArray(x, d);
                v1.intoArray(x, d + ldd);
                v2.intoArray(x, d + 2 * ldd);
                v3.intoArray(x, d + 3 * ldd);
                v4.intoArray(x, d + 4 * ldd);
                v5.intoArray(x, d + 5 * ldd);
                v6.intoArray(x, d + 6 * ldd);
                v7.intoArray(x, d + 7 * ldd);
                v8.intoArray(x, d + 8 * ldd);
                v9.intoArray(x, d + 9 * ldd);
                v10.intoArray(x, d + 10 * ldd);
                v11.intoArray(x, d + 11 * ldd);
                v12.intoArray(x, d + 12 * ldd);
                v13.intoArray(x, d + 13 * ldd);
                v14.intoArray(x, d + 14 * ldd);
                v15.intoArray(x, d + 15 * ldd);
            }
        }
    }

    @Override
    void accumulateOuter(int acc, int xo, int yo, int ld, int dim, int n) {
        float[] x = this.x;
        int full = n / W * W;
        // the last chunk may be half a vector (8 lanes): masked loads, zeros in the other lanes
        VectorMask<Float> tail = S.indexInRange(full, n);
        boolean hasTail = full < n;
        int k = 0;
        for (; k + 2 <= dim; k += 2) {
            int xk0 = xo + k * ld;
            int xk1 = xk0 + ld;
            int m = 0;
            for (; m + 4 <= dim; m += 4) {
                int e0 = acc + (k * dim + m) * W;
                int e1 = e0 + dim * W;
                FloatVector a00 = FloatVector.fromArray(S, x, e0);
                FloatVector a01 = FloatVector.fromArray(S, x, e0 + W);
                FloatVector a02 = FloatVector.fromArray(S, x, e0 + 2 * W);
                FloatVector a03 = FloatVector.fromArray(S, x, e0 + 3 * W);
                FloatVector a10 = FloatVector.fromArray(S, x, e1);
                FloatVector a11 = FloatVector.fromArray(S, x, e1 + W);
                FloatVector a12 = FloatVector.fromArray(S, x, e1 + 2 * W);
                FloatVector a13 = FloatVector.fromArray(S, x, e1 + 3 * W);
                int y0 = yo + m * ld;
                for (int off = 0; off < full; off += W) {
                    FloatVector x0 = FloatVector.fromArray(S, x, xk0 + off);
                    FloatVector x1 = FloatVector.fromArray(S, x, xk1 + off);
                    FloatVector v0 = FloatVector.fromArray(S, x, y0 + off);
                    FloatVector v1 = FloatVector.fromArray(S, x, y0 + ld + off);
                    FloatVector v2 = FloatVector.fromArray(S, x, y0 + 2 * ld + off);
                    FloatVector v3 = FloatVector.fromArray(S, x, y0 + 3 * ld + off);
                    a00 = x0.fma(v0, a00);
                    a01 = x0.fma(v1, a01);
                    a02 = x0.fma(v2, a02);
                    a03 = x0.fma(v3, a03);
                    a10 = x1.fma(v0, a10);
                    a11 = x1.fma(v1, a11);
                    a12 = x1.fma(v2, a12);
                    a13 = x1.fma(v3, a13);
                }
                if (hasTail) {
                    FloatVector x0 = FloatVector.fromArray(S, x, xk0 + full, tail);
                    FloatVector x1 = FloatVector.fromArray(S, x, xk1 + full, tail);
                    FloatVector v0 = FloatVector.fromArray(S, x, y0 + full, tail);
                    FloatVector v1 = FloatVector.fromArray(S, x, y0 + ld + full, tail);
                    FloatVector v2 = FloatVector.fromArray(S, x, y0 + 2 * ld + full, tail);
                    FloatVector v3 = FloatVector.fromArray(S, x, y0 + 3 * ld + full, tail);
                    a00 = x0.fma(v0, a00);
                    a01 = x0.fma(v1, a01);
                    a02 = x0.fma(v2, a02);
                    a03 = x0.fma(v3, a03);
                    a10 = x1.fma(v0, a10);
                    a11 = x1.fma(v1, a11);
                    a12 = x1.fma(v2, a12);
                    a13 = x1.fma(v3, a13);
                }
                a00.intoArray(x, e0);
                a01.intoArray(x, e0 + W);
                a02.intoArray(x, e0 + 2 * W);
                a03.intoArray(x, e0 + 3 * W);
                a10.intoArray(x, e1);
                a11.intoArray(x, e1 + W);
                a12.intoArray(x, e1 + 2 * W);
                a13.intoArray(x, e1 + 3 * W);
            }
            for (; m < dim; m++) {
                accumulateOne(acc, xk0, yo + m * ld, k * dim + m, full, tail, hasTail);
                accumulateOne(acc, xk1, yo + m * ld, (k + 1) * dim + m, full, tail, hasTail);
            }
        }
        for (; k < dim; k++) {
            for (int m = 0; m < dim; m++) {
                accumulateOne(acc, xo + k * ld, yo + m * ld, k * dim + m, full, tail, hasTail);
            }
        }
    }

    private void accumulateOne(int acc, int xr, int yr, int entry, int full, VectorMask<Float> tail, boolean hasTail) {
        float[] x = this.x;
        int e = acc + entry * W;
        FloatVector a = FloatVector.fromArray(S, x, e);
        for (int off = 0; off < full; off += W) {
            a = FloatVector.fromArray(S, x, xr + off).fma(FloatVector.fromArray(S, x, yr + off), a);
        }
        if (hasTail) {
            a = FloatVector.fromArray(S, x, xr + full, tail).fma(FloatVector.fromArray(S, x, yr + full, tail), a);
        }
        a.intoArray(x, e);
    }

    @Override
    void gemv(int y, int ys, int a, int rs, int cs, int v, int vs, int rows, int inner, boolean accumulate) {
        float[] x = this.x;
        for (int r = 0; r < rows; r++) {
            float s = 0;
            for (int k = 0; k < inner; k++) {
                s += x[a + r * rs + k * cs] * x[v + k * vs];
            }
            x[y + r * ys] = accumulate ? x[y + r * ys] + s : s;
        }
    }

    @Override
    void dots(int y, int a, int lda, int rows, int v, int n) {
        float[] x = this.x;
        for (int r = 0; r < rows; r++) {
            FloatVector acc = FloatVector.zero(S);
            int ar = a + r * lda;
            for (int off = 0; off < n; off += W) {
                VectorMask<Float> m = S.indexInRange(off, n);
                acc = FloatVector.fromArray(S, x, ar + off, m).fma(FloatVector.fromArray(S, x, v + off, m), acc);
            }
            x[y + r] = sumLanes(acc);
        }
    }

    @Override
    void rowSoftmax(int s, int n, int valid) {
        float[] x = this.x;
        FloatVector neg = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        FloatVector maxv = neg;
        for (int off = 0; off < n; off += W) {
            VectorMask<Float> in = S.indexInRange(off, valid);
            maxv = maxv.max(FloatVector.fromArray(S, x, s + off, S.indexInRange(off, n)).blend(neg, in.not()));
        }
        float max = maxv.reduceLanes(VectorOperators.MAX); // exact in any order
        FloatVector sum = FloatVector.zero(S);
        FloatVector zero = FloatVector.zero(S);
        for (int off = 0; off < n; off += W) {
            VectorMask<Float> in = S.indexInRange(off, valid);
            VectorMask<Float> row = S.indexInRange(off, n);
            FloatVector z = FloatVector.fromArray(S, x, s + off, row).sub(max);
            FloatVector ext = z.lanewise(VectorOperators.MAX, EXP_MIN).lanewise(VectorOperators.MIN, EXP_MAX);
            FloatVector exn = ext.mul(LOG2E).add(ROUND).sub(ROUND);
            FloatVector exr = exn.fma(FloatVector.broadcast(S, -LN2_HI), ext);
            exr = exn.fma(FloatVector.broadcast(S, -LN2_LO), exr);
            FloatVector exp = FloatVector.broadcast(S, P0).fma(exr, FloatVector.broadcast(S, P1));
            exp = exp.fma(exr, FloatVector.broadcast(S, P2));
            exp = exp.fma(exr, FloatVector.broadcast(S, P3));
            exp = exp.fma(exr, FloatVector.broadcast(S, P4));
            exp = exp.fma(exr, FloatVector.broadcast(S, P5));
            FloatVector exy = exp.fma(exr.mul(exr), exr.add(1f));
            IntVector exe = (IntVector) exn.convert(VectorOperators.F2I, 0);
            FloatVector ex = exy.mul(exe.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats());
            FloatVector e = ex.blend(zero, in.not());
            e.intoArray(x, s + off, row);
            sum = sum.add(e);
        }
        float inv = 1f / sumLanes(sum);
        for (int off = 0; off < n; off += W) {
            VectorMask<Float> row = S.indexInRange(off, n);
            FloatVector.fromArray(S, x, s + off, row).mul(inv).intoArray(x, s + off, row);
        }
    }

    @Override
    void rowSoftmaxBackward(int a, int da, int n) {
        float[] x = this.x;
        FloatVector acc = FloatVector.zero(S);
        for (int off = 0; off < n; off += W) {
            VectorMask<Float> m = S.indexInRange(off, n);
            acc = FloatVector.fromArray(S, x, a + off, m).fma(FloatVector.fromArray(S, x, da + off, m), acc);
        }
        float r = sumLanes(acc);
        for (int off = 0; off < n; off += W) {
            VectorMask<Float> m = S.indexInRange(off, n);
            FloatVector.fromArray(S, x, a + off, m).mul(FloatVector.fromArray(S, x, da + off, m).sub(r)).intoArray(x, da + off, m);
        }
    }

    @Override
    void outerAccumulate(int acc, int dim, int col0, int xo, int xs, int rows, int y, int cols) {
        float[] x = this.x;
        for (int r = 0; r < rows; r++) {
            float xr = x[xo + r * xs];
            for (int c = 0; c < cols; c++) {
                x[acc + (r * dim + col0 + c) * W] += xr * x[y + c];
            }
        }
    }

    @Override
    void addStrided(int dst, int ds, int src, int ss, int n) {
        for (int i = 0; i < n; i++) {
            x[dst + i * ds] += x[src + i * ss];
        }
    }

    @Override
    void copyStrided(int dst, int ds, int src, int ss, int n) {
        for (int i = 0; i < n; i++) {
            x[dst + i * ds] = x[src + i * ss];
        }
    }

    @Override
    void zeroLanes(int off, int ld, int rows, int from, int to) {
        for (int r = 0; r < rows; r++) {
            java.util.Arrays.fill(x, off + r * ld + from, off + r * ld + to, 0f);
        }
    }

    @Override
    double crossEntropy(int logits, int classes, int label, int g) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, x[logits + c]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += StrictMath.exp(x[logits + c] - max);
        }
        for (int c = 0; c < classes; c++) {
            x[g + c] = (float) (StrictMath.exp(x[logits + c] - max) / sum - (c == label ? 1 : 0));
        }
        return StrictMath.log(sum) + max - x[logits + label];
    }

    @Override
    double squaredError(int out, int width, double[] target, int from, int g) {
        double loss = 0;
        for (int c = 0; c < width; c++) {
            double e = x[out + c] - target[from + c];
            x[g + c] = (float) e;
            loss += e * e;
        }
        return 0.5 * loss;
    }

    @Override
    void loadPrompt(double[] z, int from, int tokens, int dim, int dst, int ld) {
        for (int k = 0; k < dim; k++) {
            for (int i = 0; i < tokens; i++) {
                x[dst + k * ld + i] = (float) z[from + i * dim + k];
            }
            java.util.Arrays.fill(x, dst + k * ld + tokens, dst + (k + 1) * ld, 0f);
        }
    }

    @Override
    void loadConjugated(double[] m, int[] inv, int dim, int dst) {
        for (int a = 0; a < dim; a++) {
            int ra = inv == null ? a : inv[a];
            for (int b = 0; b < dim; b++) {
                x[dst + a * dim + b] = (float) m[ra * dim + (inv == null ? b : inv[b])];
            }
        }
    }

    @Override
    int argmax(int off, int n) {
        int best = 0;
        for (int c = 1; c < n; c++) {
            if (x[off + c] > x[off + best]) {
                best = c;
            }
        }
        return best;
    }

    @Override
    double accumulatorSum(int acc) {
        double s = 0;
        for (int i = 0; i < W; i++) {
            s += x[acc + i];
        }
        return s;
    }
}
