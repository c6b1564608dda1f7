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
    void many_series_together_equal_each_alone_bit_for_bit() {
        SplittableRandom rng = new SplittableRandom(9);
        double[][] series = new double[7][];
        for (int s = 0; s < series.length; s++) {
            series[s] = new double[s < 5 ? 50 : 30];
            for (int i = 0; i < series[s].length; i++) {
                series[s][i] = s == 3 && i % 7 == 0 ? Double.NaN : rng.nextGaussian() + s;
            }
        }
        series[4] = series[1].clone();
        series[6] = new double[] {Double.NaN, Double.NaN};
        Bootstrap.Interval[] together = Bootstrap.means(java.util.List.of(series), 300, 0.9, 11);
        for (int s = 0; s < series.length; s++) {
            assertEquals(resampledOneByOne(series[s], 300, 0.9, 11), together[s], "series " + s);
            assertEquals(together[s], Bootstrap.mean(series[s], 300, 0.9, 11), "series " + s);
        }
        assertEquals(0, together[6].n());
        assertTrue(Double.isNaN(together[6].mean()));
    }

    @Test
    void nan_values_are_left_out_and_the_interval_brackets_the_mean() {
        Bootstrap.Interval ci = Bootstrap.mean(new double[] {1, 2, Double.NaN, 3, 4}, 500, 0.9, 3);
        assertEquals(2.5, ci.mean(), 1e-15);
        assertEquals(4, ci.n());
        assertTrue(ci.low() <= 2.5 && 2.5 <= ci.high());
        assertEquals(2.5, Bootstrap.quantile(new double[] {1, 2, 3, 4}, 0.5), 1e-15);
    }

    /** The definition: drop NaN, then draw n indices per resample in turn and average. */
    private static Bootstrap.Interval resampledOneByOne(double[] values, int resamples, double level, long seed) {
        double[] v = java.util.Arrays.stream(values).filter(x -> !Double.isNaN(x)).toArray();
        int n = v.length;
        if (n == 0) {
            return new Bootstrap.Interval(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += v[rng.nextInt(n)];
            }
            means[r] = s / n;
        }
        java.util.Arrays.sort(means);
        return new Bootstrap.Interval(java.util.Arrays.stream(v).sum() / n, Bootstrap.quantile(means, (1 - level) / 2),
                Bootstrap.quantile(means, (1 + level) / 2), n);
    }
}
