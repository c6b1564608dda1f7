package org.layerwise.tasks;

import java.util.SplittableRandom;

import org.layerwise.core.Settings;

/**
 * The hard linear task: fresh class vectors w_c ~ N(0, I_d) per prompt, x ~ N(0, I_d),
 * label = argmax_c &lt;w_c, x&gt;, no margin and no rejection near boundaries.
 */
public class LinearTask extends ClassificationTask {

    @Override
    protected PromptTask newPrompt(Settings s, int d, int classes, SplittableRandom rng) {
        double[] w = gaussian(classes * d, rng);
        return (z, offset, r) -> {
            for (int k = 0; k < d; k++) {
                z[offset + k] = r.nextGaussian();
            }
            return argmax(w, z, offset, d, classes);
        };
    }
}
