package org.layerwise.report.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.layerwise.report.Claim;
import org.layerwise.report.Verdict;

/**
 * The grokking study's four claims (issue 16 section 5, docs/design/grokking.md section 6), judged on the numbers of
 * the two runs. The rules and their thresholds are the design's, fixed here before the study's runs were measured, and
 * printed next to each verdict.
 */
public final class GrokkingClaims {

    /** The accuracy a split must reach to count as memorised (train) or generalised (test): the 99%. */
    static final double LEVEL = 0.99;
    /** Claim 1: generalisation at least this many times later than memorisation (the "at least five times"). */
    static final double DELAY = 5;
    /** Claim 3: W_E's effective rank at the generalisation checkpoint is at most this fraction of that at memorisation. */
    static final double RANK_FRACTION = 0.7;
    /** Claim 3: at least this fraction of W_E's subspace-distance fall from step 0 to the end lies between the two checkpoints. */
    static final double DISTANCE_SHARE = 0.5;
    /** Claim 4: the final embedding's top-K Fourier share is at least this ... */
    static final double TOP_K_FINAL = 0.6;
    /** ... and at least this many times its value at the memorisation checkpoint. */
    static final double TOP_K_GROWTH = 2;

    private final Map<String, GrokkingRun> runs;

    /** The runs by role; a role without a run is missing. */
    public GrokkingClaims(Map<String, GrokkingRun> runs) {
        this.runs = runs;
    }

    public List<Claim> judge() {
        return List.of(delay(), weightDecay(), spectrum(), fourier());
    }

    static final String DELAY_STATEMENT = "Memorisation comes well before generalisation: the training pairs are fitted long "
            + "before the held-out pairs are.";

    private Claim delay() {
        String rule = String.format(Locale.ROOT, "in the grokking run both the memorisation step (train accuracy first >= %.2f) "
                + "and the generalisation step (test accuracy first >= %.2f) exist, on the evaluated grid, and generalisation "
                + ">= %.0f x max(memorisation, 1)", LEVEL, LEVEL, DELAY);
        GrokkingRun g = runs.get(Grokking.GROKKING);
        if (g == null || !g.stepsMeasured()) {
            return Claim.notMeasured("1", DELAY_STATEMENT, rule, "the generalization analyzer's steps of the grokking run");
        }
        if (g.memorisation().isEmpty()) {
            return Claim.notMeasured("1", DELAY_STATEMENT, rule, "a memorisation step: the grokking run's train accuracy never "
                    + "reached the level, so there is nothing for generalisation to come after");
        }
        double m = g.memorisation().get();
        if (g.generalisation().isEmpty()) {
            String measured = String.format(Locale.ROOT, "memorised at step %s; test accuracy never reached %.2f (at most %s)",
                    step(m), LEVEL, Text.num(g.maxTestAccuracy()));
            return new Claim("1", DELAY_STATEMENT, measured, rule, Verdict.NOT_HELD);
        }
        double gen = g.generalisation().get();
        double ratio = gen / Math.max(m, 1);
        String measured = String.format(Locale.ROOT, "memorised at step %s, generalised at step %s: %s times later",
                step(m), step(gen), Text.num(ratio));
        return new Claim("1", DELAY_STATEMENT, measured, rule, ratio >= DELAY ? Verdict.HELD : Verdict.NOT_HELD);
    }

    static final String WEIGHT_DECAY_STATEMENT = "Weight decay is needed within the budget: without it the model memorises "
            + "but does not generalise in the same number of steps.";

    private Claim weightDecay() {
        String rule = String.format(Locale.ROOT, "the no-weight-decay run has a memorisation step and its test accuracy stays "
                + "below %.2f at every evaluated step", LEVEL);
        GrokkingRun n = runs.get(Grokking.NO_WEIGHT_DECAY);
        if (n == null || !n.curves().containsKey("test_accuracy") || !n.stepsMeasured()) {
            return Claim.notMeasured("2", WEIGHT_DECAY_STATEMENT, rule, "the no-weight-decay run's evaluated test accuracy "
                    + "(training.npz) and the generalization analyzer's steps");
        }
        double best = n.maxTestAccuracy();
        double[] steps = n.curves().get("step");
        String measured = String.format(Locale.ROOT, "memorised at step %s; highest test accuracy %s over %d evaluations to step %s",
                n.memorisation().map(GrokkingClaims::step).orElse("never"), Text.num(best), steps.length,
                steps.length == 0 ? "n/a" : step(steps[steps.length - 1]));
        boolean held = n.memorisation().isPresent() && best < LEVEL;
        return new Claim("2", WEIGHT_DECAY_STATEMENT, measured, rule, held ? Verdict.HELD : Verdict.NOT_HELD);
    }

    static final String SPECTRUM_STATEMENT = "The embedding's spectrum changes at the transition: W_E's effective rank falls "
            + "between memorisation and generalisation, and most of its movement towards its final subspace happens there.";

    private Claim spectrum() {
        String rule = String.format(Locale.ROOT, "in the grokking run, with c_m the last checkpoint at or before the memorisation "
                + "step and c_g the first at or after the generalisation step (not measured if either is missing or they are the "
                + "same): W_E's effective rank at c_g <= %.1f x its rank at c_m, and W_E's subspace distance to the final checkpoint "
                + "falls between c_m and c_g by at least %.1f of its fall from step 0 to the end; W_U, W_in, W_out and the means "
                + "over heads of QK and OV are reported, not judged", RANK_FRACTION, DISTANCE_SHARE);
        GrokkingRun g = runs.get(Grokking.GROKKING);
        TreeMap<Long, double[]> we = g == null ? new TreeMap<>() : g.embeddingSpectrum();
        if (we.isEmpty()) {
            return Claim.notMeasured("3", SPECTRUM_STATEMENT, rule, "W_E's rows of the grokking run's spectral-dynamics table");
        }
        Optional<long[]> between = transition(g, we);
        if (between.isEmpty()) {
            return Claim.notMeasured("3", SPECTRUM_STATEMENT, rule, transitionMissing(g, we));
        }
        long cm = between.get()[0];
        long cg = between.get()[1];
        double rankM = we.get(cm)[0];
        double rankG = we.get(cg)[0];
        double total = we.firstEntry().getValue()[1] - we.lastEntry().getValue()[1];
        double fall = we.get(cm)[1] - we.get(cg)[1];
        boolean rank = rankG <= RANK_FRACTION * rankM;
        boolean distance = total > 0 && fall >= DISTANCE_SHARE * total;
        List<String> others = new ArrayList<>();
        for (String m : GrokkingRun.MATRICES) {
            TreeMap<Long, double[]> s = g.spectra().get(m);
            if (!m.equals(GrokkingRun.EMBEDDING) && s != null && s.containsKey(cm) && s.containsKey(cg)) {
                others.add(String.format(Locale.ROOT, "%s rank %s -> %s, distance %s -> %s", m, Text.num(s.get(cm)[0]),
                        Text.num(s.get(cg)[0]), Text.num(s.get(cm)[1]), Text.num(s.get(cg)[1])));
            }
        }
        String measured = String.format(Locale.ROOT, "c_m = step %d, c_g = step %d; W_E effective rank %s -> %s (ratio %s: %s); "
                + "subspace distance %s at step %d, %s -> %s between c_m and c_g, %s at step %d: %s of the fall (%s); reported: %s",
                cm, cg, Text.num(rankM), Text.num(rankG), Text.num(rankG / rankM), rank ? "met" : "not met",
                Text.num(we.firstEntry().getValue()[1]), we.firstKey(), Text.num(we.get(cm)[1]), Text.num(we.get(cg)[1]),
                Text.num(we.lastEntry().getValue()[1]), we.lastKey(), Text.num(total > 0 ? fall / total : Double.NaN),
                distance ? "met" : "not met", others.isEmpty() ? "none" : String.join("; ", others));
        return new Claim("3", SPECTRUM_STATEMENT, measured, rule, rank && distance ? Verdict.HELD : Verdict.NOT_HELD);
    }

    static final String FOURIER_STATEMENT = "The embedding ends up written in a few Fourier frequencies of Z_p, the known "
            + "mechanism of modular addition, which it was not at memorisation.";

    private Claim fourier() {
        String rule = String.format(Locale.ROOT, "in the grokking run, the final embedding top-K share (fourier's "
                + "embedding_top_k_share) is >= %.1f and >= %.0f x W_E's top-K share at c_m, the last checkpoint at or before the "
                + "memorisation step", TOP_K_FINAL, TOP_K_GROWTH);
        GrokkingRun g = runs.get(Grokking.GROKKING);
        TreeMap<Long, Double> topK = g == null ? new TreeMap<>() : g.embeddingTopK();
        if (g == null || g.finalEmbeddingTopK().isEmpty() || topK.isEmpty()) {
            return Claim.notMeasured("4", FOURIER_STATEMENT, rule, "the grokking run's fourier output (embedding_top_k_share and "
                    + "W_E's shares per checkpoint)");
        }
        long cm = GrokkingRun.atOrBefore(topK, g.memorisation().orElse(Double.NaN));
        if (cm < 0) {
            return Claim.notMeasured("4", FOURIER_STATEMENT, rule, g.memorisation().isEmpty()
                    ? "a memorisation step (train accuracy never reached the level)" : "a fourier checkpoint at or before memorisation");
        }
        double last = g.finalEmbeddingTopK().get();
        double atM = topK.get(cm);
        boolean held = last >= TOP_K_FINAL && last >= TOP_K_GROWTH * atM;
        String measured = String.format(Locale.ROOT, "K = %d: top-K share %s at c_m = step %d, %s at the end (step %d): %s times; "
                + "an isotropic embedding has 2K/p = %s", g.k(), Text.num(atM), cm, Text.num(last), topK.lastKey(),
                Text.num(last / atM), Text.num(uniform(g)));
        return new Claim("4", FOURIER_STATEMENT, measured, rule, held ? Verdict.HELD : Verdict.NOT_HELD);
    }

    /** A training step as an integer. */
    static String step(double s) {
        return Double.isNaN(s) ? "n/a" : Long.toString(Math.round(s));
    }

    /** 2K/p from the number of frequencies in the shares ((p + 1) / 2 of them). */
    private static double uniform(GrokkingRun g) {
        var any = g.shares().getOrDefault(GrokkingRun.EMBEDDING, new TreeMap<>()).firstEntry();
        return any == null ? Double.NaN : 2.0 * g.k() / (2 * any.getValue().length - 1);
    }

    /** {c_m, c_g} on the checkpoints of the series, when both exist and differ. */
    static Optional<long[]> transition(GrokkingRun g, TreeMap<Long, ?> checkpoints) {
        long cm = GrokkingRun.atOrBefore(checkpoints, g.memorisation().orElse(Double.NaN));
        long cg = GrokkingRun.atOrAfter(checkpoints, g.generalisation().orElse(Double.NaN));
        return cm < 0 || cg < 0 || cm == cg ? Optional.empty() : Optional.of(new long[] {cm, cg});
    }

    private static String transitionMissing(GrokkingRun g, TreeMap<Long, ?> checkpoints) {
        if (g.memorisation().isEmpty()) {
            return "a memorisation step (train accuracy never reached the level)";
        }
        if (g.generalisation().isEmpty()) {
            return "a generalisation step (test accuracy never reached the level within the run)";
        }
        return "two distinct checkpoints around the transition (memorisation at step " + step(g.memorisation().get())
                + ", generalisation at step " + step(g.generalisation().get()) + ", checkpoints " + checkpoints.keySet() + ")";
    }
}
