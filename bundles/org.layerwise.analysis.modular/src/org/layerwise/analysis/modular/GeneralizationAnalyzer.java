package org.layerwise.analysis.modular;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.EvaluatedCurves;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.NetworkConfig;

/**
 * When a network trained on a sequence task memorised its training split and when it
 * generalised to the test split, read from the accuracies its backend evaluated on a grid of
 * steps: the first grid step at which each reaches {@code level}, and how many times later the
 * second came (grokking: generalisation long after memorisation).
 */
public class GeneralizationAnalyzer implements RecursionAnalyzer {

    static final String ID = "generalization";

    @Override
    public void configure(Settings settings, ModelConfig model, TaskSpec task) throws InvalidSettingException {
        checkTask(task);
    }

    @Override
    public void configureNetwork(Settings settings, NetworkConfig network, TaskSpec task) throws InvalidSettingException {
        checkTask(task);
    }

    private static void checkTask(TaskSpec task) throws InvalidSettingException {
        if (task == null || !task.isSequence()) {
            throw new InvalidSettingException("task", ID + " compares the training and test splits of a sequence task; "
                    + (task == null ? "the task is unknown" : "this task is " + task.kind() + ", which has no test split"));
        }
    }

    /** The steps found on the curves, NaN where a level is never reached. */
    record Steps(double memorisation, double generalisation, double ratio, double grid) {
    }

    /** The first grid steps at which train and test accuracy reach {@code level}, their ratio and the grid's widest gap. */
    static Steps steps(EvaluatedCurves curves, double level) {
        for (String name : new String[] {EvaluatedCurves.TRAIN_ACCURACY, EvaluatedCurves.TEST_ACCURACY}) {
            if (curves.curve(name) == null) {
                throw new IllegalStateException("the evaluated curves have no '" + name + "' (measured: " + curves.values().keySet()
                        + "); " + ID + " needs train and test accuracy on the grid");
            }
        }
        double memorisation = orNaN(curves.firstStepAtLeast(EvaluatedCurves.TRAIN_ACCURACY, level));
        double generalisation = orNaN(curves.firstStepAtLeast(EvaluatedCurves.TEST_ACCURACY, level));
        double ratio = generalisation / Math.max(memorisation, 1);
        long gap = -1;
        long[] s = curves.steps();
        for (int j = 1; j < s.length; j++) {
            gap = Math.max(gap, s[j] - s[j - 1]);
        }
        return new Steps(memorisation, generalisation, ratio, gap < 0 ? Double.NaN : gap);
    }

    private static double orNaN(long step) {
        return step < 0 ? Double.NaN : step;
    }

    @Override
    public AnalysisResult analyze(AnalysisContext ctx) throws Exception {
        EvaluatedCurves curves = ctx.training() == null ? null : ctx.training().evaluated();
        if (curves == null || curves.size() == 0) {
            throw new IllegalStateException(ID + " reads the train and test accuracy the training backend evaluates on a grid of "
                    + "steps (training.npz 'step', 'train_accuracy', 'test_accuracy'); this run has none"
                    + (ctx.training() != null && ctx.training().lossCurve().length == 0 ? ": its model was loaded, not trained" : ""));
        }
        double level = ctx.settings().real("level");
        Steps st = steps(curves, level);
        AnalysisResult result = new AnalysisResult();
        result.scalar("memorisation_step", st.memorisation());
        result.scalar("generalisation_step", st.generalisation());
        result.scalar("ratio", st.ratio());
        result.scalar("grid", st.grid());
        result.detail("settings", Map.of("level", level));
        result.detail("evaluations", curves.size());
        result.detail("last_step", curves.steps()[curves.size() - 1]);
        Map<String, String> definitions = new LinkedHashMap<>();
        definitions.put("memorisation_step", "the first grid step at which train_accuracy >= level; NaN if none");
        definitions.put("generalisation_step", "the first grid step at which test_accuracy >= level; NaN if none");
        definitions.put("ratio", "generalisation_step / max(memorisation_step, 1); NaN if either is");
        definitions.put("grid", "the widest gap between consecutive evaluations (eval_every on a regular grid): each step found "
                + "is at most this much later than the first step that reached the level; NaN with a single evaluation");
        result.detail("definitions", definitions);
        long last = curves.steps()[curves.size() - 1];
        result.summary(String.format(Locale.ROOT, "Generalization (level %s, %d evaluations to step %d): memorised at step %s, "
                + "generalised at step %s%s", level, curves.size(), last, step(st.memorisation()), step(st.generalisation()),
                Double.isNaN(st.ratio()) ? "" : String.format(Locale.ROOT, ", %.3g times later", st.ratio())));
        return result;
    }

    private static String step(double v) {
        return Double.isNaN(v) ? "none (never reached)" : String.valueOf((long) v);
    }
}
