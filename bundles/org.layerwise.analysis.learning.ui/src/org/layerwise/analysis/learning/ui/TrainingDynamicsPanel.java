package org.layerwise.analysis.learning.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Scale;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.core.Tensor;
import org.layerwise.io.Csv;
import org.layerwise.io.Npz;
import org.layerwise.runner.RunDirectory;
import org.layerwise.ui.charts.ChartExportMenu;
import org.layerwise.ui.charts.LineChart;
import org.layerwise.ui.charts.Palette;
import org.layerwise.ui.charts.Series;
import org.layerwise.ui.results.Focus;
import org.layerwise.ui.results.FocusLinks;
import org.layerwise.ui.results.RunPanel;

/**
 * Training Dynamics of a run that kept a checkpoint series (docs/checkpoint-series.md): (a) the
 * training loss against step (training.npz) with the learning-dynamics analyzer's closed-form loss
 * at the checkpoints dashed; (b) per mode a(t) / a_inf, simulated solid and closed form dashed in
 * the mode's colour; (c) the conserved quantity c = p^2 - q^2 per mode; (d) the spectral-dynamics
 * measures (effective rank, marginalised effective rank, subspace distance to the final) of one
 * matrix, layer and head. Every x axis is the step t (the model after t optimizer steps, as the
 * checkpoints are numbered) on a log scale, so step 0 is not drawn: training.npz's loss[t] is the
 * batch loss on the model after t steps. A step cursor (the slider, or a click in any chart) snaps
 * to the nearest checkpoint, is drawn as a marker line in every chart and is {@link Focus}'s step.
 * A part whose analyzer output the run lacks says so in its place.
 */
public final class TrainingDynamicsPanel extends RunPanel {

    /** The analyzers this view reads; their output names come from their plugin.xml via the registry. */
    public static final String LEARNING = "learning-dynamics";
    public static final String SPECTRAL = "spectral-dynamics";

    private static final String X_TITLE = "step (log scale; step 0 not drawn)";

    private final Scale cursor;
    private final Label cursorLabel;
    private final Label lossNote;
    private final Label modesNote;
    private final Label conservedNote;
    private final Label spectralNote;
    private final LineChart lossChart;
    private final LineChart modesChart;
    private final LineChart conservedChart;
    private final LineChart spectralChart;
    private final Composite choice;
    private final Combo matrix;
    private final Combo layer;
    private final Combo head;
    private int[] steps = new int[0];
    private Csv.Table spectral;

    public TrainingDynamicsPanel(Composite parent) {
        super(parent);
        setLayout(new GridLayout(2, true));
        placeHeading(2);

        Composite bar = new Composite(this, SWT.NONE);
        bar.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false, 2, 1));
        bar.setLayout(new GridLayout(3, false));
        new Label(bar, SWT.NONE).setText("Step");
        cursor = new Scale(bar, SWT.HORIZONTAL);
        cursor.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        cursor.setMinimum(0);
        cursor.setMaximum(1);
        cursor.setIncrement(1);
        cursor.setPageIncrement(1);
        cursor.setEnabled(false);
        cursorLabel = new Label(bar, SWT.NONE);
        cursorLabel.setLayoutData(new GridData(SWT.LEFT, SWT.CENTER, false, false));
        cursorLabel.setText("no checkpoint series");
        cursor.addListener(SWT.Selection, e -> {
            if (steps.length > 0) {
                Focus.step(steps[Math.min(cursor.getSelection(), steps.length - 1)], this);
                follow(Focus.get().step());
            }
        });

        Composite a = cell();
        lossNote = note(a);
        lossChart = chart(a, "Training loss", "loss");
        Composite b = cell();
        modesNote = note(b);
        modesChart = chart(b, "Modes: a(t) / a_inf", "a / a_inf");
        Composite c = cell();
        conservedNote = note(c);
        conservedChart = chart(c, "Conserved quantity c = p^2 - q^2", "c");
        Composite d = cell();
        choice = new Composite(d, SWT.NONE);
        choice.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        choice.setLayout(new GridLayout(6, false));
        matrix = combo(choice, "Matrix");
        layer = combo(choice, "Layer (block)");
        head = combo(choice, "Head");
        spectralNote = note(d);
        spectralChart = chart(d, "Spectral dynamics", "value");

        FocusLinks.follow(this, (state, source) -> {
            if (source != this && !isDisposed()) {
                follow(state.step());
                followHead(state);
            }
        });
        setMarkers(Double.NaN);
    }

    private Composite cell() {
        Composite cell = new Composite(this, SWT.NONE);
        cell.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        GridLayout l = new GridLayout(1, false);
        l.marginWidth = 0;
        l.marginHeight = 0;
        cell.setLayout(l);
        return cell;
    }

    private static Label note(Composite parent) {
        Label l = new Label(parent, SWT.WRAP);
        l.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        return l;
    }

    private LineChart chart(Composite parent, String title, String yTitle) {
        LineChart chart = new LineChart(parent, title, X_TITLE, yTitle);
        chart.control().setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        ChartExportMenu.attach(chart);
        chart.addClickListener(x -> {
            int s = nearestStep(x);
            if (s >= 0) {
                Focus.step(s, this);
                follow(s);
            }
        });
        return chart;
    }

    private Combo combo(Composite parent, String label) {
        new Label(parent, SWT.NONE).setText(label);
        Combo c = new Combo(parent, SWT.READ_ONLY);
        c.addListener(SWT.Selection, e -> {
            plotSpectral();
            if (c == head || c == layer) {
                Focus.State f = Focus.get();
                Focus.set(new Focus.State(selected(layer, f.layer()), f.prompt(), selected(head, f.head()), f.step()), this);
            }
        });
        return c;
    }

    private static int selected(Combo c, int otherwise) {
        return c.getSelectionIndex() < 0 ? otherwise : Integer.parseInt(c.getItem(c.getSelectionIndex()));
    }

    public LineChart lossChart() {
        return lossChart;
    }

    public LineChart modesChart() {
        return modesChart;
    }

    public LineChart conservedChart() {
        return conservedChart;
    }

    public LineChart spectralChart() {
        return spectralChart;
    }

    public Scale cursor() {
        return cursor;
    }

    public Combo matrixCombo() {
        return matrix;
    }

    public Combo layerCombo() {
        return layer;
    }

    public Combo headCombo() {
        return head;
    }

    /** The checkpoint steps the cursor moves over. */
    public int[] steps() {
        return steps.clone();
    }

    /** The notes above the four charts (empty when the chart shows its data without remark). */
    public List<String> notes() {
        return List.of(lossNote.getText(), modesNote.getText(), conservedNote.getText(), spectralNote.getText());
    }

    public String cursorText() {
        return cursorLabel.getText();
    }

    /** Where one analyzer's outputs are: the names its plugin.xml declares, else its id. */
    record Outputs(String table, String modesTable, String tensors) {

        static Outputs of(String id, ContributionRegistry registry) {
            ContributionDescriptor d = registry.find(Role.ANALYZER, id);
            String table = id;
            String modes = id + "-modes";
            String tensors = id;
            if (d != null) {
                List<String> tables = d.outputs().stream().filter(o -> "table".equals(o.kind())).map(ContributionDescriptor.Output::name)
                        .distinct().toList();
                // the table named as the tensors is the per-checkpoint one; another is the per-mode one
                tensors = d.outputs().stream().filter(o -> "tensors".equals(o.kind())).map(ContributionDescriptor.Output::name)
                        .findFirst().orElse(id);
                String perStep = tensors;
                table = tables.contains(perStep) ? perStep : tables.isEmpty() ? id : tables.get(0);
                String t = table;
                modes = tables.stream().filter(n -> !n.equals(t)).findFirst().orElse(modes);
            }
            return new Outputs(table, modes, tensors);
        }
    }

    @Override
    protected void show(RunDirectory run) throws IOException {
        ContributionRegistry registry = ContributionRegistry.load();
        Outputs learning = Outputs.of(LEARNING, registry);
        Outputs spectralOut = Outputs.of(SPECTRAL, registry);
        Csv.Table perStep = run.table(learning.table());
        Csv.Table modes = run.table(learning.modesTable());
        Path npz = run.path().resolve(learning.tensors() + ".npz");
        Map<String, Tensor> tensors = Files.isRegularFile(npz) ? Npz.read(npz, n -> n.equals("steps") || n.equals("loss_closed"))
                : Map.of();
        spectral = run.table(spectralOut.table());

        steps = checkpointSteps(run, perStep);
        cursor.setEnabled(steps.length > 0);
        cursor.setMaximum(Math.max(1, steps.length - 1));

        showLoss(run, tensors, learning);
        showModes(perStep, modes, learning);
        fillSpectralChoices(spectralOut);
        present(choice, spectral != null);
        plotSpectral();
        if (steps.length == 0) {
            cursorLabel.setText("no checkpoint series in this run (backend setting checkpoints)");
            setMarkers(Double.NaN);
        } else {
            follow(Focus.get().step());
        }
        layout(true, true);
    }

    /** run.json's checkpoint series, else the steps of the per-checkpoint table. */
    private static int[] checkpointSteps(RunDirectory run, Csv.Table perStep) {
        Set<Integer> out = new TreeSet<>();
        if (run.run().get("checkpoints") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && m.get("step") instanceof Number n) {
                    out.add(n.intValue());
                }
            }
        }
        if (out.isEmpty() && perStep != null) {
            for (String s : perStep.column("step")) {
                out.add((int) Csv.parseDouble(s));
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private void showLoss(RunDirectory run, Map<String, Tensor> tensors, Outputs learning) throws IOException {
        List<Series> series = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        double[] loss = run.training().getOrDefault("loss", new double[0]);
        if (loss.length == 0) {
            notes.add("No training loss in this run (training.npz is missing: the model was loaded, or training did not finish).");
        } else {
            double[] x = new double[loss.length - 1];
            double[] y = new double[loss.length - 1];
            for (int t = 1; t < loss.length; t++) {
                x[t - 1] = t;
                y[t - 1] = loss[t];
            }
            series.add(Series.line("loss", "training loss (training.npz)", x, y, Palette.categorical(0)));
        }
        Tensor closed = tensors.get("loss_closed");
        Tensor at = tensors.get("steps");
        if (closed == null || at == null) {
            notes.add("No closed-form loss: this run has no " + learning.tensors() + ".npz (" + LEARNING + " analyzer).");
        } else {
            double[] s = at.toDoubles();
            double[] l = closed.toDoubles();
            List<double[]> points = new ArrayList<>();
            for (int i = 0; i < s.length; i++) {
                if (s[i] > 0) {
                    points.add(new double[] {s[i], l[i]});
                }
            }
            series.add(Series.line("loss_closed", "closed form at the checkpoints (" + learning.tensors() + ".npz)",
                    points.stream().mapToDouble(p -> p[0]).toArray(), points.stream().mapToDouble(p -> p[1]).toArray(),
                    Palette.categorical(1)).asDashed());
        }
        lossNote.setText(String.join(" ", notes));
        lossChart.setTitles(series.isEmpty() ? "Training loss: no training loss in this run" : "Training loss", X_TITLE, "loss");
        show(lossChart, series);
    }

    private void showModes(Csv.Table perStep, Csv.Table modes, Outputs learning) {
        if (perStep == null || modes == null) {
            String missing = "No learning-dynamics output in this run (" + (perStep == null ? learning.table() + ".csv" : learning.modesTable()
                    + ".csv") + " is missing): add the " + LEARNING + " analyzer and a checkpoint series (backend setting checkpoints).";
            modesNote.setText(missing);
            conservedNote.setText(missing);
            modesChart.setTitles("Modes: no learning-dynamics output in this run", X_TITLE, "a / a_inf");
            conservedChart.setTitles("Conserved quantity: no learning-dynamics output in this run", X_TITLE, "c");
            show(modesChart, List.of());
            show(conservedChart, List.of());
            return;
        }
        Map<String, Double> aInf = new LinkedHashMap<>();
        for (int r = 0; r < modes.size(); r++) {
            aInf.put(modes.get(r, "mode"), Csv.parseDouble(modes.get(r, "a_inf")));
        }
        Map<String, List<double[]>> byMode = new TreeMap<>((p, q) -> Double.compare(Csv.parseDouble(p), Csv.parseDouble(q)));
        for (int r = 0; r < perStep.size(); r++) {
            double step = Csv.parseDouble(perStep.get(r, "step"));
            if (step > 0) {
                byMode.computeIfAbsent(perStep.get(r, "mode"), k -> new ArrayList<>()).add(new double[] {step,
                    Csv.parseDouble(perStep.get(r, "a_simulated")), Csv.parseDouble(perStep.get(r, "a_closed")),
                    Csv.parseDouble(perStep.get(r, "c")), Csv.parseDouble(perStep.get(r, "s"))});
            }
        }
        List<Series> a = new ArrayList<>();
        List<Series> c = new ArrayList<>();
        int colour = 0;
        for (Map.Entry<String, List<double[]>> e : byMode.entrySet()) {
            String mode = e.getKey();
            List<double[]> rows = e.getValue();
            rows.sort((p, q) -> Double.compare(p[0], q[0]));
            double inf = aInf.getOrDefault(mode, Double.NaN);
            double[] x = rows.stream().mapToDouble(p -> p[0]).toArray();
            String name = String.format(Locale.ROOT, "mode %s (s = %s)", mode, Csv.formatDouble(rows.get(0)[4]));
            a.add(Series.line("mode" + mode + "_simulated", name + " simulated", x, rows.stream().mapToDouble(p -> p[1] / inf).toArray(),
                    Palette.categorical(colour)));
            a.add(Series.line("mode" + mode + "_closed", name + " closed form", x, rows.stream().mapToDouble(p -> p[2] / inf).toArray(),
                    Palette.categorical(colour)).asDashed());
            c.add(Series.line("mode" + mode + "_c", name, x, rows.stream().mapToDouble(p -> p[3]).toArray(), Palette.categorical(colour)));
            colour++;
        }
        modesNote.setText(aInf.values().stream().anyMatch(v -> !Double.isFinite(v) || v == 0)
                ? "Some modes have no finite, nonzero a_inf in " + learning.modesTable() + ".csv: their curves are not drawn." : "");
        conservedNote.setText("");
        modesChart.setTitles("Modes: a(t) / a_inf (simulated solid, closed form dashed)", X_TITLE, "a / a_inf");
        conservedChart.setTitles("Conserved quantity c = p^2 - q^2 per mode", X_TITLE, "c");
        show(modesChart, a);
        show(conservedChart, c);
    }

    private void fillSpectralChoices(Outputs out) {
        matrix.removeAll();
        layer.removeAll();
        head.removeAll();
        if (spectral == null || spectral.size() == 0) {
            spectralNote.setText(spectral == null
                    ? "No spectral-dynamics output in this run (" + out.table() + ".csv is missing): add the " + SPECTRAL
                            + " analyzer and a checkpoint series."
                    : "The " + SPECTRAL + " analyzer measured nothing: the run kept no checkpoint series.");
            spectral = null;
            return;
        }
        spectralNote.setText("");
        Set<String> matrices = new LinkedHashSet<>();
        Set<Integer> layers = new TreeSet<>();
        Set<Integer> heads = new TreeSet<>();
        for (int r = 0; r < spectral.size(); r++) {
            int h = Integer.parseInt(spectral.get(r, "head"));
            // the choice is per block and head: a transformer's W_E, W_U (layer and head -1), W_in and W_out (head -1) are left out
            if (h >= 0) {
                matrices.add(spectral.get(r, "matrix"));
                layers.add(Integer.parseInt(spectral.get(r, "layer")));
                heads.add(h);
            }
        }
        matrices.forEach(matrix::add);
        layers.forEach(l -> layer.add(Integer.toString(l)));
        heads.forEach(h -> head.add(Integer.toString(h)));
        matrix.select(0);
        followHead(Focus.get());
        if (layer.getSelectionIndex() < 0) {
            layer.select(0);
        }
        if (head.getSelectionIndex() < 0) {
            head.select(0);
        }
    }

    /** Selects the focused layer (block) and head when the spectral table has them. */
    private void followHead(Focus.State f) {
        boolean changed = false;
        for (Object[] pair : new Object[][] {{layer, f.layer()}, {head, f.head()}}) {
            Combo c = (Combo) pair[0];
            int i = Arrays.asList(c.getItems()).indexOf(Integer.toString((Integer) pair[1]));
            if (i >= 0 && i != c.getSelectionIndex()) {
                c.select(i);
                changed = true;
            }
        }
        if (changed && spectral != null && matrix.getSelectionIndex() >= 0) {
            plotSpectral();
        }
    }

    private void plotSpectral() {
        if (spectral == null || matrix.getSelectionIndex() < 0 || layer.getSelectionIndex() < 0 || head.getSelectionIndex() < 0) {
            spectralChart.setTitles("Spectral dynamics: no spectral-dynamics output in this run", X_TITLE, "value");
            show(spectralChart, List.of());
            return;
        }
        String m = matrix.getItem(matrix.getSelectionIndex());
        String l = layer.getItem(layer.getSelectionIndex());
        String h = head.getItem(head.getSelectionIndex());
        List<double[]> rows = new ArrayList<>();
        for (int r = 0; r < spectral.size(); r++) {
            double step = Csv.parseDouble(spectral.get(r, "step"));
            if (step > 0 && spectral.get(r, "matrix").equals(m) && spectral.get(r, "layer").equals(l) && spectral.get(r, "head").equals(h)) {
                rows.add(new double[] {step, Csv.parseDouble(spectral.get(r, "effective_rank")),
                    Csv.parseDouble(spectral.get(r, "marginal_effective_rank")), Csv.parseDouble(spectral.get(r, "subspace_distance"))});
            }
        }
        rows.sort((p, q) -> Double.compare(p[0], q[0]));
        double[] x = rows.stream().mapToDouble(p -> p[0]).toArray();
        List<Series> series = List.of(
                Series.line("effective_rank", "effective rank", x, rows.stream().mapToDouble(p -> p[1]).toArray(), Palette.categorical(0)),
                Series.line("marginal_effective_rank", "marginalised effective rank", x, rows.stream().mapToDouble(p -> p[2]).toArray(),
                        Palette.categorical(0)).asDashed(),
                Series.line("subspace_distance", "subspace distance to the final", x, rows.stream().mapToDouble(p -> p[3]).toArray(),
                        Palette.categorical(3)));
        spectralChart.setTitles("Spectral dynamics: " + m + ", block " + l + ", head " + h, X_TITLE, "rank / distance");
        show(spectralChart, series);
    }

    /**
     * Shows the series with a log x axis (every x is positive); with nothing to show the chart is
     * hidden and the note above it says why.
     */
    private void show(LineChart chart, List<Series> series) {
        var axis = chart.control().getAxisSet().getXAxis(0);
        axis.enableLogScale(false);
        chart.show(series);
        boolean any = series.stream().anyMatch(s -> Arrays.stream(s.x()).anyMatch(Double::isFinite));
        if (any) {
            axis.enableLogScale(true);
            chart.control().getAxisSet().adjustRange();
            chart.control().redraw();
        }
        present(chart.control(), any);
        for (Label note : List.of(lossNote, modesNote, conservedNote, spectralNote)) {
            if (note != null) {
                present(note, !note.getText().isEmpty());
            }
        }
    }

    private static void present(org.eclipse.swt.widgets.Control control, boolean shown) {
        ((GridData) control.getLayoutData()).exclude = !shown;
        control.setVisible(shown);
    }

    /** The checkpoint step nearest to x on the log axis (-1: no series). */
    private int nearestStep(double x) {
        if (steps.length == 0 || !Double.isFinite(x)) {
            return -1;
        }
        double lx = Math.log(Math.max(x, 1e-12));
        int best = steps[0];
        double dist = Double.POSITIVE_INFINITY;
        for (int s : steps) {
            double d = s <= 0 ? Math.abs(lx - Math.log(0.5)) : Math.abs(lx - Math.log(s));
            if (d < dist) {
                dist = d;
                best = s;
            }
        }
        return best;
    }

    /** Moves the cursor to the checkpoint nearest to step (the first at or after it, else the last). */
    private void follow(int step) {
        if (steps.length == 0) {
            return;
        }
        int i = Arrays.binarySearch(steps, step);
        if (i < 0) {
            i = Math.min(-i - 1, steps.length - 1);
        }
        cursor.setSelection(i);
        int s = steps[i];
        cursorLabel.setText(String.format(Locale.ROOT, "step %d (checkpoint %d of %d)%s", s, i + 1, steps.length,
                s == 0 ? ": step 0 lies off the log axes" : ""));
        cursorLabel.getParent().layout();
        setMarkers(s);
    }

    private void setMarkers(double x) {
        for (LineChart c : List.of(lossChart, modesChart, conservedChart, spectralChart)) {
            c.setMarker(x);
        }
    }
}
