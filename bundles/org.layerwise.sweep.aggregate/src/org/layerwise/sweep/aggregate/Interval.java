package org.layerwise.sweep.aggregate;

import java.util.Arrays;

import org.hipparchus.distribution.continuous.TDistribution;
import org.layerwise.core.stats.Bootstrap;

/**
 * A 95% interval of the mean of one value per seed. Both need two seeds at least: with one,
 * the bounds are NaN.
 */
public enum Interval {

    /** mean ± t(0.975, n-1) · s / √n, s the sample standard deviation across seeds. */
    T95("t", "Student-t 95% interval of the mean across seeds"),
    /**
     * The 2.5% and 97.5% percentiles of the means of {@value #RESAMPLES} resamples of the seeds
     * with replacement, drawn from a fixed seed: the same values give the same interval.
     */
    BOOTSTRAP95("bootstrap", "percentile bootstrap 95% interval of the mean across seeds (" + Interval.RESAMPLES
            + " resamples)");

    public static final int RESAMPLES = 10_000;
    static final long BOOTSTRAP_SEED = 0x5eed_17L;

    /** The name the command line takes ({@code --interval t|bootstrap}). */
    public final String key;
    /** What it is, for legends and reports. */
    public final String description;

    Interval(String key, String description) {
        this.key = key;
        this.description = description;
    }

    /** The interval of a key ({@code t}, {@code bootstrap}), or null. */
    public static Interval ofKey(String key) {
        return Arrays.stream(values()).filter(i -> i.key.equals(key)).findFirst().orElse(null);
    }

    /** {lower, upper} of the mean of these finite values; NaN bounds for fewer than two. */
    public double[] bounds(double[] values) {
        int n = values.length;
        if (n < 2) {
            return new double[] {Double.NaN, Double.NaN};
        }
        return switch (this) {
            case T95 -> {
                double mean = mean(values);
                double ss = 0;
                for (double v : values) {
                    ss += (v - mean) * (v - mean);
                }
                double half = tQuantile975(n - 1) * Math.sqrt(ss / (n - 1) / n);
                yield new double[] {mean - half, mean + half};
            }
            case BOOTSTRAP95 -> {
                Bootstrap.Interval b = Bootstrap.mean(values, RESAMPLES, 0.95, BOOTSTRAP_SEED);
                yield new double[] {b.low(), b.high()};
            }
        };
    }

    /** The 97.5% quantile of Student's t with this many degrees of freedom. */
    public static double tQuantile975(int degreesOfFreedom) {
        return new TDistribution(degreesOfFreedom).inverseCumulativeProbability(0.975);
    }

    static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }
}
