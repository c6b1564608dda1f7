package org.layerwise.tasks;

import java.util.SplittableRandom;

import org.layerwise.core.Seeds;
import org.layerwise.core.Settings;

/**
 * label = argmax_c &lt;w_c, phi(x)&gt; with fresh w per prompt and a recorded feature map phi:
 * centered quadratic features (x_i x_j - delta_ij, i &lt;= j), or one random ReLU layer
 * relu(W x + b) whose W, b ~ N(0, 1/d), N(0, 1) are fixed for the whole family by family_seed.
 */
public class NonlinearTask extends ClassificationTask {

    @Override
    protected PromptTask newPrompt(Settings s, int d, int classes, SplittableRandom rng) {
        boolean quadratic = "quadratic".equals(s.text("feature_map"));
        int m = quadratic ? d * (d + 1) / 2 : s.integer("width");
        double[] relu = quadratic ? null : reluLayer(d, m, s.longValue("family_seed"));
        double[] w = gaussian(classes * m, rng);
        double[] phi = new double[m];
        return (z, offset, r) -> {
            for (int k = 0; k < d; k++) {
                z[offset + k] = r.nextGaussian();
            }
            if (quadratic) {
                int q = 0;
                for (int i = 0; i < d; i++) {
                    for (int j = i; j < d; j++) {
                        phi[q++] = z[offset + i] * z[offset + j] - (i == j ? 1 : 0);
                    }
                }
            } else {
                for (int j = 0; j < m; j++) {
                    double a = relu[m * d + j];
                    for (int k = 0; k < d; k++) {
                        a += relu[j * d + k] * z[offset + k];
                    }
                    phi[j] = Math.max(0, a);
                }
            }
            return argmax(w, phi, 0, m, classes);
        };
    }

    /** W (m x d, std 1/sqrt(d)) followed by b (m, std 1), identical for every prompt of the family. */
    static double[] reluLayer(int d, int m, long familySeed) {
        SplittableRandom rng = new SplittableRandom(Seeds.derive(familySeed, "relu-feature-map"));
        double[] layer = new double[m * d + m];
        for (int i = 0; i < layer.length; i++) {
            layer[i] = rng.nextGaussian() * (i < m * d ? 1 / Math.sqrt(d) : 1);
        }
        return layer;
    }
}
