package org.layerwise.runner;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import org.layerwise.core.AnalysisContext;
import org.layerwise.core.BackendContext;
import org.layerwise.core.ContributionException;
import org.layerwise.core.ModelSeries;
import org.layerwise.core.SafeCall;
import org.layerwise.core.SequenceTaskGenerator;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.TokenDataset;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkForward;
import org.layerwise.core.model.NetworkModel;
import org.layerwise.io.Npz;
import org.layerwise.io.model.NetworkFiles;
import org.layerwise.runner.PipelineRunner.Built;
import org.layerwise.runner.PipelineRunner.MetricLine;

/**
 * The model stage of a pipeline whose backend builds a network on a sequence task: the task's
 * examples and split instead of prompts, the network's files in TransformerLens names, and the
 * evaluation on both splits. The run's {@code accuracy} and {@code eval_loss} are measured on the
 * held-out test split, as they are on held-out prompts for an in-context task.
 */
final class SequenceRun {

    /** A split's code in eval.npz's "split". */
    static final int TRAIN = 0;
    static final int TEST = 1;

    private SequenceRun() {
    }

    /** Builds, checks, writes and evaluates the network; null when training diverged. */
    static Built build(ValidatedPipeline p, Path dir, RunRecord record, Consumer<String> stage, RunListener listener,
            TrainingMonitor monitor, Map<String, Object> metrics, List<String> summary, long taskSeed, long backendSeed)
            throws ContributionException, IOException {
        TaskSpec spec = p.taskSpec();
        stage.accept("generating the examples of " + p.task().id());
        long t0 = System.nanoTime();
        TokenDataset data = dataset(p, taskSeed);
        record.time("task/dataset", t0);

        stage.accept("building model with " + p.backend().id());
        t0 = System.nanoTime();
        RunSeries series = new RunSeries(dir);
        BackendContext ctx = BackendContext.ofNetwork(p.backend().settings(), p.network(), spec, data, backendSeed, monitor,
                new RunCheckpoints(dir), series);
        TrainedModel trained = SafeCall.call(p.backend().descriptor(), "build", () -> p.backend().implementation().build(ctx));
        record.time("backend", t0);
        if (trained == null || trained.network() == null) {
            throw new ContributionException(p.backend().descriptor(), "build returned no network"
                    + (trained != null && trained.model() != null ? " (it returned an attention-only model)" : ""), null);
        }
        if (!PipelineRunner.recordTraining(dir, record, trained, metrics)) {
            return null;
        }
        NetworkModel network = trained.network();
        String problem = network.problem();
        if (problem != null || !network.config().equals(p.network())) {
            throw new ContributionException(p.backend().descriptor(), "returned an invalid network: "
                    + (problem != null ? problem : "config " + network.config() + " differs from the declared " + p.network()),
                    null);
        }
        NetworkFiles.write(network, dir, Map.of("layerwise.pipeline", p.spec().name() == null ? "" : p.spec().name()));
        ModelSeries.Series checkpoints = series.networkSeries();
        if (!checkpoints.isEmpty()) {
            record.series(RunSeries.listing(checkpoints, dir));
        }

        stage.accept("evaluating on " + data.count() + " examples");
        t0 = System.nanoTime();
        if (listener.isCanceled()) {
            throw new org.eclipse.core.runtime.OperationCanceledException();
        }
        int[] all = IntStream.range(0, data.count()).toArray();
        Forward.Result fwd = NetworkForward.run(network, data, all, Forward.Hooks.ALL);
        writeEval(dir, data, fwd, network.config());
        MetricLine evaluated = evaluate(data, fwd.logits(), metrics, summary);
        record.time("evaluation", t0);
        return new Built(trained, checkpoints, evaluated, (settings, seed, m, shared) -> AnalysisContext.ofNetwork(settings, network,
                spec, data, seed, m, shared, checkpoints, trained));
    }

    private static TokenDataset dataset(ValidatedPipeline p, long taskSeed) throws ContributionException {
        SequenceTaskGenerator generator = (SequenceTaskGenerator) p.task().implementation();
        TokenDataset data = SafeCall.call(p.task().descriptor(), "dataset", () -> generator.dataset(p.task().settings(), taskSeed));
        String problem = data == null ? "returned no examples" : data.problem(p.taskSpec());
        if (problem != null) {
            throw new ContributionException(p.task().descriptor(), "dataset " + problem, null);
        }
        return data;
    }

    /**
     * metrics.json and the summary: accuracy and loss on the test split (the run's headline
     * metric), on the training split beside them, chance and the majority class's test accuracy.
     */
    static MetricLine evaluate(TokenDataset data, double[] logits, Map<String, Object> metrics, List<String> summary) {
        int classes = data.classes();
        double testAccuracy = accuracy(logits, classes, data, data.test());
        double trainAccuracy = accuracy(logits, classes, data, data.train());
        metrics.put("accuracy", testAccuracy);
        metrics.put("eval_loss", loss(logits, classes, data, data.test()));
        metrics.put("train_accuracy", trainAccuracy);
        metrics.put("train_loss", loss(logits, classes, data, data.train()));
        metrics.put("train_examples", data.train().length);
        metrics.put("test_examples", data.test().length);
        metrics.put("chance", data.chance());
        metrics.put("majority_rate", data.majorityRate());
        MetricLine line = new MetricLine("accuracy", summary.size(), String.format(Locale.ROOT,
                "Test accuracy on %d held-out examples: %.1f%%", data.test().length, 100 * testAccuracy), String.format(Locale.ROOT,
                        " (chance %.1f%%, majority class %.1f%%; training split of %d: %.1f%%)", 100 * data.chance(),
                        100 * data.majorityRate(), data.train().length, 100 * trainAccuracy));
        summary.add(line.text(""));
        PipelineRunner.addFinalTrainingLoss(metrics, summary, classes);
        return line;
    }

    private static double accuracy(double[] logits, int classes, TokenDataset data, int[] rows) {
        return Forward.accuracy(select(logits, classes, rows), classes, labels(data, rows));
    }

    private static double loss(double[] logits, int classes, TokenDataset data, int[] rows) {
        return Forward.crossEntropy(select(logits, classes, rows), classes, labels(data, rows));
    }

    private static double[] select(double[] logits, int classes, int[] rows) {
        double[] out = new double[rows.length * classes];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(logits, rows[i] * classes, out, i * classes, classes);
        }
        return out;
    }

    private static int[] labels(TokenDataset data, int[] rows) {
        return Arrays.stream(rows).map(r -> data.labels()[r]).toArray();
    }

    /**
     * eval.npz of a sequence task: every example's tokens, label, split (0 train, 1 test) and answer
     * logits, and the TransformerLens hooks resid_post and attention pattern of every block (float32).
     */
    private static void writeEval(Path dir, TokenDataset data, Forward.Result fwd, NetworkConfig c) throws IOException {
        int n = data.count();
        int t = data.length();
        long[] split = new long[n];
        for (int e : data.test()) {
            split[e] = TEST;
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        out.put("tokens", Tensor.of(Arrays.stream(data.tokens()).asLongStream().toArray(), n, t));
        out.put("labels", Tensor.of(Arrays.stream(data.labels()).asLongStream().toArray(), n));
        out.put("split", Tensor.of(split, n));
        out.put("logits", Tensor.of(fwd.logits(), n, c.dVocabOut()));
        for (int l = 0; l < c.nLayers(); l++) {
            out.put("blocks." + l + ".hook_resid_post", Tensor.of(fwd.residPost()[l], n, t, c.dModel()).toFloat32());
            out.put("blocks." + l + ".attn.hook_pattern", Tensor.of(fwd.patterns()[l], n, c.nHeads(), t, t).toFloat32());
        }
        Npz.write(dir.resolve("eval.npz"), out);
    }
}
