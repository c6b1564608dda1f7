package org.layerwise.analysis.learning;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.eclipse.core.runtime.OperationCanceledException;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.ModelSeries;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Settings;
import org.layerwise.core.Table;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.dynamics.ReducedClosedForm;
import org.layerwise.core.model.AttentionFactors;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;

/**
 * Analyzer "learning-dynamics": docs/mathematics.md section 9's closed forms against the run's own
 * checkpoints. The model is f(Z) = Z + Z W_Q' (Z' Z / N) W_P' with QK = W_Q' and OV = W_P'
 * (section 3's linear layer); per mode alpha (column u_alpha of the task's U) q_alpha is
 * u_alpha' W_Q,xx u_alpha and p_alpha is u_alpha' W_P,yy u_alpha, read from the merged
 * matrices, or in the reduced parameterisation (stored as factors W_Q = [U diag(p) ; 0],
 * W_K = [U diag(q) ; 0]) from the factors themselves, so that c = p^2 - q^2 is exact.
 */
public class LearningDynamicsAnalyzer implements RecursionAnalyzer {

    @Override
    public void configure(Settings settings, ModelConfig model, TaskSpec task) throws InvalidSettingException {
        if (task == null || !TaskSpec.REGRESSION.equals(task.kind()) || task.structure("U") == null) {
            throw new InvalidSettingException(null, "learning dynamics need the linear-regression task (its basis U, spectrum s "
                    + "and pool statistics lambda2 and P); the task is " + (task == null ? "unknown" : task.kind()));
        }
        try {
            ReducedClosedForm.of(task);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(null, e.getMessage());
        }
        if (model != null && (model.attention() != ModelConfig.Attention.LINEAR || model.nLayers() != 1 || model.nHeads() != 1
                || model.dX() != task.features() || model.dY() != task.features())) {
            throw new InvalidSettingException(null, "the closed forms are for one layer and one head of linear attention on "
                    + "tokens [x ; y] of equal width; the model has " + model.nLayers() + " layers, " + model.nHeads()
                    + " heads, " + model.attention() + " attention");
        }
    }

    @Override
    public AnalysisResult analyze(AnalysisContext ctx) throws Exception {
        TaskSpec task = ctx.task();
        int d = task.features();
        double[] u = task.structure("U");
        double[] s = task.structure("s");
        ReducedClosedForm forms = ReducedClosedForm.of(task);
        AnalysisResult result = new AnalysisResult();
        ModelSeries.Series series = ctx.series();
        TrainedModel training = ctx.training();
        Object reported = training == null ? null : training.facts().get(TrainedModel.FLOW_TIME_PER_STEP);
        if (series.isEmpty() || !(reported instanceof Number flow)) {
            String why = series.isEmpty() ? "no checkpoint series: set backend.checkpoints (e.g. log:40)"
                    : "the backend reported no " + TrainedModel.FLOW_TIME_PER_STEP + ", so the closed forms have no time scale";
            result.detail("note", why);
            result.summary("Learning dynamics: " + why);
            result.table("learning-dynamics", Table.of("step", "mode", "s", "p", "q", "a_simulated", "a_closed", "deviation", "c"));
            result.table("learning-dynamics-modes", Table.of("mode", "s", "lambda2", "tau", "a_inf", "a0", "c0", "half_step_simulated",
                    "half_step_closed", "order_by_s", "order_by_half_step"));
            return result;
        }
        double step = flow.doubleValue(); // section 9's eta ...
        double eta = step * forms.pool(); // ... and that of a loss averaged over the pool, the closed form's
        List<ModelSeries.Checkpoint> cps = series.checkpoints();
        int count = cps.size();
        long[] steps = new long[count];
        double[][] p = new double[count][];
        double[][] q = new double[count][];
        double[] conservedFull = new double[count];
        for (int i = 0; i < count; i++) {
            if (ctx.monitor().isCanceled()) {
                throw new OperationCanceledException();
            }
            TransformerModel m = cps.get(i).model();
            steps[i] = cps.get(i).step();
            double[][] pq = modes(m, u, d);
            p[i] = pq[0];
            q[i] = pq[1];
            conservedFull[i] = squaredNorm(m.ov(0, 0)) - squaredNorm(m.qk(0, 0));
        }
        double[] times = new double[count];
        for (int i = 0; i < count; i++) {
            times[i] = steps[i] - steps[0];
        }
        double[][] closed = new double[d][];
        double[] a0 = new double[d];
        double[] c0 = new double[d];
        for (int alpha = 0; alpha < d; alpha++) {
            a0[alpha] = p[0][alpha] * q[0][alpha];
            c0[alpha] = p[0][alpha] * p[0][alpha] - q[0][alpha] * q[0][alpha];
            closed[alpha] = forms.general(alpha, eta, a0[alpha], c0[alpha], times);
        }
        Table rows = Table.of("step", "mode", "s", "p", "q", "a_simulated", "a_closed", "deviation", "c");
        double[] aSim = new double[count * d];
        double[] aClosed = new double[count * d];
        double[] c = new double[count * d];
        double[] lossClosed = new double[count];
        double maxDeviation = 0;
        double drift = 0;
        for (int i = 0; i < count; i++) {
            double[] a = new double[d];
            for (int alpha = 0; alpha < d; alpha++) {
                a[alpha] = p[i][alpha] * q[i][alpha];
                double ci = p[i][alpha] * p[i][alpha] - q[i][alpha] * q[i][alpha];
                double dev = Math.abs(a[alpha] - closed[alpha][i]) / forms.aInf(alpha);
                maxDeviation = Math.max(maxDeviation, dev);
                drift = Math.max(drift, Math.abs(ci - c0[alpha]));
                aSim[i * d + alpha] = a[alpha];
                aClosed[i * d + alpha] = closed[alpha][i];
                c[i * d + alpha] = ci;
                rows.add(steps[i], alpha, s[alpha], p[i][alpha], q[i][alpha], a[alpha], closed[alpha][i], dev, ci);
            }
            lossClosed[i] = forms.loss(a);
        }
        boolean reduced = isReduced(ctx.model(), d);
        double fullDrift = 0;
        for (double f : conservedFull) {
            fullDrift = Math.max(fullDrift, Math.abs(f - conservedFull[0]));
        }
        double[] halfSim = new double[d];
        double[] halfClosed = new double[d];
        for (int alpha = 0; alpha < d; alpha++) {
            double target = forms.aInf(alpha) / 2;
            double[] sim = new double[count];
            for (int i = 0; i < count; i++) {
                sim[i] = aSim[i * d + alpha];
            }
            halfSim[alpha] = crossing(steps, sim, target);
            halfClosed[alpha] = crossing(steps, closed[alpha], target);
        }
        int[] byS = order(s, true);
        int[] byHalf = order(halfSim, false);
        Table modes = Table.of("mode", "s", "lambda2", "tau", "a_inf", "a0", "c0", "half_step_simulated", "half_step_closed",
                "order_by_s", "order_by_half_step");
        double[] lambda2 = task.structure("lambda2");
        boolean staged = true;
        for (int alpha = 0; alpha < d; alpha++) {
            modes.add(alpha, s[alpha], lambda2[alpha], forms.tau(alpha, eta), forms.aInf(alpha), a0[alpha], c0[alpha], halfSim[alpha],
                    halfClosed[alpha], byS[alpha], byHalf[alpha]);
            staged &= byS[alpha] == byHalf[alpha];
        }
        double tolerance = ctx.settings().real("tolerance");
        result.table("learning-dynamics", rows).table("learning-dynamics-modes", modes);
        result.scalar("max_deviation", maxDeviation).scalar("agreement", maxDeviation <= tolerance ? 1 : 0)
                .scalar("conservation_drift", reduced ? drift : fullDrift).scalar("staged_order", staged ? 1 : 0)
                .scalar("flow_time_per_step", step);
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("steps", Tensor.of(steps, count));
        t.put("a_simulated", Tensor.of(aSim, count, d));
        t.put("a_closed", Tensor.of(aClosed, count, d));
        t.put("c", Tensor.of(c, count, d));
        t.put("loss_closed", Tensor.of(lossClosed, count));
        t.put("conserved_full", Tensor.of(conservedFull, count));
        t.forEach(result::tensor);
        result.detail("parameterization", reduced ? "reduced (p and q read from the factors)" : "full (p and q read from "
                + "the diagonal of W_P,yy and W_Q,xx in the U basis)");
        result.detail("checkpoints", count);
        result.summary(String.format(Locale.ROOT, "Learning dynamics (%s, %d checkpoints): closed form against simulation within "
                + "%.3g of a_inf (tolerance %.3g: %s); conserved quantity drifts by %.3g; modes learned %s the order of s",
                reduced ? "reduced" : "full", count, maxDeviation, tolerance, maxDeviation <= tolerance ? "agrees" : "DEVIATES",
                reduced ? drift : fullDrift, staged ? "in" : "NOT in"));
        return result;
    }

    /** p and q per mode: from the reduced factors where the model has them, else from the merged matrices. */
    static double[][] modes(TransformerModel m, double[] u, int d) {
        double[] p = new double[d];
        double[] q = new double[d];
        AttentionFactors f = m.factors();
        int dim = 2 * d;
        if (isReduced(m, d)) {
            double[] wq = f.wq()[0];
            double[] wk = f.wk()[0];
            for (int alpha = 0; alpha < d; alpha++) {
                for (int i = 0; i < d; i++) {
                    p[alpha] += u[i * d + alpha] * wq[i * d + alpha];
                    q[alpha] += u[i * d + alpha] * wk[i * d + alpha];
                }
            }
            return new double[][] {p, q};
        }
        double[] qk = m.qk(0, 0);
        double[] ov = m.ov(0, 0);
        for (int alpha = 0; alpha < d; alpha++) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double uu = u[i * d + alpha] * u[j * d + alpha];
                    q[alpha] += uu * qk[i * dim + j]; // W_Q,xx = QK_xx' and a quadratic form ignores the transpose
                    p[alpha] += uu * ov[(d + i) * dim + d + j];
                }
            }
        }
        return new double[][] {p, q};
    }

    private static boolean isReduced(TransformerModel m, int d) {
        return m.factors() != null && m.factors().dHead() == d;
    }

    private static double squaredNorm(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * v;
        }
        return s;
    }

    /** The step at which the curve first reaches target, interpolated linearly between checkpoints; NaN if it never does. */
    static double crossing(long[] steps, double[] curve, double target) {
        if (curve.length > 0 && curve[0] >= target) {
            return steps[0];
        }
        for (int i = 1; i < curve.length; i++) {
            if (curve[i] >= target) {
                double f = (target - curve[i - 1]) / (curve[i] - curve[i - 1]);
                return steps[i - 1] + f * (steps[i] - steps[i - 1]);
            }
        }
        return Double.NaN;
    }

    /** Ranks 1..n: by decreasing value (descending) or increasing value, NaN last. */
    static int[] order(double[] values, boolean descending) {
        int n = values.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, (a, b) -> {
            double x = values[a];
            double y = values[b];
            if (Double.isNaN(x) || Double.isNaN(y)) {
                return Double.isNaN(x) ? (Double.isNaN(y) ? 0 : 1) : -1;
            }
            return descending ? Double.compare(y, x) : Double.compare(x, y);
        });
        int[] rank = new int[n];
        for (int r = 0; r < n; r++) {
            rank[idx[r]] = r + 1;
        }
        return rank;
    }
}
