package org.layerwise.analysis.dynamics.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.layerwise.analysis.dynamics.LayerMeasures;
import org.layerwise.analysis.dynamics.LayerMeasures.Separation;

/** docs/mathematics.md section 7 on hand-built hidden states whose answers are known in closed form. */
class LayerMeasuresTest {

    /*
     * d = 2, C = 3, N = 6 context tokens and a probe; token rows [x1, x2, y1, y2, y3].
     * class 0: (0,0), (2,0), (1,3)  -> mean (1,1), scatter 2 + 2 + 4 = 8
     * class 1: (0,4), (0,6)         -> mean (0,5), scatter 1 + 1 = 2
     * class 2: absent; one unlabeled token far away at (100, -50).
     * n = 5 labeled, mu = (0.6, 2.6):
     * tr S_B = 3/5 ||(0.4, -1.6)||^2 + 2/5 ||(-0.6, 2.4)||^2 = 1.632 + 2.448 = 4.08
     * tr S_W = (8 + 2) / 5 = 2;  Fisher = 2.04;  min ||mu_c - mu_c'|| = ||(1, -4)|| = sqrt(17).
     */
    static final int DIM = 5;
    static final int[] LABELS = {0, 1, 0, -1, 1, 0};
    static final double[] STATES = {
        0, 0, 1, 0, 0,
        0, 4, 0, 1, 0,
        2, 0, 1, 0, 0,
        100, -50, 0, 0, 0,
        0, 6, 0, 1, 0,
        1, 3, 1, 0, 0,
        0.2, 0.3, 0.2, 0.9, 0.5};

    @Test
    void fisher_and_distance_ratio_match_the_closed_form_without_unlabeled_tokens_or_absent_classes() {
        Separation s = LayerMeasures.separation(STATES, 0, DIM, 0, 2, LABELS, 0, 6, 3);
        assertEquals(4.08, s.traceBetween(), 1e-12);
        assertEquals(2.0, s.traceWithin(), 1e-12);
        assertEquals(2.04, s.fisher(), 1e-12);
        assertEquals(Math.sqrt(17) / Math.sqrt(2), s.distanceRatio(), 1e-12);
        assertEquals(2, s.classes());
        assertEquals(5, s.tokens());
        // Counting the unlabeled token as a class member, or class 2 as a point at the origin,
        // would change both numbers (the origin is sqrt(2) from mu_0).
        int[] labeled = LABELS.clone();
        labeled[3] = 1;
        Separation wrong = LayerMeasures.separation(STATES, 0, DIM, 0, 2, labeled, 0, 6, 3);
        assertTrue(Math.abs(wrong.fisher() - 2.04) > 0.1);
    }

    @Test
    void the_separation_reads_the_requested_block_and_offset() {
        // The same prompt as the second one of a batch, with the labels at an offset.
        double[] two = new double[2 * STATES.length];
        System.arraycopy(STATES, 0, two, STATES.length, STATES.length);
        int[] labels = new int[12];
        java.util.Arrays.fill(labels, 2);
        System.arraycopy(LABELS, 0, labels, 6, 6);
        Separation s = LayerMeasures.separation(two, STATES.length, DIM, 0, 2, labels, 6, 6, 3);
        assertEquals(2.04, s.fisher(), 1e-12);
        // The y block of one-hot labels has no within-class scatter: undefined, not infinite.
        Separation y = LayerMeasures.separation(STATES, 0, DIM, 2, 5, LABELS, 0, 6, 3);
        assertTrue(Double.isNaN(y.fisher()) && Double.isNaN(y.distanceRatio()));
        // A single class present: undefined.
        Separation one = LayerMeasures.separation(STATES, 0, DIM, 0, 2, new int[] {0, -1, 0, -1, -1, 0}, 0, 6, 3);
        assertTrue(Double.isNaN(one.fisher()));
    }

    @Test
    void label_and_feature_margins_on_a_hand_computed_case() {
        int probe = 6 * DIM;
        assertEquals(0.9 - 0.5, LayerMeasures.labelMargin(STATES, probe, 2, 3, 1), 1e-12);
        assertEquals(0.2 - 0.9, LayerMeasures.labelMargin(STATES, probe, 2, 3, 0), 1e-12);
        // x_q = (0.2, 0.3): ||x_q - mu_0||^2 = 0.64 + 0.49 = 1.13, ||x_q - mu_1||^2 = 0.04 + 22.09 = 22.13.
        assertEquals(1.13 - 22.13, LayerMeasures.featureMargin(STATES, 0, DIM, 2, LABELS, 0, 6, 3, 1), 1e-12);
        assertEquals(22.13 - 1.13, LayerMeasures.featureMargin(STATES, 0, DIM, 2, LABELS, 0, 6, 3, 0), 1e-12);
        // The absent class 2 would be closest (0.13) if it were counted as a mean at the origin.
        assertTrue(Double.isNaN(LayerMeasures.featureMargin(STATES, 0, DIM, 2, LABELS, 0, 6, 3, 2)),
                "the probe's class is absent from the context: undefined");
    }

    @Test
    void same_class_mass_counts_only_labeled_keys_of_the_probe_class_and_uniform_attention_has_entropy_log_K() {
        double[] row = {0.1, 0.2, 0.3, 0.15, 0.25};
        int[] labels = {0, 1, 1, -1, 0};
        assertEquals(0.5, LayerMeasures.sameClassMass(row, 0, 5, labels, 0, 5, 1), 1e-15);
        assertEquals(0.35, LayerMeasures.sameClassMass(row, 0, 5, labels, 0, 5, 0), 1e-15);
        assertEquals(0.0, LayerMeasures.sameClassMass(row, 0, 5, labels, 0, 5, 2), 0.0);
        // Keys = all tokens: the last key is the probe itself and carries no label.
        assertEquals(0.5, LayerMeasures.sameClassMass(new double[] {0.1, 0.2, 0.3, 0.15, 0.05, 0.2}, 0, 6, labels, 0, 5, 1),
                1e-15);
        for (int k : new int[] {2, 7, 33}) {
            double[] uniform = new double[k];
            java.util.Arrays.fill(uniform, 1.0 / k);
            assertEquals(Math.log(k), LayerMeasures.entropy(uniform, 0, k), 1e-12);
        }
        assertEquals(0.0, LayerMeasures.entropy(new double[] {0, 1, 0}, 0, 3), 0.0);
        double h = -(0.1 * Math.log(0.1) + 0.2 * Math.log(0.2) + 0.3 * Math.log(0.3) + 0.15 * Math.log(0.15)
                + 0.25 * Math.log(0.25));
        assertEquals(h, LayerMeasures.entropy(row, 0, 5), 1e-12);
    }
}
