package org.layerwise.analysis.modular;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * How the energy of a function on Z_p spreads over the frequencies of the real orthonormal
 * Fourier basis, p an odd prime: phi_0 = 1/sqrt(p), and for k = 1..(p-1)/2 the pair
 * phi_k^c(a) = sqrt(2/p) cos(2 pi k a / p), phi_k^s(a) = sqrt(2/p) sin(2 pi k a / p). Frequency k is
 * the span of its pair; shares are indexed by k = 0..(p-1)/2.
 */
public final class FourierShares {

    /** A share at or below this is rounding error of float64 sums, not structure. */
    static final double NEGLIGIBLE = 1e-12;

    private FourierShares() {
    }

    /** The number of frequencies, (p + 1) / 2, frequency 0 included. */
    public static int frequencies(int p) {
        return (p + 1) / 2;
    }

    /**
     * The basis as rows of length p: row 0 is phi_0, row 2k - 1 is phi_k^c and row 2k is phi_k^s.
     * The angle is taken from k a mod p, so large k a loses no precision.
     */
    public static double[][] basis(int p) {
        double[][] phi = new double[p][p];
        Arrays.fill(phi[0], 1 / Math.sqrt(p));
        double scale = Math.sqrt(2.0 / p);
        for (int k = 1; k < frequencies(p); k++) {
            for (int a = 0; a < p; a++) {
                double angle = 2 * Math.PI * (int) ((long) k * a % p) / p;
                phi[2 * k - 1][a] = scale * Math.cos(angle);
                phi[2 * k][a] = scale * Math.sin(angle);
            }
        }
        return phi;
    }

    /**
     * The share of each frequency in a p x d matrix E (row-major, a row per element of Z_p):
     * s_k = sum over k's basis vectors phi of ||phi^T E||^2, divided by ||E||_F^2. The shares sum
     * to 1 (Parseval); a zero E has none.
     */
    public static double[] ofRows(double[] e, int p, int d) {
        if (e.length != p * d) {
            throw new IllegalArgumentException(e.length + " entries for a " + p + " x " + d + " matrix");
        }
        double total = 0;
        for (double x : e) {
            total += x * x;
        }
        if (total == 0) {
            throw new IllegalArgumentException("the matrix is zero: no frequency carries any share of it");
        }
        double[][] phi = basis(p);
        double[] shares = new double[frequencies(p)];
        double[] projection = new double[d];
        for (int i = 0; i < p; i++) {
            Arrays.fill(projection, 0);
            for (int a = 0; a < p; a++) {
                double w = phi[i][a];
                for (int j = 0; j < d; j++) {
                    projection[j] += w * e[a * d + j];
                }
            }
            double energy = 0;
            for (double v : projection) {
                energy += v * v;
            }
            shares[(i + 1) / 2] += energy / total;
        }
        return shares;
    }

    /**
     * The shares of the answer logits L(a, b, c) (rows a p + b of all p^2 pairs, p answers c per
     * row) in the functions of u = a + b - c mod p ({@code sign} +1) or u = a - b - c mod p
     * ({@code sign} -1) alone: L is centred over c per row, then share_k = (&lt;L, cos(2 pi k u/p)&gt;^2 +
     * &lt;L, sin(2 pi k u/p)&gt;^2) / (p^3 / 2) / ||L||^2 for k &ge; 1, the inner products summed over all
     * p^3 triples through the bucket sums of L over u. share_0 is 0: centring removed every
     * constant. Their sum is the share of ||L||^2 that depends on u alone; every share is NaN when
     * the centred logits are zero (they do not depend on c).
     */
    public static double[] ofLogits(double[] logits, int p, int sign) {
        if (logits.length != p * p * p) {
            throw new IllegalArgumentException(logits.length + " logits; expected p^3 = " + (long) p * p * p
                    + " (p answers for each of the p^2 pairs)");
        }
        LogitSums sums = new LogitSums(p, sign);
        for (int pair = 0; pair < p * p; pair++) {
            sums.add(pair / p, pair % p, logits, pair * p);
        }
        return sums.shares();
    }

    /**
     * The sums behind {@link #ofLogits}, taken pair by pair, so that the p^3 logits of a large p
     * need never be held at once.
     */
    public static final class LogitSums {
        private final int p;
        private final int sign;
        private final double[] bucket;
        private double total;
        private int pairs;

        /** For u = a + b - c ({@code sign} +1) or a - b - c ({@code sign} -1). */
        public LogitSums(int p, int sign) {
            if (sign != 1 && sign != -1) {
                throw new IllegalArgumentException("sign " + sign + "; expected +1 (a + b) or -1 (a - b)");
            }
            this.p = p;
            this.sign = sign;
            this.bucket = new double[p];
        }

        /** Adds the p answer logits of pair (a, b), found at {@code logits[offset..offset + p)}. */
        public void add(int a, int b, double[] logits, int offset) {
            double mean = 0;
            for (int c = 0; c < p; c++) {
                mean += logits[offset + c];
            }
            mean /= p;
            int ab = Math.floorMod(a + sign * b, p);
            for (int c = 0; c < p; c++) {
                double centred = logits[offset + c] - mean;
                bucket[Math.floorMod(ab - c, p)] += centred;
                total += centred * centred;
            }
            pairs++;
        }

        /** The shares once every pair was added exactly once. */
        public double[] shares() {
            if (pairs != p * p) {
                throw new IllegalStateException(pairs + " pairs added; the shares need all p^2 = " + p * p);
            }
            double[] shares = new double[frequencies(p)];
            if (total == 0) {
                Arrays.fill(shares, Double.NaN);
                return shares;
            }
            double half = (double) p * p * p / 2;
            for (int k = 1; k < shares.length; k++) {
                double cos = 0;
                double sin = 0;
                for (int u = 0; u < p; u++) {
                    double angle = 2 * Math.PI * (int) ((long) k * u % p) / p;
                    cos += bucket[u] * Math.cos(angle);
                    sin += bucket[u] * Math.sin(angle);
                }
                shares[k] = (cos * cos + sin * sin) / half / total;
            }
            return shares;
        }
    }

    /** The sum of the {@code k} largest shares over frequencies 1 and up (all of them when fewer exist). */
    public static double topK(double[] shares, int k) {
        double[] rest = Arrays.copyOfRange(shares, 1, shares.length);
        Arrays.sort(rest);
        double sum = 0;
        for (int i = 0; i < Math.min(k, rest.length); i++) {
            sum += rest[rest.length - 1 - i];
        }
        return sum;
    }

    /** 2K / p: the expected top-K share of an isotropic matrix, whose every non-constant frequency holds 2 of p dimensions. */
    public static double uniformTopK(int k, int p) {
        return 2.0 * Math.min(k, frequencies(p) - 1) / p;
    }

    /**
     * The key frequencies: the fewest frequencies k &ge; 1, largest share first (ties to the lower k),
     * whose shares reach {@code coverage} of the shares of all frequencies k &ge; 1 together. Empty
     * when those hold no more than {@link #NEGLIGIBLE} of the whole (rounding, not structure); NaN
     * shares give none either.
     */
    public static List<Integer> keyFrequencies(double[] shares, double coverage) {
        double nonConstant = 0;
        for (int k = 1; k < shares.length; k++) {
            nonConstant += shares[k];
        }
        List<Integer> out = new ArrayList<>();
        if (!(nonConstant > NEGLIGIBLE)) {
            return out;
        }
        List<Integer> order = new ArrayList<>();
        for (int k = 1; k < shares.length; k++) {
            order.add(k);
        }
        order.sort(Comparator.comparingDouble((Integer k) -> -shares[k]).thenComparing(k -> k));
        // the relative slack keeps coverage 1 reachable when the sorted sum rounds below the total
        double target = coverage * nonConstant * (1 - 1e-12);
        double reached = 0;
        for (int k : order) {
            if (reached >= target) {
                break;
            }
            out.add(k);
            reached += shares[k];
        }
        return out;
    }
}
