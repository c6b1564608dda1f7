package org.layerwise.analysis.recursion;

import org.layerwise.analysis.recursion.CoupledMeanShiftRecursion.Form;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.model.Forward;

/**
 * The coupled mean-shift recursions of a run's model and their trajectories on the run's
 * evaluation prompts, computed once per run and shared by every analyzer that reads them
 * ({@link AnalysisContext#shared()}).
 */
public final class SharedRecursion {

    private SharedRecursion() {
    }

    public static CoupledMeanShiftRecursion of(AnalysisContext ctx, Form form) {
        CoupledMeanShiftRecursion full = ctx.shared().get(CoupledMeanShiftAnalyzer.ID + "/full", CoupledMeanShiftRecursion.class,
                () -> CoupledMeanShiftRecursion.full(ctx.model()));
        return form == Form.FULL ? full
                : ctx.shared().get(CoupledMeanShiftAnalyzer.ID + "/reduced", CoupledMeanShiftRecursion.class, full::reduced);
    }

    /** The recursion run from the evaluation prompts (layout of {@link Forward.Result}), attention patterns included. */
    public static Forward.Result trajectories(AnalysisContext ctx, Form form) {
        return ctx.shared().get(key(form, true), Forward.Result.class,
                () -> of(ctx, form).run(ctx.evaluation().z, ctx.evaluation().count, true));
    }

    /**
     * The recursion's states only (patterns null): the same numbers as {@link #trajectories}
     * without the [L][P, H, N+1, K] attention, which is the largest part.
     */
    public static Forward.Result states(AnalysisContext ctx, Form form) {
        Forward.Result withPatterns = ctx.shared().peek(key(form, true), Forward.Result.class);
        return withPatterns != null ? withPatterns
                : ctx.shared().get(key(form, false), Forward.Result.class,
                        () -> of(ctx, form).run(ctx.evaluation().z, ctx.evaluation().count, false));
    }

    private static String key(Form form, boolean patterns) {
        return CoupledMeanShiftAnalyzer.ID + "/" + form.key() + (patterns ? "/trajectories" : "/states");
    }
}
