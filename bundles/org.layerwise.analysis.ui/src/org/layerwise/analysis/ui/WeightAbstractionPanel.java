package org.layerwise.analysis.ui;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.layerwise.core.BadInputFileException;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.symmetry.Commutant;
import org.layerwise.io.Csv;
import org.layerwise.io.model.ModelFiles;
import org.layerwise.runner.RunDirectory;
import org.layerwise.ui.charts.ChartExportMenu;
import org.layerwise.ui.charts.HeatmapChart;
import org.layerwise.ui.results.Focus;
import org.layerwise.ui.results.RunPanel;

/**
 * Weight Abstraction (docs/mathematics.md section 5): abstraction.csv as a table, one row per block,
 * head and matrix (Q = QK[h], V = OV[h]^T) with its six scalars a, b, f, g, c, e and the
 * asymmetry ||M - R(M)||_F / ||M||_F beside them; and for the selected row the matrix M read
 * from config.json + model.safetensors, its Reynolds projection R(M) on the same colour range,
 * and the residual M - R(M) on its own range, with the d_x | d_y block boundaries drawn.
 * Selecting a row sets the {@link Focus} (layer = block, head); a Focus change elsewhere
 * selects the matching row.
 * <p>
 * Training step: when the run kept a checkpoint series (run.json {@code checkpoints}) and the
 * Focus's step has been chosen (a step change heard from another view, such as Training Dynamics'
 * cursor, or a non-zero step when the panel opens), the heatmaps show the latest checkpoint at or
 * before that step, read through the run's config.json, and the table shows that checkpoint's six
 * scalars and asymmetry, computed here as the weight-abstraction analyzer computes them. A step past
 * the last checkpoint, a step before the first, a run without a series and the "Final model" button
 * show the final model and abstraction.csv. The last checkpoint read is cached.
 */
public final class WeightAbstractionPanel extends RunPanel {

    /** One row of the table: a block, a head, Q or V, its six scalars and its asymmetry. */
    public record Row(int layer, int head, String matrix, double[] scalars, double asymmetry) {
        double column(int i) {
            return switch (i) {
                case 0 -> layer;
                case 1 -> head;
                case 2 -> matrix.equals("Q") ? 0 : 1;
                case 9 -> asymmetry;
                default -> scalars[i - 3];
            };
        }
    }

    private static final String[] COLUMNS = {"layer", "head", "matrix", "a", "b", "f", "g", "c", "e", "asymmetry"};
    private static final String[] TIPS = {"block l (0-based): the block that reads the state after l blocks", "head h",
        "Q = QK[h] (scores z_i Q z_j^T) or V = OV[h]^T (docs/mathematics.md's column-vector notation)",
        "a: diagonal of the feature block minus b", "b: off-diagonal of the feature block",
        "f: feature rows x label columns", "g: label rows x feature columns", "c: diagonal of the label block minus e",
        "e: off-diagonal of the label block", "||M - R(M)||_F / ||M||_F: how much of M the six scalars do not explain"};

    private static final String COLUMN_TITLE = "column";
    private static final String ROW_TITLE = "row";

    private final Table table;
    private final Label caption;
    private final Label stepLabel;
    private final Button finalButton;
    private final Button followButton;
    private final HeatmapChart matrix;
    private final HeatmapChart projection;
    private final HeatmapChart residual;
    private final Focus.Listener focusListener = this::focusChanged;
    private final List<Row> rows = new ArrayList<>();
    /** The model the heatmaps and table show: the final model or a checkpoint. */
    private TransformerModel model;
    private TransformerModel finalModel;
    private final List<Row> finalRows = new ArrayList<>();
    private String finalNote = "";
    private String modelProblem;
    private Path runPath;
    private List<Checkpoint> checkpoints = List.of();
    /** The checkpoint shown, or null for the final model. */
    private Checkpoint shown;
    private boolean followStep = Focus.get().step() > 0;
    private int lastStep = Focus.get().step();
    private String stepProblem = "";
    private Path cachedFile;
    private TransformerModel cachedModel;
    private int sortColumn = -1;
    private boolean ascending = true;
    private double shownAsymmetry = Double.NaN;

    public WeightAbstractionPanel(Composite parent) {
        super(parent);
        setLayout(new GridLayout(1, false));
        placeHeading(1);
        SashForm sash = new SashForm(this, SWT.VERTICAL);
        sash.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        Composite top = new Composite(sash, SWT.NONE);
        GridLayout topLayout = new GridLayout(1, false);
        topLayout.marginWidth = 0;
        topLayout.marginHeight = 0;
        top.setLayout(topLayout);
        table = new Table(top, SWT.BORDER | SWT.FULL_SELECTION | SWT.SINGLE | SWT.V_SCROLL | SWT.H_SCROLL);
        table.setHeaderVisible(true);
        table.setLinesVisible(true);
        table.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        for (int i = 0; i < COLUMNS.length; i++) {
            TableColumn c = new TableColumn(table, i < 3 ? SWT.LEFT : SWT.RIGHT);
            c.setText(COLUMNS[i]);
            c.setToolTipText(TIPS[i]);
            c.setWidth(i < 3 ? 64 : 92);
            int index = i;
            c.addListener(SWT.Selection, e -> sortBy(index));
        }
        table.addListener(SWT.Selection, e -> selected(true));
        caption = new Label(top, SWT.WRAP);
        caption.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        Composite stepRow = new Composite(top, SWT.NONE);
        GridLayout stepLayout = new GridLayout(3, false);
        stepLayout.marginWidth = 0;
        stepLayout.marginHeight = 0;
        stepRow.setLayout(stepLayout);
        stepRow.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        stepLabel = new Label(stepRow, SWT.WRAP);
        stepLabel.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        stepLabel.setText("final model");
        finalButton = new Button(stepRow, SWT.PUSH);
        finalButton.setText("Final model");
        finalButton.setToolTipText("Show the final model (model.safetensors) and abstraction.csv, whatever Focus's step");
        finalButton.addListener(SWT.Selection, e -> showFinalModel());
        finalButton.setEnabled(false);
        followButton = new Button(stepRow, SWT.PUSH);
        followButton.setText("Checkpoint at Focus step");
        followButton.setToolTipText("Show the latest checkpoint at or before Focus's training step");
        followButton.addListener(SWT.Selection, e -> followFocusStep());
        followButton.setEnabled(false);
        Composite charts = new Composite(sash, SWT.NONE);
        charts.setLayout(new GridLayout(3, true));
        matrix = heatmap(charts, "M");
        projection = heatmap(charts, "R(M)");
        residual = heatmap(charts, "M - R(M)");
        sash.setWeights(36, 64);
        Focus.add(focusListener);
        addDisposeListener(e -> Focus.remove(focusListener));
    }

    private static HeatmapChart heatmap(Composite parent, String title) {
        HeatmapChart h = new HeatmapChart(parent, title, COLUMN_TITLE, ROW_TITLE,
                "entry (dimensionless)");
        h.control().setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        ChartExportMenu.attach(h);
        return h;
    }

    @Override
    protected void show(RunDirectory run) throws IOException {
        rows.clear();
        model = null;
        modelProblem = null;
        runPath = run.path();
        checkpoints = checkpoints(run);
        shown = null;
        try {
            model = ModelFiles.read(run.path());
        } catch (BadInputFileException e) {
            modelProblem = e.getMessage();
        }
        Csv.Table csv = run.table("abstraction");
        String note;
        if (csv != null) {
            for (int r = 0; r < csv.size(); r++) {
                double[] s = new double[6];
                for (int k = 0; k < 6; k++) {
                    s[k] = Csv.parseDouble(csv.get(r, Commutant.SCALAR_NAMES[k]));
                }
                rows.add(new Row(Integer.parseInt(csv.get(r, "layer")), Integer.parseInt(csv.get(r, "head")), csv.get(r, "matrix"), s,
                        Csv.parseDouble(csv.get(r, "asymmetry"))));
            }
            note = "";
        } else if (model != null) {
            ModelConfig c = model.config();
            for (int l = 0; l < c.nLayers(); l++) {
                for (int h = 0; h < c.nHeads(); h++) {
                    for (String m : List.of("Q", "V")) {
                        double[] w = weight(l, h, m);
                        rows.add(new Row(l, h, m, Commutant.scalars(w, c.dX(), c.dY()).toArray(), Commutant.asymmetry(w, c.dX(), c.dY())));
                    }
                }
            }
            note = "This run has no abstraction.csv (no weight-abstraction analyzer, or only one factor of G enforced): "
                    + "the table is computed here from model.safetensors. ";
        } else {
            note = "This run has neither abstraction.csv nor a readable model. ";
        }
        finalModel = model;
        finalRows.clear();
        finalRows.addAll(rows);
        finalNote = note;
        sortColumn = -1;
        table.setSortColumn(null);
        applyStep();
        fill();
        caption.setText(note + (modelProblem == null ? "" : "The model cannot be read: " + modelProblem) + stepProblem);
        if (!rows.isEmpty()) {
            Focus.State f = Focus.get();
            if (!select(Math.min(f.layer(), maxLayer()), f.head(), "Q")) {
                table.setSelection(0);
            }
            selected(false);
        } else {
            for (HeatmapChart h : List.of(matrix, projection, residual)) {
                h.show(new double[0], 0, 0, HeatmapChart.Scale.DIVERGING);
            }
        }
    }

    /** Q = QK[h] or V = OV[h]^T of block l, as docs/mathematics.md writes them. */
    private double[] weight(int layer, int head, String which) {
        return weight(model, layer, head, which);
    }

    private static double[] weight(TransformerModel model, int layer, int head, String which) {
        return which.equals("Q") ? model.qk(layer, head) : Commutant.transpose(model.ov(layer, head), model.config().dModel());
    }

    /** One checkpoint of the run's series: its step and its file, relative to the run directory. */
    public record Checkpoint(int step, String file) {
    }

    /** run.json's checkpoint series, by step. */
    private static List<Checkpoint> checkpoints(RunDirectory run) {
        List<Checkpoint> out = new ArrayList<>();
        if (run.run().get("checkpoints") instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> m && m.get("step") instanceof Number n && m.get("file") instanceof String f) {
                    out.add(new Checkpoint(n.intValue(), f));
                }
            }
        }
        out.sort(Comparator.comparingInt(Checkpoint::step));
        return List.copyOf(out);
    }

    /** The latest checkpoint at or before step, or null when the step is before the first or past the last. */
    private Checkpoint checkpointAt(int step) {
        if (checkpoints.isEmpty() || step > checkpoints.get(checkpoints.size() - 1).step()) {
            return null;
        }
        Checkpoint best = null;
        for (Checkpoint c : checkpoints) {
            if (c.step() <= step) {
                best = c;
            }
        }
        return best;
    }

    /** A checkpoint's model, read through the run's config.json as the runner reads it; the last one read is cached. */
    private TransformerModel read(Checkpoint c) throws BadInputFileException {
        Path file = runPath.resolve(c.file()).normalize();
        if (file.equals(cachedFile)) {
            return cachedModel;
        }
        TransformerModel read = ModelFiles.read(runPath.resolve("config.json"), file);
        cachedFile = file;
        cachedModel = read;
        return read;
    }

    /** The twelve scalars and two asymmetries per head of a model, as the weight-abstraction analyzer computes them. */
    private static List<Row> computedRows(TransformerModel m) {
        List<Row> out = new ArrayList<>();
        ModelConfig c = m.config();
        for (int l = 0; l < c.nLayers(); l++) {
            for (int h = 0; h < c.nHeads(); h++) {
                for (String which : List.of("Q", "V")) {
                    double[] w = weight(m, l, h, which);
                    out.add(new Row(l, h, which, Commutant.scalars(w, c.dX(), c.dY()).toArray(), Commutant.asymmetry(w, c.dX(), c.dY())));
                }
            }
        }
        return out;
    }

    /**
     * Sets model and rows to the checkpoint Focus's step names (or the final model) and the step
     * label to say which; stepProblem is a sentence for the caption when a checkpoint cannot be read.
     */
    private void applyStep() {
        int step = Focus.get().step();
        Checkpoint target = followStep && finalModel != null ? checkpointAt(step) : null;
        String problem = "";
        TransformerModel chosen = null;
        if (target != null) {
            try {
                chosen = read(target);
            } catch (BadInputFileException | RuntimeException e) {
                problem = " Checkpoint step " + target.step() + " (" + target.file() + ") cannot be read, so the final model is shown: "
                        + e.getMessage();
                target = null;
            }
        }
        shown = target;
        rows.clear();
        if (target == null) {
            model = finalModel;
            rows.addAll(finalRows);
        } else {
            model = chosen;
            rows.addAll(computedRows(chosen));
        }
        if (sortColumn >= 0) {
            Comparator<Row> order = Comparator.comparingDouble(r -> r.column(sortColumn));
            rows.sort(ascending ? order : order.reversed());
        }
        stepLabel.setText(stepText(step));
        finalButton.setEnabled(shown != null);
        followButton.setEnabled(!followStep && checkpointAt(step) != null && finalModel != null);
        stepLabel.getParent().layout(true, true);
        stepProblem = problem;
    }

    private String stepText(int step) {
        String table = finalRows.isEmpty() ? "" : finalNote.isEmpty() ? "; table: abstraction.csv" : "; table: computed from model.safetensors";
        if (checkpoints.isEmpty()) {
            return "final model (this run kept no checkpoint series)" + table;
        }
        Checkpoint last = checkpoints.get(checkpoints.size() - 1);
        if (shown != null) {
            return String.format(Locale.ROOT,
                    "checkpoint step %d of %d (from %s; checkpoint %d of %d, the latest at or before Focus step %d); "
                            + "table: this checkpoint's scalars and asymmetries, computed here as the analyzer does",
                    shown.step(), last.step(), shown.file(), checkpoints.indexOf(shown) + 1, checkpoints.size(), step);
        }
        String why;
        if (!followStep) {
            why = "Focus step " + step + " not followed: choose a step in Training Dynamics or press \"Checkpoint at Focus step\"";
        } else if (step > last.step()) {
            why = "Focus step " + step + " is past the last checkpoint, step " + last.step();
        } else {
            why = "no checkpoint at or before Focus step " + step;
        }
        return "final model (" + why + ")" + table;
    }

    /** Shows the final model and abstraction.csv until Focus's step changes again (or {@link #followFocusStep()}). */
    public void showFinalModel() {
        followStep = false;
        refresh();
    }

    /** Shows the checkpoint Focus's step names, as a step change would. */
    public void followFocusStep() {
        followStep = true;
        refresh();
    }

    /** Re-reads the step choice, keeping the selected row's block, head and matrix and the sort. */
    private void refresh() {
        if (runPath == null) {
            return;
        }
        Row keep = selectedRow();
        applyStep();
        fill();
        if (!rows.isEmpty()) {
            if (keep == null || !select(keep.layer(), keep.head(), keep.matrix())) {
                table.setSelection(0);
            }
            selected(false);
        } else {
            caption.setText(finalNote + stepProblem);
        }
    }

    /** The checkpoint the heatmaps show, or null for the final model. */
    public Checkpoint shownCheckpoint() {
        return shown;
    }

    /** The checkpoint series as run.json lists it, by step. */
    public List<Checkpoint> checkpointSeries() {
        return checkpoints;
    }

    public String stepLabel() {
        return stepLabel.getText();
    }

    public Button finalModelButton() {
        return finalButton;
    }

    private int maxLayer() {
        return rows.stream().mapToInt(Row::layer).max().orElse(0);
    }

    private void fill() {
        Row keep = selectedRow();
        table.removeAll();
        for (Row r : rows) {
            TableItem item = new TableItem(table, SWT.NONE);
            item.setText(texts(r).toArray(String[]::new));
            item.setData(r);
            if (r == keep) {
                table.setSelection(item);
            }
        }
        for (int i = 0; i < COLUMNS.length; i++) {
            TableColumn c = table.getColumn(i);
            int width = c.getWidth();
            c.pack();
            c.setWidth(Math.max(c.getWidth() + 12, Math.min(width, i < 3 ? 64 : 92)));
        }
    }

    private static List<String> texts(Row r) {
        List<String> t = new ArrayList<>(List.of(Integer.toString(r.layer()), Integer.toString(r.head()), r.matrix()));
        for (double v : r.scalars()) {
            t.add(HeatmapChart.format(v));
        }
        t.add(HeatmapChart.format(r.asymmetry()));
        return t;
    }

    private void sortBy(int column) {
        ascending = column == sortColumn ? !ascending : true;
        sortColumn = column;
        Comparator<Row> order = Comparator.comparingDouble(r -> r.column(column));
        rows.sort(ascending ? order : order.reversed());
        table.setSortColumn(table.getColumn(column));
        table.setSortDirection(ascending ? SWT.UP : SWT.DOWN);
        fill();
    }

    /** Selects the row of this block, head and matrix (Q or V); false when there is none. */
    public boolean select(int layer, int head, String which) {
        for (TableItem item : table.getItems()) {
            Row r = (Row) item.getData();
            if (r.layer() == layer && r.head() == head && r.matrix().equals(which)) {
                table.setSelection(item);
                table.showSelection();
                return true;
            }
        }
        return false;
    }

    /** Selects a row as a click would: the heatmaps follow and the Focus is set. */
    public void selectAndNotify(int layer, int head, String which) {
        if (select(layer, head, which)) {
            selected(true);
        }
    }

    private void selected(boolean setFocus) {
        Row r = selectedRow();
        if (r == null) {
            return;
        }
        plot(r);
        if (setFocus) {
            Focus.State f = Focus.get();
            Focus.set(new Focus.State(r.layer(), f.prompt(), r.head(), f.step()), this);
        }
    }

    private void focusChanged(Focus.State state, Object source) {
        if (source == this || isDisposed()) {
            return;
        }
        if (state.step() != lastStep) {
            lastStep = state.step();
            followStep = true;
            if (!checkpoints.isEmpty()) {
                refresh();
            } else if (runPath != null) {
                stepLabel.setText(stepText(state.step()));
            }
        }
        if (rows.isEmpty()) {
            return;
        }
        Row current = selectedRow();
        String which = current == null ? "Q" : current.matrix();
        // Layer L is the output state: no block reads it, so the last block stands for it.
        if (select(Math.min(state.layer(), maxLayer()), state.head(), which)) {
            selected(false);
        }
    }

    private void plot(Row r) {
        if (model == null) {
            caption.setText("The model cannot be read, so block " + r.layer() + " head " + r.head() + " has no heatmaps: " + modelProblem);
            return;
        }
        ModelConfig c = model.config();
        int n = c.dModel();
        double[] m = weight(r.layer(), r.head(), r.matrix());
        double[] p = Commutant.reynolds(m, c.dX(), c.dY());
        double[] d = new double[m.length];
        double range = 0;
        double residualRange = 0;
        for (int i = 0; i < m.length; i++) {
            d[i] = m[i] - p[i];
            range = Math.max(range, Math.max(Math.abs(m[i]), Math.abs(p[i])));
            residualRange = Math.max(residualRange, Math.abs(d[i]));
        }
        shownAsymmetry = Commutant.asymmetry(m, p);
        String name = r.matrix().equals("Q") ? "Q = QK[" + r.head() + "]" : "V = OV[" + r.head() + "]^T";
        String where = "block " + r.layer() + ", head " + r.head();
        String of = shown == null ? "" : " (step " + shown.step() + ")";
        String[] labels = coordinateLabels(c);
        matrix.show(m, n, n, HeatmapChart.Scale.DIVERGING, -range, range);
        matrix.setTitles(name + ", block " + r.layer() + of, COLUMN_TITLE, ROW_TITLE);
        projection.show(p, n, n, HeatmapChart.Scale.DIVERGING, -range, range);
        projection.setTitles("R(" + r.matrix() + "), " + where + of, COLUMN_TITLE, ROW_TITLE);
        residual.show(d, n, n, HeatmapChart.Scale.DIVERGING, -residualRange, residualRange);
        residual.setTitles(r.matrix() + " - R(" + r.matrix() + "), " + where + of, COLUMN_TITLE, ROW_TITLE);
        for (HeatmapChart h : List.of(matrix, projection, residual)) {
            h.setRowLabels(labels);
            h.setColumnLabels(labels);
            h.setBoundaries(new int[] {c.dX()}, new int[] {c.dX()});
        }
        double[] s = r.scalars();
        caption.setText(String.format(Locale.ROOT,
                "%s, %s%s: a = %s, b = %s, f = %s, g = %s, c = %s, e = %s. Asymmetry ||M - R(M)||/||M|| of the shown matrices: %s "
                        + "(%s: %s). R(M) is the Reynolds projection, on the colour range of M; the residual M - R(M) has its own range. Coordinates x0..x%d "
                        + "are the features, y0..y%d the labels; lines mark the d_x | d_y blocks.",
                name, where, shown == null ? ", final model" : ", checkpoint step " + shown.step(), HeatmapChart.format(s[0]), HeatmapChart.format(s[1]), HeatmapChart.format(s[2]),
                HeatmapChart.format(s[3]), HeatmapChart.format(s[4]), HeatmapChart.format(s[5]),
                HeatmapChart.format(shownAsymmetry), shown != null ? "table" : finalNote.isEmpty() ? "abstraction.csv" : "table",
                HeatmapChart.format(r.asymmetry()), c.dX() - 1, c.dY() - 1) + stepProblem);
        layout(true, true);
    }

    /** x0..x{d-1} for the features, y0..y{C-1} for the labels. */
    private static String[] coordinateLabels(ModelConfig c) {
        String[] s = new String[c.dModel()];
        for (int i = 0; i < s.length; i++) {
            s[i] = i < c.dX() ? "x" + i : "y" + (i - c.dX());
        }
        return s;
    }

    /** The selected row, or null. */
    public Row selectedRow() {
        int i = table.getSelectionIndex();
        return i < 0 ? null : (Row) table.getItem(i).getData();
    }

    /** The rows as read, in table order. */
    public List<Row> rows() {
        return List.copyOf(rows);
    }

    /** The table's text, row by row, as shown. */
    public List<List<String>> shownRows() {
        List<List<String>> out = new ArrayList<>();
        for (TableItem item : table.getItems()) {
            List<String> r = new ArrayList<>();
            for (int i = 0; i < COLUMNS.length; i++) {
                r.add(item.getText(i));
            }
            out.add(r);
        }
        return out;
    }

    public Table table() {
        return table;
    }

    public String caption() {
        return caption.getText();
    }

    /** ||M - R(M)|| / ||M|| of the matrices the heatmaps show. */
    public double shownAsymmetry() {
        return shownAsymmetry;
    }

    public HeatmapChart matrixChart() {
        return matrix;
    }

    public HeatmapChart projectionChart() {
        return projection;
    }

    public HeatmapChart residualChart() {
        return residual;
    }
}
