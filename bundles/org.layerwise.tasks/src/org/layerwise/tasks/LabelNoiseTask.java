package org.layerwise.tasks;

import java.util.SplittableRandom;

import org.layerwise.core.Settings;

/** Linear task whose context labels are each replaced, with probability rho, by a uniformly drawn different class; the query stays clean. */
public class LabelNoiseTask extends LinearTask {

    @Override
    protected void observe(Settings s, int[] labels, int classes, SplittableRandom rng) {
        double rho = s.real("rho");
        for (int i = 0; i < labels.length; i++) {
            if (rng.nextDouble() < rho) {
                int other = rng.nextInt(classes - 1);
                labels[i] = other >= labels[i] ? other + 1 : other;
            }
        }
    }
}
