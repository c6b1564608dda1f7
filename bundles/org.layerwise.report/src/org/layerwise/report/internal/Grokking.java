package org.layerwise.report.internal;

import java.util.List;

import org.layerwise.report.Study;

/**
 * Grokking (issue 16, docs/design/grokking.md section 6): a one-layer transformer on modular addition with and
 * without weight decay, which pipeline of examples/grokking/ plays which role, and what --quick changes.
 */
public final class Grokking {

    /** Weight decay 1: memorises early, generalises much later (claims 1, 3 and 4). */
    public static final String GROKKING = "grokking";
    /** The same pipeline with weight decay 0: memorises, does not generalise within the budget (claim 2). */
    public static final String NO_WEIGHT_DECAY = "no-weight-decay";

    public static final List<String> ROLES = List.of(GROKKING, NO_WEIGHT_DECAY);

    /** The analyzers the claims read, by the ids the pipelines name them with. */
    static final String SPECTRAL = "spectral-dynamics";
    static final String FOURIER = "fourier";
    static final String GENERALIZATION = "generalization";

    /**
     * --quick: a smaller shape that still groks within a few thousand steps (p = 59, d_model 64, 4 heads of 16, d_mlp 256),
     * chosen from the PyTorch search of releng/bench (docs/reproduce.md, "grokking"), with fewer checkpoints.
     */
    static final List<String> QUICK_SETTINGS = List.of("task.p=59", "task.train_fraction=0.5", "backend.d_model=64",
            "backend.d_head=16", "backend.d_mlp=256", "backend.lr=0.003", "backend.steps=3000", "backend.checkpoints=log:40");
    /** Sequence tasks evaluate every example of both splits; the in-context evaluation prompts do not apply. */
    static final int QUICK_EVAL_PROMPTS = 64;

    private Grokking() {
    }

    public static Study study() {
        return new Study("grokking", "Grokking on modular addition: memorisation long before generalisation, weight decay needed "
                + "for it, and the embedding's spectrum and Fourier structure across the transition (issue 16)", "examples/grokking",
                ROLES.stream().map(r -> new Study.Pipeline(r, r + ".layerwise")).toList(), QUICK_SETTINGS, QUICK_EVAL_PROMPTS,
                new GrokkingReport());
    }
}
