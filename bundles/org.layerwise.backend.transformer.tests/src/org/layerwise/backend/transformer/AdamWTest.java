package org.layerwise.backend.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.Test;

/** AdamW against torch.optim.AdamW's formula, written out per step, and its properties. */
class AdamWTest {

    private static final double B1 = 0.9;
    private static final double B2 = 0.98;
    private static final double EPS = 1e-8;
    private static final double WD = 1.0;

    private static double[][] copy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    @Test
    void threeStepsMatchTheFormulaBitForBit() {
        double[][] w = {{0.5, -1.25, 3}, {-0.75}};
        double[][][] grads = {{{0.1, -2, 0}, {7}}, {{-0.3, 0.5, 1e-3}, {-7}}, {{0.2, 0.2, -4}, {0.25}}};
        double[] lrs = {1e-3, 0, 2e-3};
        AdamW adam = new AdamW(new int[] {3, 1}, B1, B2, EPS, WD);
        double[][] hw = copy(w);
        double[][] m = {new double[3], new double[1]};
        double[][] v = {new double[3], new double[1]};
        for (int t = 1; t <= 3; t++) {
            double[][] g = grads[t - 1];
            double lr = lrs[t - 1];
            adam.step(w, g, lr);
            for (int i = 0; i < 2; i++) {
                for (int k = 0; k < hw[i].length; k++) {
                    hw[i][k] = hw[i][k] * (1 - lr * WD);
                    m[i][k] = B1 * m[i][k] + (1 - B1) * g[i][k];
                    v[i][k] = B2 * v[i][k] + (1 - B2) * g[i][k] * g[i][k];
                    double denom = Math.sqrt(v[i][k]) / Math.sqrt(1 - Math.pow(B2, t)) + EPS;
                    hw[i][k] = hw[i][k] - lr / (1 - Math.pow(B1, t)) * (m[i][k] / denom);
                }
                assertArrayEquals(hw[i], w[i], 0, "weights after step " + t);
                assertArrayEquals(m[i], adam.m()[i], 0, "m after step " + t);
                assertArrayEquals(v[i], adam.v()[i], 0, "v after step " + t);
            }
            assertEquals(t, adam.t());
        }
    }

    @Test
    void theFirstStepMovesEachWeightByAboutLrAgainstItsGradientsSign() {
        double[][] w = {{1, 1, 1}};
        new AdamW(new int[] {3}, B1, B2, EPS, 0).step(w, new double[][] {{3, -1e-3, 40}}, 0.01);
        assertArrayEquals(new double[] {0.99, 1.01, 0.99}, w[0], 1e-7);
    }

    @Test
    void aZeroLearningRateLeavesTheWeightsAndStillAdvancesTheMoments() {
        double[][] w = {{0.5, -2}};
        double[][] before = copy(w);
        AdamW adam = new AdamW(new int[] {2}, B1, B2, EPS, WD);
        adam.step(w, new double[][] {{1, -3}}, 0);
        assertArrayEquals(before[0], w[0], 0, "lr 0: neither the decay nor the update moves a weight");
        assertEquals(1, adam.t());
        assertArrayEquals(new double[] {(1 - B1) * 1, (1 - B1) * -3}, adam.m()[0], 0);
        assertNotEquals(0, adam.v()[0][1]);
    }

    @Test
    void withZeroGradientOnlyTheDecayActs() {
        double[][] w = {{0.5, -2}};
        AdamW adam = new AdamW(new int[] {2}, B1, B2, EPS, 0.5);
        adam.step(w, new double[][] {{0, 0}}, 0.1);
        assertArrayEquals(new double[] {0.5 * (1 - 0.1 * 0.5), -2 * (1 - 0.1 * 0.5)}, w[0], 0);
    }

    @Test
    void aRestoredStateContinuesBitForBit() {
        double[][] w = {{0.5, -1.25, 3}};
        double[][][] grads = {{{0.1, -2, 0.3}}, {{-0.3, 0.5, 1e-3}}, {{0.2, 0.2, -4}}};
        AdamW a = new AdamW(new int[] {3}, B1, B2, EPS, WD);
        a.step(w, grads[0], 1e-3);
        a.step(w, grads[1], 1e-3);
        double[][] saved = copy(w);
        AdamW b = new AdamW(new int[] {3}, B1, B2, EPS, WD);
        b.restore(copy(a.m()), copy(a.v()), a.t());
        a.step(w, grads[2], 1e-3);
        b.step(saved, grads[2], 1e-3);
        assertArrayEquals(w[0], saved[0], 0);
        assertEquals(3, b.t());
    }
}
