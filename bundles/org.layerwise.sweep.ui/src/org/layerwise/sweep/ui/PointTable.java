package org.layerwise.sweep.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import org.eclipse.jface.viewers.ArrayContentProvider;
import org.eclipse.jface.viewers.ColumnLabelProvider;
import org.eclipse.jface.viewers.TableViewer;
import org.eclipse.jface.viewers.TableViewerColumn;
import org.eclipse.jface.viewers.Viewer;
import org.eclipse.jface.viewers.ViewerComparator;
import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.TableColumn;
import org.layerwise.sweep.aggregate.SweepTable;

/**
 * The sweep's points, one row each: id, the chosen metric's value, status, seed and every axis's
 * value (the axes that vary first). A click on a column header sorts by it (again: the other way), numbers as numbers; the
 * rows the chart leaves out (another value of a fixed axis) are grey.
 */
final class PointTable {

    /** The columns: point, the chosen metric, status, seed, then the axes. */
    static final int METRIC = 1;
    static final int STATUS = 2;
    static final int SEED = 3;
    static final int FIRST_AXIS = 4;

    private final TableViewer viewer;
    private final List<String> columnNames = new ArrayList<>();
    private final Sorter sorter = new Sorter();
    private List<String> axes = List.of();
    private SweepChoice choice;
    private SweepTable shownTable;

    PointTable(Composite parent) {
        // virtual: a sweep of 10,000 points makes the rows it shows, not 10,000 of them
        viewer = new TableViewer(parent, SWT.MULTI | SWT.FULL_SELECTION | SWT.BORDER | SWT.V_SCROLL | SWT.H_SCROLL | SWT.VIRTUAL);
        viewer.getTable().setHeaderVisible(true);
        viewer.getTable().setLinesVisible(true);
        viewer.setContentProvider(ArrayContentProvider.getInstance());
        viewer.setComparator(sorter);
    }

    TableViewer viewer() {
        return viewer;
    }

    /** Shows the table's rows with a column per axis, keeping the sort when the columns stay the same. */
    void show(SweepTable table, SweepChoice choice) {
        this.choice = choice;
        List<String> names = new ArrayList<>();
        names.add("point");
        names.add(metricColumn(choice));
        names.add("status");
        names.add("seed");
        // the axes that vary, then the constants: the value stays in sight in a narrow view
        List<String> all = new ArrayList<>(SweepChoice.axes(table));
        table.axes().stream().map(SweepTable.Axis::setting).filter(a -> !all.contains(a)).forEach(all::add);
        names.addAll(all);
        if (!all.equals(axes) || viewer.getTable().getColumnCount() == 0) {
            axes = all;
            for (TableColumn c : viewer.getTable().getColumns()) {
                c.dispose();
            }
            columnNames.clear();
            sorter.column = -1;
            viewer.getTable().setSortColumn(null);
            for (int i = 0; i < names.size(); i++) {
                addColumn(i, names.get(i));
            }
        } else {
            viewer.getTable().getColumn(METRIC).setText(names.get(METRIC));
            columnNames.set(METRIC, names.get(METRIC));
        }
        if (table != shownTable) {
            shownTable = table;
            viewer.setInput(table.rows().toArray());
        } else {
            viewer.refresh(); // another metric or fixed value: texts and greys change, the rows do not
        }
        for (TableColumn c : viewer.getTable().getColumns()) {
            c.pack();
        }
    }

    private static String metricColumn(SweepChoice choice) {
        return choice.metric() == null ? "(no metric)" : choice.metric();
    }

    /** The cell's text in column i of a row. */
    String text(SweepTable.Row row, int column) {
        return switch (column) {
            case 0 -> row.point();
            case METRIC -> {
                double v = choice.metric() == null ? Double.NaN : row.value(choice.metric());
                yield Double.isNaN(v) ? "" : String.format(java.util.Locale.ROOT, "%.6g", v);
            }
            case STATUS -> row.status();
            case SEED -> String.valueOf(row.seed());
            default -> row.coordinates().getOrDefault(axes.get(column - FIRST_AXIS), "");
        };
    }

    private void addColumn(int index, String name) {
        TableViewerColumn column = new TableViewerColumn(viewer, SWT.LEFT);
        column.getColumn().setText(name);
        column.getColumn().setMoveable(true);
        columnNames.add(name);
        Function<SweepTable.Row, String> text = row -> text(row, index);
        column.setLabelProvider(new ColumnLabelProvider() {
            @Override
            public String getText(Object element) {
                return text.apply((SweepTable.Row) element);
            }

            @Override
            public Color getForeground(Object element) {
                return choice != null && !choice.includes((SweepTable.Row) element)
                        ? viewer.getTable().getDisplay().getSystemColor(SWT.COLOR_DARK_GRAY)
                        : null;
            }
        });
        column.getColumn().addListener(SWT.Selection, e -> sortBy(index));
    }

    /** Sorts by column i, ascending; sorting by the same column again reverses. */
    void sortBy(int column) {
        sorter.ascending = sorter.column != column || !sorter.ascending;
        sorter.column = column;
        viewer.getTable().setSortColumn(viewer.getTable().getColumn(column));
        viewer.getTable().setSortDirection(sorter.ascending ? SWT.UP : SWT.DOWN);
        viewer.refresh();
    }

    /** The rows in the order shown. */
    List<SweepTable.Row> shown() {
        Object[] rows = ArrayContentProvider.getInstance().getElements(viewer.getInput());
        sorter.sort(viewer, rows);
        return java.util.Arrays.stream(rows).map(SweepTable.Row.class::cast).toList();
    }

    List<String> columnNames() {
        return List.copyOf(columnNames);
    }

    private final class Sorter extends ViewerComparator {
        int column = -1;
        boolean ascending = true;

        @Override
        public int compare(Viewer v, Object a, Object b) {
            if (column < 0) {
                return 0; // the table's own order: by point
            }
            String x = text((SweepTable.Row) a, column);
            String y = text((SweepTable.Row) b, column);
            if (x.isEmpty() != y.isEmpty()) {
                return x.isEmpty() ? 1 : -1; // a point without the value stays last either way
            }
            int c = compareCells(x, y);
            return ascending ? c : -c;
        }
    }

    /** Numbers (the metric, numeric axes, seeds) compare as numbers and come before text, text before blanks. */
    static int compareCells(String a, String b) {
        Double x = number(a);
        Double y = number(b);
        if (x != null && y != null) {
            return Double.compare(x, y);
        }
        if (x != null || y != null) {
            return x != null ? -1 : 1;
        }
        if (a.isEmpty() != b.isEmpty()) {
            return a.isEmpty() ? 1 : -1;
        }
        return a.compareTo(b);
    }

    private static Double number(String s) {
        try {
            return s.isEmpty() ? null : Double.valueOf(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
