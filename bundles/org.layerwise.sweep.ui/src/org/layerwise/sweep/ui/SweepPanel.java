package org.layerwise.sweep.ui;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.layout.RowData;
import org.eclipse.swt.layout.RowLayout;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.layerwise.sweep.aggregate.Interval;
import org.layerwise.sweep.aggregate.SweepSummary;
import org.layerwise.sweep.aggregate.SweepTable;

/**
 * One sweep: a heading with its name, directory and points per status; the choice of metric, x
 * axis, series axis, interval and a value (or pooled) for every other axis; the chart of that
 * choice; and the table of points. Choosing a marker in the chart selects its points in the
 * table. A sweep that cannot be read leaves the heading saying why and nothing else shown.
 */
final class SweepPanel extends Composite {

    /** The series combo's entry for one line. */
    static final String NO_SERIES = "(none)";
    /** A remaining axis's entry for pooling its values with the seeds. */
    static final String POOLED = "(pooled)";

    private static final int MAX_COMBO_WIDTH = 220;
    private static final List<String> STATUS_ORDER = List.of("OK", "RUNNING", "PENDING", "PARTIAL", "FAILED", "CANCELLED",
            "DIVERGED", "INTERRUPTED", SweepTable.UNREADABLE);

    private final Label heading;
    private String counts = "";
    private final Composite controls;
    private final Combo metric;
    private final Combo xAxis;
    private final Combo seriesAxis;
    private final Combo interval;
    private final Composite fixedControls;
    private final Map<String, Combo> fixed = new LinkedHashMap<>();
    private final Label caption;
    private final SashForm body;
    private final SweepChart chart;
    private final PointTable points;

    private SweepTable table;
    private SweepChoice choice;
    private List<SweepSummary.Line> lines = List.of();

    SweepPanel(Composite parent) {
        super(parent, SWT.NONE);
        setLayout(new GridLayout(1, false));
        heading = new Label(this, SWT.WRAP);
        heading.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        heading.setText("Open a sweep directory: File > Open Sweep Directory..., or double-click a sweep in the explorer.");
        controls = new Composite(this, SWT.NONE);
        controls.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        RowLayout row = new RowLayout(SWT.HORIZONTAL);
        row.center = true;
        row.wrap = true;
        controls.setLayout(row);
        metric = combo(controls, "Metric", c -> choose(choice.withMetric(c.getText())));
        xAxis = combo(controls, "against", c -> choose(choice.withXAxis(c.getText())));
        seriesAxis = combo(controls, "a line per", c -> choose(choice.withSeriesAxis(NO_SERIES.equals(c.getText()) ? null : c.getText())));
        interval = combo(controls, "interval", c -> choose(choice.withInterval(Interval.values()[c.getSelectionIndex()])));
        for (Interval i : Interval.values()) {
            interval.add(SweepChart.intervalName(i));
        }
        fixedControls = new Composite(controls, SWT.NONE);
        RowLayout fixedRow = new RowLayout(SWT.HORIZONTAL);
        fixedRow.center = true;
        fixedControls.setLayout(fixedRow);

        caption = new Label(this, SWT.WRAP);
        caption.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        body = new SashForm(this, SWT.VERTICAL);
        body.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        Composite chartArea = new Composite(body, SWT.NONE);
        chartArea.setLayout(new FillLayout());
        chart = new SweepChart(chartArea);
        points = new PointTable(body);
        body.setWeights(13, 7);
        chart.lineChart().plotArea().setToolTipText("Click a marker to choose its points: the run views show the first");
        chart.onPoint(this::selectPoints);
        setContentVisible(false);
    }

    /** A labelled combo, the two kept on one line when the row wraps. */
    private Combo combo(Composite parent, String label, Consumer<Combo> chosen) {
        Composite pair = new Composite(parent, SWT.NONE);
        RowLayout tight = new RowLayout(SWT.HORIZONTAL);
        tight.center = true;
        tight.wrap = false;
        tight.marginLeft = tight.marginRight = tight.marginTop = tight.marginBottom = 0;
        pair.setLayout(tight);
        Label l = new Label(pair, SWT.NONE);
        l.setText(label + ":");
        Combo c = new Combo(pair, SWT.READ_ONLY | SWT.DROP_DOWN);
        c.addListener(SWT.Selection, e -> {
            if (choice != null) {
                chosen.accept(c);
            }
        });
        return c;
    }

    /** Says that the directory is being read. */
    void reading(Path dir) {
        heading.setText("Reading the sweep in " + dir + " ...");
        layout(true, true);
    }

    /** Says why there is no sweep to show, and shows nothing else. */
    void failed(String problem) {
        table = null;
        choice = null;
        lines = List.of();
        heading.setText(problem);
        counts = "";
        points.viewer().setInput(new Object[0]);
        setContentVisible(false);
        layout(true, true);
    }

    /** Shows a table just read; the choice made so far is kept where the table still allows it (a Refresh). */
    void show(SweepTable next) {
        boolean same = table != null && table.directory().equals(next.directory());
        table = next;
        counts = countsText(next);
        heading.setText(next.name() + ": " + counts);
        setItems(metric, SweepChoice.metrics(next));
        setItems(xAxis, SweepChoice.axes(next));
        List<String> series = new ArrayList<>();
        series.add(NO_SERIES);
        series.addAll(SweepChoice.axes(next));
        setItems(seriesAxis, series);
        setContentVisible(true);
        List<String> selected = points.viewer().getStructuredSelection().toList().stream()
                .map(r -> ((SweepTable.Row) r).point()).toList();
        choose(same && choice != null ? choice.keptFor(next) : SweepChoice.initial(next));
        if (same && !selected.isEmpty()) { // the same points stay selected: their rows are new objects
            points.viewer().setSelection(new StructuredSelection(next.rows().stream().filter(r -> selected.contains(r.point())).toList()));
        }
    }

    /** Plots the choice and updates the controls and table to it. */
    void choose(SweepChoice next) {
        choice = next;
        select(metric, next.metric());
        select(xAxis, next.xAxis());
        select(seriesAxis, next.seriesAxis() == null ? NO_SERIES : next.seriesAxis());
        interval.select(next.interval().ordinal());
        rebuildFixed();
        lines = next.summarize(table);
        chart.show(table, next, lines);
        points.show(table, next);
        caption.setText(captionText());
        layout(true, true);
    }

    private void rebuildFixed() {
        List<String> remaining = choice.remainingAxes(table);
        if (!remaining.equals(List.copyOf(fixed.keySet()))) {
            for (Control c : fixedControls.getChildren()) {
                c.dispose(); // each a label and its combo
            }
            fixed.clear();
            for (String axis : remaining) {
                Combo c = combo(fixedControls, axis, cb -> choose(choice.withFixed(axis, POOLED.equals(cb.getText()) ? null : cb.getText())));
                List<String> values = new ArrayList<>();
                values.add(POOLED);
                values.addAll(SweepChoice.valuesOf(table, axis));
                setItems(c, values);
                fixed.put(axis, c);
            }
        }
        fixed.forEach((axis, c) -> select(c, choice.fixed().getOrDefault(axis, POOLED)));
    }

    private String captionText() {
        if (choice.metric() == null) {
            return "The sweep's runs have no scalar to plot yet.";
        }
        if (choice.xAxis() == null) {
            return "The sweep has no axis: its points differ only by seed.";
        }
        long plotted = table.rows().stream().filter(choice::includes).count();
        long valued = table.rows().stream().filter(r -> choice.includes(r) && r.ok() && Double.isFinite(r.value(choice.metric()))).count();
        List<String> pooled = choice.remainingAxes(table).stream().filter(a -> !choice.fixed().containsKey(a)).toList();
        return "Mean across seeds" + (pooled.isEmpty() ? "" : " (within a seed, " + String.join(", ", pooled) + " pooled)") + " with its "
                + SweepChart.intervalName(choice.interval()) + "; OK runs only: " + valued + " of the " + plotted
                + " points plotted have a value.";
    }

    /** "24 points: 20 OK, 3 RUNNING, 1 FAILED; seeds 1, 2, 3", the statuses in a fixed order, any other after them. */
    static String countsText(SweepTable t) {
        Map<String, Integer> byStatus = new TreeMap<>((a, b) -> {
            int i = STATUS_ORDER.indexOf(a);
            int j = STATUS_ORDER.indexOf(b);
            return i >= 0 && j >= 0 ? Integer.compare(i, j) : i >= 0 ? -1 : j >= 0 ? 1 : a.compareTo(b);
        });
        byStatus.putAll(t.statusCounts());
        List<String> parts = new ArrayList<>();
        byStatus.forEach((status, n) -> parts.add(n + " " + status));
        String seeds = t.seeds().isEmpty() ? "the pipeline's seed"
                : "seeds " + String.join(", ", t.seeds().stream().map(String::valueOf).toList());
        return t.rows().size() + " points" + (parts.isEmpty() ? "" : ": " + String.join(", ", parts)) + "; " + seeds;
    }

    /** Selects in the table the points a chart marker summarizes (the run views follow the first). */
    void selectPoints(SweepSummary.Line line, SweepSummary.Cell cell) {
        List<SweepTable.Row> rows = choice.rowsOf(table, line, cell);
        points.viewer().setSelection(new StructuredSelection(rows), true);
    }

    private void setContentVisible(boolean visible) {
        for (Control c : new Control[] {controls, caption, body}) {
            c.setVisible(visible);
            ((GridData) c.getLayoutData()).exclude = !visible;
        }
    }

    private static void setItems(Combo c, List<String> items) {
        if (!List.of(c.getItems()).equals(items)) {
            c.setItems(items.toArray(String[]::new));
            // long value-column names would push the other choices off a narrow view
            c.setLayoutData(new RowData(Math.min(c.computeSize(SWT.DEFAULT, SWT.DEFAULT).x, MAX_COMBO_WIDTH), SWT.DEFAULT));
        }
    }

    private static void select(Combo c, String item) {
        int i = item == null ? -1 : List.of(c.getItems()).indexOf(item);
        if (i >= 0 && c.getSelectionIndex() != i) {
            c.select(i);
        } else if (i < 0) {
            c.deselectAll();
        }
    }

    SweepTable table() {
        return table;
    }

    SweepChoice choice() {
        return choice;
    }

    List<SweepSummary.Line> lines() {
        return lines;
    }

    String heading() {
        return heading.getText();
    }

    /** The points per status, as the heading gives them. */
    String counts() {
        return counts;
    }

    String caption() {
        return caption.getText();
    }

    SweepChart chart() {
        return chart;
    }

    PointTable points() {
        return points;
    }

    Combo metricCombo() {
        return metric;
    }

    Combo xAxisCombo() {
        return xAxis;
    }

    Combo seriesCombo() {
        return seriesAxis;
    }

    Combo intervalCombo() {
        return interval;
    }

    /** The combo of each remaining axis (a value, or pooled). */
    Map<String, Combo> fixedCombos() {
        return Map.copyOf(fixed);
    }

    /** Whether the chart and table are shown (a sweep was read). */
    boolean showsSweep() {
        return body.getVisible() && !Objects.isNull(table);
    }
}
