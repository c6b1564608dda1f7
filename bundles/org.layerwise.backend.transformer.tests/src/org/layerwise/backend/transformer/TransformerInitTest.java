package org.layerwise.backend.transformer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkModel;

/** TransformerLens's initialisation and the weights' round trip through NetworkModel. */
class TransformerInitTest {

    private static final NetworkConfig GROKKING = Fixtures.config(114, 113, 3, 128, 1, 4, 32, 512, false, false);

    private static double std(double[] v) {
        double mean = Arrays.stream(v).average().orElseThrow();
        return Math.sqrt(Arrays.stream(v).map(x -> (x - mean) * (x - mean)).sum() / (v.length - 1));
    }

    @Test
    void weightsAreNormalWithTheInitializerRangeBiasesZeroLayerNormOne() {
        Parameters p = TransformerInit.initialize(GROKKING, 42, -1);
        List<String> names = Parameters.names(GROKKING);
        double range = 0.8 / Math.sqrt(128);
        assertEquals(range, TransformerInit.defaultScale(GROKKING), 0);
        // 14,592 draws: the sample std is within 3% of the scale with near certainty
        assertEquals(range, std(p.values()[names.indexOf("embed.W_E")]), 0.03 * range);
        assertEquals(range, std(p.values()[names.indexOf("blocks.0.mlp.W_in")]), 0.03 * range);
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).contains(".b_")) {
                assertTrue(Arrays.stream(p.values()[i]).allMatch(x -> x == 0), names.get(i));
            } else {
                assertTrue(std(p.values()[i]) > 0.5 * range, names.get(i));
            }
        }
        Parameters ln = TransformerInit.initialize(Fixtures.config(7, 5, 3, 8, 2, 2, 4, 16, false, true), 1, -1);
        List<String> lnNames = Parameters.names(ln.config());
        assertTrue(Arrays.stream(ln.values()[lnNames.indexOf("blocks.1.ln2.w")]).allMatch(x -> x == 1));
        assertTrue(Arrays.stream(ln.values()[lnNames.indexOf("ln_final.b")]).allMatch(x -> x == 0));
        Parameters wide = TransformerInit.initialize(GROKKING, 42, 0.5);
        assertEquals(0.5, std(wide.values()[names.indexOf("embed.W_E")]), 0.03 * 0.5);
    }

    @Test
    void theSeedFixesEveryBitAndEachTensorHasItsOwnStream() {
        NetworkConfig c = Fixtures.config(7, 5, 3, 8, 2, 2, 4, 16, false, false);
        Parameters a = TransformerInit.initialize(c, 7, -1);
        Parameters b = TransformerInit.initialize(c, 7, -1);
        Parameters other = TransformerInit.initialize(c, 8, -1);
        for (int i = 0; i < a.values().length; i++) {
            assertArrayEquals(a.values()[i], b.values()[i], 0);
        }
        assertFalse(Arrays.equals(a.values()[0], other.values()[0]), "another seed, other weights");
        assertFalse(Arrays.equals(a.values()[Parameters.names(c).indexOf("blocks.0.attn.W_Q")],
                a.values()[Parameters.names(c).indexOf("blocks.0.attn.W_K")]), "W_Q and W_K draw from different streams");
        // LayerNorm adds tensors: the others keep their values
        NetworkConfig withLn = Fixtures.config(7, 5, 3, 8, 2, 2, 4, 16, false, true);
        Parameters l = TransformerInit.initialize(withLn, 7, -1);
        for (String name : Parameters.names(c)) {
            assertArrayEquals(a.values()[Parameters.names(c).indexOf(name)], l.values()[Parameters.names(withLn).indexOf(name)], 0,
                    name);
        }
    }

    @Test
    void theModelRoundsToFloat32WhenTheConfigSaysSoAndReadsBack() {
        NetworkConfig c64 = Fixtures.config(7, 5, 3, 8, 1, 2, 4, 16, false, true);
        Parameters p = Fixtures.gaussian(c64, 1, 5);
        NetworkModel m64 = p.toModel();
        Parameters back = Parameters.of(m64);
        for (int i = 0; i < p.values().length; i++) {
            assertArrayEquals(p.values()[i], back.values()[i], 0);
        }
        NetworkConfig c32 = new NetworkConfig(c64.family(), 7, 5, 3, 8, 1, 2, 4, 16, false, "relu", "LN", 1e-5, 2, "float32", null);
        NetworkModel m32 = new Parameters(c32, p.values()).toModel();
        Tensor wE = m32.tensor("embed.W_E");
        assertEquals(Tensor.DType.F32, wE.dtype());
        double[] original = p.values()[0];
        double[] read = Parameters.of(m32).values()[0];
        for (int k = 0; k < original.length; k++) {
            assertEquals((float) original[k], read[k], 0);
        }
        assertFalse(Arrays.equals(original, read), "float32 rounding must change some value");
        assertThrows(IllegalArgumentException.class, () -> new Parameters(c64, new double[][] {new double[3]}));
    }
}
