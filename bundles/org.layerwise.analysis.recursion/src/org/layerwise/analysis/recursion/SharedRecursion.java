package org.layerwise.analysis.recursion;

import org.layerwise.analysis.recursion.CoupledMeanShiftRecursion.Form;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.ContributionException;
import org.layerwise.core.SharedResultProvider;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.RecursionResults;

/**
 * The coupled mean-shift recursions of a run's model and their trajectories on the run's
 * evaluation prompts, computed once per run ({@link AnalysisContext#shared()}). The full form's
 * trajectories are the declared shared result {@link RecursionResults#TRAJECTORIES}, which other
 * contributions read; this class is also its provider (plugin.xml, {@code <provides>}).
 */
public final class SharedRecursion implements SharedResultProvider {

    public static CoupledMeanShiftRecursion of(AnalysisContext ctx, Form form) {
        CoupledMeanShiftRecursion full = ctx.shared().get(CoupledMeanShiftAnalyzer.ID + "/full", CoupledMeanShiftRecursion.class,
                () -> CoupledMeanShiftRecursion.full(ctx.model()));
        return form == Form.FULL ? full
                : ctx.shared().get(CoupledMeanShiftAnalyzer.ID + "/reduced", CoupledMeanShiftRecursion.class, full::reduced);
    }

    @Override
    public Forward.Result compute(AnalysisContext ctx) {
        return run(ctx, Form.FULL, true);
    }

    private static Forward.Result run(AnalysisContext ctx, Form form, boolean patterns) {
        return of(ctx, form).run(ctx.evaluation().z, ctx.evaluation().count, patterns);
    }

    /** The recursion run from the evaluation prompts (layout of {@link Forward.Result}), attention patterns included. */
    public static Forward.Result trajectories(AnalysisContext ctx, Form form) throws ContributionException {
        return form == Form.FULL ? ctx.require(RecursionResults.TRAJECTORIES)
                : ctx.shared().get(key(form, true), Forward.Result.class, () -> run(ctx, form, true));
    }

    /**
     * The recursion's states only (patterns null): the same numbers as {@link #trajectories}
     * without the [L][P, H, N+1, K] attention, which is the largest part.
     */
    public static Forward.Result states(AnalysisContext ctx, Form form) {
        Forward.Result withPatterns = form == Form.FULL ? ctx.shared().peek(RecursionResults.TRAJECTORIES)
                : ctx.shared().peek(key(form, true), Forward.Result.class);
        return withPatterns != null ? withPatterns
                : ctx.shared().get(key(form, false), Forward.Result.class, () -> run(ctx, form, false));
    }

    private static String key(Form form, boolean patterns) {
        return CoupledMeanShiftAnalyzer.ID + "/" + form.key() + (patterns ? "/trajectories" : "/states");
    }
}
