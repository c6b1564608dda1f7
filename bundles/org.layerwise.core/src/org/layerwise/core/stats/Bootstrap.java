package org.layerwise.core.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Percentile bootstrap of a mean over prompts (docs/mathematics.md section 7): resample the per-prompt
 * values with replacement, take the mean of each resample, and report the (1 - level) / 2
 * and (1 + level) / 2 quantiles. Deterministic in the seed; NaN values (undefined for a
 * prompt) are left out before resampling.
 */
public final class Bootstrap {

    /** A mean with its interval; n is the number of defined values used. */
    public record Interval(double mean, double low, double high, int n) {

        /** mean, low, high and n in that order, as the analyzers' JSON writes an interval. */
        public Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("mean", mean);
            m.put("low", low);
            m.put("high", high);
            m.put("n", n);
            return m;
        }
    }

    private static final int DRAWS_PER_BLOCK = 1 << 20;

    private Bootstrap() {
    }

    public static Interval mean(double[] values, int resamples, double level, long seed) {
        return means(List.of(values), resamples, level, seed)[0];
    }

    /**
     * {@link #mean} of every series with the same seed, bit for bit, computed together: the
     * resample indices depend only on the seed and the number n of defined values, so they
     * are drawn once per n and every series of that n is summed from one index matrix, in
     * the same order as alone. Identical series are resampled once.
     */
    public static Interval[] means(List<double[]> series, int resamples, double level, long seed) {
        Map<Values, Integer> first = new HashMap<>();
        int[] source = new int[series.size()];
        List<double[]> distinct = new ArrayList<>();
        for (int s = 0; s < series.size(); s++) {
            double[] v = Arrays.stream(series.get(s)).filter(x -> !Double.isNaN(x)).toArray();
            Integer f = first.putIfAbsent(new Values(v), distinct.size());
            source[s] = f == null ? distinct.size() : f;
            if (f == null) {
                distinct.add(v);
            }
        }
        Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
        for (int s = 0; s < distinct.size(); s++) {
            byLength.computeIfAbsent(distinct.get(s).length, n -> new ArrayList<>()).add(s);
        }
        Interval[] unique = new Interval[distinct.size()];
        byLength.forEach((n, members) -> {
            double[][] group = members.stream().map(distinct::get).toArray(double[][]::new);
            Interval[] out = sameLength(group, n, resamples, level, seed);
            for (int i = 0; i < out.length; i++) {
                unique[members.get(i)] = out[i];
            }
        });
        Interval[] out = new Interval[series.size()];
        for (int s = 0; s < out.length; s++) {
            out[s] = unique[source[s]];
        }
        return out;
    }

    /** Series of n defined values each, resampled with one index matrix. */
    private static Interval[] sameLength(double[][] series, int n, int resamples, double level, long seed) {
        int width = series.length;
        Interval[] out = new Interval[width];
        if (n == 0) {
            Arrays.fill(out, new Interval(Double.NaN, Double.NaN, Double.NaN, 0));
            return out;
        }
        // values[i * width + s]: value i of series s, so one draw adds one contiguous row.
        double[] values = new double[n * width];
        for (int s = 0; s < width; s++) {
            for (int i = 0; i < n; i++) {
                values[i * width + s] = series[s][i];
            }
        }
        double[] means = new double[width * resamples];
        // Indices are drawn in order, a block of resamples at a time (bounded memory); each block is summed in parallel.
        SplittableRandom rng = new SplittableRandom(seed);
        int block = Math.max(1, Math.min(resamples, DRAWS_PER_BLOCK / n));
        int[] draws = new int[block * n];
        int cores = Runtime.getRuntime().availableProcessors();
        for (int first = 0; first < resamples; first += block) {
            int rows = Math.min(block, resamples - first);
            for (int i = 0; i < rows * n; i++) {
                draws[i] = rng.nextInt(n);
            }
            int offset = first;
            int chunks = Math.min(rows, 4 * cores);
            IntStream.range(0, chunks).parallel().forEach(ch -> {
                double[] acc = new double[width];
                for (int r = ch * rows / chunks; r < (ch + 1) * rows / chunks; r++) {
                    Arrays.fill(acc, 0);
                    int base = r * n;
                    for (int i = 0; i < n; i++) {
                        int row = draws[base + i] * width;
                        for (int s = 0; s < width; s++) {
                            acc[s] += values[row + s];
                        }
                    }
                    for (int s = 0; s < width; s++) {
                        means[s * resamples + offset + r] = acc[s] / n;
                    }
                }
            });
        }
        IntStream.range(0, width).parallel().forEach(s -> {
            double[] m = Arrays.copyOfRange(means, s * resamples, (s + 1) * resamples);
            Arrays.sort(m);
            out[s] = new Interval(Arrays.stream(series[s]).sum() / n, quantile(m, (1 - level) / 2), quantile(m, (1 + level) / 2), n);
        });
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

    /** Linear interpolation between order statistics of sorted values (numpy's default). */
    public static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(sorted.length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
