package org.layerwise.analysis.modular;

import java.util.ArrayList;
import java.util.Arrays;
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
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkForward;
import org.layerwise.core.model.NetworkModel;

/**
 * The Fourier structure of a network trained on modular arithmetic, at every checkpoint of the
 * run's series (else the final model): how the energy of the token embeddings W_E (rows 0..p-1)
 * and, for add and subtract, of the answer logits over all p^2 pairs spreads over the
 * frequencies of Z_p ({@link FourierShares}). A network that has grokked concentrates both on a
 * few key frequencies; an isotropic one spreads them evenly.
 */
public class FourierAnalyzer implements RecursionAnalyzer {

    static final String ID = "fourier";
    static final String EMBEDDING = "W_E";
    static final String LOGITS = "logits";
    static final List<String> COLUMNS = List.of("step", "matrix", "frequency", "share");

    /** The answer logits [n, d_vocab_out] of a network on n token sequences [n, length]. */
    @FunctionalInterface
    interface AnswerLogits {
        double[] of(NetworkModel network, int[] tokens, int length, int answerPosition);
    }

    /** The float64 reference forward pass. */
    static final AnswerLogits REFERENCE = (network, tokens, length, answer) ->
            NetworkForward.run(network, tokens, length, answer, Forward.Hooks.NONE).logits();

    private final AnswerLogits answerLogits;

    public FourierAnalyzer() {
        this(REFERENCE);
    }

    FourierAnalyzer(AnswerLogits answerLogits) {
        this.answerLogits = answerLogits;
    }

    @Override
    public void configure(Settings settings, ModelConfig model, TaskSpec task) throws InvalidSettingException {
        checkK(settings, ModularTask.of(task, ID));
    }

    @Override
    public void configureNetwork(Settings settings, NetworkConfig network, TaskSpec task) throws InvalidSettingException {
        ModularTask t = ModularTask.of(task, ID);
        String mismatch = t.mismatch(network);
        if (mismatch != null) {
            throw new InvalidSettingException("task", mismatch);
        }
        checkK(settings, t);
    }

    private static void checkK(Settings settings, ModularTask task) throws InvalidSettingException {
        int k = settings.integer("k");
        int available = FourierShares.frequencies(task.p()) - 1;
        if (k > available) {
            throw new InvalidSettingException("k", "k = " + k + " exceeds the " + available + " non-constant frequencies of p = "
                    + task.p() + "; expected at most (p - 1) / 2");
        }
    }

    /** The shares of one model: W_E's, and the logits' (null unless the task is add or subtract). */
    record Measured(int step, double[] embedding, double[] logits) {
    }

    Measured measure(int step, NetworkModel network, ModularTask task) {
        String mismatch = task.mismatch(network.config());
        if (mismatch != null) {
            throw new IllegalStateException("the network at step " + step + " does not fit the task: " + mismatch);
        }
        int p = task.p();
        int d = network.config().dModel();
        double[] embedding;
        try {
            embedding = FourierShares.ofRows(network.tensor("embed.W_E").doubles(0, p * d), p, d);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("embed.W_E rows 0..p-1 at step " + step + ": " + e.getMessage(), e);
        }
        return new Measured(step, embedding, task.additive() ? logitShares(network, task) : null);
    }

    /** At most this many logits are held at once (32 MB), whatever p: the forward pass runs on rows of a at a time. */
    static final int CHUNK = 1 << 22;

    private double[] logitShares(NetworkModel network, ModularTask task) {
        int p = task.p();
        int rowsOfA = Math.max(1, CHUNK / (p * p));
        FourierShares.LogitSums sums = new FourierShares.LogitSums(p, task.sign());
        for (int a0 = 0; a0 < p; a0 += rowsOfA) {
            int a1 = Math.min(p, a0 + rowsOfA);
            double[] l = answerLogits.of(network, task.pairs(a0, a1), ModularTask.LENGTH, ModularTask.ANSWER_POSITION);
            int n = (a1 - a0) * p;
            if (l.length != n * p) {
                throw new IllegalStateException(l.length + " logits for " + n + " pairs of " + p + " answers");
            }
            for (int i = 0; i < n; i++) {
                sums.add(a0 + i / p, i % p, l, i * p);
            }
        }
        return sums.shares();
    }

    @Override
    public AnalysisResult analyze(AnalysisContext ctx) throws Exception {
        if (!ctx.isNetwork()) {
            throw new IllegalStateException(ID + " reads a network of family " + NetworkConfig.TRANSFORMER
                    + " (embeddings, attention, MLP, unembedding); this run has an attention-only model");
        }
        ModularTask task = ModularTask.of(ctx.task(), ID);
        Settings s = ctx.settings();
        checkK(s, task);
        int k = s.integer("k");
        double coverage = s.real("coverage");
        int p = task.p();
        int frequencies = FourierShares.frequencies(p);

        List<ModelSeries.Checkpoint> checkpoints = ctx.series().checkpoints();
        List<Measured> measured = new ArrayList<>();
        if (checkpoints.isEmpty()) {
            measured.add(measure(finalStep(ctx), ctx.network(), task));
        } else {
            for (ModelSeries.Checkpoint cp : checkpoints) {
                checkCanceled(ctx);
                measured.add(measure(cp.step(), cp.networkOrFail(), task));
            }
        }
        int count = measured.size();
        Measured first = measured.get(0);
        Measured last = measured.get(count - 1);

        AnalysisResult result = new AnalysisResult();
        Table table = new Table(COLUMNS, List.of());
        long[] steps = new long[count];
        double[] embedding = new double[count * frequencies];
        double[] logits = new double[count * frequencies];
        for (int t = 0; t < count; t++) {
            Measured m = measured.get(t);
            steps[t] = m.step();
            for (int f = 0; f < frequencies; f++) {
                table.add(m.step(), EMBEDDING, f, m.embedding()[f]);
            }
            System.arraycopy(m.embedding(), 0, embedding, t * frequencies, frequencies);
            if (m.logits() != null) {
                for (int f = 0; f < frequencies; f++) {
                    table.add(m.step(), LOGITS, f, m.logits()[f]);
                }
                System.arraycopy(m.logits(), 0, logits, t * frequencies, frequencies);
            }
        }
        result.table(ID, table);
        result.tensor("steps", Tensor.of(steps, count));
        result.tensor(EMBEDDING + ".share", Tensor.of(embedding, count, frequencies));
        if (task.additive()) {
            result.tensor(LOGITS + ".share", Tensor.of(logits, count, frequencies));
        }

        double uniform = FourierShares.uniformTopK(k, p);
        List<Integer> embeddingKeys = FourierShares.keyFrequencies(last.embedding(), coverage);
        List<Integer> logitKeys = task.additive() ? FourierShares.keyFrequencies(last.logits(), coverage) : List.of();
        result.scalar("checkpoints", checkpoints.size());
        result.scalar("uniform_top_k", uniform);
        result.scalar("embedding_top_k_share", FourierShares.topK(last.embedding(), k));
        result.scalar("embedding_top_k_share_initial", FourierShares.topK(first.embedding(), k));
        result.scalar("embedding_key_frequencies", embeddingKeys.size());
        result.scalar("logit_top_k_share", task.additive() ? FourierShares.topK(last.logits(), k) : Double.NaN);
        result.scalar("logit_top_k_share_initial", task.additive() ? FourierShares.topK(first.logits(), k) : Double.NaN);
        result.scalar("logit_structured_share", task.additive() ? structured(last.logits()) : Double.NaN);
        result.scalar("logit_key_frequencies",
                !task.additive() || Double.isNaN(last.logits()[0]) ? Double.NaN : logitKeys.size());

        Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("k", k);
        settings.put("coverage", coverage);
        result.detail("settings", settings);
        result.detail("modulus", p);
        result.detail("operation", task.operationName());
        result.detail("measured", checkpoints.isEmpty() ? "the final model (the run kept no checkpoint series)"
                : "every checkpoint of the series");
        result.detail("steps", measured.stream().map(Measured::step).toList());
        Map<String, Object> keys = new LinkedHashMap<>();
        keys.put(EMBEDDING, embeddingKeys);
        keys.put(LOGITS, task.additive() ? logitKeys : null);
        result.detail("key_frequencies", keys);
        result.detail("definitions", definitions());

        String head = String.format(Locale.ROOT, "Fourier (p = %d, %s, %s)", p, task.operationName(),
                checkpoints.isEmpty() ? "final model" : count + " checkpoint(s)");
        result.summary(String.format(Locale.ROOT, "%s: W_E top-%d share %.1f%% at step %d -> %.1f%% at step %d (isotropic %.1f%%); "
                + "key frequencies %s", head, k, 100 * FourierShares.topK(first.embedding(), k), first.step(),
                100 * FourierShares.topK(last.embedding(), k), last.step(), 100 * uniform, embeddingKeys));
        if (task.additive()) {
            result.summary(String.format(Locale.ROOT, "%s: logits top-%d share %.1f%% at step %d -> %.1f%% at step %d; "
                    + "%.1f%% of the centred logits depend on u = a %s b - c alone; key frequencies %s", head, k,
                    100 * FourierShares.topK(first.logits(), k), first.step(), 100 * FourierShares.topK(last.logits(), k),
                    last.step(), 100 * structured(last.logits()), task.sign() > 0 ? "+" : "-", logitKeys));
        } else {
            result.summary(head + ": logit shares undefined: the answer of " + task.operationName()
                    + " is no function of a + b or a - b, so the Fourier basis of Z_p does not describe its logits");
        }
        return result;
    }

    /** The share of the logits in the functions of u alone: the sum over all frequencies. */
    static double structured(double[] shares) {
        return Arrays.stream(shares).sum();
    }

    /** The training steps behind the final model: the length of its loss curve, -1 when unknown (a loaded model). */
    private static int finalStep(AnalysisContext ctx) {
        return ctx.training() != null && ctx.training().lossCurve().length > 0 ? ctx.training().lossCurve().length : -1;
    }

    private static void checkCanceled(AnalysisContext ctx) {
        if (ctx.monitor() != null && ctx.monitor().isCanceled()) {
            throw new OperationCanceledException();
        }
    }

    static Map<String, String> definitions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("basis", "the real orthonormal Fourier basis of Z_p: phi_0 = 1/sqrt(p); for k = 1..(p-1)/2 sqrt(2/p) cos(2 pi k a/p) "
                + "and sqrt(2/p) sin(2 pi k a/p); frequency k is the span of its pair");
        m.put("W_E", "share_k = sum over k's basis vectors phi of ||phi' E||^2 / ||E||_F^2, E the rows 0..p-1 of embed.W_E (the "
                + "token '=' left out); the shares sum to 1");
        m.put("logits", "L(a, b, c): the answer logits of all p^2 pairs, centred over c; u = a + b - c (add) or a - b - c "
                + "(subtract) mod p; share_k = (<L, cos(2 pi k u/p)>^2 + <L, sin(2 pi k u/p)>^2) / (p^3/2) / ||L||^2, sums over "
                + "all p^3 triples; undefined for multiply and divide");
        m.put("top_k_share", "the sum of the k largest shares over frequencies 1 and up");
        m.put("uniform_top_k", "2k/p, the top-k share an isotropic matrix has in expectation");
        m.put("key_frequencies", "the fewest frequencies k >= 1, largest share first, whose shares reach coverage of the sum "
                + "over all k >= 1 (the scalars count them, key_frequencies lists them at the last step)");
        m.put("logit_structured_share", "the sum of the logit shares: the share of ||L||^2 that depends on u alone");
        m.put("step", "the checkpoint's step; without a series the final model's, -1 when unknown (a loaded model)");
        return m;
    }
}
