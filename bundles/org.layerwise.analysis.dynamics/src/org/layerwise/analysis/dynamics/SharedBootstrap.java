package org.layerwise.analysis.dynamics;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.layerwise.core.stats.Bootstrap;

/**
 * {@link Bootstrap#mean} of many series over the same prompts, with one seed, computed
 * together. Bootstrap.mean draws rng.nextInt(n) for each of the n values of each resample
 * in turn; for every series without undefined (NaN) values those indices are the same, so
 * they are drawn once and every such series is summed in the same order: the intervals are
 * bit-identical to calling Bootstrap.mean on each series with that seed, at a fraction of
 * the cost. A series with NaN values is resampled over its defined values by Bootstrap.mean
 * itself (with the same seed).
 */
final class SharedBootstrap {

    private SharedBootstrap() {
    }

    static Bootstrap.Interval[] means(List<double[]> series, int resamples, double level, long seed) {
        // Identical series (one head's value and the mean over one head, the network and the
        // recursion at layer 0) are resampled once.
        Map<Values, Integer> first = new HashMap<>();
        int[] source = new int[series.size()];
        List<double[]> distinct = new ArrayList<>();
        for (int s = 0; s < series.size(); s++) {
            Integer f = first.putIfAbsent(new Values(series.get(s)), distinct.size());
            if (f == null) {
                source[s] = distinct.size();
                distinct.add(series.get(s));
            } else {
                source[s] = f;
            }
        }
        Bootstrap.Interval[] unique = distinctMeans(distinct, resamples, level, seed);
        Bootstrap.Interval[] out = new Bootstrap.Interval[series.size()];
        for (int s = 0; s < out.length; s++) {
            out[s] = unique[source[s]];
        }
        return out;
    }

    /** A series as a map key: equal when the values are bit-identical. */
    private record Values(double[] v) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Values other && Arrays.equals(v, other.v);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(v);
        }
    }

    private static Bootstrap.Interval[] distinctMeans(List<double[]> series, int resamples, double level, long seed) {
        int count = series.size();
        Bootstrap.Interval[] out = new Bootstrap.Interval[count];
        int[] complete = IntStream.range(0, count).filter(s -> Arrays.stream(series.get(s)).noneMatch(Double::isNaN)).toArray();
        // Series with NaNs: Bootstrap.mean leaves them out before resampling.
        IntStream.range(0, count).filter(s -> Arrays.binarySearch(complete, s) < 0).parallel()
                .forEach(s -> out[s] = Bootstrap.mean(series.get(s), resamples, level, seed));
        if (complete.length == 0) {
            return out;
        }
        int n = series.get(complete[0]).length;
        if (n == 0) {
            for (int s : complete) {
                out[s] = Bootstrap.mean(series.get(s), resamples, level, seed);
            }
            return out;
        }
        int[] draws = new int[resamples * n];
        SplittableRandom rng = new SplittableRandom(seed);
        for (int i = 0; i < draws.length; i++) {
            draws[i] = rng.nextInt(n);
        }
        int width = complete.length;
        // values[i * width + s]: prompt i of complete series s, so one draw adds one contiguous row.
        double[] values = new double[n * width];
        for (int s = 0; s < width; s++) {
            double[] v = series.get(complete[s]);
            for (int i = 0; i < n; i++) {
                values[i * width + s] = v[i];
            }
        }
        double[][] means = new double[width][resamples];
        int chunks = Math.max(1, Math.min(resamples, 4 * Runtime.getRuntime().availableProcessors()));
        IntStream.range(0, chunks).parallel().forEach(ch -> {
            double[] acc = new double[width];
            for (int r = ch * resamples / chunks; r < (ch + 1) * resamples / chunks; r++) {
                Arrays.fill(acc, 0);
                int base = r * n;
                for (int i = 0; i < n; i++) {
                    int row = draws[base + i] * width;
                    for (int s = 0; s < width; s++) {
                        acc[s] += values[row + s];
                    }
                }
                for (int s = 0; s < width; s++) {
                    means[s][r] = acc[s] / n;
                }
            }
        });
        IntStream.range(0, width).parallel().forEach(s -> {
            double[] v = series.get(complete[s]);
            double mean = Arrays.stream(v).sum() / n;
            double[] m = means[s];
            Arrays.sort(m);
            out[complete[s]] = new Bootstrap.Interval(mean, Bootstrap.quantile(m, (1 - level) / 2),
                    Bootstrap.quantile(m, (1 + level) / 2), n);
        });
        return out;
    }
}
