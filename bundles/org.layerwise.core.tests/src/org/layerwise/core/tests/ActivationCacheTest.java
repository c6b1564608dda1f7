package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.core.ActivationCache;
import org.layerwise.core.SharedResults;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig.Keys;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.symmetry.BlockPermutation;
import org.layerwise.core.symmetry.Commutant;

/** The activation cache: activations by name, and the same network on permuted prompts. */
class ActivationCacheTest {

    @Test
    void the_permuted_cache_is_the_network_on_the_permuted_prompts_and_commutes_for_commutant_weights() {
        SplittableRandom rng = new SplittableRandom(5);
        TransformerModel generic = EquivarianceTest.randomModel(2, 2, Keys.CONTEXT, 0.4, rng);
        TransformerModel symmetric = generic.map((l, h, isOv, m) -> Commutant.reynolds(m, EquivarianceTest.D_X,
                EquivarianceTest.C));
        double[] z = EquivarianceTest.prompts(10, rng);
        int[] pi = BlockPermutation.draw(EquivarianceTest.D_X, EquivarianceTest.C, true, true, rng);
        int per = (EquivarianceTest.N + 1) * (EquivarianceTest.D_X + EquivarianceTest.C);
        String out = ActivationCache.residPost(1);

        ActivationCache cache = ActivationCache.of(generic, z, Forward.run(generic, z, 10, true));
        ActivationCache permuted = cache.permuted(pi, 6);
        double[] direct = Forward.run(generic, BlockPermutation.permuteColumns(Arrays.copyOf(z, 6 * per), pi), 6, true)
                .residPost()[1];
        assertArrayEquals(direct, permuted.values(out, 6 * per), "the first 6 prompts, permuted, through the same network");
        assertEquals(cache.names(), permuted.names());
        Forward.Result withPatterns = Forward.run(generic, BlockPermutation.permuteColumns(Arrays.copyOf(z, 6 * per), pi), 6, true);
        int patternSize = withPatterns.patterns()[1].length;
        assertArrayEquals(withPatterns.patterns()[1], permuted.values(ActivationCache.pattern(1), patternSize),
                "attention of permuted prompts, computed when first asked for");
        assertArrayEquals(direct, permuted.values(out, 6 * per), "and the states stay the same");

        ActivationCache sym = ActivationCache.of(symmetric, z, Forward.run(symmetric, z, 10, true));
        double[] expected = BlockPermutation.permuteColumns(Arrays.copyOf(sym.values(out, 10 * per), 6 * per), pi);
        double[] got = sym.permuted(pi, 6).values(out, 6 * per);
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], 1e-10 * (1 + Math.abs(expected[i])), "f(Z Pi) = f(Z) Pi at " + i);
        }
        assertThrows(IllegalStateException.class, () -> cache.values(out, 5), "a size that does not match is refused");
    }

    @Test
    void a_forward_pass_keeps_only_the_hooks_asked_for_and_the_same_numbers() {
        SplittableRandom rng = new SplittableRandom(9);
        TransformerModel m = EquivarianceTest.randomModel(3, 2, Keys.ALL, 0.5, rng);
        double[] z = EquivarianceTest.prompts(7, rng);
        Forward.Result all = Forward.run(m, z, 7, Forward.Hooks.ALL);
        Forward.Result resid = Forward.run(m, z, 7, Forward.Hooks.RESID);
        Forward.Result none = Forward.run(m, z, 7, Forward.Hooks.NONE);
        assertTrue(resid.patterns() == null && none.patterns() == null && none.residPost() == null);
        for (int l = 0; l < 3; l++) {
            assertArrayEquals(all.residPost()[l], resid.residPost()[l], 0.0);
        }
        assertArrayEquals(all.logits(), resid.logits(), 0.0);
        assertArrayEquals(all.logits(), none.logits(), 0.0);
    }

    @Test
    void a_shared_result_is_computed_once() {
        SharedResults shared = new SharedResults();
        int[] calls = new int[1];
        Object first = shared.get("a", Object.class, () -> {
            calls[0]++;
            return shared.get("b", String.class, () -> "inner");
        });
        Object again = shared.get("a", Object.class, () -> {
            calls[0]++;
            return "other";
        });
        assertEquals("inner", first);
        assertTrue(first == again, "the stored value is returned");
        assertEquals(1, calls[0]);
    }
}
