package org.layerwise.figures;

import java.util.List;

/**
 * A row-major rows x columns matrix as coloured cells, row 0 at the top, with a colour bar for
 * [low, high] on the scale. Rows and columns may carry tick labels (empty: their indices), a
 * band in each one's class colour ({@link Palette#classColour}; null: none), block boundaries
 * (lines before these indices) and one outlined row (-1: none).
 */
public record Heatmap(String title, String xTitle, String yTitle, String valueTitle, int rows, int columns, double[] values,
        Palette.Scale scale, double low, double high, List<String> rowLabels, List<String> columnLabels, int[] rowClasses,
        int[] columnClasses, int[] rowBoundaries, int[] columnBoundaries, int markedRow) implements Chart {

    public Heatmap {
        if (values.length != rows * columns) {
            throw new IllegalArgumentException("a " + rows + " x " + columns + " matrix has " + rows * columns + " values, not "
                    + values.length);
        }
        if (!(low < high)) {
            throw new IllegalArgumentException("heatmap '" + title + "': empty colour range [" + low + ", " + high + "]");
        }
        rowLabels = checked(rowLabels, rows, "row labels");
        columnLabels = checked(columnLabels, columns, "column labels");
        rowClasses = checked(rowClasses, rows, "row classes");
        columnClasses = checked(columnClasses, columns, "column classes");
        values = values.clone();
        rowBoundaries = rowBoundaries.clone();
        columnBoundaries = columnBoundaries.clone();
    }

    /** The matrix alone: index labels, no classes, boundaries or marked row. */
    public static Heatmap of(String title, String xTitle, String yTitle, String valueTitle, int rows, int columns, double[] values,
            Palette.Scale scale, double low, double high) {
        return new Heatmap(title, xTitle, yTitle, valueTitle, rows, columns, values, scale, low, high, List.of(), List.of(), null, null,
                new int[0], new int[0], -1);
    }

    public Heatmap withLabels(List<String> rowNames, List<String> columnNames) {
        return new Heatmap(title, xTitle, yTitle, valueTitle, rows, columns, values, scale, low, high, rowNames, columnNames, rowClasses,
                columnClasses, rowBoundaries, columnBoundaries, markedRow);
    }

    public Heatmap withClasses(int[] ofRows, int[] ofColumns) {
        return new Heatmap(title, xTitle, yTitle, valueTitle, rows, columns, values, scale, low, high, rowLabels, columnLabels, ofRows,
                ofColumns, rowBoundaries, columnBoundaries, markedRow);
    }

    public Heatmap withBoundaries(int[] beforeRows, int[] beforeColumns, int marked) {
        return new Heatmap(title, xTitle, yTitle, valueTitle, rows, columns, values, scale, low, high, rowLabels, columnLabels,
                rowClasses, columnClasses, beforeRows, beforeColumns, marked);
    }

    public double value(int row, int column) {
        return values[row * columns + column];
    }

    public String rowLabel(int row) {
        return rowLabels.isEmpty() ? Integer.toString(row) : rowLabels.get(row);
    }

    public String columnLabel(int column) {
        return columnLabels.isEmpty() ? Integer.toString(column) : columnLabels.get(column);
    }

    /** The classes the bands use, in order, unlabeled (-1) last. */
    public int[] classesShown() {
        int max = -1;
        boolean unlabeled = false;
        for (int[] cs : new int[][] {rowClasses, columnClasses}) {
            if (cs != null) {
                for (int k : cs) {
                    max = Math.max(max, k);
                    unlabeled |= k < 0;
                }
            }
        }
        int[] out = new int[max + 1 + (unlabeled ? 1 : 0)];
        for (int k = 0; k <= max; k++) {
            out[k] = k;
        }
        if (unlabeled) {
            out[out.length - 1] = -1;
        }
        return out;
    }

    /** A value as tooltips and the colour bar print it. */
    public static String format(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        return a >= 1e-3 && a < 1e4 ? String.format(java.util.Locale.ROOT, "%.4g", v) : String.format(java.util.Locale.ROOT, "%.3e", v);
    }

    @Override
    public double[] values() {
        return values.clone();
    }

    @Override
    public int[] rowClasses() {
        return rowClasses == null ? null : rowClasses.clone();
    }

    @Override
    public int[] columnClasses() {
        return columnClasses == null ? null : columnClasses.clone();
    }

    @Override
    public int[] rowBoundaries() {
        return rowBoundaries.clone();
    }

    @Override
    public int[] columnBoundaries() {
        return columnBoundaries.clone();
    }

    private static List<String> checked(List<String> labels, int n, String what) {
        if (!labels.isEmpty() && labels.size() != n) {
            throw new IllegalArgumentException(what + ": " + labels.size() + " for " + n);
        }
        return List.copyOf(labels);
    }

    private static int[] checked(int[] a, int n, String what) {
        if (a != null && a.length != n) {
            throw new IllegalArgumentException(what + ": " + a.length + " for " + n);
        }
        return a == null ? null : a.clone();
    }
}
