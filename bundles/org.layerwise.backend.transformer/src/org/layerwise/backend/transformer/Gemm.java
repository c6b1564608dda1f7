package org.layerwise.backend.transformer;

/**
 * Float32 matrix products for {@link BatchedEngine}: C[r][0, n) (+)= sum over s &lt; inner of
 * A(r, s) B[s][0, n), with C[r] at c[cOff + r ldc], B[s] at b[bOff + s ldb] and A(r, s) =
 * a[aOff + r ars + s acs] (strides, so A may be read transposed). Every entry of C is one chain
 * of fused multiply-adds over s in order, so the vector and the scalar implementation give the
 * same bits.
 */
abstract class Gemm {

    abstract void gemm(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int ldb, int rows,
            int inner, int n, boolean accumulate);

    /** What computes the products (the SIMD species, or why none). */
    abstract String description();

    /** The Vector API implementation where the runtime offers it, else plain loops. */
    static Gemm create() {
        return VectorSupport.PROBLEM == null ? VectorSupport.create() : new Scalar(VectorSupport.PROBLEM);
    }

    /** Columns [from, n) of one row of C (at cr, its A row at ar) in plain fused multiply-adds. */
    static void scalarRow(float[] c, int cr, float[] a, int ar, int acs, float[] b, int bOff, int ldb, int inner, int from, int n,
            boolean accumulate) {
        if (!accumulate) {
            for (int j = from; j < n; j++) {
                c[cr + j] = 0;
            }
        }
        for (int s = 0; s < inner; s++) {
            float as = a[ar + s * acs];
            int bs = bOff + s * ldb;
            for (int j = from; j < n; j++) {
                c[cr + j] = Math.fma(as, b[bs + j], c[cr + j]);
            }
        }
    }

    /** Plain loops: the fallback without the Vector API. */
    static final class Scalar extends Gemm {
        private final String why;

        Scalar(String why) {
            this.why = why;
        }

        @Override
        void gemm(float[] c, int cOff, int ldc, float[] a, int aOff, int ars, int acs, float[] b, int bOff, int ldb, int rows, int inner,
                int n, boolean accumulate) {
            for (int r = 0; r < rows; r++) {
                scalarRow(c, cOff + r * ldc, a, aOff + r * ars, acs, b, bOff, ldb, inner, 0, n, accumulate);
            }
        }

        @Override
        String description() {
            return "scalar float32 (" + why + ")";
        }
    }

    /** Isolates every reference to jdk.incubator.vector: VectorGemm is linked only after the probe found the module. */
    private static final class VectorSupport {
        static final String PROBLEM = probe();

        private static String probe() {
            if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
                return "the Vector API is not available: start java with --add-modules=jdk.incubator.vector";
            }
            try {
                Class.forName("jdk.incubator.vector.FloatVector", false, Gemm.class.getClassLoader());
                int lanes = VectorGemm.lanes();
                return lanes < 4 ? "the Vector API offers only " + lanes + " float lanes here" : null;
            } catch (Throwable e) {
                return "the Vector API is not visible to the bundle (" + e + ")";
            }
        }

        static Gemm create() {
            return new VectorGemm();
        }
    }
}
