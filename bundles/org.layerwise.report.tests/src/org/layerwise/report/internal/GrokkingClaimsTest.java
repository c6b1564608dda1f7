package org.layerwise.report.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.layerwise.report.Claim;
import org.layerwise.report.Verdict;

/** The grokking claims' rules on hand-made runs: every verdict of every claim is reachable, at the thresholds. */
class GrokkingClaimsTest {

    /** A hand-made run: evaluated every 10 steps to 2000, checkpoints at 0, 50, 100, ..., 2000. */
    static final class Made {
        Double memorisation = 100.0;
        Double generalisation = 800.0;
        boolean stepsMeasured = true;
        double maxTest = 1.0;
        /** W_E's effective rank and subspace distance: before the memorisation checkpoint, between, after generalisation. */
        double rankBefore = 40;
        double rankAfter = 20;
        double distanceStart = 0.9;
        double distanceAtMemorisation = 0.8;
        double distanceAtGeneralisation = 0.2;
        boolean spectra = true;
        double topKAtMemorisation = 0.2;
        Double topKFinal = 0.8;

        GrokkingRun run() {
            Map<String, double[]> curves = new LinkedHashMap<>();
            int n = 201;
            double[] step = new double[n];
            double[] test = new double[n];
            for (int i = 0; i < n; i++) {
                step[i] = 10 * i;
                test[i] = maxTest * i / (n - 1);
            }
            curves.put("step", step);
            for (String c : GrokkingRun.CURVES) {
                curves.put(c, c.equals("test_accuracy") ? test : new double[n]);
            }
            Map<String, TreeMap<Long, double[]>> spectraByKind = new HashMap<>();
            Map<String, TreeMap<Long, double[]>> shares = new HashMap<>();
            if (spectra) {
                TreeMap<Long, double[]> we = new TreeMap<>();
                TreeMap<Long, double[]> fourier = new TreeMap<>();
                double m = memorisation == null ? 1e9 : memorisation;
                double g = generalisation == null ? 1e9 : generalisation;
                for (long s = 0; s <= 2000; s += 50) {
                    double d = s == 0 ? distanceStart : s <= m ? distanceAtMemorisation : s < g ? (distanceAtMemorisation
                            + distanceAtGeneralisation) / 2 : s == 2000 ? 0 : distanceAtGeneralisation;
                    we.put(s, new double[] {s <= m ? rankBefore : s < g ? (rankBefore + rankAfter) / 2 : rankAfter, d});
                    // (p + 1) / 2 = 30 frequencies, K = 1: the top share in frequency 1, the rest spread evenly over the others
                    double top = s <= m ? topKAtMemorisation : topKFinal == null ? 0.5 : topKFinal;
                    double[] f = new double[30];
                    f[1] = top;
                    for (int k = 2; k < 30; k++) {
                        f[k] = (1 - top) / 28;
                    }
                    fourier.put(s, f);
                }
                spectraByKind.put("W_E", we);
                spectraByKind.put("QK", we);
                shares.put(GrokkingRun.EMBEDDING, fourier);
            }
            return new GrokkingRun(curves, stepsMeasured, Optional.ofNullable(memorisation), Optional.ofNullable(generalisation),
                    spectraByKind, shares, spectra ? 1 : 0, Optional.ofNullable(spectra ? topKFinal : null));
        }
    }

    private static List<Claim> judge(Made grokking, Made noDecay) {
        Map<String, GrokkingRun> runs = new HashMap<>();
        if (grokking != null) {
            runs.put(Grokking.GROKKING, grokking.run());
        }
        if (noDecay != null) {
            runs.put(Grokking.NO_WEIGHT_DECAY, noDecay.run());
        }
        return new GrokkingClaims(runs).judge();
    }

    private static Made noDecay() {
        Made n = new Made();
        n.generalisation = null;
        n.maxTest = 0.5;
        return n;
    }

    private static Verdict verdict(List<Claim> claims, String result) {
        return claims.stream().filter(c -> c.result().equals(result)).findFirst().orElseThrow().verdict();
    }

    @Test
    void every_claim_holds_on_a_run_that_groks_and_a_control_that_does_not() {
        List<Claim> claims = judge(new Made(), noDecay());
        assertEquals(List.of("1", "2", "3", "4"), claims.stream().map(Claim::result).toList());
        for (Claim c : claims) {
            assertEquals(Verdict.HELD, c.verdict(), c.toString());
        }
        assertTrue(claims.get(0).measured().contains("generalised at step 800"), claims.get(0).measured());
        assertTrue(claims.get(2).measured().contains("c_m = step 100, c_g = step 800"), claims.get(2).measured());
    }

    @Test
    void claim_1_needs_five_times_the_memorisation_step() {
        Made g = new Made();
        g.generalisation = 500.0; // exactly 5 x 100
        assertEquals(Verdict.HELD, verdict(judge(g, noDecay()), "1"));
        g.generalisation = 490.0;
        assertEquals(Verdict.NOT_HELD, verdict(judge(g, noDecay()), "1"));
        g.generalisation = null; // never generalised
        assertEquals(Verdict.NOT_HELD, verdict(judge(g, noDecay()), "1"));
        g.memorisation = null;
        assertEquals(Verdict.NOT_MEASURED, verdict(judge(g, noDecay()), "1"));
        g.memorisation = 0.0; // memorised at step 0 counts as step 1
        g.generalisation = 5.0;
        assertEquals(Verdict.HELD, verdict(judge(g, noDecay()), "1"));
        assertEquals(Verdict.NOT_MEASURED, verdict(judge(null, noDecay()), "1"));
        Made unmeasured = new Made();
        unmeasured.stepsMeasured = false;
        assertEquals(Verdict.NOT_MEASURED, verdict(judge(unmeasured, noDecay()), "1"));
    }

    @Test
    void claim_2_fails_when_the_control_generalises_or_never_memorises() {
        Made n = noDecay();
        n.maxTest = 0.9899;
        assertEquals(Verdict.HELD, verdict(judge(new Made(), n), "2"));
        n.maxTest = 0.99; // reaching the level once is generalising
        assertEquals(Verdict.NOT_HELD, verdict(judge(new Made(), n), "2"));
        Made unfit = noDecay();
        unfit.memorisation = null;
        assertEquals(Verdict.NOT_HELD, verdict(judge(new Made(), unfit), "2"));
        assertEquals(Verdict.NOT_MEASURED, verdict(judge(new Made(), null), "2"));
        Made unmeasured = noDecay();
        unmeasured.stepsMeasured = false;
        assertEquals(Verdict.NOT_MEASURED, verdict(judge(new Made(), unmeasured), "2"));
    }

    @Test
    void claim_3_judges_w_e_rank_and_where_its_subspace_distance_falls() {
        Made g = new Made();
        g.rankAfter = 28; // exactly 0.7 x 40
        assertEquals(Verdict.HELD, verdict(judge(g, noDecay()), "3"));
        g.rankAfter = 28.5;
        assertEquals(Verdict.NOT_HELD, verdict(judge(g, noDecay()), "3"));

        Made early = new Made(); // most of the fall from 0.9 happens before memorisation: 0.9 -> 0.3 -> 0.1
        early.distanceAtMemorisation = 0.3;
        early.distanceAtGeneralisation = 0.1;
        assertEquals(Verdict.NOT_HELD, verdict(judge(early, noDecay()), "3"));
        early.distanceAtMemorisation = 0.5; // 0.4 of the 0.9 falls between them: short of half
        assertEquals(Verdict.NOT_HELD, verdict(judge(early, noDecay()), "3"));
        early.distanceAtMemorisation = 0.6; // 0.5 of 0.9
        assertEquals(Verdict.HELD, verdict(judge(early, noDecay()), "3"));

        Made never = new Made();
        never.generalisation = null;
        Claim c = judge(never, noDecay()).get(2);
        assertEquals(Verdict.NOT_MEASURED, c.verdict());
        assertTrue(c.measured().contains("generalisation step"), c.measured());

        Made same = new Made(); // memorised at 110 and generalised at 140: both between the checkpoints 100 and 150
        same.memorisation = 110.0;
        same.generalisation = 140.0;
        assertEquals(Verdict.HELD, verdict(judge(same, noDecay()), "3"), "c_m = 100 and c_g = 150 differ");
        same.generalisation = 110.0;
        same.memorisation = 100.0;
        assertEquals(Verdict.HELD, verdict(judge(same, noDecay()), "3"));
        same.memorisation = 150.0; // c_m = 150 = c_g
        same.generalisation = 150.0;
        assertEquals(Verdict.NOT_MEASURED, verdict(judge(same, noDecay()), "3"));

        Made flat = new Made();
        flat.spectra = false;
        assertEquals(Verdict.NOT_MEASURED, verdict(judge(flat, noDecay()), "3"));
    }

    @Test
    void claim_4_needs_a_high_final_share_that_grew_since_memorisation() {
        Made g = new Made();
        g.topKFinal = 0.6;
        g.topKAtMemorisation = 0.3; // exactly 0.6 and exactly 2 x 0.3
        assertEquals(Verdict.HELD, verdict(judge(g, noDecay()), "4"));
        g.topKFinal = 0.59;
        g.topKAtMemorisation = 0.2;
        assertEquals(Verdict.NOT_HELD, verdict(judge(g, noDecay()), "4"), "below 0.6");
        g.topKFinal = 0.9;
        g.topKAtMemorisation = 0.46;
        assertEquals(Verdict.NOT_HELD, verdict(judge(g, noDecay()), "4"), "less than twice the share at memorisation");
        g.topKAtMemorisation = 0.44;
        Claim c = judge(g, noDecay()).get(3);
        assertEquals(Verdict.HELD, c.verdict());
        assertTrue(c.measured().contains("0.4400 at c_m = step 100"), c.measured());
        g.memorisation = null;
        assertEquals(Verdict.NOT_MEASURED, verdict(judge(g, noDecay()), "4"));
        Made none = new Made();
        none.topKFinal = null;
        assertEquals(Verdict.NOT_MEASURED, verdict(judge(none, noDecay()), "4"));
    }

    @Test
    void the_top_k_share_adds_the_k_largest_non_constant_frequencies() {
        assertEquals(0.5 + 0.2, GrokkingRun.topK(new double[] {0.9, 0.1, 0.5, 0.2, 0.05}, 2), 1e-12, "frequency 0 left out");
        assertEquals(0.85, GrokkingRun.topK(new double[] {0.15, 0.1, 0.5, 0.2, 0.05}, 9), 1e-12, "K beyond the frequencies: all");
        assertTrue(Double.isNaN(GrokkingRun.topK(new double[] {1}, 1)));
    }
}
