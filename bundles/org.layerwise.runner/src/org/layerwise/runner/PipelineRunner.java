package org.layerwise.runner;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.eclipse.core.runtime.OperationCanceledException;
import org.layerwise.core.ActivationCache;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.AtomicFiles;
import org.layerwise.core.MemoryBudget;
import org.layerwise.core.ModelSeries;
import org.layerwise.core.OutOfMemory;
import org.layerwise.core.BackendContext;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionException;
import org.layerwise.core.EvaluatedCurves;
import org.layerwise.core.Headline;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.SafeCall;
import org.layerwise.core.Seeds;
import org.layerwise.core.SharedResults;
import org.layerwise.core.Table;
import org.layerwise.core.Tensor;
import org.layerwise.core.TaskGenerator;
import org.layerwise.core.TrainedModel;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.Forward;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.io.model.ModelFiles;
import org.layerwise.runner.ValidatedPipeline.Bound;

/**
 * Runs a validated pipeline: generate the evaluation prompts, build/train the model with
 * the enforcer, run the network once on the evaluation prompts (the activation cache),
 * run each analyzer, and write the run directory of docs/file-formats.md. run.json says RUNNING from
 * the first moment and carries the terminal status at the end.
 */
public final class PipelineRunner {

    private static final DateTimeFormatter RUN_ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private PipelineRunner() {
    }

    /** Creates the run directory, or says why it cannot (exit code OUTPUT_NOT_WRITABLE). */
    public static Path createRunDirectory(RunOptions options, PipelineSpec spec) throws PipelineException {
        Path root = options.outputRoot().toAbsolutePath();
        for (Path p = root; p != null; p = p.getParent()) {
            if (Files.exists(p) && !Files.isDirectory(p)) {
                throw new PipelineException(ExitCode.OUTPUT_NOT_WRITABLE, "output directory " + root + " cannot be created: "
                        + (p.equals(root) ? "it exists and is a file" : p + " is a file, not a directory")
                        + "; choose another with --out DIR");
            }
        }
        try {
            Files.createDirectories(root);
            if (!Files.isWritable(root)) {
                throw new IOException("not writable");
            }
            String base = sanitize(spec.name()) + "-" + RUN_ID_TIME.format(Instant.now()) + "-s" + spec.seed();
            for (int i = 1;; i++) {
                Path dir = root.resolve(i == 1 ? base : base + "-" + i);
                try {
                    return Files.createDirectory(dir);
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // another run started in the same second: take the next suffix
                }
            }
        } catch (IOException | SecurityException e) {
            throw new PipelineException(ExitCode.OUTPUT_NOT_WRITABLE, "output directory " + root
                    + " cannot be written: " + describe(e) + "; choose another with --out DIR");
        }
    }

    private static String describe(Exception e) {
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static String sanitize(String name) {
        String s = name == null || name.isBlank() ? "run" : name.replaceAll("[^A-Za-z0-9._-]+", "-");
        return s.length() > 60 ? s.substring(0, 60) : s;
    }

    /** Layerwise, Java, OS, CPU and core count, as run.json records them (sweep.json too). */
    public static Map<String, Object> versions() {
        return RunRecord.versions();
    }

    public static RunResult run(ValidatedPipeline p, RunOptions options, Path dir, RunListener listener) {
        return execute(p, options, dir, listener, new RunRecord(p, options, dir));
    }

    /**
     * Resumes an interrupted, cancelled or failed run in its own directory: training goes on
     * from the state saved last (a run whose training had finished is only evaluated and
     * analysed again), and the run ends with the numbers an uninterrupted run would have had.
     */
    public static RunResult resume(Resumption r, RunListener listener) {
        try {
            AtomicFiles.deletePartials(r.directory());
        } catch (IOException e) {
            // leftovers are named as such; they do not stop the run
        }
        List<String> resumed = new ArrayList<>(r.resumedBefore());
        resumed.add(Instant.now().toString());
        return execute(r.pipeline(), r.options(), r.directory(), listener,
                new RunRecord(r.pipeline(), r.options(), r.directory(), r.start(), resumed));
    }

    /**
     * Refuses, before anything is allocated, a pipeline whose evaluation or training cannot fit
     * the heap: the estimate comes from the model's shape, the evaluation prompts and the
     * backend's own estimate of its training.
     */
    public static void checkMemory(ValidatedPipeline p, RunOptions options) throws PipelineException {
        if (p.isNetwork()) {
            checkNetworkMemory(p);
            return;
        }
        ModelConfig c = p.modelConfig();
        long prompts = options.evalPrompts();
        long t = c.tokens();
        long d = c.dModel();
        // prompts and states in float64, attention patterns, and the float32 copies written to eval.npz
        long eval = MemoryBudget.product(8 + 4, prompts, MemoryBudget.sum(MemoryBudget.product(t, d),
                MemoryBudget.product(c.nLayers(), t, d), MemoryBudget.product(c.nLayers(), c.nHeads(), t, c.numKeys())));
        long model = MemoryBudget.product(2 * 8, c.nLayers(), c.nHeads(), d, d);
        long backend = backendEstimate(p, c);
        long total = MemoryBudget.sum(eval, model, Math.max(backend, -1) < 0 ? -1 : backend);
        String problem = MemoryBudget.problem("the pipeline (" + options.evalPrompts() + " evaluation prompts of "
                + t + " tokens, " + c.nLayers() + " layers of " + c.nHeads() + " heads, D = " + d + ": about "
                + MemoryBudget.format(eval) + " to evaluate, " + MemoryBudget.format(Math.max(0, backend)) + " for "
                + p.backend().id() + " to build the model)", total);
        if (problem != null) {
            throw new PipelineException(ExitCode.INVALID_SETTING, problem);
        }
    }

    /** The network's evaluation on every example of the task (logits and hooks), its weights and the backend's estimate. */
    private static void checkNetworkMemory(ValidatedPipeline p) throws PipelineException {
        NetworkConfig c = p.network();
        long examples = p.taskSpec().sequence().examples();
        long t = p.taskSpec().sequence().length();
        long eval = MemoryBudget.product(8 + 4, examples, MemoryBudget.sum(c.dVocabOut(),
                MemoryBudget.product(c.nLayers(), t, c.dModel()), MemoryBudget.product(c.nLayers(), c.nHeads(), t, t)));
        long weights = c.expectedShapes().values().stream().mapToLong(s -> java.util.Arrays.stream(s).reduce(1, Math::multiplyExact))
                .sum();
        long backend = backendEstimate(p, null);
        long total = MemoryBudget.sum(eval, MemoryBudget.product(2 * 8, weights), backend < 0 ? -1 : backend);
        String problem = MemoryBudget.problem("the pipeline (" + examples + " examples of " + t + " tokens, a " + c.family() + " of "
                + c.nLayers() + " layers, d_model = " + c.dModel() + ", d_mlp = " + c.dMlp() + ": about " + MemoryBudget.format(eval)
                + " to evaluate, " + MemoryBudget.format(Math.max(0, backend)) + " for " + p.backend().id() + " to build the model)",
                total);
        if (problem != null) {
            throw new PipelineException(ExitCode.INVALID_SETTING, problem);
        }
    }

    /** The backend's own estimate of its training's memory (0 when the estimate itself fails: the run will say what happens). */
    private static long backendEstimate(ValidatedPipeline p, ModelConfig c) {
        try {
            return SafeCall.call(p.backend().descriptor(), "memoryEstimate",
                    () -> p.backend().implementation().memoryEstimate(p.backend().settings(), c));
        } catch (ContributionException e) {
            return 0;
        }
    }

    private static RunResult execute(ValidatedPipeline p, RunOptions options, Path dir, RunListener listener, RunRecord record) {
        List<String> summary = new ArrayList<>();
        Map<String, Object> metrics = new LinkedHashMap<>();
        java.util.function.Consumer<String> stage = name -> {
            record.stage(name); // run.json names the stage a run was in when it died
            listener.stage(name);
        };
        try {
            record.begin();
        } catch (IOException e) {
            // nothing of this run was written, and run.json (if any) belongs to whoever holds the lock
            return new RunResult(RunStatus.FAILED, "the run could not start: " + e.getMessage(), dir, metrics, summary);
        }
        try {
            long master = p.spec().seed();
            long taskSeed = TaskGenerator.taskSeed(p.task().settings(), master);
            long trainSeed = Seeds.derive(taskSeed, "train");
            long evalSeed = Seeds.derive(taskSeed, "eval");
            long backendSeed = Seeds.derive(master, "backend");
            long enforcerSeed = Seeds.derive(master, "enforcer");
            record.seed("master", master).seed("task", taskSeed).seed("task/train", trainSeed).seed("task/eval", evalSeed)
                    .seed("backend", backendSeed).seed("enforcer", enforcerSeed);

            TrainingMonitor monitor = monitor(listener);
            Built built = p.isNetwork()
                    ? SequenceRun.build(p, dir, record, stage, listener, monitor, metrics, summary, taskSeed, backendSeed)
                    : buildInContext(p, options, dir, record, stage, listener, monitor, metrics, summary, trainSeed, evalSeed,
                            backendSeed, enforcerSeed);
            if (built == null) {
                return finish(record, RunStatus.DIVERGED, "training loss became non-finite", dir, metrics, summary);
            }
            TrainedModel trained = built.trained();
            ModelSeries.Series checkpoints = built.checkpoints();
            MetricLine evaluated = built.evaluated();

            int headlinesAt = summary.size();
            List<String> failures = new ArrayList<>();
            List<Map<String, Object>> failed = new ArrayList<>();
            Map<String, Map<String, Double>> analyzerMetrics = new LinkedHashMap<>();
            SharedResults shared = new SharedResults(p.providers(), master);
            for (Bound<RecursionAnalyzer> a : p.analyzers()) {
                checkCanceled(listener);
                stage.accept("analyzer " + a.id());
                long t0 = System.nanoTime();
                long seed = Seeds.derive(master, "analyzer/" + a.id());
                record.seed("analyzer/" + a.id(), seed);
                AnalysisContext actx = built.context(a.settings(), seed, monitor, shared.readBy(a.descriptor()));
                try {
                    AnalysisResult r = SafeCall.call(a.descriptor(), "analyze", () -> a.implementation().analyze(actx));
                    validate(a.descriptor(), r);
                    writeAnalysis(dir, a.id(), r);
                    analyzerMetrics.put(a.id(), r.scalars());
                    summary.addAll(r.summaryLines());
                } catch (ContributionException e) {
                    failures.add(e.getMessage());
                    failed.add(failure(e));
                    record.failures(failed);
                    listener.contributionFailed(e);
                    summary.add("Analyzer " + a.id() + " failed: " + e.getMessage());
                }
                record.time("analyzer/" + a.id(), t0);
            }
            List<ContributionDescriptor> ran = p.analyzers().stream().map(Bound::descriptor).toList();
            List<Headline.Figure> figures = Headline.figures(ran, analyzerMetrics::get);
            promote(metrics, figures);
            summary.addAll(headlinesAt, headlineLines(ran, figures, evaluated, summary));
            metrics.put("analyzers", analyzerMetrics);
            if (!failures.isEmpty()) {
                return finish(record, RunStatus.PARTIAL, String.join("; ", failures), dir, metrics, summary);
            }
            return finish(record, RunStatus.OK, null, dir, metrics, summary);
        } catch (OperationCanceledException e) {
            return end(record, RunStatus.CANCELLED, "cancelled by the user", dir, metrics, summary);
        } catch (ContributionException e) {
            if (e.getCause() instanceof OperationCanceledException) {
                return end(record, RunStatus.CANCELLED, "cancelled by the user", dir, metrics, summary);
            }
            record.failures(List.of(failure(e)));
            return end(record, RunStatus.FAILED, e.getMessage() + trace(e), dir, metrics, summary);
        } catch (IOException | RuntimeException e) {
            return end(record, RunStatus.FAILED, describeFailure(e) + trace(e), dir, metrics, summary);
        } catch (OutOfMemoryError e) {
            return end(record, RunStatus.FAILED, OutOfMemory.explain(e), dir, metrics, summary);
        } catch (Error e) {
            // a stack overflow or another error in the runner itself: the run still ends with a status
            return end(record, RunStatus.FAILED, "internal error: " + e + trace(e), dir, metrics, summary);
        }
    }

    /**
     * What the model stage of a run produced for its analyzers: the backend's result, the
     * checkpoint series, the run's own metric line, and how to build each analyzer's context.
     */
    record Built(TrainedModel trained, ModelSeries.Series checkpoints, MetricLine evaluated, Contexts contexts) {
        AnalysisContext context(org.layerwise.core.Settings settings, long seed, TrainingMonitor monitor, SharedResults shared) {
            return contexts.of(settings, seed, monitor, shared);
        }
    }

    @FunctionalInterface
    interface Contexts {
        AnalysisContext of(org.layerwise.core.Settings settings, long seed, TrainingMonitor monitor, SharedResults shared);
    }

    static TrainingMonitor monitor(RunListener listener) {
        return new TrainingMonitor() {
            @Override
            public void step(int step, int totalSteps, double loss) {
                listener.trainingStep(step, totalSteps, loss, Double.NaN);
            }

            @Override
            public void step(int step, int totalSteps, double loss, double accuracy) {
                listener.trainingStep(step, totalSteps, loss, accuracy);
            }

            @Override
            public boolean isCanceled() {
                return listener.isCanceled();
            }
        };
    }

    /** The model stage of an in-context pipeline (attention-only model, prompts); null when training diverged. */
    private static Built buildInContext(ValidatedPipeline p, RunOptions options, Path dir, RunRecord record,
            java.util.function.Consumer<String> stage, RunListener listener, TrainingMonitor monitor, Map<String, Object> metrics,
            List<String> summary, long trainSeed, long evalSeed, long backendSeed, long enforcerSeed)
            throws ContributionException, IOException {
        stage.accept("generating " + options.evalPrompts() + " evaluation prompts");
        long t0 = System.nanoTime();
        PromptBatch eval = generate(p, options.evalPrompts(), evalSeed);
        record.time("task/eval", t0);

        stage.accept("building model with " + p.backend().id());
        t0 = System.nanoTime();
        RunSeries series = new RunSeries(dir);
        BackendContext.PromptSource source = (step, size) -> generateUnchecked(p, size, Seeds.derive(trainSeed, step));
        Bound<?> enf = p.enforcer();
        BackendContext ctx = new BackendContext(p.backend().settings(), p.modelConfig(), p.taskSpec(), source,
                enf == null ? null : p.enforcer().implementation(), enf == null ? null : enf.settings(), backendSeed,
                enforcerSeed, monitor, new RunCheckpoints(dir), series);
        TrainedModel trained = SafeCall.call(p.backend().descriptor(), "build", () -> p.backend().implementation().build(ctx));
        record.time("backend", t0);
        if (trained == null || trained.model() == null) {
            throw new ContributionException(p.backend().descriptor(), "build returned no "
                    + (trained != null && trained.isNetwork() ? "attention-only model (it returned a network)" : "model"), null);
        }
        if (!recordTraining(dir, record, trained, metrics)) {
            return null;
        }
        String problem = trained.model().problem();
        if (problem != null || !trained.model().config().equals(p.modelConfig())) {
            throw new ContributionException(p.backend().descriptor(), "returned an invalid model: "
                    + (problem != null ? problem : "config " + trained.model().config() + " differs from the declared "
                            + p.modelConfig()), null);
        }
        ModelFiles.write(trained.model(), dir, Map.of("layerwise.pipeline", p.spec().name() == null ? "" : p.spec().name()));
        ModelSeries.Series checkpoints = series.series(p.taskSpec());
        if (!checkpoints.isEmpty()) {
            record.series(RunSeries.listing(checkpoints, dir));
        }

        stage.accept("evaluating on " + eval.count + " prompts");
        t0 = System.nanoTime();
        checkCanceled(listener);
        Forward.Result fwd = Forward.run(trained.model(), eval, true);
        ActivationCache cache = ActivationCache.of(trained.model(), eval.z, fwd);
        writeEval(dir, eval, fwd, trained.model().config());
        metrics.put("eval_prompts", eval.count);
        MetricLine evaluated;
        if (eval.isRegression()) {
            evaluated = evaluateRegression(eval, fwd, metrics, summary);
        } else {
            double accuracy = Forward.accuracy(fwd.logits(), eval.classes, eval.queryLabels);
            metrics.put("accuracy", accuracy);
            metrics.put("chance", 1.0 / eval.classes);
            metrics.put("majority_rate", majorityRate(eval));
            metrics.put("eval_loss", Forward.crossEntropy(fwd.logits(), eval.classes, eval.queryLabels));
            evaluated = new MetricLine("accuracy", summary.size(), String.format(Locale.ROOT,
                    "Accuracy on %d evaluation prompts: %.1f%%", eval.count, 100 * accuracy), String.format(Locale.ROOT,
                    " (chance %.1f%%, majority class %.1f%%)", 100.0 / eval.classes, 100 * majorityRate(eval)));
            summary.add(evaluated.text(""));
            addFinalTrainingLoss(metrics, summary, eval.classes);
        }
        record.time("evaluation", t0);
        return new Built(trained, checkpoints, evaluated, (settings, seed, m, shared) -> new AnalysisContext(settings,
                trained.model(), p.taskSpec(), eval, cache, p.factors(), seed, m, shared, checkpoints, trained));
    }

    /** "Final training loss: ... (ln C = ...)" after the accuracy line, when the backend trained. */
    static void addFinalTrainingLoss(Map<String, Object> metrics, List<String> summary, int classes) {
        if (metrics.containsKey("final_train_loss")) {
            summary.add(String.format(Locale.ROOT, "Final training loss: %.4f (ln C = %.4f)", metrics.get("final_train_loss"),
                    Math.log(classes)));
        }
    }

    /**
     * Records what the backend reported of its training (facts, steps, final training loss and
     * accuracy, training.npz); false when training diverged.
     */
    static boolean recordTraining(Path dir, RunRecord record, TrainedModel trained, Map<String, Object> metrics) throws IOException {
        record.facts("backend", trained.facts());
        metrics.put("steps", trained.lossCurve().length);
        if (trained.lossCurve().length > 0) {
            metrics.put("final_train_loss", tailMean(trained.lossCurve()));
            double finalAccuracy = tailMean(trained.accuracyCurve());
            if (Double.isFinite(finalAccuracy)) {
                metrics.put("final_train_accuracy", finalAccuracy);
            }
            writeTraining(dir, trained);
        }
        return !trained.diverged();
    }

    /** A file that could not be written says so first ("...eval.npz: cannot be written: No space left on device"). */
    private static String describeFailure(Exception e) {
        return e instanceof java.nio.file.FileSystemException f ? f.getMessage() : e.toString();
    }

    /**
     * training.npz: loss and accuracy per step, both 1-D float64 of the same length (accuracy
     * NaN where the backend did not report it or it is undefined, e.g. regression); with curves
     * evaluated on a grid, "step" (int64) and each curve (train_loss, test_accuracy, ...) beside them.
     */
    static void writeTraining(Path dir, TrainedModel trained) throws IOException {
        int steps = trained.lossCurve().length;
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        arrays.put("loss", Tensor.of(trained.lossCurve(), steps));
        arrays.put("accuracy", Tensor.of(trained.accuracyCurve(), steps));
        EvaluatedCurves e = trained.evaluated();
        if (e != null) {
            arrays.put("step", Tensor.of(e.steps(), e.size()));
            e.values().forEach((name, v) -> arrays.put(name, Tensor.of(v, v.length)));
        }
        Npz.write(dir.resolve("training.npz"), arrays);
    }

    private static String trace(Throwable e) {
        return "\n" + String.join("\n", traceLines(e));
    }

    /** The first lines of the stack trace of what a contribution threw (of the exception itself if it threw nothing). */
    static List<String> traceLines(Throwable e) {
        Throwable root = e.getCause() != null ? e.getCause() : e;
        StringWriter sw = new StringWriter();
        root.printStackTrace(new PrintWriter(sw));
        String[] lines = sw.toString().split("\r?\n");
        return List.of(java.util.Arrays.copyOf(lines, Math.min(lines.length, TRACE_LINES)));
    }

    private static final int TRACE_LINES = 12;

    /** run.json's record of a failed contribution: who (bundle, version, extension point, id), what, and where. */
    static Map<String, Object> failure(ContributionException e) {
        ContributionDescriptor d = e.contribution();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("bundle", d.bundle());
        f.put("bundle_version", d.bundleVersion());
        f.put("extension_point", d.role().extensionPointId());
        f.put("id", d.id());
        f.put("message", e.getMessage());
        f.put("trace", traceLines(e));
        return f;
    }

    private static void checkCanceled(RunListener listener) {
        if (listener.isCanceled()) {
            throw new OperationCanceledException();
        }
    }

    /**
     * Regression: the mean of 1/2 ||y_hat - y||^2 over the evaluation prompts, beside that of
     * predicting 0 (the targets' own size: a model that learned nothing in context is near it).
     */
    private static MetricLine evaluateRegression(PromptBatch eval, Forward.Result fwd, Map<String, Object> metrics,
            List<String> summary) {
        double mse = Forward.squaredError(fwd.logits(), eval.queryTargets, eval.classes);
        double zero = Forward.squaredError(new double[eval.queryTargets.length], eval.queryTargets, eval.classes);
        metrics.put("eval_loss", mse);
        metrics.put("zero_predictor_loss", zero);
        MetricLine line = new MetricLine("eval_loss", summary.size(), String.format(Locale.ROOT,
                "Squared error (1/2 ||y_hat - y||^2) on %d evaluation prompts: %.4g", eval.count, mse),
                String.format(Locale.ROOT, " (predicting 0: %.4g)", zero));
        summary.add(line.text(""));
        if (metrics.containsKey("final_train_loss")) {
            summary.add(String.format(Locale.ROOT, "Final training loss: %.4g", metrics.get("final_train_loss")));
        }
        return line;
    }

    /** The summary line of one of the run's own metrics: an analyzer that measures it again adds its interval. */
    record MetricLine(String key, int index, String head, String tail) {
        String text(String interval) {
            return head + (interval.isEmpty() ? "" : " " + interval) + tail;
        }
    }

    /** Each declared promotion, next to accuracy in metrics.json (a key written already stays). */
    private static void promote(Map<String, Object> metrics, List<Headline.Figure> figures) {
        for (Headline.Figure f : figures) {
            if (f.headline().promote() != null) {
                metrics.putIfAbsent(f.headline().promote(), f.number());
            }
        }
    }

    /**
     * The declared headlines of the analyzers that ran, one line per analyzer ("Name: label value
     * [interval] (details); ..."), by declared order; a headline that is the same as the run's own
     * metric puts its interval into that metric's line instead.
     */
    private static List<String> headlineLines(List<ContributionDescriptor> ran, List<Headline.Figure> figures, MetricLine evaluated,
            List<String> summary) {
        Map<String, List<String>> byAnalyzer = new LinkedHashMap<>();
        for (Headline.Figure f : figures) {
            String sameAs = f.headline().sameAs();
            if (sameAs == null) {
                byAnalyzer.computeIfAbsent(f.analyzer(), a -> new ArrayList<>()).add(f.line());
            } else if (sameAs.equals(evaluated.key()) && !f.interval().isEmpty()) {
                summary.set(evaluated.index(), evaluated.text(f.interval()));
            }
        }
        List<String> lines = new ArrayList<>();
        byAnalyzer.forEach((id, shown) -> {
            String name = ran.stream().filter(d -> d.id().equals(id)).map(ContributionDescriptor::name).findFirst().orElse(id);
            lines.add(name + ": " + String.join("; ", shown));
        });
        return lines;
    }

    /** Writes metrics.json, then the terminal status (FAILED instead, naming the file, when metrics.json cannot be written). */
    private static RunResult finish(RunRecord record, RunStatus status, String cause, Path dir, Map<String, Object> metrics,
            List<String> summary) {
        try {
            Json.write(dir.resolve("metrics.json"), metrics);
        } catch (IOException | RuntimeException e) {
            return end(record, RunStatus.FAILED, (cause == null ? "" : status + " (" + cause + "), then ")
                    + describeFailure(e), dir, metrics, summary);
        }
        return end(record, status, cause, dir, metrics, summary);
    }

    /**
     * Writes the terminal status to run.json. Where it stands already (a Ctrl-C that the run did
     * not heed in time wrote CANCELLED), that status is the result.
     */
    private static RunResult end(RunRecord record, RunStatus status, String cause, Path dir, Map<String, Object> metrics,
            List<String> summary) {
        try {
            RunStatus written = record.end(status, cause);
            if (written != status) {
                return new RunResult(written, "the run had already ended " + written + " (it finished " + status + " after that)",
                        dir, metrics, summary);
            }
        } catch (IOException | RuntimeException e) {
            cause = (cause == null ? "" : cause + " ") + "(and run.json could not be written: " + e.getMessage() + ")";
        }
        return new RunResult(status, cause, dir, metrics, summary);
    }

    /**
     * Ends a run of this JVM that does not stop by itself (a contribution that ignores
     * cancellation) with the given status, unless it has ended already; returns the status that
     * stands, or null when no run of this JVM writes to {@code dir}.
     */
    public static RunStatus abandon(Path dir, RunStatus status, String cause) throws IOException {
        RunRecord record = RunRecord.active(dir);
        if (record == null) {
            return null;
        }
        return record.end(status, cause + " (while " + record.stage() + ")");
    }

    private static double tailMean(double[] loss) {
        int n = Math.max(1, loss.length / 20);
        double s = 0;
        for (int i = loss.length - n; i < loss.length; i++) {
            s += loss[i];
        }
        return s / n;
    }

    private static double majorityRate(PromptBatch eval) {
        int[] counts = new int[eval.classes];
        for (int l : eval.queryLabels) {
            counts[l]++;
        }
        return java.util.Arrays.stream(counts).max().orElse(0) / (double) eval.count;
    }

    private static PromptBatch generate(ValidatedPipeline p, int count, long seed) throws ContributionException {
        PromptBatch b = SafeCall.call(p.task().descriptor(), "generate",
                () -> p.task().implementation().generate(p.task().settings(), count, seed));
        String problem = b == null ? "returned no prompts" : b.problem(p.taskSpec(), count);
        if (problem != null) {
            throw new ContributionException(p.task().descriptor(), "generate " + problem, null);
        }
        return b;
    }

    private static PromptBatch generateUnchecked(ValidatedPipeline p, int count, long seed) {
        try {
            return generate(p, count, seed);
        } catch (ContributionException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static void writeEval(Path dir, PromptBatch eval, Forward.Result fwd, ModelConfig c) throws IOException {
        Map<String, Tensor> t = new LinkedHashMap<>();
        int p = eval.count;
        t.put("Z", Tensor.of(eval.z, p, eval.tokens(), eval.tokenDim()));
        if (eval.isRegression()) {
            t.put("targets", Tensor.of(eval.queryTargets, p, eval.classes));
        } else {
            t.put("labels", Tensor.of(java.util.Arrays.stream(eval.queryLabels).asLongStream().toArray(), p));
            t.put("context_labels", Tensor.of(java.util.Arrays.stream(eval.contextLabels).asLongStream().toArray(), p,
                    eval.contextSize));
        }
        t.put("logits", Tensor.of(fwd.logits(), p, c.dY()));
        for (int l = 0; l < c.nLayers(); l++) {
            t.put(ActivationCache.residPost(l), Tensor.of(fwd.residPost()[l], p, c.tokens(), c.dModel()).toFloat32());
            t.put(ActivationCache.pattern(l),
                    Tensor.of(fwd.patterns()[l], p, c.nHeads(), c.tokens(), c.numKeys()).toFloat32());
        }
        Npz.write(dir.resolve("eval.npz"), t);
    }

    /**
     * What an analyzer returns must be declared and rectangular, and its scalars finite, or NaN
     * where its scalars output declares them undefined, before it is written.
     */
    static void validate(ContributionDescriptor d, AnalysisResult r) throws ContributionException {
        if (r == null) {
            throw new ContributionException(d, "analyze returned nothing", null);
        }
        Set<String> declared = new java.util.HashSet<>();
        d.outputs().forEach(o -> declared.add(o.name()));
        for (String table : r.tables().keySet()) {
            if (!declared.contains(table)) {
                throw new ContributionException(d, "returned table '" + table + "' that its plugin.xml does not declare as an <output>", null);
            }
            Table tb = r.tables().get(table);
            for (List<Object> row : tb.rows()) {
                if (row.size() != tb.columns().size()) {
                    throw new ContributionException(d, "table '" + table + "' has a row of " + row.size() + " values for "
                            + tb.columns().size() + " columns", null);
                }
            }
        }
        for (var e : r.scalars().entrySet()) {
            if (e.getValue() == null || Double.isInfinite(e.getValue())) {
                throw new ContributionException(d, "scalar '" + e.getKey() + "' is " + e.getValue() + "; expected a finite number", null);
            }
            if (Double.isNaN(e.getValue()) && !d.mayBeUndefined(e.getKey())) {
                throw new ContributionException(d, "scalar '" + e.getKey() + "' is NaN, but no <output kind=\"scalars\"> of its "
                        + "plugin.xml declares it undefined (attribute undefined)", null);
            }
        }
    }

    /** An analyzer's files, written side by side: each write is atomic and their disk syncs overlap. */
    private static void writeAnalysis(Path dir, String id, AnalysisResult r) throws IOException {
        List<FileWrite> writes = new ArrayList<>();
        r.tables().forEach((name, t) -> writes.add(() -> Csv.write(dir.resolve(name + ".csv"), t.columns(), t.rows())));
        if (!r.tensors().isEmpty()) {
            writes.add(() -> Npz.write(dir.resolve(id + ".npz"), r.tensors()));
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("analyzer", id);
        json.put("scalars", r.scalars());
        json.putAll(r.details());
        writes.add(() -> Json.write(dir.resolve(id + ".json"), json));
        try {
            writes.parallelStream().forEach(w -> {
                try {
                    w.write();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @FunctionalInterface
    private interface FileWrite {
        void write() throws IOException;
    }
}
