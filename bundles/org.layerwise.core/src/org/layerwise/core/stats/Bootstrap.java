package org.layerwise.core.stats;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Percentile bootstrap of a mean over prompts (SCIENCE.md section 7): resample the per-prompt
 * values with replacement, take the mean of each resample, and report the (1 - level) / 2
 * and (1 + level) / 2 quantiles. Deterministic in the seed; NaN values (undefined for a
 * prompt) are left out before resampling.
 */
public final class Bootstrap {

    /** A mean with its interval; n is the number of defined values used. */
    public record Interval(double mean, double low, double high, int n) {
    }

    private Bootstrap() {
    }

    public static Interval mean(double[] values, int resamples, double level, long seed) {
        double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).toArray();
        int n = v.length;
        if (n == 0) {
            return new Interval(Double.NaN, Double.NaN, Double.NaN, 0);
        }
        double mean = Arrays.stream(v).sum() / n;
        SplittableRandom rng = new SplittableRandom(seed);
        double[] means = new double[resamples];
        for (int r = 0; r < resamples; r++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += v[rng.nextInt(n)];
            }
            means[r] = s / n;
        }
        Arrays.sort(means);
        return new Interval(mean, quantile(means, (1 - level) / 2), quantile(means, (1 + level) / 2), n);
    }

    /** Linear interpolation between order statistics of sorted values (numpy's default). */
    public static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
