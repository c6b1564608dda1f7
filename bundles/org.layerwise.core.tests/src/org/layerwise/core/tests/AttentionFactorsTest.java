package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.core.model.AttentionFactors;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;

/** The factored parameterization: products, chain-rule gradients, initial spread. */
class AttentionFactorsTest {

    static ModelConfig config(int dHead, String dtype) {
        return new ModelConfig(4, 3, 6, 2, 2, ModelConfig.Attention.SOFTMAX, ModelConfig.Keys.CONTEXT, "factored", dHead, dtype,
                "classification");
    }

    /** L = <G_QK, QK> + <G_OV, OV> with QK and OV the products of the factors of head i. */
    private static double loss(AttentionFactors f, int i, double[] gqk, double[] gov) {
        double s = 0;
        double[] qk = f.qk(i);
        double[] ov = f.ov(i);
        for (int j = 0; j < qk.length; j++) {
            s += gqk[j] * qk[j] + gov[j] * ov[j];
        }
        return s;
    }

    @Test
    void factor_gradients_match_central_differences_of_a_loss_linear_in_the_merged_matrices() {
        AttentionFactors f = AttentionFactors.gaussian(config(3, "float64"), 0.5, new SplittableRandom(1));
        SplittableRandom rng = new SplittableRandom(2);
        double[] gqk = new double[49];
        double[] gov = new double[49];
        for (int j = 0; j < 49; j++) {
            gqk[j] = rng.nextGaussian();
            gov[j] = rng.nextGaussian();
        }
        int head = 3;
        double[][] analytic = f.gradient(head, gqk, gov);
        double[][] factors = {f.wq()[head], f.wk()[head], f.wv()[head], f.wo()[head]};
        double h = 1e-4;
        double worst = 0;
        for (int m = 0; m < 4; m++) {
            assertEquals(factors[m].length, analytic[m].length);
            for (int j = 0; j < factors[m].length; j++) {
                double keep = factors[m][j];
                factors[m][j] = keep + h;
                double up = loss(f, head, gqk, gov);
                factors[m][j] = keep - h;
                double down = loss(f, head, gqk, gov);
                factors[m][j] = keep;
                worst = Math.max(worst, Math.abs((up - down) / (2 * h) - analytic[m][j]) / (1 + Math.abs(analytic[m][j])));
            }
        }
        // L is quadratic in the factors, so central differences are exact up to round-off
        assertTrue(worst < 1e-9, "worst relative error " + worst);
    }

    @Test
    void merged_matrices_are_the_products_and_have_the_merged_initial_spread() {
        ModelConfig c = config(12, "float32");
        TransformerModel m = AttentionFactors.gaussian(c, 0.02, new SplittableRandom(3)).merged(c);
        AttentionFactors f = m.factors();
        double sum2 = 0;
        int count = 0;
        for (int i = 0; i < f.count(); i++) {
            double[] qk = m.qk(i / 2, i % 2);
            for (int a = 0; a < 7; a++) {
                for (int b = 0; b < 7; b++) {
                    double s = 0;
                    for (int j = 0; j < 12; j++) {
                        s += f.wq()[i][a * 12 + j] * f.wk()[i][b * 12 + j];
                    }
                    assertEquals(s, qk[a * 7 + b], 1e-15);
                }
            }
            for (double[] w : new double[][] {qk, m.ov(i / 2, i % 2)}) {
                for (double v : w) {
                    sum2 += v * v;
                    count++;
                }
            }
            for (double v : f.wq()[i]) {
                assertEquals((float) v, v, 0.0, "float32 factors are rounded");
            }
        }
        double std = Math.sqrt(sum2 / count);
        assertTrue(std > 0.016 && std < 0.024, "merged entries' standard deviation " + std + ", expected about 0.02");
    }
}
