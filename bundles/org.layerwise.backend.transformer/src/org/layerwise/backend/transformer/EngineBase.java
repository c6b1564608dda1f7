package org.layerwise.backend.transformer;

import org.layerwise.core.TokenDataset;
import org.layerwise.core.model.NetworkConfig;

/** What both engines share: the config and dataset they were built for, their threads and the checks of every call. */
abstract class EngineBase implements Engine {

    final NetworkConfig config;
    final TokenDataset data;
    final Layout at;
    final Workers workers;

    /** Throws IllegalArgumentException with {@code unsupported} if not null, else with why the config cannot run on the dataset. */
    EngineBase(NetworkConfig config, TokenDataset data, int threads, String unsupported) {
        String problem = unsupported != null ? unsupported : problem(config, data);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        this.config = config;
        this.data = data;
        this.at = new Layout(config);
        this.workers = new Workers(threads);
    }

    /** Why no engine computes this config, or null. */
    static String configProblem(NetworkConfig c) {
        if (!c.attnOnly() && !"relu".equals(c.actFn())) {
            return "act_fn " + c.actFn() + " is not supported; expected relu";
        }
        if (c.normalization() != null && !c.layerNorm()) {
            return "normalization " + c.normalization() + " is not supported; expected LN or none";
        }
        return null;
    }

    /** Why an engine cannot train this config on this dataset, or null. */
    static String problem(NetworkConfig c, TokenDataset d) {
        String problem = configProblem(c);
        if (problem != null) {
            return problem;
        }
        if (d.length() > c.nCtx()) {
            return "examples of " + d.length() + " tokens do not fit n_ctx = " + c.nCtx();
        }
        if (d.vocabulary() > c.dVocab() || d.classes() > c.dVocabOut()) {
            return "the task has " + d.vocabulary() + " tokens and " + d.classes() + " answers; the model has d_vocab = " + c.dVocab()
                    + ", d_vocab_out = " + c.dVocabOut();
        }
        return null;
    }

    @Override
    public final Evaluation lossAndGradient(double[][] weights, int[] rows, double[][] gradient) {
        Parameters.checkLayout(config, gradient, "gradient");
        check(weights, rows);
        return run(weights, rows, gradient);
    }

    @Override
    public final Evaluation evaluate(double[][] weights, int[] rows) {
        check(weights, rows);
        return run(weights, rows, null);
    }

    private void check(double[][] weights, int[] rows) {
        Parameters.checkLayout(config, weights, "weight");
        if (rows.length == 0) {
            throw new IllegalArgumentException("no examples");
        }
        for (int r : rows) {
            if (r < 0 || r >= data.count()) {
                throw new IllegalArgumentException("example " + r + " is outside [0, " + data.count() + ")");
            }
        }
    }

    /** Loss and accuracy on rows (checked, not empty); with a gradient (of the right layout), the gradient written over it. */
    abstract Evaluation run(double[][] weights, int[] rows, double[][] gradient);
}
