package org.layerwise.analysis.recursion.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.analysis.recursion.CoupledMeanShiftRecursion;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.ModelConfig.Attention;
import org.layerwise.core.model.ModelConfig.Keys;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.symmetry.Commutant;
import org.layerwise.core.symmetry.Commutant.Scalars;
import org.layerwise.testing.Fixtures;

/** docs/mathematics.md section 6: the recursion is exact on commutant weights, and only there. */
class CoupledMeanShiftRecursionTest {

    private static void assertSameRun(Forward.Result expected, Forward.Result got, double tol, String what) {
        for (int l = 0; l < expected.residPost().length; l++) {
            double e = Fixtures.relativeError(got.residPost()[l], expected.residPost()[l]);
            assertTrue(e <= tol, what + ": hidden states after layer " + l + " differ by " + e);
            double ep = Fixtures.relativeError(got.patterns()[l], expected.patterns()[l]);
            assertTrue(ep <= tol, what + ": attention of layer " + l + " differs by " + ep);
        }
        double el = Fixtures.relativeError(got.logits(), expected.logits());
        assertTrue(el <= tol, what + ": logits differ by " + el);
    }

    @Test
    void on_commutant_weights_the_full_recursion_is_the_network_to_round_off() {
        SplittableRandom rng = new SplittableRandom(11);
        for (Attention attention : Attention.values()) {
            for (int heads : new int[] {1, 2}) {
                for (Keys keys : Keys.values()) {
                    ModelConfig config = Fixtures.config(3, heads, keys, attention);
                    TransformerModel model = Fixtures.commutant(config, 1.5, rng);
                    PromptBatch batch = Fixtures.prompts(config, 24, rng);
                    Forward.Result network = Forward.run(model, batch, true);
                    Forward.Result recursion = CoupledMeanShiftRecursion.full(model).run(batch.z, batch.count);
                    String what = attention.key() + ", H=" + heads + ", keys " + keys.key();
                    assertSameRun(network, recursion, 1e-10, what);
                    // The check is not vacuous: the layers move the tokens and attention is far from uniform.
                    double moved = Fixtures.relativeError(network.residPost()[2], batch.z);
                    assertTrue(moved > 0.1, what + ": the network barely moves the tokens (" + moved + ")");
                    if (attention == Attention.SOFTMAX) {
                        double max = 0;
                        for (double a : network.patterns()[0]) {
                            max = Math.max(max, a);
                        }
                        assertTrue(max > 3.0 / config.numKeys(), what + ": attention is nearly uniform");
                    }
                }
            }
        }
    }

    @Test
    void the_twelve_scalars_are_read_from_Q_equal_QK_and_V_equal_OV_transposed() {
        ModelConfig config = Fixtures.config(1, 1, Keys.CONTEXT, Attention.SOFTMAX);
        Scalars q = new Scalars(0.7, -0.1, 0.2, -0.3, 0.9, 0.05);
        Scalars v = new Scalars(0.4, 0.03, -0.6, 0.25, 1.1, -0.2);
        double[] qk = Commutant.matrix(q, config.dX(), config.dY());
        double[] ov = Commutant.transpose(Commutant.matrix(v, config.dX(), config.dY()), config.dModel());
        TransformerModel model = new TransformerModel(config, new double[][] {qk}, new double[][] {ov});
        CoupledMeanShiftRecursion full = CoupledMeanShiftRecursion.full(model);
        assertArrayClose(q.toArray(), full.q(0, 0).toArray());
        assertArrayClose(v.toArray(), full.v(0, 0).toArray());
        CoupledMeanShiftRecursion reduced = CoupledMeanShiftRecursion.reduced(model);
        assertEquals(CoupledMeanShiftRecursion.Form.REDUCED, reduced.form());
        assertEquals(0.7, reduced.alpha(0, 0), 1e-15);
        assertEquals(0.9, reduced.beta(0, 0), 1e-15);
        assertEquals(0.4, reduced.gamma(0, 0), 1e-15);
        assertEquals(1.1, reduced.delta(0, 0), 1e-15);
        assertArrayClose(new double[] {0.7, 0, 0, 0, 0.9, 0}, reduced.q(0, 0).toArray());
        assertArrayClose(new double[] {0.4, 0, 0, 0, 1.1, 0}, reduced.v(0, 0).toArray());
        assertThrows(IndexOutOfBoundsException.class, () -> full.q(1, 0));
    }

    private static void assertArrayClose(double[] expected, double[] got) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], got[i], 1e-12, "entry " + i);
        }
    }

    @Test
    void the_reduced_recursion_equals_the_full_one_when_the_dropped_scalars_are_zero_and_not_otherwise() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int heads : new int[] {1, 2}) {
            for (Keys keys : Keys.values()) {
                ModelConfig config = Fixtures.config(3, heads, keys, Attention.SOFTMAX);
                int n = 3 * heads;
                double[][] qk = new double[n][];
                double[][] ov = new double[n][];
                double[][] qkFull = new double[n][];
                double[][] ovFull = new double[n][];
                for (int i = 0; i < n; i++) {
                    Scalars q = new Scalars(rng.nextGaussian(), 0, 0, 0, rng.nextGaussian(), 0);
                    Scalars v = new Scalars(0.5 * rng.nextGaussian(), 0, 0, 0, 0.5 * rng.nextGaussian(), 0);
                    qk[i] = Commutant.matrix(q, config.dX(), config.dY());
                    ov[i] = Commutant.transpose(Commutant.matrix(v, config.dX(), config.dY()), config.dModel());
                    Scalars q2 = new Scalars(q.a(), 0.2 * rng.nextGaussian(), 0.2 * rng.nextGaussian(), 0.2 * rng.nextGaussian(),
                            q.c(), 0.2 * rng.nextGaussian());
                    Scalars v2 = new Scalars(v.a(), 0.2 * rng.nextGaussian(), 0.2 * rng.nextGaussian(), 0.2 * rng.nextGaussian(),
                            v.c(), 0.2 * rng.nextGaussian());
                    qkFull[i] = Commutant.matrix(q2, config.dX(), config.dY());
                    ovFull[i] = Commutant.transpose(Commutant.matrix(v2, config.dX(), config.dY()), config.dModel());
                }
                PromptBatch batch = Fixtures.prompts(config, 16, rng);
                TransformerModel sparse = new TransformerModel(config, qk, ov);
                Forward.Result full = CoupledMeanShiftRecursion.full(sparse).run(batch.z, batch.count);
                Forward.Result reduced = CoupledMeanShiftRecursion.reduced(sparse).run(batch.z, batch.count);
                assertSameRun(full, reduced, 1e-12, "H=" + heads + ", keys " + keys.key());

                TransformerModel dense = new TransformerModel(config, qkFull, ovFull);
                Forward.Result full2 = CoupledMeanShiftRecursion.full(dense).run(batch.z, batch.count);
                Forward.Result reduced2 = CoupledMeanShiftRecursion.reduced(dense).run(batch.z, batch.count);
                Forward.Result statesOnly = CoupledMeanShiftRecursion.reduced(dense).run(batch.z, batch.count, false);
                assertTrue(statesOnly.patterns() == null, "no attention kept when not asked for");
                for (int l = 0; l < config.nLayers(); l++) {
                    assertArrayEquals(reduced2.residPost()[l], statesOnly.residPost()[l], 0.0, "the same states without patterns");
                }
                double diff = Fixtures.relativeError(reduced2.residPost()[2], full2.residPost()[2]);
                assertTrue(diff > 1e-3, "with b, f, g, e nonzero the reduced form must differ; relative difference " + diff);
                // ... and the reduced form of the dense model is the full recursion of the sparse one with the same a, c.
                assertSameRun(Forward.run(CoupledMeanShiftRecursion.reduced(dense).commutantModel(), batch.z, batch.count, true),
                        reduced2, 1e-10, "reduced form as a commutant network");
            }
        }
    }

    @Test
    void on_generic_weights_the_recursion_is_not_the_network_but_the_network_of_their_Reynolds_projection() {
        SplittableRandom rng = new SplittableRandom(3);
        for (Keys keys : Keys.values()) {
            ModelConfig config = Fixtures.config(3, 2, keys, Attention.SOFTMAX);
            TransformerModel generic = Fixtures.generic(config, 0.5, rng);
            PromptBatch batch = Fixtures.prompts(config, 24, rng);
            CoupledMeanShiftRecursion full = CoupledMeanShiftRecursion.full(generic);
            Forward.Result recursion = full.run(batch.z, batch.count);
            Forward.Result network = Forward.run(generic, batch, true);
            double err = Fixtures.relativeError(recursion.residPost()[2], network.residPost()[2]);
            assertTrue(err > 1e-2, "the recursion should not reproduce a generic network; relative error " + err);
            assertSameRun(Forward.run(full.commutantModel(), batch.z, batch.count, true), recursion, 1e-10,
                    "Reynolds-projected network, keys " + keys.key());
        }
    }

    @Test
    void the_recursion_runs_from_the_input_and_checks_its_shape() {
        SplittableRandom rng = new SplittableRandom(9);
        ModelConfig config = Fixtures.config(2, 1, Keys.CONTEXT, Attention.SOFTMAX);
        TransformerModel model = Fixtures.commutant(config, 1, rng);
        PromptBatch batch = Fixtures.prompts(config, 4, rng);
        CoupledMeanShiftRecursion full = CoupledMeanShiftRecursion.full(model);
        assertThrows(IllegalArgumentException.class, () -> full.run(batch.z, 5));
        Forward.Result all = full.run(batch.z, 4);
        // Prompt by prompt gives the same numbers: prompts do not interact, the parallel run is deterministic.
        PromptBatch one = batch.slice(2, 1);
        Forward.Result single = full.run(one.z, 1);
        int per = config.tokens() * config.dModel();
        for (int i = 0; i < per; i++) {
            assertEquals(all.residPost()[1][2 * per + i], single.residPost()[1][i], 0.0);
        }
        assertEquals(4 * config.nHeads() * config.tokens() * config.numKeys(), all.patterns()[0].length);
        assertEquals(4 * config.dY(), all.logits().length);
    }
}
