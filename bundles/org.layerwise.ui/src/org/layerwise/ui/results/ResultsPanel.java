package org.layerwise.ui.results;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.layout.RowLayout;
import org.eclipse.swt.widgets.Button;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Table;
import org.eclipse.swt.widgets.TableColumn;
import org.eclipse.swt.widgets.TableItem;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.TableAxis;
import org.layerwise.io.Csv;
import org.layerwise.io.Npz;
import org.layerwise.runner.RunDirectory;
import org.layerwise.ui.charts.ChartExportMenu;
import org.layerwise.ui.charts.LineChart;
import org.layerwise.ui.charts.Palette;
import org.layerwise.ui.charts.Series;

/**
 * Results of any analyzer of the run, with no UI code of its own: its scalars, its tables
 * (declared in its plugin.xml) with a chart of one numeric column against the table's declared
 * axis (one series per combination of the chosen grouping columns; a table that declares none
 * is plotted against its numeric layer column, else against row index), and the names and
 * shapes of its tensors. In a table by layer, selecting a row sets {@link Focus}'s layer in
 * Focus's convention (the declared layer offsets), and a layer focused elsewhere selects the
 * table's first row at that layer and marks it in the chart.
 */
public final class ResultsPanel extends RunPanel {

    /** More series than this make a legend nobody can read: the chart shows the first ones and says so. */
    static final int MAX_SERIES = 16;

    private final Combo analyzer;
    private final Label analyzerInfo;
    private final Table scalars;
    private final Table tensors;
    private final Combo tableChoice;
    private final Label tableInfo;
    private final TableViewer rows;
    private final Combo column;
    private final Composite grouping;
    private final List<Button> groupButtons = new ArrayList<>();
    private final LineChart chart;

    private RunDirectory run;
    private List<AnalyzerOutputs.Analyzer> analyzers = List.of();
    private Csv.Table table;
    private String tableName;
    /** What the shown table is plotted against; null: row index. */
    private TableAxis axis;
    private boolean following;
    private final Focus.Listener focusListener = (state, source) -> {
        if (source != this && !isDisposed()) {
            follow(state.layer());
        }
    };

    public ResultsPanel(Composite parent) {
        super(parent);
        setLayout(new GridLayout(1, false));
        placeHeading(1);
        Composite top = new Composite(this, SWT.NONE);
        top.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        top.setLayout(new GridLayout(3, false));
        new Label(top, SWT.NONE).setText("Analyzer");
        analyzer = new Combo(top, SWT.READ_ONLY);
        analyzer.addListener(SWT.Selection, e -> showAnalyzer());
        analyzerInfo = new Label(top, SWT.WRAP);
        analyzerInfo.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));

        SashForm sash = new SashForm(this, SWT.HORIZONTAL);
        sash.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        Composite left = new Composite(sash, SWT.NONE);
        left.setLayout(new GridLayout(1, false));
        new Label(left, SWT.NONE).setText("Scalars (metrics.json)");
        scalars = table(left, new String[] {"scalar", "value"}, new int[] {120, 90});
        new Label(left, SWT.NONE).setText("Tensors (npz)");
        tensors = table(left, new String[] {"tensor", "shape", "dtype"}, new int[] {120, 80, 50});

        SashForm right = new SashForm(sash, SWT.VERTICAL);
        Composite tablePart = new Composite(right, SWT.NONE);
        tablePart.setLayout(new GridLayout(3, false));
        new Label(tablePart, SWT.NONE).setText("Table");
        tableChoice = new Combo(tablePart, SWT.READ_ONLY);
        tableChoice.addListener(SWT.Selection, e -> showTable());
        tableInfo = new Label(tablePart, SWT.WRAP);
        tableInfo.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        rows = new TableViewer(tablePart, SWT.BORDER | SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
        rows.getTable().setHeaderVisible(true);
        rows.getTable().setLinesVisible(true);
        rows.getTable().setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 3, 1));
        rows.setContentProvider(ArrayContentProvider.getInstance());
        rows.addSelectionChangedListener(e -> rowSelected((IStructuredSelection) e.getSelection()));
        Focus.add(focusListener);
        addDisposeListener(e -> Focus.remove(focusListener));

        Composite chartPart = new Composite(right, SWT.NONE);
        chartPart.setLayout(new GridLayout(4, false));
        new Label(chartPart, SWT.NONE).setText("Plot");
        column = new Combo(chartPart, SWT.READ_ONLY);
        column.addListener(SWT.Selection, e -> plot());
        new Label(chartPart, SWT.NONE).setText("one series per");
        grouping = new Composite(chartPart, SWT.NONE);
        grouping.setLayoutData(new GridData(SWT.FILL, SWT.CENTER, true, false));
        RowLayout groupLayout = new RowLayout(SWT.HORIZONTAL);
        groupLayout.marginTop = 0;
        groupLayout.marginBottom = 0;
        grouping.setLayout(groupLayout);
        chart = new LineChart(chartPart, "Results", "layer", "");
        chart.control().setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 4, 1));
        chart.integerXAxis();
        ChartExportMenu.attach(chart);
        right.setWeights(2, 3);
        sash.setWeights(32, 68);
    }

    private static Table table(Composite parent, String[] names, int[] widths) {
        Table t = new Table(parent, SWT.BORDER | SWT.FULL_SELECTION | SWT.V_SCROLL | SWT.H_SCROLL);
        t.setHeaderVisible(true);
        t.setLinesVisible(true);
        t.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        for (int i = 0; i < names.length; i++) {
            TableColumn c = new TableColumn(t, SWT.LEFT);
            c.setText(names[i]);
            c.setWidth(widths[i]);
        }
        return t;
    }

    public LineChart chart() {
        return chart;
    }

    public Combo analyzerCombo() {
        return analyzer;
    }

    public Combo tableCombo() {
        return tableChoice;
    }

    public Combo columnCombo() {
        return column;
    }

    public TableViewer rowViewer() {
        return rows;
    }

    /** The grouping check boxes, one per grouping column (text = the column). */
    public List<Button> groupButtons() {
        return List.copyOf(groupButtons);
    }

    /** The analyzers the combo offers, in its order. */
    public List<String> analyzerIds() {
        return analyzers.stream().map(AnalyzerOutputs.Analyzer::id).toList();
    }

    /** The scalars as shown: name, value. */
    public List<List<String>> shownScalars() {
        return texts(scalars, 2);
    }

    /** The tensors as shown: name, shape, dtype. */
    public List<List<String>> shownTensors() {
        return texts(tensors, 3);
    }

    /** The table's rows as shown in the viewer, in the table's columns. */
    public List<List<String>> shownRows() {
        return texts(rows.getTable(), rows.getTable().getColumnCount());
    }

    public String tableInfo() {
        return tableInfo.getText();
    }

    public String analyzerInfo() {
        return analyzerInfo.getText();
    }

    private static List<List<String>> texts(Table t, int columns) {
        List<List<String>> out = new ArrayList<>();
        for (TableItem item : t.getItems()) {
            List<String> row = new ArrayList<>();
            for (int c = 0; c < columns; c++) {
                row.add(item.getText(c));
            }
            out.add(row);
        }
        return out;
    }

    /** Shows this analyzer as if picked in the combo. */
    public void selectAnalyzer(String id) {
        int i = analyzerIds().indexOf(id);
        if (i < 0) {
            throw new IllegalArgumentException("the run has no analyzer '" + id + "': " + analyzerIds());
        }
        analyzer.select(i);
        showAnalyzer();
    }

    /** Shows this table as if picked in the combo. */
    public void selectTable(String name) {
        int i = List.of(tableChoice.getItems()).indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no table '" + name + "': " + List.of(tableChoice.getItems()));
        }
        tableChoice.select(i);
        showTable();
    }

    /** The selected row of the table as its CSV cells, or null. */
    public List<String> selectedRow() {
        Object first = rows.getStructuredSelection().getFirstElement();
        return first instanceof List<?> row ? row.stream().map(String::valueOf).toList() : null;
    }

    /** Selects row r of the table as a click would (and so sets Focus's layer when it has one). */
    public void selectRow(int r) {
        // Not StructuredSelection(List): that constructor takes the list as the elements.
        rows.setSelection(new StructuredSelection(new Object[] {table.rows().get(r)}), true);
    }

    @Override
    protected void show(RunDirectory dir) throws IOException {
        run = dir;
        ContributionRegistry registry = ContributionRegistry.load();
        analyzers = AnalyzerOutputs.of(dir, registry);
        analyzer.removeAll();
        analyzers.forEach(a -> analyzer.add(a.label()));
        if (analyzers.isEmpty()) {
            analyzerInfo.setText("This run ran no analyzers.");
            clear();
            return;
        }
        analyzer.select(0);
        showAnalyzer();
    }

    private void clear() {
        scalars.removeAll();
        tensors.removeAll();
        tableChoice.removeAll();
        table = null;
        tableName = null;
        axis = null;
        rows.setInput(List.of());
        tableInfo.setText("");
        column.removeAll();
        groupButtons.forEach(Button::dispose);
        groupButtons.clear();
        chart.setTitles("Results", "layer", "");
        chart.show(List.of());
    }

    private void showAnalyzer() {
        int i = analyzer.getSelectionIndex();
        if (run == null || i < 0) {
            return;
        }
        clear();
        AnalyzerOutputs.Analyzer a = analyzers.get(i);
        Map<String, Double> s = run.scalars(a.id());
        boolean reported = run.metrics().get("analyzers") instanceof Map<?, ?> all && all.containsKey(a.id());
        StringBuilder info = new StringBuilder();
        info.append(a.installed() ? "bundle " + a.bundle()
                : (a.bundle().isEmpty() ? "its bundle" : "bundle " + a.bundle()) + " is not installed: its tables are the run's "
                        + a.id() + ".csv and " + a.id() + "-*.csv");
        if (!reported) {
            info.append("; no results in metrics.json (the analyzer failed or the run ended before it: see the run's status)");
        }
        List<String> missing = AnalyzerOutputs.missingTables(run, a);
        if (!missing.isEmpty()) {
            info.append("; declared tables not written: ").append(String.join(", ", missing));
        }
        analyzerInfo.setText(info.toString());
        s.forEach((name, value) -> new TableItem(scalars, SWT.NONE).setText(new String[] {name, shown(value)}));
        pack(scalars, new int[] {120, 90});

        Path npz = AnalyzerOutputs.tensors(run, a.id());
        if (Files.isRegularFile(npz)) {
            try {
                for (Map.Entry<String, Npz.ArrayHeader> e : Npz.headers(npz).entrySet()) { // shapes only: no data read
                    new TableItem(tensors, SWT.NONE).setText(new String[] {e.getKey(), e.getValue().shapeString(),
                        e.getValue().dtype().name().toLowerCase(Locale.ROOT)});
                }
            } catch (IOException | RuntimeException e) {
                new TableItem(tensors, SWT.NONE).setText(new String[] {npz.getFileName() + " cannot be read", e.getMessage(), ""});
            }
            pack(tensors, new int[] {120, 80, 50});
        }
        try {
            List<String> names = AnalyzerOutputs.tables(run, a, analyzers, ContributionRegistry.load());
            names.forEach(tableChoice::add);
            if (names.isEmpty()) {
                tableInfo.setText("This analyzer wrote no tables.");
            } else {
                tableChoice.select(0);
                showTable();
            }
        } catch (IOException e) {
            tableInfo.setText("The run directory cannot be listed: " + e.getMessage());
        }
        layout(true, true);
    }

    private static void pack(Table t, int[] minimum) {
        for (int c = 0; c < t.getColumnCount(); c++) {
            TableColumn col = t.getColumn(c);
            col.pack();
            col.setWidth(Math.max(col.getWidth() + 8, minimum[c]));
        }
    }

    private void showTable() {
        int i = tableChoice.getSelectionIndex();
        if (run == null || i < 0) {
            return;
        }
        tableName = tableChoice.getItem(i);
        try {
            table = Csv.read(AnalyzerOutputs.csv(run, tableName));
        } catch (IOException | RuntimeException e) {
            table = null;
            tableInfo.setText(tableName + ".csv cannot be read: " + e.getMessage());
            return;
        }
        rows.getTable().setRedraw(false);
        try {
            rows.setInput(List.of());
            for (TableColumn c : rows.getTable().getColumns()) {
                c.dispose();
            }
            for (int c = 0; c < table.header().size(); c++) {
                int index = c;
                TableViewerColumn vc = new TableViewerColumn(rows, SWT.LEFT);
                vc.getColumn().setText(table.header().get(c));
                vc.setLabelProvider(new ColumnLabelProvider() {
                    @Override
                    public String getText(Object element) {
                        return shownCell(((List<?>) element).get(index).toString());
                    }
                });
            }
            rows.setInput(table.rows());
            for (TableColumn c : rows.getTable().getColumns()) {
                c.pack();
                c.setWidth(Math.min(Math.max(c.getWidth() + 8, 60), 320));
            }
        } finally {
            rows.getTable().setRedraw(true);
        }
        List<String> numeric = numericColumns();
        axis = AnalyzerOutputs.declaredAxis(analyzers.get(analyzer.getSelectionIndex()), tableName);
        if (axis == null || !numeric.contains(axis.column())) {
            axis = numeric.contains(AnalyzerOutputs.UNDECLARED_LAYER.column()) ? AnalyzerOutputs.UNDECLARED_LAYER : null;
        }
        String convention = axis == null ? "" : AnalyzerOutputs.convention(axis);
        tableInfo.setText(tableName + ".csv, " + table.size() + " rows"
                + (axis == null ? "" : "; by " + axis.column()) + (convention.isEmpty() ? "" : "; " + convention)
                + (hasLayer() ? "; select a row to follow its layer" : ""));

        column.removeAll();
        numeric.stream().filter(c -> axis == null || !c.equals(axis.column())).forEach(column::add);
        int preferred = -1;
        for (String name : List.of("value", "mean")) {
            if (preferred < 0) {
                preferred = List.of(column.getItems()).indexOf(name);
            }
        }
        // else the last numeric column: tidy tables put identifiers first and measurements last
        column.select(preferred >= 0 ? preferred : column.getItemCount() - 1);
        groupButtons.forEach(Button::dispose);
        groupButtons.clear();
        for (String name : table.header()) {
            if (axis != null && name.equals(axis.column())) {
                continue;
            }
            Set<String> distinct = new LinkedHashSet<>(table.column(name));
            boolean text = !numeric.contains(name);
            boolean key = text || (integral(name) && distinct.size() > 1 && distinct.size() <= MAX_SERIES);
            if (!key) {
                continue;
            }
            Button b = new Button(grouping, SWT.CHECK);
            b.setText(name);
            // Against an axis, every varying text column apart: each series one track along it.
            b.setSelection(axis != null && text && distinct.size() > 1);
            b.addListener(SWT.Selection, e -> plot());
            groupButtons.add(b);
        }
        plot();
        follow(Focus.get().layer());
        layout(true, true);
    }

    /**
     * Shows a focused layer chosen elsewhere: the table's first row at that layer is selected
     * and the chart marks its layer (nothing when the table has no row there).
     */
    private void follow(int focusLayer) {
        if (table == null || !hasLayer()) {
            return;
        }
        int column = table.header().indexOf(axis.column());
        List<String> match = null;
        for (List<String> row : table.rows()) {
            double layer = Csv.parseDouble(row.get(column));
            if (layer >= 0 && layer == Math.rint(layer) && axis.layerOf(values(row), (int) layer) == focusLayer) {
                match = row;
                break;
            }
        }
        following = true;
        try {
            rows.setSelection(match == null ? StructuredSelection.EMPTY : new StructuredSelection(new Object[] {match}), true);
        } finally {
            following = false;
        }
        chart.setMarker(match == null ? Double.NaN : Csv.parseDouble(match.get(column)));
    }

    private Map<String, String> values(List<?> row) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int c = 0; c < table.header().size(); c++) {
            values.put(table.header().get(c), String.valueOf(row.get(c)));
        }
        return values;
    }

    /** Whether the shown table is by layer, so that its rows follow and set Focus's layer. */
    private boolean hasLayer() {
        return table != null && axis != null && axis.by() == TableAxis.By.LAYER;
    }

    /** Columns whose every cell is a number (NaN and empty included, as pandas reads them), not all empty. */
    private List<String> numericColumns() {
        List<String> out = new ArrayList<>();
        for (String name : table.header()) {
            boolean any = false;
            boolean all = true;
            for (String v : table.column(name)) {
                if (v.isBlank()) {
                    continue;
                }
                try {
                    Csv.parseDouble(v);
                    any = true;
                } catch (NumberFormatException e) {
                    all = false;
                    break;
                }
            }
            if (all && any) {
                out.add(name);
            }
        }
        return out;
    }

    private boolean integral(String name) {
        for (String v : table.column(name)) {
            double d = v.isBlank() ? Double.NaN : Csv.parseDouble(v);
            if (!(d == Math.rint(d))) {
                return false;
            }
        }
        return true;
    }

    /** The chosen column against the table's axis (or row index), one series per combination of the checked columns. */
    private void plot() {
        if (table == null || column.getSelectionIndex() < 0) {
            chart.setTitles(tableName == null ? "Results" : tableName + ": no numeric column to plot", "layer", "");
            chart.show(List.of());
            return;
        }
        String y = column.getItem(column.getSelectionIndex());
        List<String> keys = groupButtons.stream().filter(Button::getSelection).map(Button::getText).toList();
        Map<String, TreeMap<Double, double[]>> groups = new LinkedHashMap<>();
        boolean averaged = false;
        for (int r = 0; r < table.size(); r++) {
            double yv = Csv.parseDouble(orNaN(table.get(r, y)));
            double xv = axis != null ? Csv.parseDouble(table.get(r, axis.column())) : r;
            StringBuilder key = new StringBuilder();
            for (String k : keys) {
                key.append(key.isEmpty() ? "" : ", ").append(k).append(' ').append(table.get(r, k));
            }
            double[] sum = groups.computeIfAbsent(key.isEmpty() ? y : key.toString(), g -> new TreeMap<>())
                    .computeIfAbsent(xv, x -> new double[2]);
            averaged |= sum[1] > 0;
            sum[0] += yv;
            sum[1]++;
        }
        List<Series> series = new ArrayList<>();
        int colour = 0;
        for (Map.Entry<String, TreeMap<Double, double[]>> g : groups.entrySet()) {
            if (series.size() == MAX_SERIES) {
                break;
            }
            double[] xs = g.getValue().keySet().stream().mapToDouble(Double::doubleValue).toArray();
            double[] ys = g.getValue().values().stream().mapToDouble(v -> v[0] / v[1]).toArray();
            series.add(Series.line(g.getKey(), g.getKey(), xs, ys, Palette.categorical(colour++)));
        }
        String along = axis != null ? axis.column() : "row";
        String title = tableName + ": " + y + " by " + along;
        if (averaged) {
            title += " (mean of rows that share a " + along + " within a series)";
        }
        if (groups.size() > MAX_SERIES) {
            title += " (first " + MAX_SERIES + " of " + groups.size() + " series)";
        }
        chart.setTitles(title, axis != null ? axis.title() : "row (index in " + tableName + ".csv)", y);
        chart.show(series);
    }

    /** A CSV cell as shown: decimals to six significant digits, everything else as written. */
    public static String shownCell(String text) {
        if (text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0) {
            return text;
        }
        try {
            return shown(Double.parseDouble(text));
        } catch (NumberFormatException notANumber) {
            return text;
        }
    }

    /** A number as a table cell shows it: six significant digits (the files keep every digit). */
    public static String shown(double v) {
        if (!Double.isFinite(v) || v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Double.isFinite(v) ? Long.toString((long) v) : Double.toString(v);
        }
        String s = String.format(Locale.ROOT, "%.6g", v);
        if (s.contains("e")) {
            return s.replaceFirst("\\.?0+e", "e");
        }
        return s.contains(".") ? s.replaceFirst("\\.?0+$", "") : s;
    }

    private static String orNaN(String v) {
        return v.isBlank() ? "NaN" : v;
    }

    private void rowSelected(IStructuredSelection selection) {
        if (following || table == null || !hasLayer() || !(selection.getFirstElement() instanceof List<?> row)) {
            return;
        }
        Map<String, String> values = values(row);
        double layer = Csv.parseDouble(values.get(axis.column()));
        if (layer >= 0 && layer == Math.rint(layer)) {
            chart.setMarker(layer);
            Focus.layer(axis.layerOf(values, (int) layer), this);
        }
    }
}
