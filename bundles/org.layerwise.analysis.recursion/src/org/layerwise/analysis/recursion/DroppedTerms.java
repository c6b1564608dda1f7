package org.layerwise.analysis.recursion;

import java.util.stream.IntStream;

import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.symmetry.Commutant.Scalars;

/**
 * The size of each term of the full recursion on given layer inputs (the network's own), and
 * so the share of what the reduced form drops. For layer t, head h, on the states H_t:
 * <ul>
 * <li>score: the six terms a &lt;x_i, x_j&gt;, b sx_i sx_j, f sx_i sy_j, g sy_i sx_j,
 * c &lt;y_i, y_j&gt;, e sy_i sy_j over every token i and key j;</li>
 * <li>x update: a' sum_j A_ij x_j, b' sum_j A_ij sx_j 1_d and f' sum_j A_ij sy_j 1_d;</li>
 * <li>y update: c' sum_j A_ij y_j, g' sum_j A_ij sx_j 1_C and e' sum_j A_ij sy_j 1_C,</li>
 * </ul>
 * with A the network's own attention on those states (blocks.{l}.attn.hook_pattern), so the
 * update shares isolate the value side. A share is the RMS of a term (or
 * of the sum of the dropped terms) over the RMS of the sum of all terms, over prompts,
 * tokens, keys (score) and coordinates (update). Terms are not orthogonal: shares need not
 * add up to one, and a share above one means the terms partly cancel. See {@link #CENTERED}.
 */
final class DroppedTerms {

    static final String[] SCORE_TERMS = {"q_a", "q_b", "q_f", "q_g", "q_c", "q_e"};
    static final String[] X_TERMS = {"v_a", "v_b", "v_f"};
    static final String[] Y_TERMS = {"v_c", "v_g", "v_e"};

    /** Shares of one head, or of all heads (head = -1, per-term shares null). */
    record Shares(int layer, int head, double score, double scoreCentered, double updateX, double updateY, double[] scoreTerms,
            double[] xTerms, double[] yTerms) {
    }

    static final String CENTERED = "Softmax is invariant to adding a constant to a query's scores, so dropped_share_centered "
            + "compares the dropped score terms and the whole score after subtracting each query's mean over the keys: the "
            + "part that can change attention. The dropped update terms lie along 1_d (b', f') and 1_C (g', e'): they move all "
            + "feature (label) coordinates of a token equally, which never changes the argmax of the readout but does feed the "
            + "next layer's sx and sy.";

    // Layout of the sums of squares of one head.
    private static final int S_TOTAL = 0;
    private static final int S_DROPPED = 1;
    private static final int S_TERMS = 2;
    private static final int X_TOTAL = 8;
    private static final int X_DROPPED = 9;
    private static final int X_TERMS0 = 10;
    private static final int Y_TOTAL = 13;
    private static final int Y_DROPPED = 14;
    private static final int Y_TERMS0 = 15;
    private static final int S_TOTAL_CENTERED = 18;
    private static final int S_DROPPED_CENTERED = 19;
    private static final int PER_HEAD = 20;
    // Of the sum over heads: score (pooled), x and y update, centered score (pooled).
    private static final int ALL = 8;

    private DroppedTerms() {
    }

    /**
     * Shares per head and for all heads of layer {@code layer}, on the inputs [P, N+1, D] of
     * that layer and the attention [P, H, N+1, K] computed from them. Returns H + 1 entries,
     * the last one for all heads.
     */
    static Shares[] measure(CoupledMeanShiftRecursion full, int layer, double[] input, double[] pattern, int count) {
        ModelConfig c = full.config();
        int heads = c.nHeads();
        int t = c.tokens();
        int k = c.numKeys();
        int dim = c.dModel();
        int width = heads * PER_HEAD + ALL;
        // Each prompt's sums at [p * width, (p + 1) * width), added up in prompt order below.
        double[] perPrompt = new double[count * width];
        ThreadLocal<Prompt> scratch = ThreadLocal.withInitial(() -> new Prompt(c, width));
        IntStream.range(0, count).parallel().forEach(p -> {
            Prompt s = scratch.get();
            double[] acc = s.start();
            s.w.load(input, p * t * dim);
            s.w.grams();
            s.keySums();
            for (int hd = 0; hd < heads; hd++) {
                int o = hd * PER_HEAD;
                s.score(full.q(layer, hd), acc, o);
                s.w.attention(pattern, (p * heads + hd) * t * k);
                s.w.shift();
                s.update(full.v(layer, hd), acc, o);
                acc[heads * PER_HEAD] += acc[o + S_TOTAL];
                acc[heads * PER_HEAD + 1] += acc[o + S_DROPPED];
                acc[heads * PER_HEAD + 6] += acc[o + S_TOTAL_CENTERED];
                acc[heads * PER_HEAD + 7] += acc[o + S_DROPPED_CENTERED];
            }
            s.allHeads(acc, heads * PER_HEAD);
            System.arraycopy(acc, 0, perPrompt, p * width, width);
        });
        double[] acc = new double[width];
        for (int p = 0; p < count; p++) {
            for (int i = 0; i < width; i++) {
                acc[i] += perPrompt[p * width + i];
            }
        }
        Shares[] out = new Shares[heads + 1];
        for (int hd = 0; hd < heads; hd++) {
            int o = hd * PER_HEAD;
            out[hd] = new Shares(layer, hd, ratio(acc[o + S_DROPPED], acc[o + S_TOTAL]),
                    ratio(acc[o + S_DROPPED_CENTERED], acc[o + S_TOTAL_CENTERED]),
                    ratio(acc[o + X_DROPPED], acc[o + X_TOTAL]), ratio(acc[o + Y_DROPPED], acc[o + Y_TOTAL]),
                    ratios(acc, o + S_TERMS, SCORE_TERMS.length, o + S_TOTAL), ratios(acc, o + X_TERMS0, X_TERMS.length, o + X_TOTAL),
                    ratios(acc, o + Y_TERMS0, Y_TERMS.length, o + Y_TOTAL));
        }
        int all = heads * PER_HEAD;
        out[heads] = new Shares(layer, -1, ratio(acc[all + 1], acc[all]), ratio(acc[all + 7], acc[all + 6]),
                ratio(acc[all + 3], acc[all + 2]),
                ratio(acc[all + 5], acc[all + 4]), null, null, null);
        return out;
    }

    /** ratio(acc[from + i], acc[total]) for i in [0, count). */
    private static double[] ratios(double[] acc, int from, int count, int total) {
        double[] out = new double[count];
        for (int i = 0; i < count; i++) {
            out[i] = ratio(acc[from + i], acc[total]);
        }
        return out;
    }

    /** sqrt(part / total) of two sums of squares: an RMS ratio; NaN when the total is zero. */
    private static double ratio(double part, double total) {
        return total > 0 ? Math.sqrt(part / total) : Double.NaN;
    }

    /**
     * One prompt's sums, in scratch space of one thread reused from prompt to prompt
     * ({@link #start} clears it); small methods so that each is compiled early and on its own.
     */
    private static final class Prompt {
        final CoupledMeanShiftRecursion.Workspace w;
        final double[] acc;
        final int t;
        final int k;
        final int d;
        final int classes;
        final double[] sumX;
        final double[] dropX;
        final double[] sumY;
        final double[] dropY;
        double sxTokens;
        double syTokens;
        double sxx;
        double sxy;
        double syy;
        double cxx;
        double cxy;
        double cyy;
        double gx2;
        double gy2;

        Prompt(ModelConfig c, int width) {
            w = new CoupledMeanShiftRecursion.Workspace(c);
            acc = new double[width];
            t = c.tokens();
            k = c.numKeys();
            d = c.dX();
            classes = c.dY();
            sumX = new double[t * d];
            dropX = new double[t];
            sumY = new double[t * classes];
            dropY = new double[t];
        }

        /** Clears the sums for the next prompt; returns its accumulator (width entries, zero). */
        double[] start() {
            java.util.Arrays.fill(acc, 0);
            java.util.Arrays.fill(sumX, 0);
            java.util.Arrays.fill(dropX, 0);
            java.util.Arrays.fill(sumY, 0);
            java.util.Arrays.fill(dropY, 0);
            sxTokens = 0;
            syTokens = 0;
            sxx = 0;
            sxy = 0;
            syy = 0;
            cxx = 0;
            cxy = 0;
            cyy = 0;
            gx2 = 0;
            gy2 = 0;
            return acc;
        }

        /** Over tokens: sum sx^2, sy^2; over keys: sx^2, sx sy, sy^2 raw and centered; the Gram sums. */
        void keySums() {
            for (int i = 0; i < t; i++) {
                sxTokens += w.sx[i] * w.sx[i];
                syTokens += w.sy[i] * w.sy[i];
            }
            double msx = 0;
            double msy = 0;
            for (int j = 0; j < k; j++) {
                msx += w.sx[j];
                msy += w.sy[j];
            }
            msx /= k;
            msy /= k;
            for (int j = 0; j < k; j++) {
                double x = w.sx[j];
                double y = w.sy[j];
                sxx += x * x;
                sxy += x * y;
                syy += y * y;
                cxx += (x - msx) * (x - msx);
                cxy += (x - msx) * (y - msy);
                cyy += (y - msy) * (y - msy);
            }
            // Token by token, key by key (the Gram matrices are held key-major).
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < k; j++) {
                    double x = w.gx[j * t + i];
                    double y = w.gy[j * t + i];
                    gx2 += x * x;
                    gy2 += y * y;
                }
            }
        }

        /**
         * The whole score entry by entry (raw and centered over the keys); the dropped part
         * u_i sx_j + v_i sy_j and each term in closed form (they factor over tokens and keys).
         */
        void score(Scalars qs, double[] acc, int o) {
            w.scores(qs);
            double total2 = 0;
            double centered2 = 0;
            double dropped2 = 0;
            double droppedCentered2 = 0;
            for (int i = 0; i < t; i++) {
                double u = qs.b() * w.sx[i] + qs.g() * w.sy[i];
                double v = qs.f() * w.sx[i] + qs.e() * w.sy[i];
                dropped2 += u * u * sxx + 2 * u * v * sxy + v * v * syy;
                droppedCentered2 += u * u * cxx + 2 * u * v * cxy + v * v * cyy;
                // Scores are held key-major: s_ij at a[j * T + i].
                double rowMean = 0;
                for (int j = 0; j < k; j++) {
                    rowMean += w.a[j * t + i];
                }
                rowMean /= k;
                for (int j = 0; j < k; j++) {
                    double s = w.a[j * t + i];
                    total2 += s * s;
                    centered2 += (s - rowMean) * (s - rowMean);
                }
            }
            acc[o + S_TOTAL] += total2;
            acc[o + S_DROPPED] += Math.max(0, dropped2);
            acc[o + S_TOTAL_CENTERED] += centered2;
            acc[o + S_DROPPED_CENTERED] += Math.max(0, droppedCentered2);
            acc[o + S_TERMS] += qs.a() * qs.a() * gx2;
            acc[o + S_TERMS + 1] += qs.b() * qs.b() * sxTokens * sxx;
            acc[o + S_TERMS + 2] += qs.f() * qs.f() * sxTokens * syy;
            acc[o + S_TERMS + 3] += qs.g() * qs.g() * syTokens * sxx;
            acc[o + S_TERMS + 4] += qs.c() * qs.c() * gy2;
            acc[o + S_TERMS + 5] += qs.e() * qs.e() * syTokens * syy;
        }

        /** The update terms of one head, from the attention-weighted means of the last shift(). */
        void update(Scalars vs, double[] acc, int o) {
            block(0, d, vs.a(), vs.b(), vs.f(), sumX, dropX, acc, o + X_TOTAL);
            block(d, classes, vs.c(), vs.g(), vs.e(), sumY, dropY, acc, o + Y_TOTAL);
        }

        /**
         * One block of the update, coordinates [from, from + width): its own term
         * scale sum_j A_ij z_j and the dropped terms (bx sum_j A_ij sx_j + by sum_j A_ij sy_j) 1.
         * Adds the sums of squares of the total, the dropped part and the three terms at
         * acc[at], ..., acc[at + 4], and the total and the dropped part per token to sum and drop.
         */
        private void block(int from, int width, double scale, double bx, double by, double[] sum, double[] drop, double[] acc,
                int at) {
            double total2 = 0;
            double own2 = 0;
            double bx2 = 0;
            double by2 = 0;
            double dropped2 = 0;
            for (int i = 0; i < t; i++) {
                double tb = bx * w.asx[i];
                double tf = by * w.asy[i];
                for (int m = 0; m < width; m++) {
                    double own = scale * w.mean[(from + m) * t + i];
                    double total = own + tb + tf;
                    total2 += total * total;
                    own2 += own * own;
                    sum[i * width + m] += total;
                }
                dropped2 += width * (tb + tf) * (tb + tf);
                bx2 += width * tb * tb;
                by2 += width * tf * tf;
                drop[i] += tb + tf;
            }
            acc[at] += total2;
            acc[at + 1] += dropped2;
            acc[at + 2] += own2;
            acc[at + 3] += bx2;
            acc[at + 4] += by2;
        }

        /** The sum over heads of the update and of its dropped part (x, then y: total and dropped). */
        void allHeads(double[] acc, int all) {
            allHeads(sumX, dropX, d, acc, all + 2);
            allHeads(sumY, dropY, classes, acc, all + 4);
        }

        private void allHeads(double[] sum, double[] drop, int width, double[] acc, int at) {
            for (int i = 0; i < t; i++) {
                for (int m = 0; m < width; m++) {
                    acc[at] += sum[i * width + m] * sum[i * width + m];
                }
                acc[at + 1] += width * drop[i] * drop[i];
            }
        }
    }
}
