package org.layerwise.report.internal;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Tensor;
import org.layerwise.io.Csv;
import org.layerwise.runner.RunDirectory;

/**
 * What the grokking report reads of one run, exactly as the run wrote it: the curves evaluated on both splits
 * (training.npz), the generalization analyzer's steps, the spectral measures of each matrix kind per checkpoint (means
 * over layers and heads) and the Fourier shares of W_E and of the logits per checkpoint. Each part is empty when the run
 * did not write it.
 *
 * @param curves  step, train_loss, train_accuracy, test_loss, test_accuracy on the evaluation grid (empty if none)
 * @param stepsMeasured whether the generalization analyzer reported its scalars (its steps are empty when never reached)
 * @param spectra matrix kind -> checkpoint step -> {effective rank, subspace distance to the final}
 * @param shares  W_E or logits -> checkpoint step -> share per frequency 0..(p-1)/2
 * @param k       the fourier analyzer's K (how many frequencies a top-K share adds up); 0 when it did not run
 */
record GrokkingRun(Map<String, double[]> curves, boolean stepsMeasured, Optional<Double> memorisation,
        Optional<Double> generalisation, Map<String, TreeMap<Long, double[]>> spectra,
        Map<String, TreeMap<Long, double[]>> shares, int k, Optional<Double> finalEmbeddingTopK) {

    /** The evaluated curves of training.npz, as docs/file-formats.md names them. */
    static final List<String> CURVES = List.of("train_loss", "train_accuracy", "test_loss", "test_accuracy");
    /** The matrix kinds of a transformer's spectral-dynamics rows that the report follows; QK and OV are means over heads. */
    static final List<String> MATRICES = List.of("W_E", "W_U", "W_in", "W_out", "QK", "OV");
    static final String EMBEDDING = "W_E";
    static final String LOGITS = "logits";

    /** Reads what the run holds; a run that wrote nothing gives a GrokkingRun of empty parts. */
    static GrokkingRun of(RunDirectory run, ContributionRegistry registry) throws IOException {
        Map<String, double[]> curves = new LinkedHashMap<>();
        Optional<Map<String, Tensor>> training = run.archive("training");
        if (training.isPresent() && training.get().containsKey("step")
                && CURVES.stream().allMatch(training.get()::containsKey)) {
            curves.put("step", training.get().get("step").toDoubles());
            CURVES.forEach(c -> curves.put(c, training.get().get(c).toDoubles()));
        }
        Map<String, TreeMap<Long, double[]>> spectra = new LinkedHashMap<>();
        Csv.Table table = run.table(Measures.declaredTable(registry, Grokking.SPECTRAL));
        if (table != null) {
            Map<String, TreeMap<Long, double[]>> means = Measures.spectralMeans(table, MATRICES);
            MATRICES.stream().filter(means::containsKey).forEach(m -> spectra.put(m, means.get(m))); // in MATRICES' order
        }
        Map<String, TreeMap<Long, double[]>> shares = new LinkedHashMap<>();
        Csv.Table fourier = run.table(Measures.declaredTable(registry, Grokking.FOURIER));
        if (fourier != null) {
            for (int i = 0; i < fourier.size(); i++) {
                int f = Integer.parseInt(fourier.get(i, "frequency"));
                double[] row = shares.computeIfAbsent(fourier.get(i, "matrix"), x -> new TreeMap<>()).merge(
                        Long.parseLong(fourier.get(i, "step")), new double[f + 1], (had, none) -> had.length > f ? had
                                : Arrays.copyOf(had, f + 1));
                row[f] = Csv.parseDouble(fourier.get(i, "share"));
            }
        }
        int k = (int) ReportPages.number(Measures.analyzerSettings(run, Grokking.FOURIER).get("k"));
        return new GrokkingRun(curves, !run.scalars(Grokking.GENERALIZATION).isEmpty(),
                run.scalar(Grokking.GENERALIZATION, "memorisation_step"), run.scalar(Grokking.GENERALIZATION, "generalisation_step"),
                spectra, shares, Math.max(k, 0),
                run.scalar(Grokking.FOURIER, "embedding_top_k_share"));
    }

    /** The sum of the k largest shares among frequencies 1 and up (frequency 0, the constant, left out); NaN without shares. */
    static double topK(double[] shares, int k) {
        if (shares == null || shares.length < 2 || k < 1) {
            return Double.NaN;
        }
        double[] sorted = Arrays.copyOfRange(shares, 1, shares.length);
        Arrays.sort(sorted);
        double sum = 0;
        for (int i = sorted.length - 1; i >= Math.max(0, sorted.length - k); i--) {
            sum += sorted[i];
        }
        return sum;
    }

    /** W_E's top-K share at every checkpoint the fourier analyzer measured. */
    TreeMap<Long, Double> embeddingTopK() {
        return topKSeries(EMBEDDING);
    }

    TreeMap<Long, Double> logitTopK() {
        return topKSeries(LOGITS);
    }

    private TreeMap<Long, Double> topKSeries(String matrix) {
        TreeMap<Long, Double> out = new TreeMap<>();
        shares.getOrDefault(matrix, new TreeMap<>()).forEach((step, s) -> out.put(step, topK(s, k)));
        return out;
    }

    /** The largest test accuracy over the evaluated steps; NaN without curves. */
    double maxTestAccuracy() {
        double[] t = curves.get("test_accuracy");
        return t == null || t.length == 0 ? Double.NaN : Arrays.stream(t).max().getAsDouble();
    }

    /** The checkpoints the spectral measures were taken at (those of W_E), ascending. */
    TreeMap<Long, double[]> embeddingSpectrum() {
        return spectra.getOrDefault(EMBEDDING, new TreeMap<>());
    }

    /** The last checkpoint at or before the step, or -1. */
    static long atOrBefore(TreeMap<Long, ?> series, double step) {
        Long key = Double.isNaN(step) ? null : series.floorKey((long) Math.floor(step));
        return key == null ? -1 : key;
    }

    /** The first checkpoint at or after the step, or -1. */
    static long atOrAfter(TreeMap<Long, ?> series, double step) {
        Long key = Double.isNaN(step) ? null : series.ceilingKey((long) Math.ceil(step));
        return key == null ? -1 : key;
    }
}
