package org.layerwise.tasks;

import java.util.SplittableRandom;

import org.layerwise.core.Settings;

/** Prototypes mu_c ~ N(0, I_d) per prompt; each token draws its class uniformly and x = mu_c + sigma eps. */
public class PrototypeTask extends ClassificationTask {

    @Override
    protected PromptTask newPrompt(Settings s, int d, int classes, SplittableRandom rng) {
        double[] mu = gaussian(classes * d, rng);
        double sigma = s.real("sigma");
        return (z, offset, r) -> {
            int c = r.nextInt(classes);
            for (int k = 0; k < d; k++) {
                z[offset + k] = mu[c * d + k] + sigma * r.nextGaussian();
            }
            return c;
        };
    }
}
