package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.eclipse.swt.graphics.ImageLoader;
import org.junit.jupiter.api.Test;
import org.layerwise.io.Csv;
import org.layerwise.ui.charts.ChartExport;
import org.layerwise.ui.charts.LineChart;
import org.layerwise.ui.charts.Palette;
import org.layerwise.ui.charts.Series;

/** Every chart exports what it shows: PNG as on screen, SVG from the data, tidy CSV. */
class ChartExportTest extends ShellTest {


    @Test
    void pngSvgAndCsvCarryTheChartsData() throws Exception {
        shell = Ui.shell("Chart export");
        LineChart chart = new LineChart(shell, "Separation by layer", "layer", "separation (nats)");
        double[] layers = {0, 1, 2, 3};
        List<Series> data = new java.util.ArrayList<>();
        data.add(Series.line("network", "network", layers, new double[] {0.1, 0.5, 0.9, 1.2}, Palette.categorical(0)));
        data.addAll(List.of(Series.band("network", "network", layers, new double[] {0.05, 0.4, 0.8, 1.0},
                new double[] {0.15, 0.6, 1.0, 1.4}, Palette.categorical(0))));
        data.add(Series.line("recursion", "recursion", layers, new double[] {0.1, 0.45, 0.95, 1.1}, Palette.categorical(0))
                .asDashed());
        chart.show(data);
        shell.open();
        Ui.flush();

        Path dir = Path.of(System.getProperty("layerwise.screenshots", "target/screenshots")).resolveSibling("exports");
        Path png = dir.resolve("separation.png");
        Path svg = dir.resolve("separation.svg");
        Path csv = dir.resolve("separation.csv");
        ChartExport.write(chart, png, ChartExport.Format.PNG);
        ChartExport.write(chart, svg, ChartExport.Format.SVG);
        ChartExport.write(chart, csv, ChartExport.Format.CSV);

        ImageLoader loader = new ImageLoader();
        loader.load(png.toString());
        assertEquals(chart.control().getSize().x, loader.data[0].width);
        assertEquals(chart.control().getSize().y, loader.data[0].height);
        SvgFigure figure = SvgFigure.parse(Files.readString(svg));
        assertEquals(java.util.Set.of("network", "network_low", "network_high", "recursion"), java.util.Set.copyOf(figure.seriesIds()));
        for (Series s : chart.series()) {
            assertEquals(4, figure.line(s.id()).size(), s.id());
        }
        assertTrue(figure.texts().containsAll(List.of("separation (nats)", "layer", "Separation by layer")), figure.texts().toString());
        Csv.Table table = Csv.read(csv);
        assertEquals(List.of("series", "label", "layer", "separation (nats)"), table.header());
        assertEquals(16, table.size());
        assertEquals(0.9, Csv.parseDouble(table.get(2, "separation (nats)")), 0);
        assertEquals("network", table.get(2, "series"));
        Ui.screenshot(shell, "chart-export");
    }

    @Test
    void aCategoricalXAxisExportsItsNames() throws Exception {
        shell = Ui.shell("Categorical chart export");
        LineChart chart = new LineChart(shell, "Accuracy by enforcer", "enforcer", "accuracy");
        chart.show(List.of(Series.line("mean", "mean", new double[] {0, 1}, new double[] {0.61, 0.74}, Palette.categorical(0))));
        chart.categoryXAxis(List.of("none", "random-conjugation"));
        shell.open();
        Ui.flush();
        Path dir = Path.of(System.getProperty("layerwise.screenshots", "target/screenshots")).resolveSibling("exports");
        Path svg = dir.resolve("by-enforcer.svg");
        Path csv = dir.resolve("by-enforcer.csv");
        ChartExport.write(chart, svg, ChartExport.Format.SVG);
        ChartExport.write(chart, csv, ChartExport.Format.CSV);
        SvgFigure figure = SvgFigure.parse(Files.readString(svg));
        assertTrue(figure.texts().containsAll(List.of("none", "random-conjugation")), "the names label the x axis: " + figure.texts());
        assertEquals(2, figure.line("mean").size());
        Csv.Table table = Csv.read(csv);
        assertEquals(List.of("none", "random-conjugation"), List.of(table.get(0, "enforcer"), table.get(1, "enforcer")),
                "the CSV names the category of each point");

        chart.categoryXAxis(List.of());
        ChartExport.write(chart, csv, ChartExport.Format.CSV);
        assertEquals(1.0, Csv.parseDouble(Csv.read(csv).get(1, "enforcer")), 0, "numeric again");
        assertFalse(SvgFigure.parse(ChartExport.svg(chart)).texts().contains("random-conjugation"));
    }
}
