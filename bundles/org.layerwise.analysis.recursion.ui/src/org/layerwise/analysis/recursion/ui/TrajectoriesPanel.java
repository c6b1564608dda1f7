package org.layerwise.analysis.recursion.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Scale;
import org.eclipse.swt.widgets.Spinner;
import org.layerwise.core.ActivationCache;
import org.layerwise.core.Tensor;
import org.layerwise.core.stats.PrincipalAxes;
import org.layerwise.io.Npz;
import org.layerwise.runner.RunDirectory;
import org.layerwise.ui.charts.ChartExportMenu;
import org.layerwise.ui.charts.LineChart;
import org.layerwise.ui.charts.Palette;
import org.layerwise.ui.charts.Series;
import org.layerwise.ui.charts.Series.Marker;
import org.layerwise.ui.charts.Series.Shape;
import org.layerwise.ui.results.Focus;
import org.layerwise.ui.results.RunPanel;

/**
 * Trajectories: one evaluation prompt's tokens layer by layer (docs/mathematics.md section 6: the same
 * mean-shift moves the training points and the test probe). Context tokens are coloured by
 * the label they carry (grey: unlabeled), the probe is black; the probe's path over all layers
 * is drawn faintly. The recursion's states (coupled-mean-shift.npz, full or reduced) are
 * overlaid as crosses in the same colours.
 * <p>
 * Projection: one 2-D PCA basis per prompt (and per choice of coordinates: the whole token,
 * its feature block x or its label block y), fitted on that prompt's network token states
 * pooled over all layers 0..L, centred on their mean; the axes stay fixed across layers so
 * that motion from layer to layer is motion in the picture. The recursion is projected with
 * the same basis. Layer t is the state after t blocks (0 = eval.npz Z, t = blocks.{t-1}).
 */
public final class TrajectoriesPanel extends RunPanel {

    /** What the panel reads of eval.npz besides the hidden states. */
    private static final Set<String> EXTRAS = Set.of("Z", "labels", "context_labels", "logits");

    /** The coordinates a projection is fitted on. */
    public enum Coordinates {
        TOKEN("whole token"), FEATURES("feature block x"), LABELS("label block y");

        public final String label;

        Coordinates(String label) {
            this.label = label;
        }
    }

    public static final String NO_RECURSION = "none";
    private static final RGB UNLABELED = new RGB(150, 150, 150);
    private static final RGB PROBE = new RGB(0, 0, 0);
    private static final RGB PATH = new RGB(190, 190, 190);

    private final Spinner prompt;
    private final Label promptInfo;
    private final Scale layer;
    private final Label layerInfo;
    private final Combo recursion;
    private final Combo coordinates;
    private final Label note;
    private final LineChart chart;
    private final Focus.Listener focusListener = this::focusChanged;

    /** What the run holds, read once per run: states[t] is layer t ([P, N+1, D]). */
    private Tensor[] states;
    private Map<String, Tensor[]> recursionStates = Map.of();
    private long[] contextLabels;
    private long[] queryLabels;
    private int prompts;
    private int tokens;
    private int dim;
    private int classes;
    private PrincipalAxes projection;

    public TrajectoriesPanel(Composite parent) {
        super(parent);
        setLayout(new GridLayout(1, false));
        placeHeading(1);
        Composite controls = new Composite(this, SWT.NONE);
        controls.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        controls.setLayout(new GridLayout(6, false));
        new Label(controls, SWT.NONE).setText("Prompt");
        prompt = new Spinner(controls, SWT.BORDER);
        prompt.setMinimum(0);
        prompt.setMaximum(0);
        promptInfo = new Label(controls, SWT.NONE);
        promptInfo.setLayoutData(new GridData(SWT.LEFT, SWT.CENTER, false, false));
        spaced(new Label(controls, SWT.NONE), "Layer");
        layer = new Scale(controls, SWT.HORIZONTAL);
        layer.setMinimum(0);
        layer.setMaximum(1);
        layer.setPageIncrement(1);
        layer.setIncrement(1);
        GridData scaleData = new GridData(SWT.LEFT, SWT.CENTER, false, false);
        scaleData.widthHint = 180;
        layer.setLayoutData(scaleData);
        layerInfo = new Label(controls, SWT.NONE);
        layerInfo.setText("layer 00 of 00 (after 00 blocks)");
        GridData infoData = new GridData(SWT.LEFT, SWT.CENTER, false, false);
        infoData.widthHint = layerInfo.computeSize(SWT.DEFAULT, SWT.DEFAULT).x;
        layerInfo.setLayoutData(infoData);
        layerInfo.setText("");
        // A second row, so that nothing is cut off in a view 1,000 pixels wide.
        Composite options = new Composite(controls, SWT.NONE);
        options.setLayoutData(new GridData(SWT.LEFT, SWT.CENTER, false, false, 6, 1));
        GridLayout optionsLayout = new GridLayout(4, false);
        optionsLayout.marginWidth = 0;
        optionsLayout.marginHeight = 0;
        options.setLayout(optionsLayout);
        new Label(options, SWT.NONE).setText("Recursion");
        recursion = new Combo(options, SWT.READ_ONLY);
        spaced(new Label(options, SWT.NONE), "PCA of");
        coordinates = new Combo(options, SWT.READ_ONLY);
        for (Coordinates c : Coordinates.values()) {
            coordinates.add(c.label);
        }
        coordinates.select(0);
        note = new Label(this, SWT.WRAP);
        note.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        chart = new LineChart(this, "Trajectories", "PC1", "PC2");
        chart.control().setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        chart.control().getLegend().setPosition(SWT.RIGHT); // height is what a run view lacks
        ChartExportMenu.attach(chart);

        prompt.addListener(SWT.Selection, e -> {
            Focus.prompt(prompt.getSelection(), this);
            refit();
        });
        layer.addListener(SWT.Selection, e -> {
            Focus.layer(layer.getSelection(), this);
            plot();
        });
        recursion.addListener(SWT.Selection, e -> refit());
        coordinates.addListener(SWT.Selection, e -> refit());
        Focus.add(focusListener);
        addDisposeListener(e -> Focus.remove(focusListener));
    }

    private static void spaced(Label label, String text) {
        label.setText(text);
        GridData d = new GridData(SWT.LEFT, SWT.CENTER, false, false);
        d.horizontalIndent = 14;
        label.setLayoutData(d);
    }

    public LineChart chart() {
        return chart;
    }

    public Spinner promptSpinner() {
        return prompt;
    }

    public Scale layerScale() {
        return layer;
    }

    public Combo recursionCombo() {
        return recursion;
    }

    public Combo coordinatesCombo() {
        return coordinates;
    }

    /** Why the recursion is or is not shown, as the view says it. */
    public String note() {
        return note.getText();
    }

    /** The basis the current picture uses (null before a run is shown). */
    public PrincipalAxes projection() {
        return projection;
    }

    /** The coordinates (first, end) of the token vector the projection uses. */
    public int[] coordinateRange() {
        int d = dim - classes;
        return switch (Coordinates.values()[Math.max(0, coordinates.getSelectionIndex())]) {
            case TOKEN -> new int[] {0, dim};
            case FEATURES -> new int[] {0, d};
            case LABELS -> new int[] {d, dim};
        };
    }

    @Override
    protected void show(RunDirectory run) throws IOException {
        states = null;
        projection = null;
        recursionStates = Map.of();
        Path evalFile = run.path().resolve("eval.npz");
        if (!Files.isRegularFile(evalFile)) {
            note.setText("This run wrote no eval.npz: no hidden states to show.");
            chart.autoRange();
            chart.show(List.of());
            return;
        }
        // the hidden states and the labels, not the attention patterns
        Map<String, Tensor> eval = Npz.read(evalFile, k -> k.endsWith(".hook_resid_post") || EXTRAS.contains(k));
        Tensor z = eval.get("Z");
        prompts = (int) z.dim(0);
        tokens = (int) z.dim(1);
        dim = (int) z.dim(2);
        List<Tensor> layers = new ArrayList<>();
        layers.add(z);
        for (int l = 0; eval.containsKey(ActivationCache.residPost(l)); l++) {
            layers.add(eval.get(ActivationCache.residPost(l)));
        }
        states = layers.toArray(Tensor[]::new);
        contextLabels = eval.containsKey("context_labels") ? eval.get("context_labels").toLongs() : null;
        queryLabels = eval.containsKey("labels") ? eval.get("labels").toLongs() : null;
        classes = classes(run, eval);

        Path recursionFile = run.path().resolve("coupled-mean-shift.npz");
        Map<String, Tensor[]> forms = new java.util.LinkedHashMap<>();
        if (Files.isRegularFile(recursionFile)) {
            Map<String, Tensor> npz = Npz.read(recursionFile);
            for (String form : List.of("full", "reduced")) {
                Tensor[] s = new Tensor[states.length];
                s[0] = z;
                boolean complete = true;
                for (int t = 1; t < states.length; t++) {
                    s[t] = npz.get(form + "." + ActivationCache.residPost(t - 1));
                    complete &= s[t] != null;
                }
                if (complete) {
                    forms.put(form, s);
                }
            }
        }
        recursionStates = forms;
        recursion.removeAll();
        forms.keySet().forEach(recursion::add);
        recursion.add(NO_RECURSION);
        recursion.select(0);
        recursion.setEnabled(!forms.isEmpty());
        if (forms.isEmpty()) {
            boolean ran = !run.scalars("coupled-mean-shift").isEmpty();
            note.setText(ran
                    ? "Network only: coupled-mean-shift ran without writing its states (setting trajectories = false), so there is no coupled-mean-shift.npz to overlay."
                    : "Network only: this run has no coupled-mean-shift.npz (the coupled-mean-shift analyzer was not part of the pipeline), so there is no recursion to overlay.");
        } else {
            note.setText("Dots: the network's tokens (colour = the label a context token carries, grey = unlabeled; black square = the probe). "
                    + "Crosses: the selected recursion (coupled-mean-shift.npz) started from the same prompt, projected on the same axes.");
        }
        prompt.setMaximum(prompts - 1);
        prompt.setSelection(Math.min(Focus.get().prompt(), prompts - 1));
        layer.setMaximum(states.length - 1);
        layer.setSelection(Math.min(Focus.get().layer(), states.length - 1));
        refit();
    }

    /** C from config.json's d_y, else from the labels seen. */
    private static int classes(RunDirectory run, Map<String, Tensor> eval) {
        try {
            Path config = run.path().resolve("config.json");
            if (Files.isRegularFile(config) && org.layerwise.io.Json.readMap(config).get("d_y") instanceof Number n) {
                return n.intValue();
            }
        } catch (IOException e) {
            // fall through to the logits' width
        }
        return eval.containsKey("logits") ? (int) eval.get("logits").dim(1) : 0;
    }

    private void focusChanged(Focus.State state, Object source) {
        if (source == this || isDisposed() || states == null) {
            return;
        }
        int p = Math.min(state.prompt(), prompts - 1);
        int t = Math.min(state.layer(), states.length - 1);
        boolean newPrompt = p != prompt.getSelection();
        prompt.setSelection(p);
        layer.setSelection(t);
        if (newPrompt) {
            refit();
        } else {
            plot();
        }
    }

    /** The token's coordinates in the chosen range at one layer of one source. */
    private double[] token(Tensor t, int p, int i) {
        int[] r = coordinateRange();
        return t.doubles((p * tokens + i) * dim + r[0], r[1] - r[0]);
    }

    /** The network's states of one prompt at layer t, projected: [token][2]. */
    public double[][] projected(int p, int t) {
        return project(states[t], p);
    }

    /** A recursion's states of one prompt at layer t, projected: [token][2]; null when the run has no such form. */
    public double[][] projectedRecursion(String form, int p, int t) {
        Tensor[] s = recursionStates.get(form);
        return s == null ? null : project(s[t], p);
    }

    private double[][] project(Tensor t, int p) {
        double[][] out = new double[tokens][];
        for (int i = 0; i < tokens; i++) {
            out[i] = projection.apply(token(t, p, i));
        }
        return out;
    }

    /** A new basis for the prompt and coordinates, and the frame that holds every layer. */
    private void refit() {
        if (states == null) {
            return;
        }
        int[] range = coordinateRange();
        if (range[1] - range[0] < 2) {
            note.setText("The " + Coordinates.values()[coordinates.getSelectionIndex()].label + " has fewer than 2 coordinates: "
                    + "projecting the whole token instead.");
            coordinates.select(Coordinates.TOKEN.ordinal());
        }
        int p = prompt.getSelection();
        List<double[]> pooled = new ArrayList<>();
        for (Tensor t : states) {
            for (int i = 0; i < tokens; i++) {
                pooled.add(token(t, p, i));
            }
        }
        projection = PrincipalAxes.fit(pooled.toArray(double[][]::new));
        double[] lo = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY};
        double[] hi = {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY};
        List<Tensor[]> sources = new ArrayList<>();
        sources.add(states);
        Tensor[] rec = recursionStates.get(selectedForm());
        if (rec != null) {
            sources.add(rec);
        }
        for (Tensor[] source : sources) {
            for (Tensor t : source) {
                for (double[] q : project(t, p)) {
                    for (int a = 0; a < 2; a++) {
                        if (Double.isFinite(q[a])) {
                            lo[a] = Math.min(lo[a], q[a]);
                            hi[a] = Math.max(hi[a], q[a]);
                        }
                    }
                }
            }
        }
        for (int a = 0; a < 2; a++) {
            double pad = Math.max(0.06 * (hi[a] - lo[a]), 1e-6);
            lo[a] -= pad;
            hi[a] += pad;
        }
        chart.fixRange(lo[0], hi[0], lo[1], hi[1]);
        plot();
    }

    /** The recursion form shown, or "none". */
    public String selectedForm() {
        int i = recursion.getSelectionIndex();
        return i < 0 ? NO_RECURSION : recursion.getItem(i);
    }

    private void plot() {
        if (states == null || projection == null) {
            return;
        }
        int p = prompt.getSelection();
        int t = layer.getSelection();
        int n = tokens - 1;
        int query = queryLabels == null ? -1 : (int) queryLabels[p];
        List<Series> series = new ArrayList<>();

        double[] px = new double[states.length];
        double[] py = new double[states.length];
        for (int s = 0; s < states.length; s++) {
            double[] q = projection.apply(token(states[s], p, n));
            px[s] = q[0];
            py[s] = q[1];
        }
        series.add(Series.line("probe.path", "probe path (layers 0-" + (states.length - 1) + ")", px, py, PATH));
        series.addAll(tokenSeries("network", "", project(states[t], p), p, Shape.CIRCLE, 4, Shape.SQUARE, 6));
        String form = selectedForm();
        Tensor[] rec = recursionStates.get(form);
        if (rec != null) {
            series.addAll(tokenSeries("recursion", ", " + form + " recursion", project(rec[t], p), p, Shape.CROSS, 5, Shape.CROSS, 7));
        }
        // The probe on top of everything.
        series.sort((a, b) -> Boolean.compare(a.id().endsWith(".probe"), b.id().endsWith(".probe")));

        layerInfo.setText(t == 0 ? "layer 0 of " + (states.length - 1) + " (the prompt)"
                : "layer " + t + " of " + (states.length - 1) + " (after " + t + (t == 1 ? " block)" : " blocks)"));
        promptInfo.setText(String.format(Locale.ROOT, "of %d; query class %s, %d context tokens", prompts,
                query < 0 ? "n/a" : Integer.toString(query), n));
        chart.setTitles(String.format(Locale.ROOT, "Prompt %d, layer %d: tokens on the prompt's principal axes (%s)", p, t,
                Coordinates.values()[Math.max(0, coordinates.getSelectionIndex())].label),
                String.format(Locale.ROOT, "PC1 (%.1f%% of variance)", 100 * projection.explained(0)),
                String.format(Locale.ROOT, "PC2 (%.1f%%)", 100 * projection.explained(1)));
        chart.show(series);
        layout(true, true);
    }

    /** One scatter per class present in the prompt's context, one for unlabeled tokens, one for the probe. */
    private List<Series> tokenSeries(String source, String suffix, double[][] points, int p, Shape context, int size, Shape probe,
            int probeSize) {
        int n = tokens - 1;
        TreeSet<Integer> present = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            present.add(label(p, i));
        }
        List<Series> out = new ArrayList<>();
        for (int c : present) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                if (label(p, i) == c) {
                    members.add(i);
                }
            }
            double[] x = members.stream().mapToDouble(i -> points[i][0]).toArray();
            double[] y = members.stream().mapToDouble(i -> points[i][1]).toArray();
            String id = source + (c < 0 ? ".unlabeled" : ".class." + c);
            String label = (c < 0 ? (contextLabels == null ? "context token" : "unlabeled") : "class " + c) + suffix;
            out.add(Series.scatter(id, label, x, y, c < 0 ? UNLABELED : Palette.categorical(c), new Marker(context, size)));
        }
        int query = queryLabels == null ? -1 : (int) queryLabels[p];
        out.add(Series.scatter(source + ".probe", "probe" + (query < 0 ? "" : " (class " + query + ")") + suffix,
                new double[] {points[n][0]}, new double[] {points[n][1]}, PROBE, new Marker(probe, probeSize)));
        return out;
    }

    /** The label context token i of prompt p carries (-1: unlabeled, or no labels at all). */
    private int label(int p, int i) {
        return contextLabels == null ? -1 : (int) contextLabels[p * (tokens - 1) + i];
    }
}
