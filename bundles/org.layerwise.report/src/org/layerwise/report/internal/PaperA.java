package org.layerwise.report.internal;

import java.util.List;

import org.layerwise.report.Study;

/**
 * Paper A (Lutz et al., "Symmetry Reveals Layerwise Dynamics"), docs/mathematics.md section 10
 * results 1-5: which pipeline of examples/paper-a/ plays which role, and what --quick changes.
 */
public final class PaperA {

    public static final String SYMMETRIZED = "symmetrized";
    public static final String UNCONSTRAINED = "unconstrained";
    public static final String LABEL_NOISE = "label-noise";
    public static final String SEMI_SUPERVISED = "semi-supervised";
    public static final String PROTOTYPE = "prototype";

    public static final List<String> VARIANTS = List.of(LABEL_NOISE, SEMI_SUPERVISED, PROTOTYPE);
    public static final List<String> ROLES = List.of(SYMMETRIZED, UNCONSTRAINED, LABEL_NOISE, SEMI_SUPERVISED, PROTOTYPE);

    /** --quick: fewer training steps, prompts and bootstrap resamples; the same pipelines and analyzers. */
    static final List<String> QUICK_SETTINGS = List.of("backend.steps=1000", "layer-dynamics.resamples=200",
            "baselines.resamples=200", "weight-abstraction.draws=2");
    static final int QUICK_EVAL_PROMPTS = 320;

    private PaperA() {
    }

    public static Study study() {
        return new Study("paper-a", "Lutz et al., Symmetry Reveals Layerwise Dynamics: docs/mathematics.md section 10, results 1-5",
                "examples/paper-a", ROLES.stream().map(r -> new Study.Pipeline(r, r + ".layerwise")).toList(), QUICK_SETTINGS,
                QUICK_EVAL_PROMPTS, new PaperAReport());
    }
}
