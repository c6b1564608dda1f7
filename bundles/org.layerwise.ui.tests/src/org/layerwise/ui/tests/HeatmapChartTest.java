package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.swt.SWT;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.widgets.Event;
import org.junit.jupiter.api.Test;
import org.layerwise.io.Csv;
import org.layerwise.ui.charts.ChartExport;
import org.layerwise.ui.charts.HeatmapChart;
import org.layerwise.ui.charts.Palette;

/** The heatmap chart on a small known matrix: colours, ticks, hit testing and export. */
class HeatmapChartTest extends ShellTest {


    @Test
    void aSignedMatrixIsCentredOnZeroAndExportsAsLongFormCsv() throws Exception {
        shell = Ui.shell("Heatmap");
        HeatmapChart chart = new HeatmapChart(shell, "Signed matrix", "column (index)", "row (index)", "entry (dimensionless)");
        double[] m = {-2, -1, 0, 1, 0.5, 0.25, 0, -0.25, 1.5, 0, 0, 0.75};
        chart.show(m, 3, 4, HeatmapChart.Scale.DIVERGING);
        chart.setBoundaries(new int[] {2}, new int[] {2});
        chart.setRowClasses(new int[] {0, 1, -1});
        List<HeatmapChart.Cell> clicks = new ArrayList<>();
        chart.onCellClick(clicks::add);
        shell.open();
        Ui.flush();

        assertEquals(-2, chart.low(), 0);
        assertEquals(2, chart.high(), 0, "a diverging scale is symmetric around 0");
        assertEquals(new RGB(247, 247, 247), chart.colour(0));
        assertEquals(new RGB(178, 24, 43), chart.colour(2));
        assertEquals(new RGB(33, 102, 172), chart.colour(-2));
        assertEquals(Palette.categorical(1), HeatmapChart.classColour(1));
        assertEquals("", chart.chart().getAxisSet().getXAxis(0).getTick().getFormat().format(1.5), "no tick between cells");
        chart.setColumnLabels(new String[] {"x0", "x1", "y0", "y1"});
        assertEquals("y0", chart.chart().getAxisSet().getXAxis(0).getTick().getFormat().format(2.0));

        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 4; c++) {
                Point p = chart.pixelOf(r, c);
                assertEquals(new HeatmapChart.Cell(r, c, m[r * 4 + c]), chart.cellAt(p.x, p.y));
            }
        }
        Point p = chart.pixelOf(1, 2);
        Event down = new Event();
        down.button = 1;
        down.x = p.x;
        down.y = p.y;
        chart.plotArea().notifyListeners(SWT.MouseDown, down);
        assertEquals(List.of(new HeatmapChart.Cell(1, 2, 0)), clicks);

        Path dir = Path.of(System.getProperty("layerwise.screenshots", "target/screenshots")).resolveSibling("exports");
        Path csv = dir.resolve("heatmap.csv");
        ChartExport.write(chart, csv, ChartExport.Format.CSV);
        Csv.Table t = Csv.read(csv);
        assertEquals(List.of("row", "column", "value", "row_label", "column_label"), t.header());
        assertEquals(12, t.size());
        for (int i = 0; i < 12; i++) {
            assertEquals(i / 4, Integer.parseInt(t.get(i, "row")));
            assertEquals(i % 4, Integer.parseInt(t.get(i, "column")));
            assertEquals(m[i], Csv.parseDouble(t.get(i, "value")), 0);
        }
        Path svg = dir.resolve("heatmap.svg");
        ChartExport.write(chart, svg, ChartExport.Format.SVG);
        SvgFigure figure = SvgFigure.parse(Files.readString(svg));
        List<org.w3c.dom.Element> cells = figure.groups("cell");
        assertEquals(12, cells.size(), "a group per cell");
        org.w3c.dom.Element first = cells.stream().filter(c -> c.getAttribute("data-row").equals("0")
                && c.getAttribute("data-column").equals("0")).findFirst().orElseThrow();
        assertEquals(-2, Double.parseDouble(first.getAttribute("data-value")), 0);
        assertTrue(((org.w3c.dom.Element) first.getElementsByTagName("rect").item(0)).getAttribute("style").contains("rgb(33,102,172)"),
                "the most negative entry is blue");
        assertTrue(figure.texts().containsAll(List.of("entry (dimensionless)", "class 1", "unlabeled", "x0", "x1", "y0", "y1")),
                "value title, class legend and the column labels: " + figure.texts());
        try {
            chart.show(new double[5], 2, 3, HeatmapChart.Scale.SEQUENTIAL);
            fail("5 values do not make a 2 x 3 matrix");
        } catch (IllegalArgumentException expected) {
            // the message names both shapes
        }

        double[] probabilities = {0.2, 0.8, 0.5, 0.5};
        chart.show(probabilities, 2, 2, HeatmapChart.Scale.SEQUENTIAL);
        assertEquals(0, chart.low(), 0);
        assertEquals(0.8, chart.high(), 0);
        assertEquals(-1, chart.markedRow(), "a matrix of another shape drops the old marks");
        chart.show(m, 3, 4, HeatmapChart.Scale.DIVERGING);
        chart.setRowClasses(new int[] {0, 1, -1});
        Ui.flush();
        Ui.screenshot(shell, "chart-heatmap");
    }
}
