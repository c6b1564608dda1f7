package org.layerwise.analysis.baselines;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.ActivationCache;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Role;
import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer;
import org.layerwise.core.TaskGenerator;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.Tensor;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.Forward;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.testing.Fixtures;

/** The analyzer as the runner calls it: through its registry descriptor, on prompts of the task families. */
class BaselinesAnalyzerTest {

    private final ContributionRegistry registry = ContributionRegistry.load();

    private ContributionDescriptor descriptor() {
        ContributionDescriptor d = registry.find(Role.ANALYZER, "baselines");
        assertNotNull(d, "baselines is registered; problems: " + registry.problems());
        return d;
    }

    private PromptBatch prompts(String task, int count, long seed, String... keyValues) throws Exception {
        Map<String, String> raw = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            raw.put(keyValues[i], keyValues[i + 1]);
        }
        ContributionDescriptor d = registry.find(Role.TASK, task);
        return d.create(TaskGenerator.class).generate(d.resolve(raw), count, seed);
    }

    /** Logits that are right with probability about 0.7, else random. */
    private static double[] logits(PromptBatch b, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] l = new double[b.count * b.classes];
        for (int p = 0; p < b.count; p++) {
            for (int c = 0; c < b.classes; c++) {
                l[p * b.classes + c] = rng.nextGaussian();
            }
            if (rng.nextDouble() < 0.6) {
                l[p * b.classes + b.queryLabels[p]] += 10;
            }
        }
        return l;
    }

    private AnalysisResult run(PromptBatch b, double[] logits, long seed, Map<String, String> settings) throws Exception {
        ContributionDescriptor d = descriptor();
        Settings s = d.resolve(settings);
        TaskSpec spec = new TaskSpec(TaskSpec.CLASSIFICATION, b.features, b.classes, b.contextSize);
        RecursionAnalyzer a = d.create(RecursionAnalyzer.class);
        a.configure(s, null, spec);
        ActivationCache cache = Fixtures.stored(Map.of("logits", Tensor.of(logits, b.count, b.classes)));
        return a.analyze(new AnalysisContext(s, null, spec, b, cache, SymmetryEnforcer.Factors.NONE, seed, TrainingMonitor.NONE));
    }

    @Test
    void on_prototype_prompts_with_small_sigma_every_baseline_is_near_perfect() throws Exception {
        PromptBatch b = prompts("prototype", 400, 3, "sigma", "0.05");
        AnalysisResult r = run(b, logits(b, 1), 5, Map.of());
        Map<String, Double> s = r.scalars();
        for (String m : List.of("soft_nn", "soft_nn_test", "ncm", "logistic")) {
            assertTrue(s.get("accuracy_" + m) >= 0.98, m + ": " + s.get("accuracy_" + m));
        }
        assertTrue(s.get("soft_nn_temperature") > 0);
    }

    @Test
    void outputs_are_declared_finite_and_the_model_row_is_the_runners_accuracy() throws Exception {
        PromptBatch b = prompts("linear", 300, 4);
        double[] logits = logits(b, 2);
        AnalysisResult r = run(b, logits, 6, Map.of("resamples", "200"));
        ContributionDescriptor d = descriptor();
        Set<String> tables = d.outputs().stream().filter(o -> o.kind().equals("table")).map(ContributionDescriptor.Output::name)
                .collect(Collectors.toSet());
        assertTrue(tables.containsAll(r.tables().keySet()), "tables " + r.tables().keySet() + " declared " + tables);
        assertTrue(d.outputs().stream().anyMatch(o -> o.kind().equals("scalars") && o.name().equals("baselines")));
        assertTrue(d.outputs().stream().anyMatch(o -> o.kind().equals("tensors") && o.name().equals("baselines")));
        for (var e : r.scalars().entrySet()) {
            assertTrue(Double.isFinite(e.getValue()), e.getKey() + " = " + e.getValue());
        }
        Map<String, Double> s = r.scalars();
        assertEquals(Forward.accuracy(logits, b.classes, b.queryLabels), s.get("accuracy_model"), 1e-15);
        for (String m : List.of("model", "model_test", "soft_nn", "soft_nn_test", "ncm", "logistic")) {
            double acc = s.get("accuracy_" + m);
            assertTrue(s.get("accuracy_" + m + "_low") <= acc && acc <= s.get("accuracy_" + m + "_high"), m);
            assertTrue(acc > 0.3 && acc <= 1, m + " " + acc + " (chance 0.25)");
        }
        var t = r.tables().get("baselines");
        assertEquals(List.of("method", "accuracy", "low", "high", "n", "notes"), t.columns());
        assertEquals(List.of("model", "soft_nn", "soft_nn_test", "model_test", "ncm", "logistic"),
                t.rows().stream().map(row -> row.get(0)).toList());
        int fit = (int) java.util.Arrays.stream((long[]) r.tensors().get("fit_prompts").data()).sum();
        assertEquals(150, fit);
        assertEquals(300, t.rows().get(1).get(4));
        assertEquals(150, t.rows().get(2).get(4));
        long[] ncm = (long[]) r.tensors().get("ncm").data();
        for (int p = 0; p < b.count; p++) {
            assertEquals(NearestClassMean.predict(LabeledContext.of(b, p)), ncm[p]);
        }
        assertFalse(r.summaryLines().isEmpty());
        assertTrue(r.summaryLines().stream().anyMatch(l -> l.contains("nearest class mean")));
    }

    @Test
    void outputs_survive_the_runners_writers(@TempDir Path dir) throws Exception {
        PromptBatch b = prompts("semi-supervised", 120, 7, "u", "0.25");
        AnalysisResult r = run(b, logits(b, 5), 11, Map.of("resamples", "100"));
        // as PipelineRunner.writeAnalysis writes them
        var t = r.tables().get("baselines");
        Csv.write(dir.resolve("baselines.csv"), t.columns(), t.rows());
        Npz.write(dir.resolve("baselines.npz"), r.tensors());
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("analyzer", "baselines");
        json.put("scalars", r.scalars());
        json.putAll(r.details());
        Json.write(dir.resolve("baselines.json"), json);

        Csv.Table csv = Csv.read(dir.resolve("baselines.csv"));
        assertEquals(t.columns(), csv.header());
        assertEquals(6, csv.size());
        assertEquals(r.scalars().get("accuracy_logistic"), csv.doubles("accuracy")[5], 0.0);
        assertTrue(csv.get(5, "notes").contains("lambda = 0.01"), csv.get(5, "notes"));
        Map<String, Tensor> npz = Npz.read(dir.resolve("baselines.npz"));
        assertEquals(r.tensors().keySet(), npz.keySet());
        assertEquals(r.tensors().get("logistic"), npz.get("logistic"));
        Map<String, Object> back = Json.readMap(dir.resolve("baselines.json"));
        @SuppressWarnings("unchecked")
        Map<String, Object> soft = (Map<String, Object>) back.get("soft_nn");
        assertEquals(r.scalars().get("soft_nn_temperature"), ((Number) soft.get("temperature")).doubleValue(), 0.0);
        assertEquals(29, ((List<?>) soft.get("grid_temperature")).size());
    }

    @Test
    void the_result_is_a_function_of_the_seed() throws Exception {
        PromptBatch b = prompts("label-noise", 200, 5, "rho", "0.3");
        double[] logits = logits(b, 3);
        AnalysisResult a = run(b, logits, 7, Map.of("resamples", "100"));
        AnalysisResult again = run(b, logits, 7, Map.of("resamples", "100"));
        assertEquals(a.scalars(), again.scalars());
        assertEquals(a.tables().get("baselines").rows(), again.tables().get("baselines").rows());
        AnalysisResult other = run(b, logits, 8, Map.of("resamples", "100"));
        assertFalse(a.tensors().get("fit_prompts").equals(other.tensors().get("fit_prompts")), "another seed, another split");
    }

    @Test
    void unlabeled_context_tokens_are_ignored() throws Exception {
        // d = 2, C = 2; query at (0.2, 0). Labeled: class 1 at (1, 0), (1.2, 0); class 0 at (-3, 0), (-3.2, 0).
        // Twelve unlabeled tokens sit on the query. Read as class 0 (as argmax of their zero y block would),
        // they would make every baseline say 0 (class-0 mean (12 * 0.2 - 6.2) / 14 = -0.27 is nearer than 1.1).
        int n = 16;
        double[][] xs = new double[n][];
        int[] labels = new int[n];
        xs[0] = new double[] {1, 0};
        xs[1] = new double[] {1.2, 0};
        xs[2] = new double[] {-3, 0};
        xs[3] = new double[] {-3.2, 0};
        labels[0] = 1;
        labels[1] = 1;
        for (int i = 4; i < n; i++) {
            xs[i] = new double[] {0.2, 0};
            labels[i] = -1;
        }
        PromptBatch withHidden = batch(xs, labels, new double[] {0.2, 0}, 1);
        int[] asZero = labels.clone();
        for (int i = 4; i < n; i++) {
            asZero[i] = 0;
        }
        PromptBatch misread = batch(xs, asZero, new double[] {0.2, 0}, 1);
        PromptBatch without = batch(java.util.Arrays.copyOf(xs, 4), java.util.Arrays.copyOf(labels, 4), new double[] {0.2, 0}, 1);

        LabeledContext c = LabeledContext.of(withHidden, 0);
        LabeledContext wrong = LabeledContext.of(misread, 0);
        LabeledContext bare = LabeledContext.of(without, 0);
        assertEquals(4, c.size);
        for (double t : new double[] {0.01, 1, 100}) {
            assertEquals(1, SoftNearestNeighbour.predict(c, t), "soft NN at T = " + t);
            assertEquals(0, SoftNearestNeighbour.predict(wrong, t), "the case is built so that using them flips soft NN");
            assertArrayEquals(SoftNearestNeighbour.probabilities(bare, t), SoftNearestNeighbour.probabilities(c, t), 0.0);
        }
        assertEquals(1, NearestClassMean.predict(c));
        assertEquals(0, NearestClassMean.predict(wrong));
        assertEquals(1, MultinomialLogisticRegression.predictQuery(c, 1e-2, 100, 1e-10));
        assertEquals(0, MultinomialLogisticRegression.predictQuery(wrong, 1e-2, 100, 1e-10));
        assertArrayEquals(MultinomialLogisticRegression.fit(bare, 1e-2, 100, 1e-10).weights(),
                MultinomialLogisticRegression.fit(c, 1e-2, 100, 1e-10).weights(), 0.0);

        // and through the analyzer, on copies of the prompt (so that T can be fitted)
        PromptBatch many = repeat(withHidden, 20);
        AnalysisResult r = run(many, new double[many.count * 2], 9, Map.of("resamples", "50"));
        for (String m : List.of("soft_nn", "ncm", "logistic")) {
            for (long v : (long[]) r.tensors().get(m).data()) {
                assertEquals(1, v, m);
            }
        }
    }

    @Test
    void semi_supervised_prompts_with_every_label_hidden_leave_soft_nn_undefined() throws Exception {
        PromptBatch b = prompts("semi-supervised", 60, 6, "u", "1");
        AnalysisResult r = run(b, logits(b, 4), 10, Map.of("resamples", "50"));
        assertTrue(Double.isNaN(r.scalars().get("soft_nn_temperature")));
        assertTrue(Double.isNaN(r.scalars().get("accuracy_soft_nn")));
        double zeros = java.util.Arrays.stream(b.queryLabels).filter(y -> y == 0).count() / (double) b.count;
        assertEquals(zeros, r.scalars().get("accuracy_ncm"), 1e-15, "no labeled context: every class ties, class 0");
        assertEquals(zeros, r.scalars().get("accuracy_logistic"), 1e-15);
        for (var e : r.scalars().entrySet()) {
            assertFalse(Double.isInfinite(e.getValue()), e.getKey());
        }
        // half hidden: every method is defined again
        PromptBatch half = prompts("semi-supervised", 60, 6, "u", "0.5");
        assertTrue(Double.isFinite(run(half, logits(half, 4), 10, Map.of("resamples", "50")).scalars().get("accuracy_soft_nn")));
    }

    @Test
    void configure_rejects_an_empty_temperature_range_and_tasks_neither_classification_nor_regression() throws Exception {
        ContributionDescriptor d = descriptor();
        RecursionAnalyzer a = d.create(RecursionAnalyzer.class);
        TaskSpec spec = new TaskSpec(TaskSpec.CLASSIFICATION, 8, 4, 32);
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> a.configure(d.resolve(Map.of("t_min", "10", "t_max", "1")), null, spec));
        assertEquals("t_max", e.setting());
        assertThrows(InvalidSettingException.class,
                () -> a.configure(d.resolve(Map.of()), null, new TaskSpec("ranking", 8, 4, 32)));
        a.configure(d.resolve(Map.of()), null, new TaskSpec(TaskSpec.REGRESSION, 8, 4, 32));
        a.configure(d.resolve(Map.of()), null, spec);
    }

    @Test
    void the_split_is_seeded_and_sized() {
        boolean[] s = BaselinesAnalyzer.split(101, 0.5, 42);
        int fit = 0;
        for (boolean v : s) {
            fit += v ? 1 : 0;
        }
        assertEquals(51, fit);
        assertArrayEquals(s, BaselinesAnalyzer.split(101, 0.5, 42));
        assertEquals(1, count(BaselinesAnalyzer.split(2, 0.95, 1)));
        assertEquals(1, count(BaselinesAnalyzer.split(2, 0.05, 1)));
    }

    private static int count(boolean[] s) {
        int k = 0;
        for (boolean v : s) {
            k += v ? 1 : 0;
        }
        return k;
    }

    /** One prompt with features x_i, observed labels (-1: unlabeled, y = 0) and the query; C = 2. */
    private static PromptBatch batch(double[][] xs, int[] labels, double[] query, int queryLabel) {
        int n = xs.length;
        int d = query.length;
        int classes = 2;
        int dim = d + classes;
        double[] z = new double[(n + 1) * dim];
        for (int i = 0; i < n; i++) {
            System.arraycopy(xs[i], 0, z, i * dim, d);
            if (labels[i] >= 0) {
                z[i * dim + d + labels[i]] = 1;
            }
        }
        System.arraycopy(query, 0, z, n * dim, d);
        PromptBatch b = new PromptBatch(1, d, classes, n, z, new int[] {queryLabel}, labels.clone());
        assertEquals(null, b.problem(new TaskSpec(TaskSpec.CLASSIFICATION, d, classes, n), 1));
        return b;
    }

    private static PromptBatch repeat(PromptBatch b, int times) {
        int per = b.tokens() * b.tokenDim();
        double[] z = new double[times * per];
        int[] q = new int[times];
        int[] c = new int[times * b.contextSize];
        for (int t = 0; t < times; t++) {
            System.arraycopy(b.z, 0, z, t * per, per);
            q[t] = b.queryLabels[0];
            System.arraycopy(b.contextLabels, 0, c, t * b.contextSize, b.contextSize);
        }
        return new PromptBatch(times, b.features, b.classes, b.contextSize, z, q, c);
    }
}
