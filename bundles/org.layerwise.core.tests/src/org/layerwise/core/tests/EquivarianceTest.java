package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.ModelConfig.Attention;
import org.layerwise.core.model.ModelConfig.Keys;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.symmetry.BlockPermutation;
import org.layerwise.core.symmetry.Commutant;

/** docs/mathematics.md section 4: the facts about conjugation and the commutant, on the reference forward. */
class EquivarianceTest {

    static final int D_X = 5;
    static final int C = 3;
    static final int N = 12;

    static TransformerModel randomModel(int layers, int heads, Keys keys, double scale, SplittableRandom rng) {
        ModelConfig config = new ModelConfig(D_X, C, N, layers, heads, Attention.SOFTMAX, keys, "merged", D_X + C, "float64",
                "classification");
        return TransformerModel.gaussian(config, scale, rng);
    }

    static double[] prompts(int count, SplittableRandom rng) {
        int dim = D_X + C;
        double[] z = new double[count * (N + 1) * dim];
        for (int p = 0; p < count; p++) {
            for (int i = 0; i <= N; i++) {
                int o = (p * (N + 1) + i) * dim;
                for (int k = 0; k < D_X; k++) {
                    z[o + k] = rng.nextGaussian();
                }
                if (i < N) {
                    z[o + D_X + rng.nextInt(C)] = 1;
                }
            }
        }
        return z;
    }

    /** max over all output tokens of |f(Z Pi) - f(Z) Pi| relative to max |f(Z)|. */
    static double equivarianceError(TransformerModel model, double[] z, int count, int[] pi) {
        Forward.Result plain = Forward.run(model, z, count, true);
        Forward.Result permuted = Forward.run(model, BlockPermutation.permuteColumns(z, pi), count, true);
        int last = model.config().nLayers() - 1;
        double[] expected = BlockPermutation.permuteColumns(plain.residPost()[last], pi);
        double[] got = permuted.residPost()[last];
        double err = 0;
        double scale = 0;
        for (int i = 0; i < got.length; i++) {
            err = Math.max(err, Math.abs(got[i] - expected[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        return err / scale;
    }

    @Test
    void commutant_weights_make_the_network_equivariant_to_round_off_and_generic_weights_do_not() {
        SplittableRandom rng = new SplittableRandom(42);
        for (Keys keys : Keys.values()) {
            TransformerModel generic = randomModel(3, 2, keys, 0.4, rng);
            TransformerModel symmetric = generic.map((l, h, isOv, m) -> Commutant.reynolds(m, D_X, C));
            double[] z = prompts(16, rng);
            for (int trial = 0; trial < 5; trial++) {
                int[] pi = BlockPermutation.draw(D_X, C, true, true, rng);
                double sym = equivarianceError(symmetric, z, 16, pi);
                assertTrue(sym < 1e-10, "commutant model: relative error " + sym);
                double gen = equivarianceError(generic, z, 16, pi);
                assertTrue(gen > 1e-3, "generic model should not be equivariant: " + gen);
            }
        }
    }

    @Test
    void permuting_the_input_equals_conjugating_the_weights() {
        SplittableRandom rng = new SplittableRandom(7);
        TransformerModel model = randomModel(2, 2, Keys.CONTEXT, 0.5, rng);
        double[] z = prompts(8, rng);
        int[] pi = BlockPermutation.draw(D_X, C, true, true, rng);
        // f(Z Pi; Q, V) = f(Z; Pi Q Pi', Pi V Pi') Pi
        TransformerModel conjugated = model.map((l, h, isOv, m) -> BlockPermutation.conjugate(m, pi));
        double[] left = Forward.run(model, BlockPermutation.permuteColumns(z, pi), 8, true).residPost()[1];
        double[] right = BlockPermutation.permuteColumns(Forward.run(conjugated, z, 8, true).residPost()[1], pi);
        double err = 0;
        for (int i = 0; i < left.length; i++) {
            err = Math.max(err, Math.abs(left[i] - right[i]));
        }
        assertTrue(err < 1e-12, "max abs difference " + err);
    }
}
