package org.layerwise.report.internal;

import java.awt.BasicStroke;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.layerwise.core.Tensor;
import org.layerwise.report.internal.LearningDynamics.Mode;
import org.layerwise.report.internal.LearningDynamics.Point;
import org.layerwise.runner.RunDirectory;

/** The figures of the paper B report, each from the numbers of the run directories. */
final class PaperBFigures {

    /** Points of a loss curve drawn (and written to the CSV), spaced evenly in log(step). */
    static final int LOSS_POINTS = 200;

    static final BasicStroke DASHED = new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {6f, 4f}, 0f);

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

    private static LogAxis stepAxis(String label) {
        LogAxis x = new LogAxis(label);
        x.setLabelFont(Charts.LABEL);
        x.setBase(10);
        x.setSmallestValue(1);
        return x;
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
        XYSeriesCollection data = new XYSeriesCollection();
        List<List<Object>> rows = new ArrayList<>();
        for (String role : PaperB.LINEAR) {
            RunDirectory run = runs.get(role);
            Optional<Map<String, Tensor>> training = run == null ? Optional.empty() : run.archive("training");
            if (training.isEmpty() || !training.get().containsKey("loss")) {
                continue;
            }
            double[] loss = training.get().get("loss").toDoubles();
            XYSeries s = new XYSeries(role);
            for (int step : logSpaced(loss.length)) {
                s.add(step, loss[step - 1]);
                rows.add(List.of(role, step, loss[step - 1]));
            }
            data.addSeries(s);
        }
        if (data.getSeriesCount() == 0) {
            return Optional.empty();
        }
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        Charts.colorSeries(r, data.getSeriesCount());
        JFreeChart c = Charts.chart("Training loss against step", Charts.plot(data, stepAxis("step (log scale)"), "training loss", r));
        return Optional.of(new Figure("loss", "The training loss of every linear-attention run at step t (1-based; the loss of the step's update, "
                + "training.npz), at " + LOSS_POINTS + " steps spaced evenly in log t. The expected-gradient runs record the expected "
                + "loss, the sampled one its batch loss; the staircase is the modes being learned one after the other.",
                c, 900, 520, List.of("run", "step", "loss"), rows));
    }

    Optional<Figure> modes() throws IOException {
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(stepAxis("step (log scale)"));
        combined.setGap(12);
        List<List<Object>> rows = new ArrayList<>();
        for (String role : List.of(PaperB.STAGED, PaperB.FULL)) {
            RunDirectory run = runs.get(role);
            List<Mode> modes = run == null ? List.of() : LearningDynamics.modes(run);
            List<Point> points = run == null ? List.of() : LearningDynamics.points(run);
            if (modes.isEmpty() || points.isEmpty()) {
                continue;
            }
            XYSeriesCollection data = new XYSeriesCollection();
            List<XYSeries> closed = new ArrayList<>();
            for (Mode m : modes) {
                data.addSeries(new XYSeries(role + " mode " + m.mode() + " (s = " + Text.num(m.s()) + ")", false));
                closed.add(new XYSeries("mode " + m.mode() + " closed form", false));
            }
            for (Point p : points) {
                Mode m = modes.get(p.mode());
                rows.add(List.of(role, p.step(), p.mode(), m.s(), m.aInf(), p.aSimulated() / m.aInf(), p.aClosed() / m.aInf()));
                if (p.step() > 0) {
                    data.getSeries(p.mode()).add(p.step(), p.aSimulated() / m.aInf());
                    closed.get(p.mode()).add(p.step(), p.aClosed() / m.aInf());
                }
            }
            closed.forEach(data::addSeries);
            XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
            r.setAutoPopulateSeriesStroke(false);
            for (int i = 0; i < modes.size(); i++) {
                r.setSeriesPaint(i, Charts.color(i));
                r.setSeriesPaint(i + modes.size(), Charts.color(i));
                r.setSeriesStroke(i, new BasicStroke(2f));
                r.setSeriesStroke(i + modes.size(), DASHED);
                r.setSeriesVisibleInLegend(i + modes.size(), false);
            }
            combined.add(Charts.plot(data, null, role + ": a / a_inf", r));
        }
        if (combined.getSubplots().isEmpty()) {
            return Optional.empty();
        }
        JFreeChart c = Charts.chart("Per mode a(t) / a_inf: simulation (solid) and closed form (dashed)", combined);
        return Optional.of(new Figure("mode-trajectories", "a = p q of each mode over a_inf at every checkpoint, simulated (solid) and "
                + "the closed form from the run's own start (dashed), for the reduced model (staged-learning) and the full one "
                + "(full-parameterization, against the reduced closed form); learning-dynamics.csv and learning-dynamics-modes.csv.",
                c, 900, 820, List.of("run", "step", "mode", "s", "a_inf", "a_simulated_over_a_inf", "a_closed_over_a_inf"), rows));
    }

    Optional<Figure> conserved() throws IOException {
        XYSeriesCollection data = new XYSeriesCollection();
        List<List<Object>> rows = new ArrayList<>();
        int run = 0;
        List<Integer> modeOfSeries = new ArrayList<>();
        List<Boolean> dashed = new ArrayList<>();
        for (String role : List.of(PaperB.CONSERVATION_ETA, PaperB.CONSERVATION_HALF_ETA)) {
            RunDirectory r = runs.get(role);
            List<Point> points = r == null ? List.of() : LearningDynamics.points(r);
            if (points.isEmpty()) {
                continue;
            }
            double eta = LearningDynamics.backend(r, "eta");
            long first = points.get(0).step();
            Map<Integer, XYSeries> byMode = new java.util.TreeMap<>();
            Map<Integer, Double> c0 = new java.util.HashMap<>();
            for (Point p : points) {
                if (p.step() == first) {
                    c0.put(p.mode(), p.c());
                }
                double drift = Math.abs(p.c() - c0.get(p.mode()));
                rows.add(List.of(role, eta, p.step(), eta * p.step(), p.mode(), p.c(), drift));
                if (p.step() > 0) {
                    byMode.computeIfAbsent(p.mode(), m -> new XYSeries(role + " mode " + m + " (eta = " + Text.num(eta) + ")", false))
                            .add(eta * p.step(), drift);
                }
            }
            for (var e : byMode.entrySet()) {
                data.addSeries(e.getValue());
                modeOfSeries.add(e.getKey());
                dashed.add(run == 1);
            }
            run++;
        }
        if (data.getSeriesCount() == 0) {
            return Optional.empty();
        }
        XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
        r.setAutoPopulateSeriesStroke(false);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            r.setSeriesPaint(i, Charts.color(modeOfSeries.get(i)));
            r.setSeriesStroke(i, dashed.get(i) ? DASHED : new BasicStroke(2f));
        }
        JFreeChart c = Charts.chart("The conserved quantity c = p^2 - q^2: drift at eta (solid) and eta / 2 (dashed)",
                Charts.plot(data, stepAxis("flow time eta * step (log scale)"), "|c(t) - c(0)|", r));
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
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(stepAxis("step (log scale)"));
        combined.setGap(12);
        XYSeriesCollection loss = new XYSeriesCollection();
        XYSeries curve = new XYSeries("training loss (mean over " + e.window() + " steps)");
        for (double[] p : e.smoothedCurve()) {
            curve.add(p[0], p[1]);
            rows.add(List.of(role, (long) p[0], "loss_smoothed", "", p[1]));
        }
        loss.addSeries(curve);
        combined.add(emergencePlot(loss, "training loss", e));
        String[] labels = {"effective rank", "subspace distance to the final"};
        for (int k = 0; k < labels.length; k++) {
            XYSeriesCollection data = new XYSeriesCollection();
            for (String m : Emergence.MATRICES) {
                XYSeries s = new XYSeries(m + " " + labels[k]);
                for (var c : e.spectra().getOrDefault(m, new java.util.TreeMap<>()).entrySet()) {
                    rows.add(List.of(role, c.getKey(), k == 0 ? "effective_rank" : "subspace_distance", m,
                            c.getValue()[k]));
                    if (c.getKey() > 0) {
                        s.add(c.getKey().doubleValue(), c.getValue()[k]);
                    }
                }
                data.addSeries(s);
            }
            combined.add(emergencePlot(data, labels[k], e));
        }
        boolean regression = PaperB.EMERGENCE_REGRESSION.equals(role);
        JFreeChart c = Charts.chart("Emergence (" + (regression ? "regression" : "classification") + "): the loss plateau and "
                + "drop, and QK's and OV's spectra around it", combined);
        return Optional.of(new Figure(role, "The " + role + " run (softmax attention-only, in-context "
                + PaperBClaims.emergenceTask(role) + "; training loss " + (regression ? "half the squared error of the query's "
                        + "y block" : "cross-entropy in nats") + "): its training loss smoothed over " + e.window()
                + " steps, and the mean over layers and heads of QK's and OV's effective rank and subspace distance to the final checkpoint at every checkpoint (spectral-dynamics.csv); "
                + "grey lines: the drop's start and end (" + Math.round(100 * Emergence.START) + "% and "
                + Math.round(100 * Emergence.END) + "% of it).", c, 900, 900, List.of("run", "step", "quantity", "matrix", "value"),
                rows));
    }

    private static org.jfree.chart.plot.XYPlot emergencePlot(XYSeriesCollection data, String label, Emergence e) {
        XYLineAndShapeRenderer r = Charts.lines();
        Charts.colorSeries(r, data.getSeriesCount());
        r.setDefaultShapesVisible(data.getSeries(0).getItemCount() < 100);
        org.jfree.chart.plot.XYPlot plot = Charts.plot(data, null, label, r);
        for (int step : new int[] {e.dropStart(), e.dropEnd()}) {
            plot.addDomainMarker(new org.jfree.chart.plot.ValueMarker(step, java.awt.Color.GRAY, DASHED));
        }
        return plot;
    }
}
