package org.layerwise.report.internal;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.layerwise.core.Tensor;
import org.layerwise.core.stats.PrincipalAxes;
import org.layerwise.report.internal.Measures.Interval;
import org.layerwise.report.internal.PaperAMeasures.Coefficients;
import org.layerwise.report.internal.PaperAMeasures.LayerValue;
import org.layerwise.runner.RunDirectory;

/** The figures of the paper A report, each from the numbers of the run directories. */
final class PaperAFigures {

    static final List<String> METHODS = List.of("model", "soft_nn", "ncm", "logistic");
    static final List<String> METHOD_NAMES = List.of("model", "soft nearest neighbour", "nearest class mean", "logistic regression");

    /** Per-layer measures drawn for result 4: (measure, block, axis label). */
    static final List<String[]> DYNAMICS = List.of(new String[] {"fisher_ratio", "x", "Fisher ratio (x)"},
            new String[] {"label_margin", "y", "label margin"}, new String[] {"feature_margin", "x", "feature margin"});

    private final Map<String, RunDirectory> runs;

    PaperAFigures(Map<String, RunDirectory> runs) {
        this.runs = runs;
    }

    /** Every figure whose data the runs hold, in report order (absent data leaves the figure out). */
    List<Figure> all() throws IOException {
        List<Figure> out = new ArrayList<>();
        accuracy().ifPresent(out::add);
        dynamics().ifPresent(out::add);
        twelveScalars().ifPresent(out::add);
        trajectories().ifPresent(out::add);
        variantCoefficients().ifPresent(out::add);
        return out;
    }

    Optional<Figure> accuracy() throws IOException {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        List<List<Object>> rows = new ArrayList<>();
        List<String> roles = new ArrayList<>();
        for (String role : PaperA.ROLES) {
            if (runs.containsKey(role) && PaperAMeasures.accuracy(runs.get(role), "model").isPresent()) {
                roles.add(role);
            }
        }
        if (roles.isEmpty()) {
            return Optional.empty();
        }
        double chance = runs.get(roles.get(0)).findMetric("chance").orElse(Double.NaN);
        for (int m = 0; m < METHODS.size(); m++) {
            YIntervalSeries s = new YIntervalSeries(METHOD_NAMES.get(m));
            for (int i = 0; i < roles.size(); i++) {
                Optional<Interval> a = PaperAMeasures.accuracy(runs.get(roles.get(i)), METHODS.get(m));
                if (a.isPresent()) {
                    Interval v = a.get();
                    s.add(i + 0.15 * (m - 1.5), v.mean(), v.low(), v.high());
                    rows.add(List.of(roles.get(i), METHODS.get(m), v.mean(), v.low(), v.high()));
                }
            }
            data.addSeries(s);
        }
        SymbolAxis x = new SymbolAxis("run", roles.toArray(String[]::new));
        x.setLabelFont(Charts.LABEL);
        XYErrorRenderer r = Charts.intervals(false);
        Charts.colorSeries(r, METHODS.size());
        XYPlot plot = Charts.plot(data, x, "accuracy on the evaluation prompts", r);
        if (!Double.isNaN(chance)) {
            ValueMarker m = new ValueMarker(chance, Color.GRAY, new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f,
                    new float[] {4f, 4f}, 0f));
            m.setLabel("chance");
            plot.addRangeMarker(m);
        }
        JFreeChart c = Charts.chart("Accuracy next to the baselines (result 1)", plot);
        return Optional.of(new Figure("accuracy-vs-baselines",
                "Accuracy of each trained model and of the baselines on the same evaluation prompts, with bootstrap intervals "
                        + "(baselines.csv of each run); dashed: chance.",
                c, 900, 520, List.of("run", "method", "accuracy", "low", "high"), rows));
    }

    Optional<Figure> dynamics() throws IOException {
        RunDirectory run = runs.get(PaperA.SYMMETRIZED);
        if (run == null || run.table("layer-dynamics") == null) {
            return Optional.empty();
        }
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(Charts.layerAxis(Charts.STATE_LAYER));
        combined.setGap(12);
        List<List<Object>> rows = new ArrayList<>();
        for (String[] d : DYNAMICS) {
            YIntervalSeriesCollection data = new YIntervalSeriesCollection();
            for (String source : List.of("network", "recursion")) {
                YIntervalSeries s = new YIntervalSeries(source);
                for (LayerValue v : PaperAMeasures.perLayer(run, source, d[0], d[1])) {
                    rows.add(List.of(PaperA.SYMMETRIZED, source, d[0], d[1], v.layer(), v.value().mean(), v.value().low(),
                            v.value().high()));
                    if (v.value().defined()) {
                        s.add(v.layer() + ("recursion".equals(source) ? 0.06 : 0.0), v.value().mean(), v.value().low(), v.value().high());
                    }
                }
                data.addSeries(s);
            }
            XYErrorRenderer r = Charts.intervals(true);
            Charts.colorSeries(r, 2);
            combined.add(Charts.plot(data, null, d[2], r));
        }
        Charts.sharedLegend(combined);
        JFreeChart c = Charts.chart("Separation and probe margins by layer, network and recursion (result 4)", combined);
        return Optional.of(new Figure("layer-dynamics",
                "Symmetrized model: Fisher ratio of the context tokens' features, the probe's label margin and feature margin "
                        + "after each layer, mean over prompts with bootstrap intervals, for the network and for the full "
                        + "coupled mean-shift recursion run from the same prompts (layer-dynamics.csv).",
                c, 800, 820, List.of("run", "source", "measure", "block", "layer", "mean", "low", "high"), rows));
    }

    Optional<Figure> twelveScalars() throws IOException {
        RunDirectory run = runs.get(PaperA.SYMMETRIZED);
        List<Coefficients> coefficients = run == null ? List.of() : PaperAMeasures.coefficients(run, PaperAMeasures.TWELVE);
        if (coefficients.isEmpty()) {
            return Optional.empty();
        }
        boolean heads = coefficients.stream().anyMatch(k -> k.head() > 0);
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(Charts.layerAxis(Charts.WEIGHT_LAYER));
        List<List<Object>> rows = new ArrayList<>();
        for (String matrix : List.of("q", "v")) {
            XYSeriesCollection data = new XYSeriesCollection();
            for (int k = 0; k < PaperAMeasures.TWELVE.size(); k++) {
                String name = PaperAMeasures.TWELVE.get(k);
                if (!name.startsWith(matrix + "_")) {
                    continue;
                }
                java.util.Map<Integer, XYSeries> byHead = new java.util.TreeMap<>();
                for (Coefficients co : coefficients) {
                    String label = "q".equals(matrix) ? name.substring(2) : name.substring(2) + "'";
                    XYSeries s = byHead.computeIfAbsent(co.head(), h -> new XYSeries(heads ? label + " head " + h : label));
                    s.add(co.layer(), co.scalars()[k]);
                    rows.add(List.of(PaperA.SYMMETRIZED, co.layer(), co.head(), name, co.scalars()[k]));
                }
                byHead.values().forEach(data::addSeries);
            }
            XYLineAndShapeRenderer r = Charts.lines();
            Charts.colorSeries(r, data.getSeriesCount());
            combined.add(Charts.plot(data, null, "q".equals(matrix) ? "Q: a, b, f, g, c, e" : "V: a', b', f', g', c', e'", r));
        }
        JFreeChart c = Charts.chart("The twelve scalars across layers (symmetrized model)", combined);
        return Optional.of(new Figure("twelve-scalars",
                "The weight abstraction of the symmetrized model: (a, b, f, g, c, e) of Q and (a', b', f', g', c', e') of V at "
                        + "each layer (layer t = the t-th attention layer, 0-based), read through the Reynolds projection "
                        + "(coupled-mean-shift-coefficients.csv).",
                c, 800, 720, List.of("run", "layer", "head", "scalar", "value"), rows));
    }

    Optional<Figure> trajectories() throws IOException {
        RunDirectory run = runs.get(PaperA.SYMMETRIZED);
        if (run == null) {
            return Optional.empty();
        }
        Optional<Map<String, Tensor>> eval = run.archive("eval");
        Optional<Map<String, Tensor>> recursion = run.archive("coupled-mean-shift");
        if (eval.isEmpty() || recursion.isEmpty() || !eval.get().containsKey("Z")) {
            return Optional.empty();
        }
        Tensor z = eval.get().get("Z");
        int tokens = (int) z.dim(1);
        int width = (int) z.dim(2);
        int contextSize = tokens - 1;
        long[] context = eval.get().get("context_labels").toLongs();
        long[] labels = eval.get().get("labels").toLongs();
        int classes = (int) eval.get().get("logits").dim(1);
        int features = width - classes;
        int prompt = 0;
        List<double[][]> network = new ArrayList<>();
        List<double[][]> recursed = new ArrayList<>();
        network.add(tokensOf(z, prompt, features));
        recursed.add(tokensOf(z, prompt, features));
        for (int l = 0;; l++) {
            Tensor n = eval.get().get("blocks." + l + ".hook_resid_post");
            Tensor r = recursion.get().get("full.blocks." + l + ".hook_resid_post");
            if (n == null || r == null) {
                break;
            }
            network.add(tokensOf(n, prompt, features));
            recursed.add(tokensOf(r, prompt, features));
        }
        if (network.size() < 2) {
            return Optional.empty();
        }
        List<double[]> pooled = new ArrayList<>();
        network.forEach(layer -> pooled.addAll(List.of(layer)));
        PrincipalAxes pca = PrincipalAxes.fit(pooled.toArray(double[][]::new));

        List<List<Object>> rows = new ArrayList<>();
        NumberAxis x = new NumberAxis("principal component 1 (features x)");
        x.setLabelFont(Charts.LABEL);
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(x);
        combined.setGap(14);
        for (String source : List.of("network", "recursion")) {
            List<double[][]> states = "network".equals(source) ? network : recursed;
            XYSeriesCollection data = new XYSeriesCollection();
            XYLineAndShapeRenderer r = Charts.lines();
            r.setDefaultStroke(new BasicStroke(0.8f));
            for (int t = 0; t < tokens; t++) {
                boolean probe = t == contextSize;
                long cls = probe ? labels[prompt] : context[prompt * contextSize + t];
                XYSeries s = new XYSeries(source + " token " + t, false, true);
                for (int l = 0; l < states.size(); l++) {
                    double[] p = pca.apply(states.get(l)[t]);
                    s.add(p[0], p[1]);
                    rows.add(List.of(source, l, t, probe ? "probe" : "context", cls, p[0], p[1]));
                }
                data.addSeries(s);
                r.setSeriesPaint(t, probe ? Color.BLACK : cls < 0 ? Color.LIGHT_GRAY : Charts.color((int) cls));
                r.setSeriesShape(t, probe ? new Rectangle2D.Double(-5, -5, 10, 10) : new Ellipse2D.Double(-2.5, -2.5, 5, 5));
                if (probe) {
                    r.setSeriesStroke(t, new BasicStroke(2f));
                }
            }
            XYPlot plot = Charts.plot(data, null, source + ": component 2", r);
            XYSeries probe = data.getSeries(contextSize);
            for (int l = 0; l < probe.getItemCount(); l++) {
                XYTextAnnotation label = new XYTextAnnotation(" " + l, probe.getX(l).doubleValue(), probe.getY(l).doubleValue());
                label.setTextAnchor(TextAnchor.BOTTOM_LEFT);
                label.setFont(Charts.LABEL);
                plot.addAnnotation(label);
            }
            combined.add(plot);
        }
        LegendItemCollection legend = new LegendItemCollection();
        for (int c = 0; c < classes; c++) {
            legend.add(new LegendItem("class " + c, Charts.color(c)));
        }
        legend.add(new LegendItem("probe (its true class " + labels[prompt] + ")", Color.BLACK));
        combined.setFixedLegendItems(legend);
        JFreeChart c = Charts.chart("Token trajectories across layers, network and recursion", combined);
        return Optional.of(new Figure("token-trajectories",
                "Evaluation prompt " + prompt + " of the symmetrized model: the feature block x of every context token "
                        + "(coloured by its label) and of the probe (black squares, numbered by layer), from the input (0) through each layer, "
                        + "projected on the two principal components of the network's states; above the network "
                        + "(eval.npz), below the full coupled mean-shift recursion (coupled-mean-shift.npz) in the same projection.",
                c, 800, 900, List.of("source", "layer", "token", "role", "class", "pc1", "pc2"), rows));
    }

    /** The feature blocks of one prompt's tokens: [tokens][features]. */
    private static double[][] tokensOf(Tensor t, int prompt, int features) {
        int tokens = (int) t.dim(1);
        int width = (int) t.dim(2);
        double[] all = t.toDoubles();
        double[][] out = new double[tokens][features];
        for (int i = 0; i < tokens; i++) {
            System.arraycopy(all, (prompt * tokens + i) * width, out[i], 0, features);
        }
        return out;
    }

    Optional<Figure> variantCoefficients() throws IOException {
        List<String> roles = new ArrayList<>();
        roles.add(PaperA.SYMMETRIZED);
        roles.addAll(PaperA.VARIANTS);
        roles.removeIf(role -> !runs.containsKey(role));
        List<List<Object>> rows = new ArrayList<>();
        CombinedDomainXYPlot combined = new CombinedDomainXYPlot(Charts.layerAxis(Charts.WEIGHT_LAYER));
        boolean any = false;
        for (int k = 0; k < PaperAMeasures.REDUCED.size(); k++) {
            XYSeriesCollection data = new XYSeriesCollection();
            for (String role : roles) {
                XYSeries s = new XYSeries(PaperA.SYMMETRIZED.equals(role) ? "linear (symmetrized)" : role, true, true);
                for (Coefficients co : PaperAMeasures.coefficients(runs.get(role), PaperAMeasures.REDUCED)) {
                    if (co.head() == 0) {
                        s.add(co.layer(), co.scalars()[k]);
                    }
                    rows.add(List.of(role, co.layer(), co.head(), PaperAMeasures.REDUCED.get(k), co.scalars()[k]));
                    any = true;
                }
                data.addSeries(s);
            }
            XYLineAndShapeRenderer r = Charts.lines();
            Charts.colorSeries(r, roles.size());
            combined.add(Charts.plot(data, null, PaperAMeasures.REDUCED.get(k), r));
        }
        if (!any) {
            return Optional.empty();
        }
        Charts.sharedLegend(combined);
        JFreeChart c = Charts.chart("Reduced recursion coefficients of each task variant (result 5)", combined);
        return Optional.of(new Figure("variant-coefficients",
                "Reduced-form coefficients alpha = a, beta = c (score) and gamma = a', delta = c' (update) per layer, head 0, "
                        + "of the linear task and of the label-noise, semi-supervised and prototype variants "
                        + "(coupled-mean-shift-coefficients.csv; the CSV holds every head).",
                c, 800, 900, List.of("run", "layer", "head", "coefficient", "value"), rows));
    }
}
