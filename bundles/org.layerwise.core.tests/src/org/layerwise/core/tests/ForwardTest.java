package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.ModelConfig.Attention;
import org.layerwise.core.model.ModelConfig.Keys;
import org.layerwise.core.model.TransformerModel;

/**
 * The reference forward pass against docs/mathematics.md section 3 written out as plainly as possible,
 * one prompt, one dot product at a time: equal to the last bit, since the pass promises that
 * every number is summed in that order however its loops are blocked.
 */
class ForwardTest {

    @Test
    void every_state_pattern_and_logit_equals_the_plain_definition_bit_for_bit() {
        SplittableRandom rng = new SplittableRandom(11);
        // D = 7 and K = 13, 14: neither a multiple of the four outputs summed at a time
        for (Attention attention : Attention.values()) {
            for (Keys keys : Keys.values()) {
                ModelConfig c = new ModelConfig(4, 3, 13, 3, 2, attention, keys, "merged", 7, "float64", "classification");
                TransformerModel m = TransformerModel.gaussian(c, 0.4, rng);
                int count = 5;
                double[] z = new double[count * c.tokens() * c.dModel()];
                for (int i = 0; i < z.length; i++) {
                    z[i] = rng.nextGaussian();
                }
                Forward.Result got = Forward.run(m, z, count, Forward.Hooks.ALL);
                for (int p = 0; p < count; p++) {
                    double[][] want = plain(m, z, p);
                    String what = attention + ", keys " + keys + ", prompt " + p;
                    int per = c.tokens() * c.dModel();
                    int pat = c.nHeads() * c.tokens() * c.numKeys();
                    for (int l = 0; l < c.nLayers(); l++) {
                        assertArrayEquals(want[2 * l], java.util.Arrays.copyOfRange(got.residPost()[l], p * per, (p + 1) * per), 0.0,
                                what + ", layer " + l);
                        assertArrayEquals(want[2 * l + 1], java.util.Arrays.copyOfRange(got.patterns()[l], p * pat, (p + 1) * pat),
                                0.0, what + ", attention of layer " + l);
                    }
                    assertArrayEquals(want[2 * c.nLayers()],
                            java.util.Arrays.copyOfRange(got.logits(), p * c.dY(), (p + 1) * c.dY()), 0.0, what + ", logits");
                }
            }
        }
    }

    /** States and attention of every layer, then the logits, of prompt p: Z' = Z + sum_h A_h Z_K OV_h. */
    static double[][] plain(TransformerModel m, double[] z, int p) {
        ModelConfig c = m.config();
        int t = c.tokens();
        int k = c.numKeys();
        int dim = c.dModel();
        double[][] out = new double[2 * c.nLayers() + 1][];
        double[] h = java.util.Arrays.copyOfRange(z, p * t * dim, (p + 1) * t * dim);
        for (int l = 0; l < c.nLayers(); l++) {
            double[] next = h.clone();
            double[] pattern = new double[c.nHeads() * t * k];
            for (int hd = 0; hd < c.nHeads(); hd++) {
                double[] qk = m.qk(l, hd);
                double[] ov = m.ov(l, hd);
                for (int i = 0; i < t; i++) {
                    double[] s = new double[k];
                    for (int j = 0; j < k; j++) {
                        // s_ij = (z_i QK) . z_j, (z_i QK)_n summed over m in order
                        for (int n = 0; n < dim; n++) {
                            double u = 0;
                            for (int q = 0; q < dim; q++) {
                                u += h[i * dim + q] * qk[q * dim + n];
                            }
                            s[j] += u * h[j * dim + n];
                        }
                    }
                    double[] a = new double[k];
                    if (c.attention() == Attention.SOFTMAX) {
                        double max = Double.NEGATIVE_INFINITY;
                        for (double v : s) {
                            max = Math.max(max, v);
                        }
                        double sum = 0;
                        for (int j = 0; j < k; j++) {
                            a[j] = Math.exp(s[j] - max);
                            sum += a[j];
                        }
                        for (int j = 0; j < k; j++) {
                            a[j] /= sum;
                        }
                    } else {
                        for (int j = 0; j < k; j++) {
                            a[j] = s[j] / c.nCtx();
                        }
                    }
                    System.arraycopy(a, 0, pattern, (hd * t + i) * k, k);
                    for (int n = 0; n < dim; n++) {
                        for (int j = 0; j < k; j++) {
                            double w = 0;
                            for (int q = 0; q < dim; q++) {
                                w += h[j * dim + q] * ov[q * dim + n];
                            }
                            next[i * dim + n] += a[j] * w;
                        }
                    }
                }
            }
            h = next;
            out[2 * l] = h.clone();
            out[2 * l + 1] = pattern;
        }
        out[2 * c.nLayers()] = java.util.Arrays.copyOfRange(h, c.nCtx() * dim + c.dX(), c.nCtx() * dim + c.dModel());
        return out;
    }
}
