package org.layerwise.report;

/**
 * One claim of a paper checked against measured numbers: which result it belongs to, what
 * the paper says, what was measured, the rule that decides, and the verdict of that rule.
 */
public record Claim(String result, String statement, String measured, String rule, Verdict verdict) {

    public static Claim notMeasured(String result, String statement, String rule, String missing) {
        return new Claim(result, statement, "missing: " + missing, rule, Verdict.NOT_MEASURED);
    }
}
