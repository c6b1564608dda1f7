package org.layerwise.nd4j.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDIndex;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.api.OutAndGrad;
import org.nd4j.common.config.ND4JClassLoading;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Proves that ND4J (nd4j-native, linux-x86_64) loads and computes correctly inside OSGi from the
 * single wrapper bundle: float64 matmul, batched rank-3 matmul, and a SameDiff attention layer whose
 * gradients match central finite differences.
 */
public class Nd4jBundleTest {

    private static final double GRAD_RTOL = 1e-7;

    @BeforeAll
    static void initNd4j() {
        long t0 = System.nanoTime();
        Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
        INDArray probe = Nd4j.zeros(DataType.DOUBLE, 2, 2);
        double ms = (System.nanoTime() - t0) / 1e6;
        System.out.printf("org.layerwise.nd4j: first ND4J use took %.0f ms (backend %s, %s, cache dir %s)%n", ms,
                Nd4j.getBackend().getClass().getSimpleName(), probe.dataType(),
                System.getProperty("org.bytedeco.javacpp.cachedir"));
    }

    /**
     * The bundle's lazy activator must have pointed ND4J at the bundle's own class loader; otherwise ND4J uses
     * the context class loader of the first caller (here tycho-surefire's SurefireLoader, in a product often a
     * consumer bundle's loader) and fails with "Please ensure that you have an nd4j backend on your classpath".
     */
    @Test
    void nd4jLoadsClassesThroughThisBundle() {
        assertSame(Nd4j.class.getClassLoader(), ND4JClassLoading.getNd4jClassloader());
    }

    /**
     * The Java-side equivalent of OMP_NUM_THREADS=1 after ND4J has loaded (NativeOpsHolder needs the backend
     * initialised first). The OpenMP setting is per calling thread: call it on every thread that runs ND4J ops.
     * The BLAS setting is global. Nd4j.getEnvironment().setMaxThreads is a no-op in 1.0.0-M2.1.
     */
    @Test
    void oneNativeThreadCanBeSetAfterLoad() throws InterruptedException {
        Nd4j.getBackend();
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        ops.setOmpNumThreads(1);
        Nd4j.factory().blas().setMaxThreads(1);
        assertEquals(1, ops.ompGetMaxThreads());
        assertEquals(1, Nd4j.factory().blas().getMaxThreads());
        int[] other = new int[2];
        Thread t = new Thread(() -> {
            other[0] = ops.ompGetMaxThreads();
            other[1] = Nd4j.factory().blas().getMaxThreads();
        });
        t.start();
        t.join();
        System.out.printf("OpenMP threads: this thread %d, a new thread %d; BLAS threads in a new thread %d%n",
                ops.ompGetMaxThreads(), other[0], other[1]);
        assertEquals(1, other[1]);
    }

    // ---------------------------------------------------------------- matmul

    @Test
    void float64Matmul() {
        Random rnd = new Random(1);
        double[][] a = randomMatrix(rnd, 5, 7);
        double[][] b = randomMatrix(rnd, 7, 3);
        INDArray c = Nd4j.create(a).mmul(Nd4j.create(b));
        assertEquals(DataType.DOUBLE, c.dataType());
        assertArrayEquals(new long[] {5, 3}, c.shape());
        double[][] expected = matmul(a, b);
        for (int i = 0; i < 5; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(expected[i][j], c.getDouble(i, j), 1e-12);
            }
        }
    }

    @Test
    void batchedMatmulEqualsLoops() {
        Random rnd = new Random(2);
        int batch = 4, n = 3, k = 5, m = 2;
        double[][][] a = new double[batch][][];
        double[][][] b = new double[batch][][];
        for (int i = 0; i < batch; i++) {
            a[i] = randomMatrix(rnd, n, k);
            b[i] = randomMatrix(rnd, k, m);
        }
        double[][] w = randomMatrix(rnd, k, m);
        INDArray a3 = Nd4j.create(a);
        INDArray b3 = Nd4j.create(b);
        INDArray w2 = Nd4j.create(w);

        // [B,n,k] x [B,k,m]: Nd4j.matmul batches over the leading axis.
        INDArray c = Nd4j.matmul(a3, b3);
        assertArrayEquals(new long[] {batch, n, m}, c.shape());
        // [B,n,k] x [k,m]: matmul needs equal ranks; tensorMmul contracts a's axis 2 with w's axis 0.
        INDArray d = Nd4j.tensorMmul(a3, w2, new int[][] {{2}, {0}});
        assertArrayEquals(new long[] {batch, n, m}, d.shape());
        // Same through a reshape to [B*n,k].
        INDArray e = a3.reshape(batch * n, k).mmul(w2).reshape(batch, n, m);

        // And in SameDiff (the form the attention layer uses).
        SameDiff sd = SameDiff.create();
        SDVariable sa = sd.constant("a", a3);
        SDVariable sb = sd.constant("b", b3);
        SDVariable sw = sd.constant("w", w2);
        sd.mmul("c", sa, sb);
        sd.reshape("d", sd.mmul(sd.reshape(sa, -1, k), sw), -1, n, m);
        sd.mmul("ct", sb, sa, true, true, false); // b^T a^T = (a b)^T per batch: [B,m,n]
        Map<String, INDArray> out = sd.output((Map<String, INDArray>) null, "c", "d", "ct");

        for (int i = 0; i < batch; i++) {
            double[][] ab = matmul(a[i], b[i]);
            double[][] aw = matmul(a[i], w);
            for (int r = 0; r < n; r++) {
                for (int s = 0; s < m; s++) {
                    assertEquals(ab[r][s], c.getDouble(i, r, s), 1e-12);
                    assertEquals(ab[r][s], out.get("c").getDouble(i, r, s), 1e-12);
                    assertEquals(ab[r][s], out.get("ct").getDouble(i, s, r), 1e-12);
                    assertEquals(aw[r][s], d.getDouble(i, r, s), 1e-12);
                    assertEquals(aw[r][s], e.getDouble(i, r, s), 1e-12);
                    assertEquals(aw[r][s], out.get("d").getDouble(i, r, s), 1e-12);
                }
            }
        }
        assertEquals(DataType.DOUBLE, out.get("c").dataType());
    }

    // ---------------------------------------------------------------- SameDiff attention layer

    private static final int B = 3, T = 5, D = 4;

    /**
     * out = Z + softmax_lastAxis(Z Q Z^T) Z V, loss = mean(out^2); all float64. With
     * {@code tokenRange} the loss uses only tokens [from, to) of the middle axis (interval + reshape).
     */
    private static SameDiff attention(double[][] q, double[][] v, int[] tokenRange) {
        SameDiff sd = SameDiff.create();
        SDVariable z = sd.placeHolder("Z", DataType.DOUBLE, -1, T, D);
        SDVariable qv = sd.var("Q", Nd4j.create(q));
        SDVariable vv = sd.var("V", Nd4j.create(v));
        SDVariable zq = sd.reshape(sd.mmul(sd.reshape(z, -1, D), qv), -1, T, D); // [B,T,D] x [D,D]
        SDVariable s = sd.mmul("S", zq, z, false, true, false); // [B,T,D] x [B,D,T] batched
        SDVariable p = sd.nn.softmax("P", s, 2); // softmax over the last axis
        SDVariable pz = sd.mmul(p, z); // [B,T,T] x [B,T,D]
        SDVariable out = z.add("out", sd.reshape(sd.mmul(sd.reshape(pz, -1, D), vv), -1, T, D));
        SDVariable used = out;
        if (tokenRange != null) {
            int len = tokenRange[1] - tokenRange[0];
            used = sd.reshape(out.get(SDIndex.all(), SDIndex.interval(tokenRange[0], tokenRange[1]), SDIndex.all()),
                    -1, len * D);
        }
        used.mul(used).mean("loss");
        sd.setLossVariables("loss");
        return sd;
    }

    /** SameDiff prints one "Added differentiated op" line per op to System.out while building the gradient graph. */
    private static void createGradFunctionQuietly(SameDiff sd, String... alsoFor) {
        PrintStream stdout = System.out;
        System.setOut(new PrintStream(OutputStream.nullOutputStream()));
        try {
            sd.createGradFunction(alsoFor);
        } finally {
            System.setOut(stdout);
        }
    }

    @Test
    void attentionForwardMatchesLoops() {
        Random rnd = new Random(3);
        double[][] q = randomMatrix(rnd, D, D, 0.5);
        double[][] v = randomMatrix(rnd, D, D, 0.5);
        double[][][] z = randomTensor(rnd);
        SameDiff sd = attention(q, v, null);
        Map<String, INDArray> res = sd.output(Map.of("Z", Nd4j.create(z)), "out", "loss");
        INDArray out = res.get("out");
        assertEquals(DataType.DOUBLE, out.dataType());
        assertEquals(DataType.DOUBLE, res.get("loss").dataType());
        double[][][] expected = attentionByLoops(z, q, v);
        double sumSq = 0;
        for (int b = 0; b < B; b++) {
            for (int t = 0; t < T; t++) {
                for (int d = 0; d < D; d++) {
                    assertEquals(expected[b][t][d], out.getDouble(b, t, d), 1e-12);
                    sumSq += expected[b][t][d] * expected[b][t][d];
                }
            }
        }
        assertEquals(sumSq / (B * T * D), res.get("loss").getDouble(0), 1e-13);
    }

    @Test
    void attentionGradientMatchesFiniteDifferences() {
        checkGradients(null);
    }

    @Test
    void middleAxisIntervalSliceBackpropagates() {
        checkGradients(new int[] {1, 4});
    }

    private static void checkGradients(int[] tokenRange) {
        Random rnd = new Random(tokenRange == null ? 4 : 5);
        double[][] q = randomMatrix(rnd, D, D, 0.5);
        double[][] v = randomMatrix(rnd, D, D, 0.5);
        INDArray z = Nd4j.create(randomTensor(rnd));
        SameDiff sd = attention(q, v, tokenRange);
        createGradFunctionQuietly(sd, "Z"); // also the gradient of the placeholder Z

        // Loss value and gradients in one call.
        OutAndGrad og = sd.calculateGradientsAndOutputs(Map.of("Z", z), List.of("loss"), List.of("Q", "V", "Z"));
        double loss = og.getOutputs().get("loss").getDouble(0);
        assertEquals(lossOf(sd, z), loss, 1e-12 * Math.abs(loss));
        Map<String, INDArray> grads = new HashMap<>(og.getGradients());
        for (INDArray g : grads.values()) {
            assertEquals(DataType.DOUBLE, g.dataType());
        }

        double h = 1e-5;
        for (String name : List.of("Q", "V", "Z")) {
            INDArray param = name.equals("Z") ? z : sd.getVariable(name).getArr();
            INDArray grad = grads.get(name);
            assertArrayEquals(param.shape(), grad.shape(), name);
            double maxErr = 0, maxGrad = 0;
            for (long i = 0; i < param.length(); i++) {
                double x0 = param.getDouble(i);
                param.putScalar(i, x0 + h);
                double up = lossOf(sd, z);
                param.putScalar(i, x0 - h);
                double down = lossOf(sd, z);
                param.putScalar(i, x0);
                double fd = (up - down) / (2 * h);
                double g = grad.getDouble(i);
                maxErr = Math.max(maxErr, Math.abs(g - fd));
                maxGrad = Math.max(maxGrad, Math.abs(g));
            }
            double rel = maxErr / maxGrad;
            System.out.printf("gradient %s%s: max |g| %.3e, max |g - fd| %.3e, relative %.2e%n", name,
                    tokenRange == null ? "" : " (tokens " + tokenRange[0] + ".." + tokenRange[1] + ")", maxGrad,
                    maxErr, rel);
            assertTrue(maxGrad > 1e-6, name + ": gradient is zero");
            assertTrue(rel < GRAD_RTOL, name + ": gradient differs from finite differences, relative " + rel);
        }
        if (tokenRange != null) {
            // Tokens outside the range still influence the loss through attention, but nothing else does.
            assertTrue(grads.get("Z").getDouble(0, 0, 0) != 0.0);
        }
    }

    private static double lossOf(SameDiff sd, INDArray z) {
        return sd.output(Map.of("Z", z), "loss").get("loss").getDouble(0);
    }

    // ---------------------------------------------------------------- plain Java reference

    private static double[][][] attentionByLoops(double[][][] z, double[][] q, double[][] v) {
        double[][][] out = new double[B][][];
        for (int b = 0; b < B; b++) {
            double[][] zb = z[b];
            double[][] s = matmul(matmul(zb, q), transpose(zb));
            for (double[] row : s) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (double x : row) {
                    max = Math.max(max, x);
                }
                for (int j = 0; j < row.length; j++) {
                    row[j] = Math.exp(row[j] - max);
                    sum += row[j];
                }
                for (int j = 0; j < row.length; j++) {
                    row[j] /= sum;
                }
            }
            double[][] upd = matmul(matmul(s, zb), v);
            out[b] = new double[T][D];
            for (int t = 0; t < T; t++) {
                for (int d = 0; d < D; d++) {
                    out[b][t][d] = zb[t][d] + upd[t][d];
                }
            }
        }
        return out;
    }

    private static double[][] matmul(double[][] a, double[][] b) {
        double[][] c = new double[a.length][b[0].length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b[0].length; j++) {
                double s = 0;
                for (int k = 0; k < b.length; k++) {
                    s += a[i][k] * b[k][j];
                }
                c[i][j] = s;
            }
        }
        return c;
    }

    private static double[][] transpose(double[][] a) {
        double[][] t = new double[a[0].length][a.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < a[0].length; j++) {
                t[j][i] = a[i][j];
            }
        }
        return t;
    }

    private static double[][] randomMatrix(Random rnd, int rows, int cols) {
        return randomMatrix(rnd, rows, cols, 1.0);
    }

    private static double[][] randomMatrix(Random rnd, int rows, int cols, double std) {
        double[][] m = new double[rows][cols];
        for (double[] row : m) {
            for (int j = 0; j < cols; j++) {
                row[j] = std * rnd.nextGaussian();
            }
        }
        return m;
    }

    private static double[][][] randomTensor(Random rnd) {
        double[][][] z = new double[B][][];
        for (int b = 0; b < B; b++) {
            z[b] = randomMatrix(rnd, T, D);
        }
        return z;
    }
}
