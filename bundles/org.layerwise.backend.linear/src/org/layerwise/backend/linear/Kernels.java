package org.layerwise.backend.linear;

/**
 * The engine's two inner loops, each element of the result a chain of fused multiply-adds in a
 * fixed order. {@link #BEST} runs them in the Vector API's lanes where the JVM has the module
 * (--add-modules=jdk.incubator.vector, as the launcher and the tests start it), else in
 * Math.fma: both round each step once, in the same order, so results are bit-identical either way.
 */
abstract class Kernels {

    /** The vector kernels if they are available, else the scalar ones; a constant, so the JIT inlines through it. */
    static final Kernels BEST = choose();

    /** y[yo, yo + n) += x v[vo, vo + n). */
    abstract void axpy(double x, double[] v, int vo, double[] y, int yo, int n);

    /**
     * out[o + j] (+)= sum over r < rows, in order, of c[co + r cs] m[mo + r ms + j], for j < n: a
     * weighted sum of matrix rows, kept in registers across the rows (from 0 unless accumulating).
     */
    abstract void sumRows(double[] c, int co, int cs, double[] m, int mo, int ms, int rows, double[] out, int o, int n,
            boolean accumulate);

    /** What BEST is, for run.json. */
    abstract String description();

    static final class Scalar extends Kernels {
        private final String why;

        Scalar(String why) {
            this.why = why;
        }

        @Override
        void axpy(double x, double[] v, int vo, double[] y, int yo, int n) {
            axpyFrom(0, x, v, vo, y, yo, n);
        }

        @Override
        void sumRows(double[] c, int co, int cs, double[] m, int mo, int ms, int rows, double[] out, int o, int n,
                boolean accumulate) {
            sumRowsFrom(0, c, co, cs, m, mo, ms, rows, out, o, n, accumulate);
        }

        @Override
        String description() {
            return "scalar Math.fma (" + why + ")";
        }
    }

    /** axpy in Math.fma for the elements from i0 on: the scalar kernel, and the vector kernel's tail. */
    static void axpyFrom(int i0, double x, double[] v, int vo, double[] y, int yo, int n) {
        for (int i = i0; i < n; i++) {
            y[yo + i] = Math.fma(x, v[vo + i], y[yo + i]);
        }
    }

    /** sumRows in Math.fma for the columns from j0 on: the scalar kernel, and the vector kernel's tail. */
    static void sumRowsFrom(int j0, double[] c, int co, int cs, double[] m, int mo, int ms, int rows, double[] out, int o, int n,
            boolean accumulate) {
        for (int j = j0; j < n; j++) {
            double acc = accumulate ? out[o + j] : 0;
            for (int r = 0; r < rows; r++) {
                acc = Math.fma(c[co + r * cs], m[mo + r * ms + j], acc);
            }
            out[o + j] = acc;
        }
    }

    /** Links VectorKernels only after checking that the module is readable, so this class loads without it. */
    private static Kernels choose() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return new Scalar("the Vector API is not available: start java with --add-modules=jdk.incubator.vector");
        }
        try {
            Class.forName("jdk.incubator.vector.DoubleVector", false, Kernels.class.getClassLoader());
            VectorKernels v = new VectorKernels();
            return v.lanes() < 2 ? new Scalar("the Vector API offers " + v.lanes() + " double lane here") : v;
        } catch (Throwable e) {
            return new Scalar("the Vector API is not visible to the bundle: " + e);
        }
    }
}
