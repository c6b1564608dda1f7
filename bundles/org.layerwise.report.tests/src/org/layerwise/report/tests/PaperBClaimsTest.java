package org.layerwise.report.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.report.Claim;
import org.layerwise.report.Verdict;
import org.layerwise.report.internal.PaperB;
import org.layerwise.report.internal.PaperBClaims;

/** The claims of result 6 (paper B) follow the numbers in the run directories, whichever way they go. */
class PaperBClaimsTest {

    @TempDir
    Path dir;

    /** Runs on which every rule holds: drift halves with eta over the same flow time, the full model deviates by 4%. */
    private static Map<String, SyntheticDynamicsRun> study() {
        Map<String, SyntheticDynamicsRun> runs = new LinkedHashMap<>();
        for (String role : PaperB.LINEAR) {
            runs.put(role, new SyntheticDynamicsRun());
        }
        runs.get(PaperB.STAGED).drift = 0;
        SyntheticDynamicsRun big = runs.get(PaperB.CONSERVATION_ETA);
        big.eta = 0.02;
        big.steps = 20000;
        big.drift = 2.01e-4;
        runs.get(PaperB.CONSERVATION_HALF_ETA).drift = 1e-4;
        SyntheticDynamicsRun full = runs.get(PaperB.FULL);
        full.parameterization = "full";
        full.maxDeviation = 0.04;
        return runs;
    }

    private List<Claim> judge(Map<String, SyntheticDynamicsRun> runs) throws IOException {
        return judge(runs, new SyntheticEmergenceRun());
    }

    private List<Claim> judge(Map<String, SyntheticDynamicsRun> runs, SyntheticEmergenceRun emergence) throws IOException {
        return judge(runs, emergence, SyntheticEmergenceRun.regression());
    }

    private List<Claim> judge(Map<String, SyntheticDynamicsRun> runs, SyntheticEmergenceRun emergence,
            SyntheticEmergenceRun regression) throws IOException {
        Map<String, SyntheticStudy.Run> all = new LinkedHashMap<>(runs);
        if (emergence != null) {
            all.put(PaperB.EMERGENCE, emergence);
        }
        if (regression != null) {
            all.put(PaperB.EMERGENCE_REGRESSION, regression);
        }
        return new PaperBClaims(SyntheticStudy.write(dir, all)).judge();
    }

    /** Claim 4 on the classification run. */
    private static Claim classification(List<Claim> claims) {
        return claim(claims, "4", "in-context classification");
    }

    /** Claim 4 on the regression run. */
    private static Claim regression(List<Claim> claims) {
        return claim(claims, "4", "in-context regression");
    }

    private Verdict regressionVerdict(SyntheticEmergenceRun run) throws IOException {
        return regression(judge(study(), new SyntheticEmergenceRun(), run)).verdict();
    }

    private static Claim claim(List<Claim> claims, String result, String statementPart) {
        return SyntheticStudy.claim(claims, result, statementPart);
    }

    @Test
    void every_claim_is_judged_and_holds_on_numbers_that_support_it() throws IOException {
        List<Claim> claims = judge(study());
        assertEquals(List.of("1", "2", "3", "4"), claims.stream().map(Claim::result).distinct().toList());
        for (Claim c : claims) {
            assertEquals(Verdict.HELD, c.verdict(), c.toString());
            assertTrue(!c.rule().isBlank(), c.toString());
        }
        assertTrue(claim(claims, "2", "conservation").measured().contains("ratio 2.0100"), claim(claims, "2", "conservation").measured());
        assertTrue(classification(claims).measured().contains("the drop runs from step t_a = 230 to t_b = 390"),
                classification(claims).measured());
        assertEquals(2, claims.stream().filter(c -> c.result().equals("4")).count(), "one claim 4 per emergence run");
        assertTrue(regression(claims).measured().contains("the drop runs from step t_a = 340 to t_b = 580"),
                regression(claims).measured());
        assertTrue(regression(claims).rule().contains("the emergence-regression run's"), regression(claims).rule());
    }

    @Test
    void modes_learned_out_of_order_or_off_their_timescale_do_not_hold() throws IOException {
        Map<String, SyntheticDynamicsRun> runs = study();
        runs.get(PaperB.STAGED).stagedOrder = 0;
        assertEquals(Verdict.NOT_HELD, claim(judge(runs), "1", "mode by mode").verdict());

        runs = study();
        runs.get(PaperB.STAGED).halfStepOffByTau = new double[] {0.01, 0.01, 0.15, 0.01};
        assertEquals(Verdict.NOT_HELD, claim(judge(runs), "1", "mode by mode").verdict());
    }

    @Test
    void a_closed_form_two_percent_off_does_not_hold() throws IOException {
        Map<String, SyntheticDynamicsRun> runs = study();
        runs.get(PaperB.STAGED).maxDeviation = 0.02;
        List<Claim> claims = judge(runs);
        assertEquals(Verdict.NOT_HELD, claim(claims, "2", "closed form").verdict());
        assertEquals(Verdict.HELD, claim(claims, "2", "conservation").verdict());
    }

    @Test
    void a_drift_that_does_not_halve_with_eta_does_not_hold() throws IOException {
        Map<String, SyntheticDynamicsRun> runs = study();
        runs.get(PaperB.CONSERVATION_ETA).drift = 4e-4; // per-step scaling, eta^2: not what a fixed flow time gives
        assertEquals(Verdict.NOT_HELD, claim(judge(runs), "2", "conservation").verdict());

        runs = study();
        runs.get(PaperB.CONSERVATION_ETA).drift = 0;
        runs.get(PaperB.CONSERVATION_HALF_ETA).drift = 0;
        assertEquals(Verdict.NOT_HELD, claim(judge(runs), "2", "conservation").verdict(), "no drift to compare: a balanced start");
    }

    @Test
    void runs_over_different_flow_times_are_not_measured_rather_than_judged() throws IOException {
        Map<String, SyntheticDynamicsRun> runs = study();
        runs.get(PaperB.CONSERVATION_HALF_ETA).steps = 20000;
        assertEquals(Verdict.NOT_MEASURED, claim(judge(runs), "2", "conservation").verdict());
    }

    @Test
    void a_full_model_on_the_reduced_closed_form_does_not_hold() throws IOException {
        Map<String, SyntheticDynamicsRun> runs = study();
        runs.get(PaperB.FULL).maxDeviation = 0.005;
        assertEquals(Verdict.NOT_HELD, claim(judge(runs), "3", "W_P").verdict());
    }

    @Test
    void the_full_model_is_judged_at_its_last_checkpoint_several_percent_holds_a_mode_left_unlearned_does_not() throws IOException {
        Map<String, SyntheticDynamicsRun> runs = study();
        runs.get(PaperB.FULL).maxDeviation = 0.8; // while the modes rise
        runs.get(PaperB.FULL).finalDeviation = 0.04;
        Claim c = claim(judge(runs), "3", "W_P");
        assertEquals(Verdict.HELD, c.verdict(), c.measured());
        assertTrue(c.measured().startsWith("at the last checkpoint (step 40000) 0.0400 of a_inf"), c.measured());

        runs.get(PaperB.FULL).finalDeviation = 1.0; // the slowest mode back at 0 while the closed form is at a_inf
        assertEquals(Verdict.NOT_HELD, claim(judge(runs), "3", "W_P").verdict());
        runs.get(PaperB.FULL).finalDeviation = 0.008; // within the reduced model's own tolerance at the end
        assertEquals(Verdict.NOT_HELD, claim(judge(runs), "3", "W_P").verdict());
    }

    @Test
    void no_drop_a_drop_without_a_plateau_or_ranks_that_stay_put_do_not_hold() throws IOException {
        SyntheticEmergenceRun flat = new SyntheticEmergenceRun();
        flat.after = 1.3;
        Claim c = classification(judge(study(), flat));
        assertEquals(Verdict.NOT_HELD, c.verdict(), "a drop of 0.086 nats, 6% of L0");
        assertTrue(c.measured().contains("(a not met)"), c.measured());

        SyntheticEmergenceRun early = new SyntheticEmergenceRun();
        early.dropFrom = 0;
        assertEquals(Verdict.NOT_HELD, classification(judge(study(), early)).verdict(), "no plateau: linear in the step from 0");

        SyntheticEmergenceRun still = new SyntheticEmergenceRun();
        still.rankAfter = still.rankBefore - 0.3;
        assertEquals(Verdict.NOT_HELD, classification(judge(study(), still)).verdict(), "ranks change by 0.3 only");

        SyntheticEmergenceRun settled = new SyntheticEmergenceRun();
        settled.distanceAtStart = 0.25;
        c = classification(judge(study(), settled));
        assertEquals(Verdict.NOT_HELD, c.verdict(), "the distance falls by 0.05 only");
        assertTrue(c.measured().contains("(c met)") && c.measured().contains("(d not met)"), c.measured());
    }

    @Test
    void a_transformers_other_matrices_in_the_spectral_table_leave_claim_4_and_its_numbers_alone() throws IOException {
        SyntheticEmergenceRun network = new SyntheticEmergenceRun();
        network.transformerKinds = true;
        Claim plain = classification(judge(study(), new SyntheticEmergenceRun()));
        Claim with = classification(judge(study(), network));
        assertEquals(Verdict.HELD, plain.verdict());
        assertEquals(plain.verdict(), with.verdict());
        assertEquals(plain.measured(), with.measured());
    }

    @Test
    void each_emergence_run_gets_its_own_verdict_by_the_same_rule() throws IOException {
        SyntheticEmergenceRun flat = SyntheticEmergenceRun.regression();
        flat.rankAfter = flat.rankBefore + 0.2;
        List<Claim> claims = judge(study(), new SyntheticEmergenceRun(), flat);
        assertEquals(Verdict.HELD, classification(claims).verdict());
        assertEquals(Verdict.NOT_HELD, regression(claims).verdict());
        assertTrue(regression(claims).measured().contains("(c not met)") && regression(claims).measured().contains("(a met)"),
                regression(claims).measured());

        claims = judge(study(), flat, SyntheticEmergenceRun.regression());
        assertEquals(Verdict.NOT_HELD, classification(claims).verdict());
        assertEquals(Verdict.HELD, regression(claims).verdict());
    }

    @Test
    void a_plateau_then_a_sudden_drop_holds_a_steadily_falling_loss_does_not() throws IOException {
        assertEquals(Verdict.HELD, regressionVerdict(SyntheticEmergenceRun.regression()));

        for (SyntheticEmergenceRun.Shape shape : List.of(SyntheticEmergenceRun.Shape.EXPONENTIAL,
                SyntheticEmergenceRun.Shape.LOG_LINEAR)) {
            SyntheticEmergenceRun steady = SyntheticEmergenceRun.regression();
            steady.shape = shape;
            Claim c = regression(judge(study(), new SyntheticEmergenceRun(), steady));
            assertEquals(Verdict.NOT_HELD, c.verdict(), shape + ": " + c.measured());
            assertTrue(c.measured().contains("(a met)") && c.measured().contains("(b not met)"), shape + ": " + c.measured());
        }

        SyntheticEmergenceRun linear = SyntheticEmergenceRun.regression();
        linear.dropFrom = 0;
        linear.dropTo = 1000;
        assertEquals(Verdict.NOT_HELD, regressionVerdict(linear), "a loss falling linearly in the step over the whole run");

        SyntheticEmergenceRun small = SyntheticEmergenceRun.regression();
        small.after = 1.75; // 0.15 of squared error, 8% of the plateau's level
        assertEquals(Verdict.NOT_HELD, regressionVerdict(small));
        small.after = 1.65; // 0.25, 13%: a small drop, but one
        assertEquals(Verdict.HELD, regressionVerdict(small));
    }

    @Test
    void a_missing_run_is_not_measured_rather_than_held() throws IOException {
        Map<String, SyntheticDynamicsRun> runs = study();
        runs.remove(PaperB.FULL);
        runs.remove(PaperB.CONSERVATION_HALF_ETA);
        List<Claim> claims = judge(runs, null, SyntheticEmergenceRun.regression());
        assertEquals(Verdict.NOT_MEASURED, classification(claims).verdict());
        assertEquals(Verdict.HELD, regression(claims).verdict(), "the regression run is judged without the classification run");
        assertEquals(Verdict.NOT_MEASURED, claim(claims, "3", "W_P").verdict());
        assertEquals(Verdict.NOT_MEASURED, claim(claims, "2", "conservation").verdict());
        assertEquals(Verdict.HELD, claim(claims, "1", "mode by mode").verdict());
    }
}
