package org.layerwise.analysis.learning.ui;

import java.io.IOException;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Scale;
import org.eclipse.swtchart.Range;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.io.Csv;
import org.layerwise.io.Npz;
import org.layerwise.io.model.NetworkFileReader;
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
 * at the checkpoints dashed, and, for a run evaluated on a grid of steps (a sequence task with a
 * test split), the loss on the whole training and test splits; (a') beside it the accuracy on both
 * splits; (b) per mode a(t) / a_inf, simulated solid and closed form dashed in the mode's colour;
 * (c) the conserved quantity c = p^2 - q^2 per mode; (d) the spectral-dynamics measures (effective
 * rank, marginalised effective rank, subspace distance to the final) of one matrix, and its block
 * and head where the matrix kind has them; (e) for a transformer on modular arithmetic, the fourier
 * analyzer's top-K share of the embedding and of the logits. Every x axis is the step t (the model
 * after t optimizer steps, as the checkpoints are numbered) on a log scale over one range, so step
 * 0 is not drawn: training.npz's loss[t] is the batch loss on the model after t steps. A step
 * cursor (the slider, or a click in any chart) snaps to the nearest checkpoint, is drawn as a
 * marker line in every chart and is {@link Focus}'s step; the generalization analyzer's
 * memorisation and generalisation steps are labelled marks in every chart. A part whose analyzer
 * output the run lacks says so in its place; a part whose analyzer does not read the run's model
 * family is left out, as is (a') for a run without the grid.
 */
public final class TrainingDynamicsPanel extends RunPanel {

    /** The analyzers this view reads; their output names come from their plugin.xml via the registry. */
    public static final String LEARNING = "learning-dynamics";
    public static final String SPECTRAL = "spectral-dynamics";
    public static final String GENERALIZATION = "generalization";
    public static final String FOURIER = "fourier";

    /** The generalization analyzer's scalars (docs/fourier-generalization.md) that become marks. */
    static final String MEMORISATION_STEP = "memorisation_step";
    static final String GENERALISATION_STEP = "generalisation_step";

    private static final String X_TITLE = "step (log scale; step 0 not drawn)";

    private final Scale cursor;
    private final Label cursorLabel;
    private final Label lossNote;
    private final Label accuracyNote;
    private final Label modesNote;
    private final Label conservedNote;
    private final Label spectralNote;
    private final Label fourierNote;
    private final LineChart lossChart;
    private final LineChart accuracyChart;
    private final LineChart modesChart;
    private final LineChart conservedChart;
    private final LineChart spectralChart;
    private final LineChart fourierChart;
    private final Composite accuracyCell;
    private final Composite modesCell;
    private final Composite conservedCell;
    private final Composite fourierCell;
    private final List<Label> notes;
    private final Composite choice;
    private final Combo matrix;
    private final Combo layer;
    private final Combo head;
    private int[] steps = new int[0];
    /** The steps every chart's x axis spans (smallest positive, largest); null: each fits its data. */
    private double[] stepRange;
    private Csv.Table spectral;
    /** Per matrix kind of the spectral table, its blocks and heads (-1: the kind has none). */
    private final Map<String, Set<Integer>> layersOf = new LinkedHashMap<>();
    private final Map<String, Set<Integer>> headsOf = new LinkedHashMap<>();

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
        accuracyCell = cell();
        accuracyNote = note(accuracyCell);
        accuracyChart = chart(accuracyCell, "Accuracy", "accuracy");
        accuracyChart.setYRange(0, 1);
        modesCell = cell();
        modesNote = note(modesCell);
        modesChart = chart(modesCell, "Modes: a(t) / a_inf", "a / a_inf");
        conservedCell = cell();
        conservedNote = note(conservedCell);
        conservedChart = chart(conservedCell, "Conserved quantity c = p^2 - q^2", "c");
        Composite d = cell();
        choice = new Composite(d, SWT.NONE);
        choice.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        choice.setLayout(new GridLayout(6, false));
        matrix = combo(choice, "Matrix");
        layer = combo(choice, "Layer (block)");
        head = combo(choice, "Head");
        spectralNote = note(d);
        spectralChart = chart(d, "Spectral dynamics", "value");
        fourierCell = cell();
        fourierNote = note(fourierCell);
        fourierChart = chart(fourierCell, "Fourier: top-K share", "share");
        fourierChart.setYRange(0, 1);

        notes = List.of(lossNote, accuracyNote, modesNote, conservedNote, spectralNote, fourierNote);
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
            if (c == matrix) {
                fillBlockAndHead(Focus.get());
            }
            plotSpectral();
            if ((c == head || c == layer) && c.isEnabled()) {
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

    public LineChart accuracyChart() {
        return accuracyChart;
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

    public LineChart fourierChart() {
        return fourierChart;
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

    /**
     * The notes above the charts, in the order loss, accuracy, modes, conserved quantity, spectral,
     * Fourier (empty when the chart shows its data without remark).
     */
    public List<String> notes() {
        return notes.stream().map(Label::getText).toList();
    }

    /** The charts, in the order of {@link #notes()}. */
    public List<LineChart> charts() {
        return List.of(lossChart, accuracyChart, modesChart, conservedChart, spectralChart, fourierChart);
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
        Outputs fourierOut = Outputs.of(FOURIER, registry);
        Csv.Table fourier = run.table(fourierOut.table());
        double[] loss = run.training().getOrDefault("loss", new double[0]);
        Csv.Table perStep = run.table(learning.table());
        Csv.Table modes = run.table(learning.modesTable());
        Path npz = run.path().resolve(learning.tensors() + ".npz");
        Map<String, Tensor> tensors = Files.isRegularFile(npz) ? Npz.read(npz, n -> n.equals("steps") || n.equals("loss_closed"))
                : Map.of();
        spectral = run.table(spectralOut.table());
        Evaluated evaluated = Evaluated.of(run);

        steps = checkpointSteps(run, perStep);
        cursor.setEnabled(steps.length > 0);
        cursor.setMaximum(Math.max(1, steps.length - 1));
        stepRange = stepRange(loss, evaluated, steps, spectral, fourier);

        showLoss(loss, tensors, learning, evaluated);
        present(accuracyCell, evaluated != null);
        if (evaluated != null) {
            showAccuracy(run, evaluated);
        } else {
            leaveOut(accuracyNote, accuracyChart);
        }
        boolean learningApplies = perStep != null || modes != null || readsModelOf(run, registry.find(Role.ANALYZER, LEARNING));
        present(modesCell, learningApplies);
        present(conservedCell, learningApplies);
        if (learningApplies) {
            showModes(perStep, modes, learning);
        } else {
            leaveOut(modesNote, modesChart);
            leaveOut(conservedNote, conservedChart);
        }
        fillSpectralChoices(spectralOut);
        present(choice, spectral != null);
        plotSpectral();
        boolean fourierApplies = fourier != null || readsModelOf(run, registry.find(Role.ANALYZER, FOURIER));
        present(fourierCell, fourierApplies);
        if (fourierApplies) {
            showFourier(run, registry, fourier, fourierOut);
        } else {
            leaveOut(fourierNote, fourierChart);
        }
        List<LineChart.Mark> marks = evaluated == null ? List.of() : marks(run);
        charts().forEach(c -> c.setMarks(marks));
        if (steps.length == 0) {
            cursorLabel.setText("no checkpoint series in this run (backend setting checkpoints)");
            setMarkers(Double.NaN);
        } else {
            follow(Focus.get().step());
        }
        layout(true, true);
    }

    /** The generalization analyzer's memorisation and generalisation steps that lie on the log axis. */
    private static List<LineChart.Mark> marks(RunDirectory run) {
        List<LineChart.Mark> out = new ArrayList<>();
        Map<String, Double> scalars = run.scalars(GENERALIZATION);
        Double m = scalars.get(MEMORISATION_STEP);
        Double g = scalars.get(GENERALISATION_STEP);
        if (m != null && m > 0) {
            out.add(new LineChart.Mark(m, String.format(Locale.ROOT, "memorised (step %.0f)", m), Palette.categorical(0)));
        }
        if (g != null && g > 0) {
            out.add(new LineChart.Mark(g, String.format(Locale.ROOT, "generalised (step %.0f)", g), Palette.categorical(1)));
        }
        return out;
    }

    /** What the accuracy chart says about the marks: why one is missing. */
    private static String stepsNote(RunDirectory run) {
        Map<String, Double> scalars = run.scalars(GENERALIZATION);
        if (scalars.isEmpty()) {
            return "No memorisation or generalisation step: this run has no scalars of the " + GENERALIZATION
                    + " analyzer (metrics.json analyzers." + GENERALIZATION + "); add it to the pipeline to mark them.";
        }
        Object level = analyzerSettings(run, GENERALIZATION).get("level");
        level = level == null ? "its level" : level;
        List<String> out = new ArrayList<>();
        for (String[] s : new String[][] {{MEMORISATION_STEP, "train"}, {GENERALISATION_STEP, "test"}}) {
            double v = scalars.getOrDefault(s[0], Double.NaN);
            if (Double.isNaN(v)) {
                out.add("The " + s[1] + " accuracy never reached " + level + ": no " + s[0] + ".");
            } else if (v == 0) {
                out.add(s[0] + " is 0, off the log axis.");
            }
        }
        return String.join(" ", out);
    }

    /** The settings of an analyzer of the run's pipeline as run.json records them (empty if it has none). */
    private static Map<?, ?> analyzerSettings(RunDirectory run, String id) {
        if (run.run().get("pipeline") instanceof Map<?, ?> p && p.get("stages") instanceof List<?> stages) {
            for (Object o : stages) {
                if (o instanceof Map<?, ?> st && Role.ANALYZER.key.equals(st.get("role")) && id.equals(st.get("id"))
                        && st.get("settings") instanceof Map<?, ?> settings) {
                    return settings;
                }
            }
        }
        return Map.of();
    }

    /** Empties a part that does not apply to the run (its cell is hidden): no note, no data. */
    private void leaveOut(Label note, LineChart chart) {
        note.setText("");
        show(chart, List.of());
    }

    /**
     * Whether an analyzer reads the family of the run's model (config.json); one that is not
     * installed counts as reading it, so that its part says what is missing.
     */
    private static boolean readsModelOf(RunDirectory run, ContributionDescriptor analyzer) {
        String family = NetworkFileReader.describesNetwork(run.path().resolve("config.json")) ? NetworkConfig.TRANSFORMER
                : ContributionDescriptor.ATTENTION_ONLY;
        return analyzer == null || analyzer.reads(family);
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

    /**
     * training.npz's curves evaluated on a grid of steps (docs/file-formats.md, "training.npz"): the
     * grid and, by name, train_loss, train_accuracy, test_loss, test_accuracy as far as present.
     */
    record Evaluated(double[] steps, Map<String, double[]> values) {

        static final List<String> NAMES = List.of("train_loss", "test_loss", "train_accuracy", "test_accuracy");

        /** The run's evaluated curves; null when training.npz has no grid. */
        static Evaluated of(RunDirectory run) throws IOException {
            Map<String, Tensor> npz = run.archive("training").orElse(Map.of());
            Tensor step = npz.get("step");
            if (step == null) {
                return null;
            }
            double[] steps = step.toDoubles();
            Map<String, double[]> values = new LinkedHashMap<>();
            for (String name : NAMES) {
                Tensor t = npz.get(name);
                if (t != null) {
                    double[] v = t.toDoubles();
                    if (v.length != steps.length) {
                        throw new IOException(run.path().resolve("training.npz") + ": '" + name + "' has " + v.length
                                + " values, the grid 'step' " + steps.length);
                    }
                    values.put(name, v);
                }
            }
            return new Evaluated(steps, values);
        }

        /** One curve at the grid's steps after 0 (the log axis), or null when training.npz lacks it. */
        Series series(String name, String label, RGB colour) {
            double[] v = values.get(name);
            if (v == null) {
                return null;
            }
            List<double[]> points = new ArrayList<>();
            for (int j = 0; j < steps.length; j++) {
                if (steps[j] > 0) {
                    points.add(new double[] {steps[j], v[j]});
                }
            }
            return Series.line(name, label, points.stream().mapToDouble(p -> p[0]).toArray(),
                    points.stream().mapToDouble(p -> p[1]).toArray(), colour);
        }

        /** The curves of these names that training.npz has, each with its label and colour. */
        List<Series> series(String[][] nameAndLabel) {
            List<Series> out = new ArrayList<>();
            for (int i = 0; i < nameAndLabel.length; i++) {
                Series s = series(nameAndLabel[i][0], nameAndLabel[i][1], Palette.categorical(i == 0 ? 0 : 1));
                if (s != null) {
                    out.add(s);
                }
            }
            return out;
        }
    }

    /** The smallest positive and the largest step any part draws; null when fewer than two steps are positive. */
    private static double[] stepRange(double[] loss, Evaluated evaluated, int[] checkpoints, Csv.Table... tables) {
        List<Double> all = new ArrayList<>();
        if (loss.length > 1) {
            all.add(1.0);
            all.add(loss.length - 1.0);
        }
        if (evaluated != null) {
            Arrays.stream(evaluated.steps()).forEach(all::add);
        }
        Arrays.stream(checkpoints).forEach(s -> all.add((double) s));
        for (Csv.Table t : tables) {
            if (t != null) {
                t.column("step").forEach(s -> all.add(Csv.parseDouble(s)));
            }
        }
        double[] positive = all.stream().mapToDouble(Double::doubleValue).filter(v -> v > 0 && Double.isFinite(v)).toArray();
        double lo = Arrays.stream(positive).min().orElse(Double.NaN);
        double hi = Arrays.stream(positive).max().orElse(Double.NaN);
        return lo < hi ? new double[] {lo, hi} : null;
    }

    private void showLoss(double[] loss, Map<String, Tensor> tensors, Outputs learning, Evaluated evaluated) {
        List<Series> series = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        if (loss.length == 0) {
            notes.add("No training loss in this run (training.npz is missing: the model was loaded, or training did not finish).");
        } else {
            double[] x = new double[loss.length - 1];
            double[] y = new double[loss.length - 1];
            for (int t = 1; t < loss.length; t++) {
                x[t - 1] = t;
                y[t - 1] = loss[t];
            }
            // beside the whole-split curves the per-step batch loss is the lighter line
            series.add(Series.line("loss", "training loss per step (batch)", x, y,
                    evaluated == null ? Palette.categorical(0) : Palette.tint(Palette.categorical(0), 0.55)));
        }
        if (evaluated != null) {
            series.addAll(evaluated.series(new String[][] {{"train_loss", "train split"}, {"test_loss", "test split"}}));
        }
        Tensor closed = tensors.get("loss_closed");
        Tensor at = tensors.get("steps");
        if (closed == null || at == null) {
            if (evaluated == null) {
                notes.add("No closed-form loss: this run has no " + learning.tensors() + ".npz (" + LEARNING + " analyzer).");
            }
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
        // the loss on the training split falls by orders of magnitude while the test loss waits: log y
        boolean logY = evaluated != null && series.stream().allMatch(TrainingDynamicsPanel::positive);
        lossChart.setTitles(series.isEmpty() ? "Training loss: no training loss in this run"
                : evaluated == null ? "Training loss" : "Loss: batch, train and test splits", X_TITLE, logY ? "loss (log scale)" : "loss");
        show(lossChart, series, logY);
    }

    /** Whether every finite y of a series is positive (a log y axis can show it). */
    private static boolean positive(Series s) {
        return Arrays.stream(s.y()).allMatch(v -> !Double.isFinite(v) || v > 0);
    }

    private void showAccuracy(RunDirectory run, Evaluated evaluated) {
        List<Series> series = evaluated.series(new String[][] {{"train_accuracy", "train split"}, {"test_accuracy", "test split"}});
        List<String> notes = new ArrayList<>();
        if (series.isEmpty()) {
            notes.add("training.npz has a grid of steps but no train_accuracy or test_accuracy.");
        }
        notes.add(stepsNote(run));
        accuracyNote.setText(String.join(" ", notes).trim());
        accuracyChart.setTitles("Accuracy on the train and test splits", X_TITLE, "accuracy");
        show(accuracyChart, series);
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
        layersOf.clear();
        headsOf.clear();
        for (int r = 0; r < spectral.size(); r++) {
            String m = spectral.get(r, "matrix");
            layersOf.computeIfAbsent(m, k -> new TreeSet<>()).add(Integer.parseInt(spectral.get(r, "layer")));
            headsOf.computeIfAbsent(m, k -> new TreeSet<>()).add(Integer.parseInt(spectral.get(r, "head")));
        }
        layersOf.keySet().forEach(matrix::add);
        matrix.select(0);
        fillBlockAndHead(Focus.get());
    }

    /**
     * Offers the blocks and heads the chosen matrix kind has: none for a model-wide kind (W_E, W_U:
     * layer and head -1), blocks only for a block's MLP (W_in, W_out: head -1). The choice made
     * before stays when the kind has it, else Focus's, else the first.
     */
    private void fillBlockAndHead(Focus.State f) {
        String m = matrix.getItem(matrix.getSelectionIndex());
        refill(layer, layersOf.get(m), f.layer());
        refill(head, headsOf.get(m), f.head());
    }

    private static void refill(Combo c, Set<Integer> values, int focused) {
        String before = c.getText();
        List<String> items = values.stream().filter(v -> v >= 0).map(v -> Integer.toString(v)).toList();
        c.setItems(items.toArray(String[]::new));
        c.setEnabled(!items.isEmpty());
        if (!items.isEmpty()) {
            int i = items.indexOf(before);
            c.select(i >= 0 ? i : Math.max(0, items.indexOf(Integer.toString(focused))));
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
        if (spectral == null || matrix.getSelectionIndex() < 0) {
            spectralChart.setTitles("Spectral dynamics: no spectral-dynamics output in this run", X_TITLE, "value");
            show(spectralChart, List.of());
            return;
        }
        String m = matrix.getItem(matrix.getSelectionIndex());
        String l = layer.getSelectionIndex() < 0 ? "-1" : layer.getItem(layer.getSelectionIndex());
        String h = head.getSelectionIndex() < 0 ? "-1" : head.getItem(head.getSelectionIndex());
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
        String where = l.equals("-1") ? " (the whole model)" : ", block " + l + (h.equals("-1") ? " (MLP)" : ", head " + h);
        spectralChart.setTitles("Spectral dynamics: " + m + where, X_TITLE, "rank / distance");
        show(spectralChart, series);
    }

    /**
     * The fourier analyzer's top-K share against step, of W_E and (add, subtract) of the logits
     * (docs/fourier-generalization.md), with an isotropic matrix's 2K/p dashed; K is the setting the
     * run's analyzer used.
     */
    private void showFourier(RunDirectory run, ContributionRegistry registry, Csv.Table fourier, Outputs out) {
        if (fourier == null) {
            fourierNote.setText("No " + FOURIER + " output in this run (" + out.table() + ".csv is missing): add the " + FOURIER
                    + " analyzer and a checkpoint series.");
            fourierChart.setTitles("Fourier: no fourier output in this run", X_TITLE, "share");
            show(fourierChart, List.of());
            return;
        }
        int k = topK(run, registry.find(Role.ANALYZER, FOURIER));
        if (k < 1) {
            fourierNote.setText("The run records no setting k of the " + FOURIER + " analyzer, and no installed " + FOURIER
                    + " analyzer declares one: the top-K share cannot be formed.");
            fourierChart.setTitles("Fourier: K unknown", X_TITLE, "share");
            show(fourierChart, List.of());
            return;
        }
        // per matrix, per step, the shares of the frequencies k >= 1
        Map<String, Map<Double, List<Double>>> shares = new LinkedHashMap<>();
        for (int r = 0; r < fourier.size(); r++) {
            double step = Csv.parseDouble(fourier.get(r, "step"));
            if (step > 0 && Csv.parseDouble(fourier.get(r, "frequency")) >= 1) {
                shares.computeIfAbsent(fourier.get(r, "matrix"), m -> new TreeMap<>()).computeIfAbsent(step, t -> new ArrayList<>())
                        .add(Csv.parseDouble(fourier.get(r, "share")));
            }
        }
        List<Series> series = new ArrayList<>();
        int colour = 2;
        for (Map.Entry<String, Map<Double, List<Double>>> m : shares.entrySet()) {
            double[] x = m.getValue().keySet().stream().mapToDouble(Double::doubleValue).toArray();
            double[] y = m.getValue().values().stream()
                    .mapToDouble(v -> v.stream().sorted(Comparator.reverseOrder()).limit(k).mapToDouble(Double::doubleValue).sum())
                    .toArray();
            String label = m.getKey().equals("W_E") ? "embedding W_E" : m.getKey();
            series.add(Series.line(m.getKey() + "_top_k", label, x, y, Palette.categorical(colour++)));
        }
        double uniform = run.scalar(FOURIER, "uniform_top_k").orElse(Double.NaN);
        if (!series.isEmpty() && Double.isFinite(uniform)) {
            double[] x = {series.get(0).x()[0], series.get(0).x()[series.get(0).x().length - 1]};
            series.add(Series.line("uniform_top_k", "isotropic 2K/p", x, new double[] {uniform, uniform},
                    Palette.categorical(7)).asDashed());
        }
        fourierNote.setText(series.isEmpty() ? "The " + FOURIER + " analyzer measured no model after step 0." : "");
        fourierChart.setTitles("Fourier: share of the top " + k + " frequencies", X_TITLE, "share");
        show(fourierChart, series);
    }

    /** The fourier analyzer's K as the run used it (run.json), else its declared default; -1 when neither is known. */
    private static int topK(RunDirectory run, ContributionDescriptor fourier) {
        Object k = analyzerSettings(run, FOURIER).get("k");
        if (k == null && fourier != null) {
            k = fourier.settings().stream().filter(s -> s.name().equals("k")).map(s -> s.defaultValue()).findFirst().orElse(null);
        }
        return k == null ? -1 : (int) Csv.parseDouble(String.valueOf(k));
    }

    /**
     * Shows the series with a log x axis (every x is positive); with nothing to show the chart is
     * hidden and the note above it says why.
     */
    private void show(LineChart chart, List<Series> series) {
        show(chart, series, false);
    }

    /** As {@link #show(LineChart, List)}, the y axis on a log scale too when logY. */
    private void show(LineChart chart, List<Series> series, boolean logY) {
        var axis = chart.control().getAxisSet().getXAxis(0);
        var yAxis = chart.control().getAxisSet().getYAxis(0);
        axis.enableLogScale(false);
        yAxis.enableLogScale(false);
        chart.show(series);
        boolean any = series.stream().anyMatch(s -> Arrays.stream(s.x()).anyMatch(Double::isFinite));
        if (any) {
            axis.enableLogScale(true);
            yAxis.enableLogScale(logY);
            // a log axis's default labels spell out every decimal (0.0000002): mantissa and exponent instead
            yAxis.getTick().setFormat(logY ? new DecimalFormat("0.#E0", DecimalFormatSymbols.getInstance(Locale.ROOT)) : null);
            chart.control().getAxisSet().adjustRange();
            if (chart.yRange() != null) {
                yAxis.setRange(new Range(chart.yRange()[0], chart.yRange()[1]));
            }
            if (stepRange != null) {
                axis.setRange(new Range(stepRange[0] * 0.9, stepRange[1] * 1.1));
            }
            chart.control().redraw();
        }
        present(chart.control(), any);
        for (Label note : notes) {
            present(note, !note.getText().isEmpty());
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
        for (LineChart c : charts()) {
            c.setMarker(x);
        }
    }
}
