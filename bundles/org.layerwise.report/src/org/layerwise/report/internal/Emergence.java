package org.layerwise.report.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.layerwise.core.Tensor;
import org.layerwise.io.Csv;
import org.layerwise.runner.RunDirectory;

/**
 * Where a softmax run's loss drops and what its weights' spectra do around it: the training loss
 * (training.npz) smoothed over a window, the drop's 10% and 90% points, and the mean over layers
 * and heads of QK's and OV's effective rank and subspace distance (spectral-dynamics.csv) at each
 * checkpoint.
 */
record Emergence(int window, double[] smoothed, double plateau, double last, int dropStart, int dropEnd,
        Map<String, TreeMap<Long, double[]>> spectra) {

    /** The matrices whose spectra are followed. */
    static final List<String> MATRICES = List.of("QK", "OV");
    /** Fractions of the total drop that mark its start and its end. */
    static final double START = 0.1;
    static final double END = 0.9;

    /** The smoothing window: a fiftieth of the run, at least 10 steps. */
    static int window(int steps) {
        return Math.max(10, steps / 50);
    }

    /** Empty when the run wrote no loss curve or no spectral-dynamics.csv. */
    static Optional<Emergence> of(RunDirectory run) throws IOException {
        if (run == null) {
            return Optional.empty();
        }
        Optional<Map<String, Tensor>> training = run.archive("training");
        Optional<Csv.Table> table = Optional.ofNullable(run.table("spectral-dynamics"));
        if (training.isEmpty() || !training.get().containsKey("loss") || table.isEmpty() || table.get().size() == 0) {
            return Optional.empty();
        }
        double[] loss = training.get().get("loss").toDoubles();
        int w = window(loss.length);
        if (loss.length < 2 * w) {
            return Optional.empty();
        }
        // smoothed[i] = mean loss of steps i + 1 .. i + w (1-based), i.e. the window ending at step i + w
        double[] smoothed = new double[loss.length - w + 1];
        double sum = 0;
        for (int i = 0; i < loss.length; i++) {
            sum += loss[i];
            if (i >= w) {
                sum -= loss[i - w];
            }
            if (i >= w - 1) {
                smoothed[i - w + 1] = sum / w;
            }
        }
        double plateau = smoothed[0];
        double last = smoothed[smoothed.length - 1];
        int start = crossing(smoothed, plateau - START * (plateau - last), w);
        int end = crossing(smoothed, plateau - END * (plateau - last), w);

        Map<String, TreeMap<Long, double[]>> spectra = Measures.spectralMeans(table.get(), MATRICES);
        if (spectra.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Emergence(w, smoothed, plateau, last, start, end, spectra));
    }

    /** The first step (window end) at which the smoothed loss is at or below the level; the last step if never. */
    private static int crossing(double[] smoothed, double level, int w) {
        for (int i = 0; i < smoothed.length; i++) {
            if (smoothed[i] <= level) {
                return i + w;
            }
        }
        return smoothed.length - 1 + w;
    }

    double drop() {
        return plateau - last;
    }

    /** Mean effective rank of the matrix kind at the last checkpoint at or before the step (NaN if none). */
    double rankAtOrBefore(String matrix, long step) {
        return atOrBefore(matrix, step, 0);
    }

    /** Mean effective rank of the matrix kind at the first checkpoint at or after the step (NaN if none). */
    double rankAtOrAfter(String matrix, long step) {
        return atOrAfter(matrix, step, 0);
    }

    /** Mean subspace distance to the final checkpoint at the last checkpoint at or before the step (NaN if none). */
    double distanceAtOrBefore(String matrix, long step) {
        return atOrBefore(matrix, step, 1);
    }

    /** Mean subspace distance to the final checkpoint at the first checkpoint at or after the step (NaN if none). */
    double distanceAtOrAfter(String matrix, long step) {
        return atOrAfter(matrix, step, 1);
    }

    private double atOrBefore(String matrix, long step, int k) {
        var e = spectra.getOrDefault(matrix, new TreeMap<>()).floorEntry(step);
        return e == null ? Double.NaN : e.getValue()[k];
    }

    private double atOrAfter(String matrix, long step, int k) {
        var e = spectra.getOrDefault(matrix, new TreeMap<>()).ceilingEntry(step);
        return e == null ? Double.NaN : e.getValue()[k];
    }

    long checkpointAtOrBefore(long step) {
        Long k = spectra.values().iterator().next().floorKey(step);
        return k == null ? -1 : k;
    }

    long checkpointAtOrAfter(long step) {
        Long k = spectra.values().iterator().next().ceilingKey(step);
        return k == null ? -1 : k;
    }

    /** Smoothed loss at steps (window ends) spaced evenly in log(step). */
    List<double[]> smoothedCurve() {
        List<double[]> out = new ArrayList<>();
        for (int step : PaperBFigures.logSpaced(smoothed.length - 1 + window)) {
            if (step >= window) {
                out.add(new double[] {step, smoothed[step - window]});
            }
        }
        return out;
    }
}
