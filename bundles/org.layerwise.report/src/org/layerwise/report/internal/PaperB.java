package org.layerwise.report.internal;

import java.util.List;

import org.layerwise.report.Study;

/**
 * Paper B (training dynamics of a linear transformer, docs/mathematics.md section 9), section 10 result 6:
 * which pipeline of examples/paper-b/ plays which role, and what --quick changes.
 */
public final class PaperB {

    /** Reduced, expected gradient, balanced start: claims 1 and 2 (closed form against simulation). */
    public static final String STAGED = "staged-learning";
    /** Reduced, expected gradient, random start, at eta and at eta / 2 over the same flow time: claim 2 (conservation). */
    public static final String CONSERVATION_ETA = "conservation-eta";
    public static final String CONSERVATION_HALF_ETA = "conservation-half-eta";
    /** Full parameterisation, sampled gradient: claim 3. */
    public static final String FULL = "full-parameterization";

    /** Softmax attention-only network on the linear classification task with a checkpoint series: claim 4. */
    public static final String EMERGENCE = "emergence";
    /** The same kind of network on the linear-regression task (squared error on the query's y block): claim 4. */
    public static final String EMERGENCE_REGRESSION = "emergence-regression";

    /** The linear-attention runs (claims 1-3). */
    public static final List<String> LINEAR = List.of(STAGED, CONSERVATION_ETA, CONSERVATION_HALF_ETA, FULL);
    /** The softmax runs, each judged by claim 4's rule on its own: classification, then regression. */
    public static final List<String> EMERGENCE_RUNS = List.of(EMERGENCE, EMERGENCE_REGRESSION);
    public static final List<String> ROLES = List.of(STAGED, CONSERVATION_ETA, CONSERVATION_HALF_ETA, FULL, EMERGENCE,
            EMERGENCE_REGRESSION);

    /**
     * --quick: the same steps (the claims are about whole trajectories: fewer steps would cut the slow modes off), a
     * smaller batch for the sampled-gradient pipelines (full-parameterization 1000 -> 100, emergence and emergence-regression
     * 128 -> 100; the others use the exact expected gradient and draw no prompts) and fewer checkpoints.
     */
    static final List<String> QUICK_SETTINGS = List.of("backend.batch=100", "backend.checkpoints=log:30");
    static final int QUICK_EVAL_PROMPTS = 64;

    private PaperB() {
    }

    public static Study study() {
        return new Study("paper-b", "Training dynamics of a linear transformer learning in context: docs/mathematics.md section 9 and "
                + "section 10, result 6", "examples/paper-b", ROLES.stream().map(r -> new Study.Pipeline(r, r + ".layerwise")).toList(),
                QUICK_SETTINGS, QUICK_EVAL_PROMPTS, new PaperBReport());
    }
}
