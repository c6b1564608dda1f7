package org.layerwise.ui.charts;

import java.text.FieldPosition;
import java.text.Format;
import java.text.ParsePosition;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import org.eclipse.swt.SWT;
import org.eclipse.swt.events.PaintEvent;
import org.eclipse.swt.graphics.Color;
import org.eclipse.swt.graphics.Font;
import org.eclipse.swt.graphics.FontData;
import org.eclipse.swt.graphics.GC;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Canvas;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swtchart.Chart;
import org.eclipse.swtchart.IAxis;
import org.eclipse.swtchart.ICustomPaintListener;
import org.eclipse.swtchart.LineStyle;
import org.eclipse.swtchart.Range;
import org.layerwise.figures.Heatmap;

/**
 * A matrix as coloured cells on an SWTChart {@link Chart}: the x axis is the column index, the
 * y axis the row index (row 0 at the top), each cell the unit square around its integer
 * coordinates, painted in data coordinates by a paint listener on the plot area. Signed
 * matrices use a diverging scale centred on 0, probabilities a sequential one; a colour bar
 * beside the chart gives the value range. Rows and columns may carry tick labels, class
 * bands in {@link Palette} class colours, block boundaries and one marked row. The chart keeps
 * the matrix it shows, so that it can be exported ({@link ChartExport}) and read back by tests.
 */
public final class HeatmapChart {

    /** How values map to colours. */
    public enum Scale {
        /** Blue (negative) - white (0) - red (positive), symmetric around 0. */
        DIVERGING,
        /** Viridis from the low to the high end (probabilities, magnitudes). */
        SEQUENTIAL
    }

    /** One cell: 0-based row and column and the value shown there. */
    public record Cell(int row, int column, double value) {
    }

    /** The colour of class -1 (a token without a label). */
    public static final RGB UNLABELED = Palette.swt(org.layerwise.figures.Palette.UNLABELED);

    private static final int BAR_WIDTH = 16;

    private final Composite holder;
    private final Chart chart;
    private final Canvas colourBar;
    private String xTitle = "";
    private String yTitle = "";
    private String valueTitle = "";

    private double[] values = new double[0];
    private int rows;
    private int columns;
    private Scale scale = Scale.DIVERGING;
    private double low = -1;
    private double high = 1;
    private String[] rowLabels;
    private String[] columnLabels;
    private int[] rowClasses;
    private int[] columnClasses;
    private int[] rowBoundaries = new int[0];
    private int[] columnBoundaries = new int[0];
    private int markedRow = -1;
    private String markedRowNote = "";
    private Consumer<Cell> clickListener = c -> {
    };
    private Cell hovered;

    /**
     * @param valueTitle what a cell's colour means, with its unit (the colour bar's title)
     */
    public HeatmapChart(Composite parent, String title, String xTitle, String yTitle, String valueTitle) {
        holder = new Composite(parent, SWT.NONE);
        GridLayout layout = new GridLayout(2, false);
        layout.marginWidth = 0;
        layout.marginHeight = 0;
        layout.horizontalSpacing = 0;
        holder.setLayout(layout);
        holder.setBackground(parent.getDisplay().getSystemColor(SWT.COLOR_WHITE));
        chart = new Chart(holder, SWT.NONE);
        chart.setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        chart.setBackground(parent.getDisplay().getSystemColor(SWT.COLOR_WHITE));
        chart.setBackgroundInPlotArea(parent.getDisplay().getSystemColor(SWT.COLOR_WHITE));
        chart.getLegend().setVisible(false);
        // The default title font is large; heatmaps often stand three abreast.
        FontData[] bold = parent.getDisplay().getSystemFont().getFontData();
        for (FontData f : bold) {
            f.setStyle(SWT.BOLD);
        }
        Font titleFont = new Font(parent.getDisplay(), bold);
        chart.getTitle().setFont(titleFont);
        holder.addDisposeListener(e -> titleFont.dispose());
        for (IAxis axis : new IAxis[] {xAxis(), yAxis()}) {
            axis.getGrid().setStyle(LineStyle.NONE);
            axis.getTick().setFormat(new IndexFormat(axis == xAxis()));
        }
        yAxis().setReversed(true);
        colourBar = new Canvas(holder, SWT.DOUBLE_BUFFERED);
        GridData bar = new GridData(SWT.FILL, SWT.FILL, false, true);
        bar.widthHint = 80;
        colourBar.setLayoutData(bar);
        colourBar.setBackground(parent.getDisplay().getSystemColor(SWT.COLOR_WHITE));
        colourBar.addPaintListener(this::paintColourBar);
        chart.getPlotArea().addCustomPaintListener(new ICustomPaintListener() {
            @Override
            public void paintControl(PaintEvent e) {
                paintCells(e.gc);
            }

            @Override
            public boolean drawBehindSeries() {
                return true;
            }
        });
        Control plot = chart.getPlotArea().getControl();
        plot.addListener(SWT.MouseMove, e -> hover(e.x, e.y));
        plot.addListener(SWT.MouseExit, e -> {
            hovered = null;
            plot.setToolTipText(null);
        });
        plot.addListener(SWT.MouseDown, e -> {
            if (e.button == 1) {
                Cell c = cellAt(e.x, e.y);
                if (c != null) {
                    clickListener.accept(c);
                }
            }
        });
        setTitles(title, xTitle, yTitle);
        this.valueTitle = valueTitle;
        show(new double[0], 0, 0, Scale.DIVERGING);
    }

    /** The widget to lay out: the chart and its colour bar. */
    public Composite control() {
        return holder;
    }

    /** The SWTChart chart that draws the axes and the cells. */
    public Chart chart() {
        return chart;
    }

    /** The plot area, where cells are painted and hovered. */
    public Control plotArea() {
        return chart.getPlotArea().getControl();
    }

    public void setTitles(String title, String x, String y) {
        xTitle = x;
        yTitle = y;
        chart.getTitle().setText(title);
        xAxis().getTitle().setText(x);
        yAxis().getTitle().setText(y);
    }

    public void setValueTitle(String title) {
        valueTitle = title;
        fitColourBar();
    }

    public String title() {
        return chart.getTitle().getText();
    }

    public String xTitle() {
        return xTitle;
    }

    public String yTitle() {
        return yTitle;
    }

    public String valueTitle() {
        return valueTitle;
    }

    /** Shows a row-major rows x columns matrix with the scale's automatic range. */
    public void show(double[] matrix, int rows, int columns, Scale scale) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double v : matrix) {
            if (Double.isFinite(v)) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
        }
        if (lo > hi) {
            lo = 0;
            hi = 1;
        }
        if (scale == Scale.DIVERGING) {
            double m = Math.max(Math.abs(lo), Math.abs(hi));
            show(matrix, rows, columns, scale, -m, m);
        } else {
            show(matrix, rows, columns, scale, Math.min(0, lo), hi);
        }
    }

    /**
     * Shows a row-major rows x columns matrix with the colour range [low, high] (a diverging
     * scale is made symmetric: [-m, m] with m = max(|low|, |high|)). Labels, classes,
     * boundaries and the marked row of an earlier matrix of another shape are dropped.
     */
    public void show(double[] matrix, int rows, int columns, Scale scale, double low, double high) {
        if (matrix.length != rows * columns) {
            throw new IllegalArgumentException("a " + rows + " x " + columns + " matrix has " + rows * columns + " values, not "
                    + matrix.length);
        }
        if (rows != this.rows || columns != this.columns) {
            rowLabels = null;
            columnLabels = null;
            rowClasses = null;
            columnClasses = null;
            rowBoundaries = new int[0];
            columnBoundaries = new int[0];
            markedRow = -1;
        }
        this.values = matrix.clone();
        this.rows = rows;
        this.columns = columns;
        this.scale = scale;
        if (scale == Scale.DIVERGING) {
            double m = Math.max(Math.abs(low), Math.abs(high));
            m = m > 0 && Double.isFinite(m) ? m : 1;
            this.low = -m;
            this.high = m;
        } else {
            this.low = Double.isFinite(low) ? low : 0;
            this.high = Double.isFinite(high) && high > this.low ? high : this.low + 1;
        }
        hovered = null;
        updateRanges();
    }

    /** Tick labels of the rows (null: the indices). */
    public void setRowLabels(String[] labels) {
        rowLabels = checked(labels, rows, "row labels");
        redraw();
    }

    /** Tick labels of the columns (null: the indices). */
    public void setColumnLabels(String[] labels) {
        columnLabels = checked(labels, columns, "column labels");
        redraw();
    }

    /** A band in each row's class colour left of the cells (null: none; -1: unlabeled). */
    public void setRowClasses(int[] classes) {
        rowClasses = classes == null ? null : checked(classes, rows, "row classes");
        updateRanges();
    }

    /** A band in each column's class colour above the cells (null: none; -1: unlabeled). */
    public void setColumnClasses(int[] classes) {
        columnClasses = classes == null ? null : checked(classes, columns, "column classes");
        updateRanges();
    }

    /** Lines before these row and column indices (block boundaries such as d_x). */
    public void setBoundaries(int[] rowBefore, int[] columnBefore) {
        rowBoundaries = rowBefore.clone();
        columnBoundaries = columnBefore.clone();
        redraw();
    }

    /** Outlines one row (-1: none); the note says what it is in tooltips. */
    public void markRow(int row, String note) {
        markedRow = row;
        markedRowNote = note == null ? "" : note;
        redraw();
    }

    /** Called with the cell under a left click. */
    public void onCellClick(Consumer<Cell> listener) {
        clickListener = listener;
    }

    public int rows() {
        return rows;
    }

    public int columns() {
        return columns;
    }

    /** The matrix shown, row-major (a copy). */
    public double[] values() {
        return values.clone();
    }

    public double value(int row, int column) {
        return values[row * columns + column];
    }

    public Scale scale() {
        return scale;
    }

    /** The value at the low end of the colour bar. */
    public double low() {
        return low;
    }

    /** The value at the high end of the colour bar. */
    public double high() {
        return high;
    }

    public String rowLabel(int row) {
        return rowLabels == null ? Integer.toString(row) : rowLabels[row];
    }

    public String columnLabel(int column) {
        return columnLabels == null ? Integer.toString(column) : columnLabels[column];
    }

    /** Whether tick labels were set (they go into the CSV export beside the indices). */
    public boolean hasLabels() {
        return rowLabels != null || columnLabels != null;
    }

    public int[] rowClasses() {
        return rowClasses == null ? null : rowClasses.clone();
    }

    public int[] columnClasses() {
        return columnClasses == null ? null : columnClasses.clone();
    }

    public int[] rowBoundaries() {
        return rowBoundaries.clone();
    }

    public int[] columnBoundaries() {
        return columnBoundaries.clone();
    }

    public int markedRow() {
        return markedRow;
    }

    /** The colour of a value on this chart's scale and range. */
    public RGB colour(double v) {
        return colour(v, scale, low, high);
    }

    /** The colour of a value on a scale with the range [low, high]; NaN is light grey. */
    public static RGB colour(double v, Scale scale, double low, double high) {
        return Palette.swt(org.layerwise.figures.Palette.colour(v, figures(scale), low, high));
    }

    private static org.layerwise.figures.Palette.Scale figures(Scale scale) {
        return scale == Scale.DIVERGING ? org.layerwise.figures.Palette.Scale.DIVERGING : org.layerwise.figures.Palette.Scale.SEQUENTIAL;
    }

    /** The class colour: {@link Palette#categorical} for k >= 0, grey for unlabeled. */
    public static RGB classColour(int k) {
        return Palette.swt(org.layerwise.figures.Palette.classColour(k));
    }

    /**
     * What the chart shows as a figure model (matrix, scale and range, titles, labels, classes,
     * boundaries, marked row), for {@link ChartExport}'s SVG.
     */
    public Heatmap figure() {
        return new Heatmap(title(), xTitle, yTitle, valueTitle, rows, columns, values, figures(scale), low, high,
                rowLabels == null ? List.of() : List.of(rowLabels), columnLabels == null ? List.of() : List.of(columnLabels), rowClasses,
                columnClasses, rowBoundaries, columnBoundaries, markedRow);
    }

    /** The cell under a point of the plot area (pixels), or null. */
    public Cell cellAt(int x, int y) {
        if (rows == 0 || columns == 0) {
            return null;
        }
        int c = (int) Math.round(xAxis().getDataCoordinate(x));
        int r = (int) Math.round(yAxis().getDataCoordinate(y));
        if (r < 0 || r >= rows || c < 0 || c >= columns) {
            return null;
        }
        return new Cell(r, c, value(r, c));
    }

    /** The centre of a cell in plot-area pixels. */
    public Point pixelOf(int row, int column) {
        return new Point(xAxis().getPixelCoordinate(column), yAxis().getPixelCoordinate(row));
    }

    /** The hover text of a cell: its row, column (with their labels) and value. */
    public String tooltip(int row, int column) {
        String r = rowLabels == null ? "row " + row : "row " + row + " " + withoutIndex(rowLabels[row], row);
        String c = columnLabels == null ? "column " + column : "column " + column + " " + withoutIndex(columnLabels[column], column);
        String note = row == markedRow && !markedRowNote.isEmpty() ? " [" + markedRowNote + "]" : "";
        return r.strip() + ", " + c.strip() + note + ": " + format(value(row, column));
    }

    private static String withoutIndex(String label, int index) {
        String s = label.startsWith(index + " ") ? label.substring(Integer.toString(index).length()).strip() : label;
        return s.equals(Integer.toString(index)) ? "" : s;
    }

    /** A value as the tooltip and colour bar print it. */
    public static String format(double v) {
        return Heatmap.format(v);
    }

    private void hover(int x, int y) {
        Cell c = cellAt(x, y);
        if (c == null) {
            if (hovered != null) {
                hovered = null;
                plotArea().setToolTipText(null);
            }
            return;
        }
        if (!c.equals(hovered)) {
            hovered = c;
            plotArea().setToolTipText(tooltip(c.row(), c.column()));
        }
    }

    /** The width of a class band in cells. */
    private static double band(int n) {
        return Math.max(0.6, n / 25.0);
    }

    private void updateRanges() {
        int r = Math.max(rows, 1);
        int c = Math.max(columns, 1);
        double left = -0.5 - (rowClasses == null ? 0 : band(c));
        double top = -0.5 - (columnClasses == null ? 0 : band(r));
        xAxis().setRange(new Range(left, c - 0.5));
        yAxis().setRange(new Range(top, r - 0.5));
        fitColourBar();
        redraw();
    }

    /** Widens the colour bar to its widest word, value label or class name, so nothing is clipped. */
    private void fitColourBar() {
        GC gc = new GC(colourBar);
        try {
            int width = 0;
            for (String word : valueTitle.split(" ")) {
                width = Math.max(width, gc.textExtent(word).x);
            }
            for (double v : new double[] {low, high}) {
                width = Math.max(width, BAR_WIDTH + 6 + gc.textExtent(format(v)).x);
            }
            if (classesShown().length > 0) {
                width = Math.max(width, 16 + gc.textExtent("unlabeled").x);
            }
            GridData data = (GridData) colourBar.getLayoutData();
            if (data.widthHint != width + 16) {
                data.widthHint = width + 16;
                holder.layout(true);
            }
        } finally {
            gc.dispose();
        }
        colourBar.redraw();
    }

    private void redraw() {
        chart.redraw();
        colourBar.redraw();
    }

    private IAxis xAxis() {
        return chart.getAxisSet().getXAxis(0);
    }

    private IAxis yAxis() {
        return chart.getAxisSet().getYAxis(0);
    }

    private void paintCells(GC gc) {
        if (rows == 0 || columns == 0) {
            return;
        }
        IAxis x = xAxis();
        IAxis y = yAxis();
        int[] xs = new int[columns + 1];
        int[] ys = new int[rows + 1];
        for (int c = 0; c <= columns; c++) {
            xs[c] = x.getPixelCoordinate(c - 0.5);
        }
        for (int r = 0; r <= rows; r++) {
            ys[r] = y.getPixelCoordinate(r - 0.5);
        }
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                gc.setBackground(new Color(colour(value(r, c))));
                fill(gc, xs[c], ys[r], xs[c + 1], ys[r + 1]);
            }
        }
        if (rowClasses != null) {
            int x0 = x.getPixelCoordinate(-0.5 - band(columns));
            int x1 = x.getPixelCoordinate(-0.5 - band(columns) * 0.2);
            for (int r = 0; r < rows; r++) {
                gc.setBackground(new Color(classColour(rowClasses[r])));
                fill(gc, x0, ys[r], x1, ys[r + 1]);
            }
        }
        if (columnClasses != null) {
            int y0 = y.getPixelCoordinate(-0.5 - band(rows));
            int y1 = y.getPixelCoordinate(-0.5 - band(rows) * 0.2);
            for (int c = 0; c < columns; c++) {
                gc.setBackground(new Color(classColour(columnClasses[c])));
                fill(gc, xs[c], y0, xs[c + 1], y1);
            }
        }
        gc.setForeground(new Color(new RGB(40, 40, 40)));
        gc.setLineWidth(2);
        for (int b : rowBoundaries) {
            if (b > 0 && b < rows) {
                gc.drawLine(xs[0], ys[b], xs[columns], ys[b]);
            }
        }
        for (int b : columnBoundaries) {
            if (b > 0 && b < columns) {
                gc.drawLine(xs[b], ys[0], xs[b], ys[rows]);
            }
        }
        if (markedRow >= 0 && markedRow < rows) {
            // Black outside, white inside: visible on the dark and the light end of any scale.
            int top = Math.min(ys[markedRow], ys[markedRow + 1]);
            int h = Math.abs(ys[markedRow + 1] - ys[markedRow]);
            int left = Math.min(xs[0], xs[columns]);
            int w = Math.abs(xs[columns] - xs[0]);
            gc.setLineWidth(2);
            gc.setForeground(new Color(new RGB(0, 0, 0)));
            gc.drawRectangle(left + 1, top + 1, w - 2, Math.max(1, h - 2));
            gc.setLineWidth(1);
            gc.setForeground(new Color(new RGB(255, 255, 255)));
            gc.drawRectangle(left + 3, top + 3, Math.max(1, w - 6), Math.max(1, h - 6));
        }
        gc.setLineWidth(1);
    }

    private static void fill(GC gc, int xa, int ya, int xb, int yb) {
        gc.fillRectangle(Math.min(xa, xb), Math.min(ya, yb), Math.max(1, Math.abs(xb - xa)), Math.max(1, Math.abs(yb - ya)));
    }

    private void paintColourBar(PaintEvent e) {
        GC gc = e.gc;
        Point size = colourBar.getSize();
        int barWidth = BAR_WIDTH;
        int th = gc.getFontMetrics().getHeight();
        int legendHeight = rowClasses != null || columnClasses != null ? 18 * classesShown().length + 8 : 0;
        int x = 8;
        gc.setForeground(e.display.getSystemColor(SWT.COLOR_BLACK));
        int top = drawWrapped(gc, valueTitle, x, 4, size.x - 12) + th + 4;
        int bottom = Math.max(top + 40, size.y - 50 - legendHeight);
        for (int py = top; py <= bottom; py++) {
            double v = high - (py - top) / (double) (bottom - top) * (high - low);
            gc.setForeground(new Color(colour(v)));
            gc.drawLine(x, py, x + barWidth, py);
        }
        gc.setForeground(e.display.getSystemColor(SWT.COLOR_DARK_GRAY));
        gc.drawRectangle(x, top, barWidth, bottom - top);
        gc.setForeground(e.display.getSystemColor(SWT.COLOR_BLACK));
        for (double v : scale == Scale.DIVERGING ? new double[] {high, 0, low} : new double[] {high, low}) {
            int py = top + (int) Math.round((high - v) / (high - low) * (bottom - top));
            gc.drawLine(x + barWidth, py, x + barWidth + 4, py);
            gc.drawText(format(v), x + barWidth + 6, py - th / 2, true);
        }
        if (legendHeight > 0) {
            int py = bottom + 24;
            for (int k : classesShown()) {
                gc.setBackground(new Color(classColour(k)));
                gc.fillRectangle(x, py + 2, 12, 12);
                gc.drawText(k < 0 ? "unlabeled" : "class " + k, x + 16, py, true);
                py += 18;
            }
        }
    }

    /** The classes the bands use, in order (unlabeled last). */
    public int[] classesShown() {
        return figure().classesShown();
    }

    /** Draws text wrapped at spaces; returns the y below its last line. */
    private static int drawWrapped(GC gc, String text, int x, int y, int width) {
        StringBuilder line = new StringBuilder();
        int th = gc.getFontMetrics().getHeight();
        for (String word : text.split(" ")) {
            String next = line.isEmpty() ? word : line + " " + word;
            if (gc.textExtent(next).x > width && !line.isEmpty()) {
                gc.drawText(line.toString(), x, y, true);
                y += th;
                line = new StringBuilder(word);
            } else {
                line = new StringBuilder(next);
            }
        }
        gc.drawText(line.toString(), x, y, true);
        return y + th;
    }

    private static String[] checked(String[] a, int n, String what) {
        if (a != null && a.length != n) {
            throw new IllegalArgumentException(what + ": " + a.length + " for " + n);
        }
        return a == null ? null : a.clone();
    }

    private static int[] checked(int[] a, int n, String what) {
        if (a.length != n) {
            throw new IllegalArgumentException(what + ": " + a.length + " for " + n);
        }
        return a.clone();
    }

    /**
     * Tick labels at whole numbers inside the matrix: the row or column label, nothing between
     * cells or over the class bands. Parsing reads the leading index back (SWTChart parses
     * labels to tell major ticks).
     */
    private final class IndexFormat extends Format {
        private static final long serialVersionUID = 1L;
        private final boolean columnsAxis;

        IndexFormat(boolean columnsAxis) {
            this.columnsAxis = columnsAxis;
        }

        @Override
        public StringBuffer format(Object obj, StringBuffer to, FieldPosition pos) {
            double v = ((Number) obj).doubleValue();
            long i = Math.round(v);
            int n = columnsAxis ? columns : rows;
            if (Math.abs(v - i) < 1e-9 && i >= 0 && i < n) {
                to.append(columnsAxis ? columnLabel((int) i) : rowLabel((int) i));
            }
            return to;
        }

        @Override
        public Object parseObject(String source, ParsePosition pos) {
            int start = pos.getIndex();
            int end = start;
            while (end < source.length() && Character.isDigit(source.charAt(end))) {
                end++;
            }
            if (end == start) {
                pos.setErrorIndex(start);
                return null;
            }
            pos.setIndex(end);
            return Double.valueOf(source.substring(start, end));
        }
    }

    @Override
    public String toString() {
        return "HeatmapChart[" + title() + ", " + rows + " x " + columns + ", " + scale + " " + Arrays.toString(new double[] {low, high})
                + "]";
    }
}
