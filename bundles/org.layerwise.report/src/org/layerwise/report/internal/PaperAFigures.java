package org.layerwise.report.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.layerwise.core.Tensor;
import org.layerwise.core.stats.PrincipalAxes;
import org.layerwise.figures.Rgb;
import org.layerwise.figures.XYChart;
import org.layerwise.figures.XYChart.Axis;
import org.layerwise.figures.XYChart.Legend;
import org.layerwise.figures.XYChart.Line;
import org.layerwise.figures.XYChart.Marker;
import org.layerwise.figures.XYChart.Note;
import org.layerwise.figures.XYChart.Panel;
import org.layerwise.figures.XYChart.Series;
import org.layerwise.figures.XYChart.Symbol;
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
        List<Series> data = new ArrayList<>();
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
            Charts.Points s = new Charts.Points();
            for (int i = 0; i < roles.size(); i++) {
                Optional<Interval> a = PaperAMeasures.accuracy(runs.get(roles.get(i)), METHODS.get(m));
                if (a.isPresent()) {
                    Interval v = a.get();
                    s.add(i + 0.15 * (m - 1.5), v.mean(), v.low(), v.high());
                    rows.add(List.of(roles.get(i), METHODS.get(m), v.mean(), v.low(), v.high()));
                }
            }
            data.add(s.intervals(METHODS.get(m), METHOD_NAMES.get(m), m, false));
        }
        Panel plot = Panel.of(Axis.linear("accuracy on the evaluation prompts"), data);
        if (!Double.isNaN(chance)) {
            plot = plot.withMarker(Marker.atY(chance, Rgb.GREY, new Line(1, new double[] {4, 4}), "chance"));
        }
        XYChart c = XYChart.of("Accuracy next to the baselines (result 1)", Axis.categories("run", roles), plot);
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
        List<Panel> panels = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        for (String[] d : DYNAMICS) {
            List<Series> data = new ArrayList<>();
            for (String source : List.of("network", "recursion")) {
                Charts.Points s = new Charts.Points();
                for (LayerValue v : PaperAMeasures.perLayer(run, source, d[0], d[1])) {
                    rows.add(List.of(PaperA.SYMMETRIZED, source, d[0], d[1], v.layer(), v.value().mean(), v.value().low(),
                            v.value().high()));
                    if (v.value().defined()) {
                        s.add(v.layer() + ("recursion".equals(source) ? 0.06 : 0.0), v.value().mean(), v.value().low(), v.value().high());
                    }
                }
                data.add(s.intervals(source, source, data.size(), true));
            }
            panels.add(Panel.of(Axis.linear(d[2]), data));
        }
        XYChart c = new XYChart("Separation and probe margins by layer, network and recursion (result 4)", List.of(),
                Charts.layerAxis(Charts.STATE_LAYER), panels, Legend.FIRST_PANEL);
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
        List<Panel> panels = new ArrayList<>();
        List<List<Object>> rows = new ArrayList<>();
        for (String matrix : List.of("q", "v")) {
            List<Series> data = new ArrayList<>();
            for (int k = 0; k < PaperAMeasures.TWELVE.size(); k++) {
                String name = PaperAMeasures.TWELVE.get(k);
                if (!name.startsWith(matrix + "_")) {
                    continue;
                }
                java.util.Map<Integer, Charts.Points> byHead = new java.util.TreeMap<>();
                for (Coefficients co : coefficients) {
                    byHead.computeIfAbsent(co.head(), h -> new Charts.Points()).add(co.layer(), co.scalars()[k]);
                    rows.add(List.of(PaperA.SYMMETRIZED, co.layer(), co.head(), name, co.scalars()[k]));
                }
                String label = "q".equals(matrix) ? name.substring(2) : name.substring(2) + "'";
                for (var h : byHead.entrySet()) {
                    data.add(h.getValue().lines(name + "." + h.getKey(), heads ? label + " head " + h.getKey() : label, data.size()));
                }
            }
            panels.add(Panel.of(Axis.linear("q".equals(matrix) ? "Q: a, b, f, g, c, e" : "V: a', b', f', g', c', e'"), data));
        }
        XYChart c = new XYChart("The twelve scalars across layers (symmetrized model)", List.of(), Charts.layerAxis(Charts.WEIGHT_LAYER),
                panels, Legend.SERIES);
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
        List<Panel> panels = new ArrayList<>();
        for (String source : List.of("network", "recursion")) {
            List<double[][]> states = "network".equals(source) ? network : recursed;
            List<Series> data = new ArrayList<>();
            List<Note> layerNumbers = new ArrayList<>();
            for (int t = 0; t < tokens; t++) {
                boolean probe = t == contextSize;
                long cls = probe ? labels[prompt] : context[prompt * contextSize + t];
                Charts.Points s = new Charts.Points();
                for (int l = 0; l < states.size(); l++) {
                    double[] p = pca.apply(states.get(l)[t]);
                    s.add(p[0], p[1]);
                    rows.add(List.of(source, l, t, probe ? "probe" : "context", cls, p[0], p[1]));
                    if (probe) {
                        layerNumbers.add(new Note(p[0], p[1], " " + l));
                    }
                }
                Rgb colour = probe ? Rgb.BLACK : cls < 0 ? new Rgb(192, 192, 192) : Charts.color((int) cls);
                data.add(s.plain(source + ".token." + t, source + " token " + t, colour, probe ? Charts.THICK : Line.solid(0.8))
                        .withSymbol(probe ? new Symbol(XYChart.Shape.SQUARE, 5) : new Symbol(XYChart.Shape.CIRCLE, 2.5)));
            }
            panels.add(Panel.of(Axis.linear(source + ": component 2"), data).withNotes(layerNumbers));
        }
        List<XYChart.Entry> legend = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            legend.add(new XYChart.Entry("class " + c, Charts.color(c)));
        }
        legend.add(new XYChart.Entry("probe (its true class " + labels[prompt] + ")", Rgb.BLACK));
        XYChart c = new XYChart("Token trajectories across layers, network and recursion", List.of(),
                Axis.linear("principal component 1 (features x)"), panels, Legend.of(legend));
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
        List<Panel> panels = new ArrayList<>();
        boolean any = false;
        for (int k = 0; k < PaperAMeasures.REDUCED.size(); k++) {
            List<Series> data = new ArrayList<>();
            for (String role : roles) {
                Charts.Points s = new Charts.Points();
                for (Coefficients co : PaperAMeasures.coefficients(runs.get(role), PaperAMeasures.REDUCED)) {
                    if (co.head() == 0) {
                        s.add(co.layer(), co.scalars()[k]);
                    }
                    rows.add(List.of(role, co.layer(), co.head(), PaperAMeasures.REDUCED.get(k), co.scalars()[k]));
                    any = true;
                }
                data.add(s.lines(role, PaperA.SYMMETRIZED.equals(role) ? "linear (symmetrized)" : role, data.size()));
            }
            panels.add(Panel.of(Axis.linear(PaperAMeasures.REDUCED.get(k)), data));
        }
        if (!any) {
            return Optional.empty();
        }
        XYChart c = new XYChart("Reduced recursion coefficients of each task variant (result 5)", List.of(),
                Charts.layerAxis(Charts.WEIGHT_LAYER), panels, Legend.FIRST_PANEL);
        return Optional.of(new Figure("variant-coefficients",
                "Reduced-form coefficients alpha = a, beta = c (score) and gamma = a', delta = c' (update) per layer, head 0, "
                        + "of the linear task and of the label-noise, semi-supervised and prototype variants "
                        + "(coupled-mean-shift-coefficients.csv; the CSV holds every head).",
                c, 800, 900, List.of("run", "layer", "head", "coefficient", "value"), rows));
    }
}
