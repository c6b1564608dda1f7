package org.layerwise.figures.internal;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Paint;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.List;
import java.util.Locale;

import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.annotations.XYBoxAnnotation;
import org.jfree.chart.annotations.XYLineAnnotation;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.SymbolAxis;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.chart.ui.RectangleInsets;
import org.jfree.chart.text.TextUtils;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;
import org.layerwise.figures.Chart;
import org.layerwise.figures.Heatmap;
import org.layerwise.figures.Palette;
import org.layerwise.figures.Rgb;
import org.layerwise.figures.XYChart;
import org.layerwise.figures.XYChart.Axis;
import org.layerwise.figures.XYChart.Line;
import org.layerwise.figures.XYChart.Panel;
import org.layerwise.figures.XYChart.Series;

/** Builds the JFreeChart of a figure: white plots, one title and label font, styles exactly as the model names them. */
public final class JFreeCharts {

    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 15);
    static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 12);

    static {
        // Rotated labels (y axes, colour bars) as text, not as glyph outlines: an SVG reader can find them.
        TextUtils.setUseDrawRotatedStringWorkaround(false);
    }

    private JFreeCharts() {
    }

    public static JFreeChart of(Chart chart) {
        return switch (chart) {
            case XYChart c -> xy(c);
            case Heatmap h -> heatmap(h);
        };
    }

    static Color awt(Rgb c) {
        return new Color(c.red(), c.green(), c.blue());
    }

    private static JFreeChart frame(String title, Plot plot, boolean legend, RectangleEdge legendAt) {
        JFreeChart c = new JFreeChart(title, TITLE, plot, legend);
        c.setBackgroundPaint(Color.WHITE);
        c.setAntiAlias(true);
        if (c.getLegend() != null) {
            c.getLegend().setPosition(legendAt);
            c.getLegend().setItemFont(LABEL);
        }
        return c;
    }

    private static JFreeChart xy(XYChart c) {
        ValueAxis x = axis(c.x());
        XYPlot plot;
        if (c.panels().size() == 1) {
            plot = panel(c.panels().get(0), c.x(), x);
        } else {
            CombinedDomainXYPlot combined = new CombinedDomainXYPlot(x);
            combined.setGap(12);
            for (Panel p : c.panels()) {
                combined.add(panel(p, c.x(), null));
            }
            plot = combined;
        }
        switch (c.legend().kind()) {
            case FIRST_PANEL -> plot.setFixedLegendItems(plot instanceof CombinedDomainXYPlot combined
                    ? combined.getSubplots().get(0).getLegendItems() : plot.getLegendItems());
            case ENTRIES -> {
                LegendItemCollection items = new LegendItemCollection();
                c.legend().entries().forEach(e -> items.add(new LegendItem(e.label(), awt(e.colour()))));
                plot.setFixedLegendItems(items);
            }
            default -> {
            }
        }
        JFreeChart chart = frame(c.title(), plot, c.legend().kind() != XYChart.Legend.Kind.NONE, RectangleEdge.BOTTOM);
        c.subtitles().forEach(s -> chart.addSubtitle(new TextTitle(s, LABEL)));
        return chart;
    }

    /** A panel; x is its own domain axis when it stands alone, null inside a combined plot. */
    private static XYPlot panel(Panel p, Axis xModel, ValueAxis x) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        List<Series> series = p.series();
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            YIntervalSeries points = new YIntervalSeries(new SeriesKey(i, s.id(), s.label()), false, true);
            double[] xs = s.x();
            double[] ys = s.y();
            double[] lows = s.hasIntervals() ? s.low() : ys;
            double[] highs = s.hasIntervals() ? s.high() : ys;
            for (int k = 0; k < xs.length; k++) {
                if (shows(xs[k], xModel) && shows(ys[k], p.y()) && shows(lows[k], p.y()) && shows(highs[k], p.y())) {
                    points.add(xs[k], ys[k], lows[k], highs[k]);
                }
            }
            data.addSeries(points);
        }
        SeriesRenderer r = new SeriesRenderer(series);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            r.setSeriesPaint(i, awt(s.colour()));
            r.setSeriesLinesVisible(i, s.line() != null);
            if (s.line() != null) {
                r.setSeriesStroke(i, stroke(s.line()));
            }
            r.setSeriesShapesVisible(i, s.symbol() != null);
            if (s.symbol() != null) {
                r.setSeriesShape(i, shape(s.symbol()));
            }
            r.setSeriesVisibleInLegend(i, s.inLegend());
        }
        XYPlot plot = new XYPlot(data, x, axis(p.y()), r);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        for (XYChart.Marker m : p.markers()) {
            ValueMarker v = new ValueMarker(m.value(), awt(m.colour()), stroke(m.line()));
            if (!m.label().isEmpty()) {
                v.setLabel(m.label());
                v.setLabelFont(LABEL);
                v.setLabelBackgroundColor(new Color(255, 255, 255, 0));
                v.setLabelAnchor(org.jfree.chart.ui.RectangleAnchor.TOP_RIGHT);
                v.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            }
            if (m.vertical()) {
                plot.addDomainMarker(v);
            } else {
                plot.addRangeMarker(v);
            }
        }
        for (XYChart.Note n : p.notes()) {
            XYTextAnnotation label = new XYTextAnnotation(n.text(), n.x(), n.y());
            label.setTextAnchor(TextAnchor.BOTTOM_LEFT);
            label.setFont(LABEL);
            plot.addAnnotation(label);
        }
        return plot;
    }

    /** Whether v can be drawn on the axis: finite, and positive on a log axis. */
    static boolean shows(double v, Axis a) {
        return Double.isFinite(v) && (a.scale() != XYChart.Scale.LOG || v > 0);
    }

    private static ValueAxis axis(Axis a) {
        ValueAxis v;
        if (!a.categories().isEmpty()) {
            v = new SymbolAxis(a.label(), a.categories().toArray(String[]::new));
        } else if (a.scale() == XYChart.Scale.LOG) {
            v = new DecimalLogAxis(a.label());
        } else {
            NumberAxis n = new NumberAxis(a.label());
            n.setAutoRangeIncludesZero(a.includesZero());
            if (a.integerTicks()) {
                n.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
            }
            v = n;
        }
        v.setLabelFont(LABEL);
        double[] range = a.range();
        if (range != null) {
            v.setRange(range[0], range[1]);
        }
        return v;
    }

    static BasicStroke stroke(Line line) {
        double[] d = line.dashes();
        if (d.length == 0) {
            return new BasicStroke((float) line.width());
        }
        float[] dashes = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            dashes[i] = (float) d[i];
        }
        return new BasicStroke((float) line.width(), BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, dashes, 0f);
    }

    /** A symbol as a filled shape centred on 0; the cross and plus are thin filled bars. */
    static java.awt.Shape shape(XYChart.Symbol s) {
        double r = Math.max(1.5, s.size());
        double w = Math.max(0.75, r / 4);
        return switch (s.shape()) {
            case CIRCLE -> new Ellipse2D.Double(-r, -r, 2 * r, 2 * r);
            case SQUARE -> new Rectangle2D.Double(-r, -r, 2 * r, 2 * r);
            case DIAMOND -> polygon(0, -r, r, 0, 0, r, -r, 0);
            case TRIANGLE -> polygon(0, -r, r, r, -r, r);
            case PLUS -> polygon(-w, -r, w, -r, w, -w, r, -w, r, w, w, w, w, r, -w, r, -w, w, -r, w, -r, -w, -w, -w);
            case CROSS -> {
                Path2D plus = (Path2D) polygon(-w, -r, w, -r, w, -w, r, -w, r, w, w, w, w, r, -w, r, -w, w, -r, w, -r, -w, -w, -w);
                plus.transform(java.awt.geom.AffineTransform.getRotateInstance(Math.PI / 4));
                yield plus;
            }
        };
    }

    private static java.awt.Shape polygon(double... xy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xy[0], xy[1]);
        for (int i = 2; i < xy.length; i += 2) {
            p.lineTo(xy[i], xy[i + 1]);
        }
        p.closePath();
        return p;
    }

    /** A series' key in the dataset: unique by index, shown by its label. */
    record SeriesKey(int index, String id, String label) implements Comparable<SeriesKey> {
        @Override
        public int compareTo(SeriesKey o) {
            return Integer.compare(index, o.index);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** Tick labels only: a whole number formats as its double, nothing is parsed back. */
    abstract static class TickLabels extends NumberFormat {
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(long v, StringBuffer to, FieldPosition pos) {
            return format((double) v, to, pos);
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            return null;
        }
    }

    /**
     * A log10 axis labelled at powers of ten in plain text (LogAxis draws its labels as attributed
     * strings, which JFreeSVG writes as glyph outlines).
     */
    static final class DecimalLogAxis extends LogAxis {
        private static final long serialVersionUID = 1L;
        private static final DecimalTicks FORMAT = new DecimalTicks();

        DecimalLogAxis(String label) {
            super(label);
            setBase(10);
            setNumberFormatOverride(FORMAT);
            setStandardTickUnits(NumberAxis.createIntegerTickUnits()); // major ticks at powers of ten only
        }

        @Override
        @SuppressWarnings({"rawtypes", "unchecked"})
        public List refreshTicks(java.awt.Graphics2D g2, org.jfree.chart.axis.AxisState state, Rectangle2D dataArea, RectangleEdge edge) {
            List<org.jfree.chart.axis.Tick> plain = new java.util.ArrayList<>();
            for (Object o : super.refreshTicks(g2, state, dataArea, edge)) {
                org.jfree.chart.axis.ValueTick t = (org.jfree.chart.axis.ValueTick) o;
                String text = t.getTickType() == org.jfree.chart.axis.TickType.MAJOR ? FORMAT.format(t.getValue()) : "";
                plain.add(new org.jfree.chart.axis.NumberTick(t.getTickType(), t.getValue(), text, t.getTextAnchor(), t.getRotationAnchor(),
                        t.getAngle()));
            }
            return plain;
        }
    }

    /** Log-axis tick labels as plain decimals (0.001, 100), far from 1 in scientific notation (1E-7, 1E+9). */
    static final class DecimalTicks extends TickLabels {
        private static final long serialVersionUID = 1L;

        @Override
        public StringBuffer format(double t, StringBuffer to, FieldPosition pos) {
            if (!Double.isFinite(t) || t == 0) {
                return to.append(t == 0 ? "0" : Double.toString(t));
            }
            java.math.BigDecimal d = new java.math.BigDecimal(String.format(Locale.ROOT, "%.3g", t)).stripTrailingZeros();
            int exponent = d.precision() - d.scale() - 1;
            return to.append(exponent >= -4 && exponent < 9 ? d.toPlainString() : d.toString());
        }
    }

    // ---- heatmaps

    /** The width of a class band in cells. */
    private static double band(int n) {
        return Math.max(0.6, n / 25.0);
    }

    private static JFreeChart heatmap(Heatmap h) {
        int rows = Math.max(h.rows(), 1);
        int columns = Math.max(h.columns(), 1);
        double[][] xyz = new double[3][h.rows() * h.columns()];
        for (int r = 0; r < h.rows(); r++) {
            for (int c = 0; c < h.columns(); c++) {
                int i = r * h.columns() + c;
                xyz[0][i] = c;
                xyz[1][i] = r;
                xyz[2][i] = h.value(r, c);
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("cells", xyz);
        CellRenderer renderer = new CellRenderer(h);
        NumberAxis x = indexAxis(h.xTitle(), columns, h.rowClasses() != null, i -> h.columnLabel(i));
        NumberAxis y = indexAxis(h.yTitle(), rows, h.columnClasses() != null, i -> h.rowLabel(i));
        y.setInverted(true);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinesVisible(false);
        plot.setRangeGridlinesVisible(false);
        plot.setDomainAxisLocation(AxisLocation.BOTTOM_OR_LEFT);
        if (h.rowClasses() != null) {
            int[] k = h.rowClasses();
            for (int r = 0; r < k.length; r++) {
                plot.addAnnotation(new XYBoxAnnotation(-0.5 - band(columns), r - 0.5, -0.5 - band(columns) * 0.2, r + 0.5, null, null,
                        awt(Palette.classColour(k[r]))));
            }
        }
        if (h.columnClasses() != null) {
            int[] k = h.columnClasses();
            for (int c = 0; c < k.length; c++) {
                plot.addAnnotation(new XYBoxAnnotation(c - 0.5, -0.5 - band(rows), c + 0.5, -0.5 - band(rows) * 0.2, null, null,
                        awt(Palette.classColour(k[c]))));
            }
        }
        BasicStroke boundary = new BasicStroke(2f);
        Color dark = new Color(40, 40, 40);
        for (int b : h.rowBoundaries()) {
            if (b > 0 && b < h.rows()) {
                plot.addAnnotation(new XYLineAnnotation(-0.5, b - 0.5, h.columns() - 0.5, b - 0.5, boundary, dark));
            }
        }
        for (int b : h.columnBoundaries()) {
            if (b > 0 && b < h.columns()) {
                plot.addAnnotation(new XYLineAnnotation(b - 0.5, -0.5, b - 0.5, h.rows() - 0.5, boundary, dark));
            }
        }
        int marked = h.markedRow();
        if (marked >= 0 && marked < h.rows()) {
            // Black outside, white inside: visible on the dark and the light end of any scale.
            plot.addAnnotation(new XYBoxAnnotation(-0.5, marked - 0.5, h.columns() - 0.5, marked + 0.5, new BasicStroke(2f), Color.BLACK,
                    null));
            double inset = 0.08;
            plot.addAnnotation(new XYBoxAnnotation(-0.5 + inset, marked - 0.5 + inset, h.columns() - 0.5 - inset, marked + 0.5 - inset,
                    new BasicStroke(1f), Color.WHITE, null));
        }
        int[] classes = h.classesShown();
        if (classes.length > 0) {
            LegendItemCollection items = new LegendItemCollection();
            for (int k : classes) {
                items.add(new LegendItem(k < 0 ? "unlabeled" : "class " + k, awt(Palette.classColour(k))));
            }
            plot.setFixedLegendItems(items);
        }
        JFreeChart chart = frame(h.title(), plot, classes.length > 0, RectangleEdge.RIGHT);
        NumberAxis scaleAxis = new NumberAxis(h.valueTitle());
        scaleAxis.setLabelFont(LABEL);
        scaleAxis.setRange(h.low(), h.high());
        PaintScaleLegend bar = new PaintScaleLegend(renderer.getPaintScale(), scaleAxis);
        bar.setPosition(RectangleEdge.RIGHT);
        bar.setStripWidth(16);
        bar.setMargin(new RectangleInsets(8, 12, 8, 8));
        bar.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(bar);
        return chart;
    }

    /** Ticks at whole numbers inside 0 .. n-1, each labelled with its name; the axis leaves room for a class band. */
    private static NumberAxis indexAxis(String title, int n, boolean band, java.util.function.IntFunction<String> name) {
        NumberAxis a = new NumberAxis(title);
        a.setLabelFont(LABEL);
        a.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        a.setNumberFormatOverride(new IndexNames(n, name));
        a.setRange(-0.5 - (band ? band(n) : 0), n - 0.5);
        return a;
    }

    /** The name of a whole-number tick inside the matrix, nothing elsewhere. */
    static final class IndexNames extends TickLabels {
        private static final long serialVersionUID = 1L;
        private final int n;
        private final transient java.util.function.IntFunction<String> name;

        IndexNames(int n, java.util.function.IntFunction<String> name) {
            this.n = n;
            this.name = name;
        }

        @Override
        public StringBuffer format(double v, StringBuffer to, FieldPosition pos) {
            long i = Math.round(v);
            if (Math.abs(v - i) < 1e-9 && i >= 0 && i < n) {
                to.append(name.apply((int) i));
            }
            return to;
        }
    }

    static Paint cellPaint(Heatmap h, double v) {
        return awt(Palette.colour(v, h.scale(), h.low(), h.high()));
    }
}
