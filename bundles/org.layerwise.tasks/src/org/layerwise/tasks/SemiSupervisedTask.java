package org.layerwise.tasks;

import java.util.SplittableRandom;

import org.layerwise.core.Settings;

/** Linear task in which round(u N) context tokens, chosen uniformly per prompt, are unlabeled (y = 0, label -1). */
public class SemiSupervisedTask extends LinearTask {

    @Override
    protected void observe(Settings s, int[] labels, int classes, SplittableRandom rng) {
        int n = labels.length;
        int hidden = (int) Math.round(s.real("u") * n);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        for (int i = 0; i < hidden; i++) {
            int j = i + rng.nextInt(n - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            labels[order[i]] = -1;
        }
    }
}
