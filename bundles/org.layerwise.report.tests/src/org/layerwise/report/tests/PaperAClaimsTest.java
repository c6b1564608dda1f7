package org.layerwise.report.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.layerwise.report.internal.PaperA;
import org.layerwise.report.internal.PaperAClaims;

/** The claims of results 1-5 follow the numbers in the run directories, whichever way they go. */
class PaperAClaimsTest {

    @TempDir
    Path dir;

    private Map<String, SyntheticRun> study() {
        Map<String, SyntheticRun> runs = new LinkedHashMap<>();
        for (String role : PaperA.ROLES) {
            runs.put(role, new SyntheticRun());
        }
        runs.get(PaperA.UNCONSTRAINED).asymmetry = 0.8;
        return runs;
    }

    private List<Claim> judge(Map<String, SyntheticRun> runs) throws IOException {
        return new PaperAClaims(SyntheticStudy.write(dir, runs)).judge();
    }

    private static Verdict verdict(List<Claim> claims, String result, String statementPart) {
        return SyntheticStudy.claim(claims, result, statementPart).verdict();
    }

    @Test
    void every_result_is_judged_and_all_hold_on_numbers_that_support_them() throws IOException {
        List<Claim> claims = judge(study());
        assertEquals(List.of("1", "2", "3", "4", "5"), claims.stream().map(Claim::result).distinct().toList());
        claims.forEach(c -> assertEquals(Verdict.HELD, c.verdict(), c.toString()));
        assertTrue(claims.get(0).measured().contains("70.0%"), claims.get(0).measured());
    }

    @Test
    void a_symmetrized_model_as_asymmetric_as_the_unconstrained_one_does_not_hold() throws IOException {
        Map<String, SyntheticRun> runs = study();
        runs.get(PaperA.SYMMETRIZED).asymmetry = 0.5;
        runs.get(PaperA.UNCONSTRAINED).asymmetry = 0.6;
        assertEquals(Verdict.NOT_HELD, verdict(judge(runs), "2", "structured"));
    }

    @Test
    void a_less_accurate_symmetrized_model_does_not_hold() throws IOException {
        Map<String, SyntheticRun> runs = study();
        SyntheticRun sym = runs.get(PaperA.SYMMETRIZED);
        sym.accuracy = 0.5;
        sym.accuracyLow = 0.47;
        sym.accuracyHigh = 0.53;
        assertEquals(Verdict.NOT_HELD, verdict(judge(runs), "1", "accuracy"));
    }

    @Test
    void shrinking_separation_and_margin_do_not_hold_and_the_others_still_do() throws IOException {
        Map<String, SyntheticRun> runs = study();
        runs.get(PaperA.SYMMETRIZED).fisher = new double[] {0.7, 0.6, 0.5, 0.4, 0.3};
        runs.get(PaperA.SYMMETRIZED).featureMargin = new double[] {1.0, 0.8, 0.6, 0.4, 0.2};
        List<Claim> claims = judge(runs);
        assertEquals(Verdict.NOT_HELD, verdict(claims, "4", "Class separation"));
        assertEquals(Verdict.NOT_HELD, verdict(claims, "4", "feature margin"));
        assertEquals(Verdict.HELD, verdict(claims, "4", "label margin"));
    }

    @Test
    void a_recursion_that_misses_a_variant_does_not_hold_for_that_variant_only() throws IOException {
        Map<String, SyntheticRun> runs = study();
        runs.get(PaperA.PROTOTYPE).agreement = 0.6;
        List<Claim> claims = judge(runs);
        assertEquals(Verdict.NOT_HELD, verdict(claims, "5", "prototype"));
        assertEquals(Verdict.HELD, verdict(claims, "5", "label-noise"));
        assertEquals(Verdict.HELD, verdict(claims, "3", "12 scalars"));
    }

    @Test
    void a_missing_run_is_not_measured_rather_than_held() throws IOException {
        Map<String, SyntheticRun> runs = study();
        runs.remove(PaperA.SEMI_SUPERVISED);
        runs.remove(PaperA.UNCONSTRAINED);
        List<Claim> claims = judge(runs);
        assertEquals(Verdict.NOT_MEASURED, verdict(claims, "5", "semi-supervised"));
        assertEquals(Verdict.NOT_MEASURED, verdict(claims, "1", "accuracy"));
        assertEquals(Verdict.NOT_MEASURED, verdict(claims, "2", "structured"));
        assertFalse(claims.stream().anyMatch(c -> c.verdict() == Verdict.NOT_MEASURED && c.result().equals("3")));
    }
}
