package org.layerwise.report.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.layerwise.core.Tensor;
import org.layerwise.figures.Rgb;
import org.layerwise.figures.XYChart;
import org.layerwise.figures.XYChart.Axis;
import org.layerwise.figures.XYChart.Legend;
import org.layerwise.figures.XYChart.Marker;
import org.layerwise.figures.XYChart.Panel;
import org.layerwise.figures.XYChart.Series;
import org.layerwise.report.internal.LearningDynamics.Mode;
import org.layerwise.report.internal.LearningDynamics.Point;
import org.layerwise.runner.RunDirectory;

/** The figures of the paper B report, each from the numbers of the run directories. */
final class PaperBFigures {

    /** Points of a loss curve drawn (and written to the CSV), spaced evenly in log(step). */
    static final int LOSS_POINTS = 200;

    private final Map<String, RunDirectory> runs;

    PaperBFigures(Map<String, RunDirectory> runs) {
        this.runs = runs;
    }

    /** Every figure whose data the runs hold, in report order (absent data leaves the figure out). */
    List<Figure> all() throws IOException {
        List<Figure> out = new ArrayList<>();
        loss().ifPresent(out::add);
        modes().ifPresent(out::add);
        conserved().ifPresent(out::add);
        for (String role : PaperB.EMERGENCE_RUNS) {
            emergence(role).ifPresent(out::add);
        }
        return out;
    }

    /** Steps 1 .. n (1-based) at about LOSS_POINTS log-spaced places, each once. */
    static List<Integer> logSpaced(int n) {
        List<Integer> out = new ArrayList<>();
        int previous = 0;
        for (int i = 0; i < LOSS_POINTS && n > 0; i++) {
            int step = (int) Math.round(Math.pow(n, i / (double) (LOSS_POINTS - 1)));
            if (step > previous) {
                out.add(step);
                previous = step;
            }
        }
        return out;
    }

    Optional<Figure> loss() throws IOException {
        List<Series> data = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        for (String role : PaperB.LINEAR) {
            RunDirectory run = runs.get(role);
            Optional<Map<String, Tensor>> training = run == null ? Optional.empty() : run.archive("training");
            if (training.isEmpty() || !training.get().containsKey("loss")) {
                continue;
            }
            double[] loss = training.get().get("loss").toDoubles();
            Charts.Points s = new Charts.Points();
            for (int step : logSpaced(loss.length)) {
                s.add(step, loss[step - 1]);
                rows.add(List.of(role, step, loss[step - 1]));
            }
            data.add(s.plain(role, role, Charts.color(data.size()), Charts.LINE));
        }
        if (data.isEmpty()) {
            return Optional.empty();
        }
        XYChart c = XYChart.of("Training loss against step", Charts.stepAxis("step (log scale)"),
                Panel.of(Axis.linear("training loss"), data));
        return Optional.of(new Figure("loss", "The training loss of every linear-attention run at step t (1-based; the loss of the step's update, "
                + "training.npz), at " + LOSS_POINTS + " steps spaced evenly in log t. The expected-gradient runs record the expected "
                + "loss, the sampled one its batch loss; the staircase is the modes being learned one after the other.",
                c, 900, 520, List.of("run", "step", "loss"), rows));
    }

    Optional<Figure> modes() throws IOException {
        List<Panel> panels = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        for (String role : List.of(PaperB.STAGED, PaperB.FULL)) {
            RunDirectory run = runs.get(role);
            List<Mode> modes = run == null ? List.of() : LearningDynamics.modes(run);
            List<Point> points = run == null ? List.of() : LearningDynamics.points(run);
            if (modes.isEmpty() || points.isEmpty()) {
                continue;
            }
            List<Charts.Points> simulated = new ArrayList<>();
            List<Charts.Points> closed = new ArrayList<>();
            for (int i = 0; i < modes.size(); i++) {
                simulated.add(new Charts.Points());
                closed.add(new Charts.Points());
            }
            for (Point p : points) {
                Mode m = modes.get(p.mode());
                rows.add(List.of(role, p.step(), p.mode(), m.s(), m.aInf(), p.aSimulated() / m.aInf(), p.aClosed() / m.aInf()));
                if (p.step() > 0) {
                    simulated.get(p.mode()).add(p.step(), p.aSimulated() / m.aInf());
                    closed.get(p.mode()).add(p.step(), p.aClosed() / m.aInf());
                }
            }
            List<Series> data = new ArrayList<>();
            for (int i = 0; i < modes.size(); i++) {
                Mode m = modes.get(i);
                data.add(simulated.get(i).plain(role + ".mode." + m.mode(), role + " mode " + m.mode() + " (s = " + Text.num(m.s()) + ")",
                        Charts.color(i), Charts.THICK));
            }
            for (int i = 0; i < modes.size(); i++) {
                data.add(closed.get(i).plain(role + ".mode." + modes.get(i).mode() + ".closed", "mode " + modes.get(i).mode()
                        + " closed form", Charts.color(i), Charts.DASHED).hiddenInLegend());
            }
            panels.add(Panel.of(Axis.linear(role + ": a / a_inf"), data));
        }
        if (panels.isEmpty()) {
            return Optional.empty();
        }
        XYChart c = new XYChart("Per mode a(t) / a_inf: simulation (solid) and closed form (dashed)", List.of(),
                Charts.stepAxis("step (log scale)"), panels, Legend.SERIES);
        return Optional.of(new Figure("mode-trajectories", "a = p q of each mode over a_inf at every checkpoint, simulated (solid) and "
                + "the closed form from the run's own start (dashed), for the reduced model (staged-learning) and the full one "
                + "(full-parameterization, against the reduced closed form); learning-dynamics.csv and learning-dynamics-modes.csv.",
                c, 900, 820, List.of("run", "step", "mode", "s", "a_inf", "a_simulated_over_a_inf", "a_closed_over_a_inf"), rows));
    }

    Optional<Figure> conserved() throws IOException {
        List<Series> data = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        int run = 0;
        for (String role : List.of(PaperB.CONSERVATION_ETA, PaperB.CONSERVATION_HALF_ETA)) {
            RunDirectory r = runs.get(role);
            List<Point> points = r == null ? List.of() : LearningDynamics.points(r);
            if (points.isEmpty()) {
                continue;
            }
            double eta = LearningDynamics.backend(r, "eta");
            long first = points.get(0).step();
            Map<Integer, Charts.Points> byMode = new java.util.TreeMap<>();
            Map<Integer, Double> c0 = new java.util.HashMap<>();
            for (Point p : points) {
                if (p.step() == first) {
                    c0.put(p.mode(), p.c());
                }
                double drift = Math.abs(p.c() - c0.get(p.mode()));
                rows.add(List.of(role, eta, p.step(), eta * p.step(), p.mode(), p.c(), drift));
                if (p.step() > 0) {
                    byMode.computeIfAbsent(p.mode(), m -> new Charts.Points()).add(eta * p.step(), drift);
                }
            }
            for (var e : byMode.entrySet()) {
                data.add(e.getValue().plain(role + ".mode." + e.getKey(), role + " mode " + e.getKey() + " (eta = " + Text.num(eta) + ")",
                        Charts.color(e.getKey()), run == 1 ? Charts.DASHED : Charts.THICK));
            }
            run++;
        }
        if (data.isEmpty()) {
            return Optional.empty();
        }
        XYChart c = XYChart.of("The conserved quantity c = p^2 - q^2: drift at eta (solid) and eta / 2 (dashed)",
                Charts.stepAxis("flow time eta * step (log scale)"), Panel.of(Axis.linear("|c(t) - c(0)|"), data));
        return Optional.of(new Figure("conserved-quantity", "|c(t) - c(0)| of each mode against the flow time eta * step, for the "
                + "same start trained at eta (solid) and at eta / 2 for twice the steps (dashed): gradient flow conserves c, gradient "
                + "descent drifts by a factor (1 - eta^2 (dL/da)^2) per step, so at a fixed flow time the dashed curves lie at half "
                + "the solid ones (learning-dynamics.csv).", c, 900, 560,
                List.of("run", "eta", "step", "flow_time", "mode", "c", "abs_c_minus_c0"), rows));
    }

    /** The figure of an emergence run: named after its role (emergence, emergence-regression). */
    Optional<Figure> emergence(String role) throws IOException {
        Optional<Emergence> found = Emergence.of(runs.get(role));
        if (found.isEmpty()) {
            return Optional.empty();
        }
        Emergence e = found.get();
        List<List<Object>> rows = new ArrayList<>();
        List<Panel> panels = new ArrayList<>();
        Charts.Points curve = new Charts.Points();
        for (double[] p : e.smoothedCurve()) {
            curve.add(p[0], p[1]);
            rows.add(List.of(role, (long) p[0], "loss_smoothed", "", p[1]));
        }
        panels.add(emergencePanel(List.of(curve), List.of("training loss (mean over " + e.window() + " steps)"), "training loss", e));
        String[] labels = {"effective rank", "subspace distance to the final"};
        for (int k = 0; k < labels.length; k++) {
            List<Charts.Points> data = new ArrayList<>();
            List<String> names = new ArrayList<>();
            for (String m : Emergence.MATRICES) {
                Charts.Points s = new Charts.Points();
                for (var c : e.spectra().getOrDefault(m, new java.util.TreeMap<>()).entrySet()) {
                    rows.add(List.of(role, c.getKey(), k == 0 ? "effective_rank" : "subspace_distance", m,
                            c.getValue()[k]));
                    if (c.getKey() > 0) {
                        s.add(c.getKey().doubleValue(), c.getValue()[k]);
                    }
                }
                data.add(s);
                names.add(m + " " + labels[k]);
            }
            panels.add(emergencePanel(data, names, labels[k], e));
        }
        boolean regression = PaperB.EMERGENCE_REGRESSION.equals(role);
        XYChart c = new XYChart("Emergence (" + (regression ? "regression" : "classification") + "): the loss plateau and "
                + "drop, and QK's and OV's spectra around it", List.of(), Charts.stepAxis("step (log scale)"), panels, Legend.SERIES);
        return Optional.of(new Figure(role, "The " + role + " run (softmax attention-only, in-context "
                + PaperBClaims.emergenceTask(role) + "; training loss " + (regression ? "half the squared error of the query's "
                        + "y block" : "cross-entropy in nats") + "): its training loss smoothed over " + e.window()
                + " steps, and the mean over layers and heads of QK's and OV's effective rank and subspace distance to the final checkpoint at every checkpoint (spectral-dynamics.csv); "
                + "grey lines: the drop's start and end (" + Math.round(100 * Emergence.START) + "% and "
                + Math.round(100 * Emergence.END) + "% of it).", c, 900, 900, List.of("run", "step", "quantity", "matrix", "value"),
                rows));
    }

    /** Series i in colour i, symbols when a curve has fewer than 100 points; grey lines at the drop's start and end. */
    private static Panel emergencePanel(List<Charts.Points> curves, List<String> names, String label, Emergence e) {
        boolean symbols = curves.get(0).size() < 100;
        List<Series> data = new ArrayList<>();
        for (int i = 0; i < curves.size(); i++) {
            Series s = curves.get(i).lines(names.get(i), names.get(i), i);
            data.add(symbols ? s : s.withSymbol(null));
        }
        Panel panel = Panel.of(Axis.linear(label), data);
        for (int step : new int[] {e.dropStart(), e.dropEnd()}) {
            panel = panel.withMarker(Marker.atX(step, Rgb.GREY, Charts.DASHED));
        }
        return panel;
    }
}
