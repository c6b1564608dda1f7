package org.layerwise.core.model;

import org.layerwise.core.SharedResult;

/**
 * Shared results of the coupled mean-shift recursion (docs/mathematics.md section 6) that analyzers
 * exchange without depending on the bundle that computes them. The built-in provider is the
 * coupled-mean-shift contribution (bundle org.layerwise.analysis.recursion).
 */
public final class RecursionResults {

    private RecursionResults() {
    }

    /**
     * The full recursion run from the run's evaluation prompts, attention patterns included:
     * residPost()[l] is the state after block l and patterns()[l] its attention, in the layout of
     * {@link Forward.Result} (blocks.{l}.hook_resid_post, blocks.{l}.attn.hook_pattern).
     */
    public static final SharedResult<Forward.Result> TRAJECTORIES = SharedResult.of("coupled-mean-shift.trajectories",
            Forward.Result.class);
}
