package org.layerwise.report.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.layerwise.figures.Rgb;
import org.layerwise.figures.XYChart;
import org.layerwise.figures.XYChart.Axis;
import org.layerwise.figures.XYChart.Legend;
import org.layerwise.figures.XYChart.Marker;
import org.layerwise.figures.XYChart.Panel;
import org.layerwise.figures.XYChart.Series;

/**
 * The grokking report's figures, all against the training step on one log axis, with the grokking run's memorisation
 * and generalisation steps marked (grey dashed lines). Step 0 has no place on a log axis: it is in the CSVs, not drawn.
 */
final class GrokkingFigures {

    /** At most this many evaluated steps of a curve are drawn (and written), spaced evenly in log(step). */
    static final int CURVE_POINTS = 1000;

    private final Map<String, GrokkingRun> runs;

    GrokkingFigures(Map<String, GrokkingRun> runs) {
        this.runs = runs;
    }

    /** Every figure whose data the runs hold, in report order. */
    List<Figure> all() {
        List<Figure> out = new ArrayList<>();
        curves().ifPresent(out::add);
        for (String role : Grokking.ROLES) {
            spectra(role).ifPresent(out::add);
        }
        fourier().ifPresent(out::add);
        return out;
    }

    /** Indices of the evaluated steps that are kept: step 0 and the first at or past each of CURVE_POINTS log-spaced steps. */
    static List<Integer> thinned(double[] steps) {
        List<Integer> out = new ArrayList<>();
        if (steps.length > 0 && steps[0] < 1) {
            out.add(0);
        }
        double last = steps.length == 0 ? 1 : Math.max(1, steps[steps.length - 1]);
        double next = 1;
        for (int i = 0; i < steps.length; i++) {
            if (steps[i] >= next) {
                out.add(i);
                next = Math.max(steps[i] + 1, steps[i] * Math.pow(last, 1.0 / CURVE_POINTS));
            }
        }
        return out;
    }

    Optional<Figure> curves() {
        List<Series> accuracy = new ArrayList<>();
        List<Series> loss = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        for (int r = 0; r < Grokking.ROLES.size(); r++) {
            String role = Grokking.ROLES.get(r);
            GrokkingRun run = runs.get(role);
            if (run == null || run.curves().isEmpty()) {
                continue;
            }
            double[] steps = run.curves().get("step");
            List<Integer> drawn = thinned(steps);
            for (int c = 0; c < GrokkingRun.CURVES.size(); c++) {
                String curve = GrokkingRun.CURVES.get(c);
                double[] values = run.curves().get(curve);
                Charts.Points p = new Charts.Points();
                for (int i : drawn) {
                    rows.add(List.of(role, (long) steps[i], curve, values[i]));
                    if (steps[i] > 0 && (!curve.endsWith("loss") || values[i] > 0)) { // a log axis shows no zero
                        p.add(steps[i], values[i]);
                    }
                }
                boolean test = curve.startsWith("test");
                Series s = p.plain(role + "." + curve, role + " " + curve.replace('_', ' '), Charts.color(2 * r + (test ? 1 : 0)),
                        Grokking.GROKKING.equals(role) ? Charts.THICK : Charts.DASHED);
                (curve.endsWith("accuracy") ? accuracy : loss).add(s);
            }
        }
        if (accuracy.isEmpty()) {
            return Optional.empty();
        }
        List<Panel> panels = List.of(marked(Panel.of(Axis.linear("accuracy").withRange(0, 1), accuracy)),
                marked(Panel.of(Axis.log("loss (nats, log scale)"), loss)));
        XYChart chart = new XYChart("Train and test accuracy and loss", List.of(), Charts.stepAxis("step (log scale)"), panels,
                Legend.SERIES);
        return Optional.of(new Figure("curves", "Accuracy and mean cross-entropy on the whole training split and on the whole "
                + "held-out split after each evaluated step (training.npz), for the grokking run (solid) and the run without weight "
                + "decay (dashed), at most " + CURVE_POINTS + " steps spaced evenly in log(step); grey lines: the grokking run's "
                + "memorisation and generalisation steps.", chart, 900, 820, List.of("run", "step", "curve", "value"), rows));
    }

    /** Effective rank and subspace distance to the final checkpoint of each matrix kind, at every checkpoint of a run. */
    Optional<Figure> spectra(String role) {
        GrokkingRun run = runs.get(role);
        if (run == null || run.spectra().isEmpty()) {
            return Optional.empty();
        }
        List<List<Object>> rows = new ArrayList<>();
        List<Panel> panels = new ArrayList<>();
        String[] labels = {"effective rank", "subspace distance to the final"};
        for (int k = 0; k < labels.length; k++) {
            List<Series> data = new ArrayList<>();
            int i = 0;
            for (var e : run.spectra().entrySet()) {
                Charts.Points p = new Charts.Points();
                for (var c : e.getValue().entrySet()) {
                    rows.add(List.of(role, c.getKey(), k == 0 ? "effective_rank" : "subspace_distance", e.getKey(), c.getValue()[k]));
                    if (c.getKey() > 0) {
                        p.add(c.getKey(), c.getValue()[k]);
                    }
                }
                String name = (e.getKey().equals("QK") || e.getKey().equals("OV") ? "mean " : "") + e.getKey();
                data.add(p.lines(role + "." + e.getKey() + "." + k, name + " " + labels[k], i++));
            }
            panels.add(marked(Panel.of(Axis.linear(labels[k]), data)));
        }
        XYChart chart = new XYChart("Spectra of the " + role + " run's weights", List.of(), Charts.stepAxis("step (log scale)"),
                panels, Legend.SERIES);
        return Optional.of(new Figure("spectra-" + role, "The " + role + " run: effective rank and subspace distance to the final "
                + "checkpoint of W_E, W_U, W_in, W_out and of QK and OV (means over heads) at every checkpoint "
                + "(spectral-dynamics.csv); grey lines: the grokking run's memorisation and generalisation steps.", chart, 900, 820,
                List.of("run", "step", "quantity", "matrix", "value"), rows));
    }

    /** W_E's and the logits' top-K Fourier shares at every checkpoint, both runs. */
    Optional<Figure> fourier() {
        List<Series> data = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        double uniform = Double.NaN;
        for (int r = 0; r < Grokking.ROLES.size(); r++) {
            String role = Grokking.ROLES.get(r);
            GrokkingRun run = runs.get(role);
            if (run == null || run.k() < 1) {
                continue;
            }
            int m = 0;
            for (String matrix : List.of(GrokkingRun.EMBEDDING, GrokkingRun.LOGITS)) {
                TreeMap<Long, Double> series = matrix.equals(GrokkingRun.EMBEDDING) ? run.embeddingTopK() : run.logitTopK();
                Charts.Points p = new Charts.Points();
                series.forEach((step, v) -> {
                    rows.add(List.of(role, step, matrix, run.k(), v));
                    if (step > 0) {
                        p.add(step, v);
                    }
                });
                if (!p.isEmpty()) {
                    data.add(p.plain(role + "." + matrix, role + " " + matrix + " top-" + run.k() + " share", Charts.color(m),
                            Grokking.GROKKING.equals(role) ? Charts.THICK : Charts.DASHED));
                }
                var first = run.shares().getOrDefault(matrix, new TreeMap<>()).firstEntry();
                if (first != null) {
                    uniform = 2.0 * run.k() / (2 * first.getValue().length - 1);
                }
                m++;
            }
        }
        if (data.isEmpty()) {
            return Optional.empty();
        }
        Panel panel = marked(Panel.of(Axis.linear("top-K share").withRange(0, 1), data));
        if (!Double.isNaN(uniform)) {
            panel = panel.withMarker(Marker.atY(uniform, Rgb.GREY, Charts.LINE, "isotropic 2K/p"));
        }
        XYChart chart = XYChart.of("Fourier structure: the share of the K largest frequencies of Z_p",
                Charts.stepAxis("step (log scale)"), panel);
        return Optional.of(new Figure("fourier", "The sum of the K largest shares among the non-constant Fourier frequencies of "
                + "Z_p, of the embedding W_E (rows 0..p-1) and of the centred answer logits as a function of a + b - c, at every "
                + "checkpoint (fourier.csv), for the grokking run (solid) and the run without weight decay (dashed); the grey "
                + "level line is 2K/p, what an isotropic matrix has; grey dashed lines: the grokking run's memorisation and "
                + "generalisation steps.", chart, 900, 520, List.of("run", "step", "matrix", "k", "top_k_share"), rows));
    }

    /** The panel with the grokking run's memorisation and generalisation steps marked, where they exist. */
    private Panel marked(Panel panel) {
        GrokkingRun g = runs.get(Grokking.GROKKING);
        if (g == null) {
            return panel;
        }
        for (Optional<Double> step : List.of(g.memorisation(), g.generalisation())) {
            if (step.isPresent() && step.get() > 0) {
                panel = panel.withMarker(Marker.atX(step.get(), Rgb.GREY, Charts.DASHED));
            }
        }
        return panel;
    }
}
