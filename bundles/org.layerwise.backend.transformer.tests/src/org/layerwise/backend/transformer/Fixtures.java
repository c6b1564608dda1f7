package org.layerwise.backend.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

import org.layerwise.core.TokenDataset;
import org.layerwise.core.model.NetworkConfig;

/** Small configs, datasets and weights for the engine tests. */
final class Fixtures {

    private Fixtures() {
    }

    static NetworkConfig config(int vocab, int classes, int nCtx, int dModel, int layers, int heads, int dHead, int dMlp,
            boolean attnOnly, boolean layerNorm) {
        return new NetworkConfig(NetworkConfig.TRANSFORMER, vocab, classes, nCtx, dModel, layers, heads, dHead, attnOnly ? 0 : dMlp,
                attnOnly, "relu", layerNorm ? NetworkConfig.LAYER_NORM : null, 1e-5, Math.sqrt(dHead), "float64", null);
    }

    /** n examples of random tokens and labels, the first half train. */
    static TokenDataset random(int vocab, int classes, int length, int answer, int n, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        int[] tokens = new int[n * length];
        int[] labels = new int[n];
        for (int i = 0; i < tokens.length; i++) {
            tokens[i] = rng.nextInt(vocab);
        }
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(classes);
        }
        int[] all = new int[n];
        Arrays.setAll(all, i -> i);
        return new TokenDataset(vocab, classes, length, answer, tokens, labels, Arrays.copyOfRange(all, 0, n / 2),
                Arrays.copyOfRange(all, n / 2, n));
    }

    /** Modular addition [a, b, p] -> (a + b) mod p, a random fraction f of the p^2 pairs for training. */
    static TokenDataset modularAddition(int p, double f, long seed) {
        int n = p * p;
        int[] tokens = new int[n * 3];
        int[] labels = new int[n];
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                int e = a * p + b;
                tokens[3 * e] = a;
                tokens[3 * e + 1] = b;
                tokens[3 * e + 2] = p;
                labels[e] = (a + b) % p;
            }
        }
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int train = (int) Math.floor(f * n);
        int[] tr = Arrays.copyOfRange(order, 0, train);
        int[] te = Arrays.copyOfRange(order, train, n);
        Arrays.sort(tr);
        Arrays.sort(te);
        return new TokenDataset(p + 1, p, 3, 2, tokens, labels, tr, te);
    }

    /** Every weight, biases and LayerNorm parameters included, normal(0, scale): no term of the pass is trivially zero. */
    static Parameters gaussian(NetworkConfig c, double scale, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Parameters p = Parameters.zeros(c);
        for (double[] v : p.values()) {
            for (int i = 0; i < v.length; i++) {
                v[i] = scale * rng.nextGaussian();
            }
        }
        return p;
    }

    static int[] all(int n) {
        int[] rows = new int[n];
        Arrays.setAll(rows, i -> i);
        return rows;
    }

    /**
     * Loss and gradient from the engine built for each thread count are bit-identical to those of
     * the first; each gradient buffer starts as NaN, so it must be overwritten.
     */
    static void assertSameBitsOnThreads(IntFunction<Engine> engine, NetworkConfig c, double[][] w, int[] rows, int... threads) {
        double[][] first = null;
        Engine.Evaluation firstEval = null;
        for (int t : threads) {
            double[][] g = Parameters.zerosLike(Parameters.sizes(c));
            for (double[] v : g) {
                Arrays.fill(v, Double.NaN);
            }
            Engine.Evaluation e = engine.apply(t).lossAndGradient(w, rows, g);
            if (first == null) {
                first = g;
                firstEval = e;
                continue;
            }
            assertEquals(Double.doubleToRawLongBits(firstEval.loss()), Double.doubleToRawLongBits(e.loss()), t + " threads");
            for (int i = 0; i < g.length; i++) {
                assertArrayEquals(first[i], g[i], 0, "tensor " + i + " with " + t + " threads");
            }
        }
    }
}
