package org.layerwise.backend.linear;

/**
 * The engine's one inner loop: y[yo, yo + n) += x v[vo, vo + n), one fused multiply-add per
 * element. {@link #BEST} runs it in the Vector API's lanes where the JVM has the module
 * (--add-modules=jdk.incubator.vector, as the launcher and the tests start it), else in
 * Math.fma: both round each element once, so results are bit-identical either way.
 */
abstract class Axpy {

    /** The vector kernel if it is available, else the scalar one; a constant, so the JIT inlines through it. */
    static final Axpy BEST = choose();

    abstract void run(double x, double[] v, int vo, double[] y, int yo, int n);

    /** What BEST is, for run.json. */
    abstract String description();

    static final class Scalar extends Axpy {
        private final String why;

        Scalar(String why) {
            this.why = why;
        }

        @Override
        void run(double x, double[] v, int vo, double[] y, int yo, int n) {
            for (int i = 0; i < n; i++) {
                y[yo + i] = Math.fma(x, v[vo + i], y[yo + i]);
            }
        }

        @Override
        String description() {
            return "scalar Math.fma (" + why + ")";
        }
    }

    /** Links VectorAxpy only after checking that the module is readable, so this class loads without it. */
    private static Axpy choose() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            return new Scalar("the Vector API is not available: start java with --add-modules=jdk.incubator.vector");
        }
        try {
            Class.forName("jdk.incubator.vector.DoubleVector", false, Axpy.class.getClassLoader());
            VectorAxpy v = new VectorAxpy();
            return v.lanes() < 2 ? new Scalar("the Vector API offers " + v.lanes() + " double lane here") : v;
        } catch (Throwable e) {
            return new Scalar("the Vector API is not visible to the bundle: " + e);
        }
    }
}
