package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.core.stats.Bootstrap;

class BootstrapTest {

    @Test
    void the_95_percent_interval_covers_the_true_mean_at_about_the_nominal_rate() {
        SplittableRandom rng = new SplittableRandom(1);
        int trials = 400;
        int covered = 0;
        for (int t = 0; t < trials; t++) {
            double[] x = new double[60];
            for (int i = 0; i < x.length; i++) {
                x[i] = -Math.log(rng.nextDouble()); // exponential, mean 1: skewed on purpose
            }
            Bootstrap.Interval ci = Bootstrap.mean(x, 1000, 0.95, t);
            if (ci.low() <= 1 && 1 <= ci.high()) {
                covered++;
            }
        }
        double rate = covered / (double) trials;
        // percentile bootstrap under-covers slightly for skewed data at n = 60; binomial sd ~ 0.011
        assertTrue(rate > 0.90 && rate < 0.985, "coverage " + rate);
    }

    @Test
    void nan_values_are_left_out_and_the_interval_brackets_the_mean() {
        Bootstrap.Interval ci = Bootstrap.mean(new double[] {1, 2, Double.NaN, 3, 4}, 500, 0.9, 3);
        assertEquals(2.5, ci.mean(), 1e-15);
        assertEquals(4, ci.n());
        assertTrue(ci.low() <= 2.5 && 2.5 <= ci.high());
        assertEquals(2.5, Bootstrap.quantile(new double[] {1, 2, 3, 4}, 0.5), 1e-15);
    }
}
