package org.layerwise.sweep.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.StructuredSelection;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.FillLayout;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Display;
import org.eclipse.swt.widgets.Event;
import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.io.Json;
import org.layerwise.sweep.aggregate.Interval;
import org.layerwise.sweep.aggregate.SweepSummary;
import org.layerwise.sweep.aggregate.SweepTable;
import org.layerwise.ui.charts.Series;

/**
 * The Sweep panel in a plain shell on a fabricated sweep directory: its chart draws what
 * {@link SweepSummary} computes and what the runs' own metrics.json give by hand; choosing another
 * metric, axis, series, fixed value or interval redraws it; a marker chooses its points; the
 * table sorts; a bad sweep directory is said with the file and the field. The Display is this
 * thread's, shared with the workbench test (SWTChart keeps the fonts of the first Display).
 */
class SweepPanelTest {

    private static final double EPS = 1e-12;

    @TempDir
    Path folder;
    private Shell shell;
    private SweepPanel panel;
    private Path dir;

    @BeforeEach
    void open() throws Exception {
        dir = FabricatedSweep.write(folder.resolve("context-by-enforcer"));
        shell = new Shell(Display.getDefault());
        shell.setLayout(new FillLayout());
        shell.setSize(1100, 800);
        panel = new SweepPanel(shell);
        shell.open();
    }

    @AfterEach
    void close() {
        shell.dispose();
    }

    private SweepTable read(Path d) {
        ReadSweepJob.Outcome outcome = ReadSweepJob.read(d);
        assertNull(outcome.problem(), "the sweep reads");
        return outcome.table();
    }

    private static void flush() {
        while (Display.getDefault().readAndDispatch()) {
            // drain
        }
    }

    private static void choose(Combo combo, String item) {
        int i = List.of(combo.getItems()).indexOf(item);
        assertTrue(i >= 0, item + " is offered: " + List.of(combo.getItems()));
        combo.select(i);
        combo.notifyListeners(SWT.Selection, new Event());
        flush();
    }

    private Series series(String id) {
        return panel.chart().lineChart().series().stream().filter(s -> s.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no series " + id + " in " + ids()));
    }

    private List<String> ids() {
        return panel.chart().lineChart().series().stream().map(Series::id).toList();
    }

    /** The mean over the seeds whose point is OK (the failed and the pending point have no value). */
    private static double handMean(String n, String enforcer, boolean asymmetry) {
        double sum = 0;
        int k = 0;
        for (long seed : FabricatedSweep.SEEDS) {
            String id = FabricatedSweep.point(n, enforcer, seed);
            if (!id.equals(FabricatedSweep.FAILED) && !id.equals(FabricatedSweep.PENDING)) {
                sum += asymmetry ? FabricatedSweep.asymmetry(n, enforcer, seed) : FabricatedSweep.accuracy(n, enforcer, seed);
                k++;
            }
        }
        return sum / k;
    }

    @Test
    void theChartDrawsTheMeanAndIntervalOfEveryLineAsTheSummaryComputesThem() {
        SweepTable table = read(dir);
        panel.show(table);
        flush();
        assertTrue(panel.showsSweep());
        assertEquals(new SweepChoice("accuracy", "task.N", "enforcer", Map.of(), Interval.T95), panel.choice(),
                "the sweep's first metric against its first axis that varies (backend.steps is a constant), a line per value of the next");
        assertEquals(List.of("task.N", "enforcer"), List.of(panel.xAxisCombo().getItems()), "a constant is never plotted");
        assertTrue(panel.heading().startsWith("context-by-enforcer"), panel.heading());
        assertEquals("18 points: 16 OK, 1 PENDING, 1 FAILED; seeds 1, 2, 3", panel.counts());
        assertEquals(List.of("accuracy", "weight-abstraction.asymmetry", "steps", "eval_prompts", "chance", "final_train_loss"),
                List.of(panel.metricCombo().getItems()), "the chosen metrics first, then every value column");
        assertEquals(List.of("mean_none", "mean_none_low", "mean_none_high", "mean_random-conjugation",
                "mean_random-conjugation_low", "mean_random-conjugation_high"), ids(), "a mean and its band per enforcer");

        List<SweepSummary.Line> expected = SweepSummary.of(table, "accuracy", "task.N", "enforcer", Map.of(), Interval.T95).lines();
        for (SweepSummary.Line line : expected) {
            Series mean = series("mean_" + line.series());
            Series low = series("mean_" + line.series() + "_low");
            Series high = series("mean_" + line.series() + "_high");
            assertEquals("enforcer = " + line.series(), mean.label());
            for (int k = 0; k < line.cells().size(); k++) {
                SweepSummary.Cell c = line.cells().get(k);
                assertEquals(Double.parseDouble(FabricatedSweep.N.get(k)), mean.x()[k], "task.N is numeric: drawn to scale");
                assertEquals(c.mean(), mean.y()[k], EPS);
                assertEquals(handMean(c.x(), line.series(), false), mean.y()[k], EPS, "the runs' own accuracy, by hand");
                assertEquals(c.lower(), low.y()[k], EPS);
                assertEquals(c.upper(), high.y()[k], EPS);
                assertTrue(low.y()[k] < mean.y()[k] && mean.y()[k] < high.y()[k], "an interval around the mean");
            }
        }
        assertEquals(List.of(), panel.chart().lineChart().categories());
        assertTrue(panel.chart().lineChart().figure().x().integerTicks(), "8, 16, 32 are labelled as whole numbers");
        assertEquals(18, panel.points().viewer().getTable().getItemCount(), "every point is in the table");
        assertEquals(List.of("point", "accuracy", "status", "seed", "task.N", "enforcer", "backend.steps"), panel.points().columnNames(),
                "the value beside the id, the axes that vary before the constant");
    }

    @Test
    void choosingAnotherMetricAxisSeriesValueOrIntervalRedraws() {
        SweepTable table = read(dir);
        panel.show(table);
        flush();
        choose(panel.metricCombo(), "weight-abstraction.asymmetry");
        assertEquals(handMean("16", "none", true), series("mean_none").y()[1], EPS, "asymmetry of enforcer none at N = 16");
        assertEquals("weight-abstraction.asymmetry", panel.points().columnNames().get(PointTable.METRIC),
                "the table's value column follows");

        choose(panel.xAxisCombo(), "enforcer");
        assertEquals("task.N", panel.choice().seriesAxis(), "the axes swap: one line per task.N");
        assertEquals(List.of("none", "random-conjugation"), panel.chart().lineChart().categories(), "enforcer is categorical");
        assertEquals(List.of("mean_8", "mean_8_low", "mean_8_high", "mean_16", "mean_16_low", "mean_16_high", "mean_32",
                "mean_32_low", "mean_32_high"), ids());
        assertEquals(0.0, series("mean_32").x()[0]);
        assertEquals(1.0, series("mean_32").x()[1]);
        assertEquals(handMean("32", "random-conjugation", true), series("mean_32").y()[1], EPS);

        choose(panel.seriesCombo(), SweepPanel.NO_SERIES);
        assertEquals(List.of("task.N"), List.copyOf(panel.fixedCombos().keySet()), "task.N is now pooled or fixed, the constant never");
        assertEquals(List.of("mean", "mean_low", "mean_high"), ids(), "one line");
        SweepSummary.Cell pooled = SweepSummary.of(table, "weight-abstraction.asymmetry", "enforcer", null, Map.of(), Interval.T95)
                .lines().get(0).cells().get(0);
        assertEquals(pooled.mean(), series("mean").y()[0], EPS, "task.N pooled within each seed");

        choose(panel.fixedCombos().get("task.N"), "16");
        assertEquals(Map.of("task.N", "16"), panel.choice().fixed());
        assertEquals(handMean("16", "none", true), series("mean").y()[0], EPS, "only N = 16");
        assertTrue(panel.caption().contains("6 points plotted"), panel.caption());

        choose(panel.intervalCombo(), SweepChart.intervalName(Interval.BOOTSTRAP95));
        SweepSummary.Cell boot = SweepSummary.of(table, "weight-abstraction.asymmetry", "enforcer", null, Map.of("task.N", "16"),
                Interval.BOOTSTRAP95).lines().get(0).cells().get(1);
        assertEquals(boot.lower(), series("mean_low").y()[1], EPS, "the bootstrap interval");
        assertEquals(boot.upper(), series("mean_high").y()[1], EPS);
        SweepSummary.Cell t = SweepSummary.of(table, "weight-abstraction.asymmetry", "enforcer", null, Map.of("task.N", "16"),
                Interval.T95).lines().get(0).cells().get(1);
        assertTrue(Math.abs(t.lower() - boot.lower()) > 1e-6, "t and bootstrap differ here, so the switch is seen");
    }

    @Test
    void aMarkerChoosesTheRunsItSummarizesAndTheSelectionIsTheirRunDirectories() {
        SweepTable table = read(dir);
        panel.show(table);
        flush();
        RunSelection selection = new RunSelection(panel.points().viewer(), r -> ((SweepTable.Row) r).run());
        SweepChart.Plotted marker = panel.chart().plotted().stream()
                .filter(p -> p.line().series().equals("none") && p.cell().x().equals("16")).findFirst().orElseThrow();
        org.eclipse.swt.graphics.Point at = panel.chart().pixelOf(marker);
        Event up = new Event();
        up.button = 1;
        up.x = at.x + 2;
        up.y = at.y - 2;
        panel.chart().lineChart().plotArea().notifyListeners(SWT.MouseUp, up);
        flush();
        List<String> chosen = new ArrayList<>();
        for (Object r : panel.points().viewer().getStructuredSelection()) {
            chosen.add(((SweepTable.Row) r).point());
        }
        assertEquals(List.of(FabricatedSweep.point("16", "none", 1), FabricatedSweep.point("16", "none", 3)), chosen,
                "the OK runs of N = 16, none (seed 2 failed)");
        IStructuredSelection runs = (IStructuredSelection) selection.getSelection();
        assertEquals(List.of(dir.resolve("points").resolve(chosen.get(0)), dir.resolve("points").resolve(chosen.get(1))), runs.toList());

        Event far = new Event();
        far.button = 1;
        far.x = at.x + 3 * SweepChart.PICK_RADIUS;
        far.y = at.y;
        assertNull(panel.chart().pick(far.x, far.y), "a click away from every marker chooses nothing");

        selection.setSelection(new StructuredSelection(dir.resolve("points/p0010")));
        assertEquals(List.of(dir.resolve("points/p0010")), ((IStructuredSelection) selection.getSelection()).toList());
    }

    @Test
    void anAxisSpanningAFactorOf100IsDrawnOnALogScale() throws Exception {
        org.eclipse.swtchart.IAxis x = panel.chart().lineChart().control().getAxisSet().getXAxis(0);
        panel.show(read(dir));
        flush();
        assertFalse(x.isLogScaleEnabled(), "8 to 32: linear");
        panel.show(read(FabricatedSweep.write(folder.resolve("wide"), List.of("8", "80", "800"))));
        flush();
        assertTrue(x.isLogScaleEnabled(), "8 to 800: log");
        assertEquals("task.N (log scale)", panel.chart().lineChart().xTitle());
        assertEquals(800.0, series("mean_none").x()[2]);
    }

    @Test
    void theTableSortsByAColumnNumbersAsNumbersBlanksLast() {
        panel.show(read(dir));
        flush();
        PointTable points = panel.points();
        points.sortBy(PointTable.METRIC);
        List<Double> values = new ArrayList<>();
        List<String> shown = new ArrayList<>();
        for (SweepTable.Row r : points.shown()) {
            values.add(r.value("accuracy"));
            shown.add(r.point());
        }
        for (int i = 1; i < 16; i++) {
            assertTrue(values.get(i - 1) <= values.get(i), "ascending: " + values);
        }
        assertEquals(List.of(FabricatedSweep.FAILED, FabricatedSweep.PENDING), List.copyOf(shown.subList(16, 18)).stream().sorted().toList(),
                "the points without a value come last");
        points.sortBy(PointTable.METRIC);
        List<SweepTable.Row> descending = points.shown();
        assertTrue(descending.get(0).value("accuracy") >= descending.get(15).value("accuracy"), "descending");
        assertTrue(Double.isNaN(descending.get(17).value("accuracy")), "blanks stay last");
        points.sortBy(PointTable.FIRST_AXIS);
        assertEquals("8", points.shown().get(0).coordinates().get("task.N"), "8 < 16 < 32 as numbers, not as text");
        assertEquals("32", points.shown().get(17).coordinates().get("task.N"));
    }

    @Test
    void aRefreshKeepsTheChoiceAndShowsWhatChanged() throws Exception {
        panel.show(read(dir));
        flush();
        choose(panel.xAxisCombo(), "enforcer");
        choose(panel.intervalCombo(), SweepChart.intervalName(Interval.BOOTSTRAP95));
        SweepChoice before = panel.choice();
        Path pending = dir.resolve("points").resolve(FabricatedSweep.PENDING);
        Files.createDirectories(pending);
        Json.write(pending.resolve("run.json"), Map.of("format", "layerwise-run", "version", 1, "status", "OK", "complete", true));
        Json.write(pending.resolve("metrics.json"), Map.of("accuracy", 0.9));
        panel.show(read(dir));
        flush();
        assertEquals(before, panel.choice(), "the same axes, metric and interval");
        assertEquals("18 points: 17 OK, 1 FAILED; seeds 1, 2, 3", panel.counts());
        double[] seeds = {FabricatedSweep.accuracy("32", "random-conjugation", 1), FabricatedSweep.accuracy("32", "random-conjugation", 2),
            0.9};
        assertEquals((seeds[0] + seeds[1] + seeds[2]) / 3, series("mean_32").y()[1], EPS, "the new run counts");
    }

    @Test
    void aBadSweepDirectoryIsSaidWithTheFileAndWhatIsWrong() throws Exception {
        panel.show(read(dir));
        flush();
        Path empty = Files.createDirectories(folder.resolve("not-a-sweep"));
        ReadSweepJob.Outcome none = ReadSweepJob.read(empty);
        assertNull(none.table());
        panel.failed(none.problem());
        flush();
        assertFalse(panel.showsSweep(), "nothing but the message");
        assertTrue(panel.heading().contains(empty.toString()) && panel.heading().contains("has no sweep.json"), panel.heading());

        Path bad = Files.createDirectories(folder.resolve("bad"));
        Files.writeString(bad.resolve("sweep.json"), """
                {"format": "layerwise-sweep", "version": 1, "name": "bad", "axes": [{"setting": "task.N", "values": [8, 16]}],
                 "seeds": [1], "metrics": [], "points": []}
                """);
        ReadSweepJob.Outcome wrong = ReadSweepJob.read(bad);
        assertNull(wrong.table());
        assertTrue(wrong.problem().contains(bad.resolve("sweep.json").toString()), wrong.problem());
        assertTrue(wrong.problem().contains("axes[0].values[0]") && wrong.problem().contains("must be a string"), wrong.problem());

        Files.writeString(bad.resolve("sweep.json"), "{\"format\": \"layerwise-sweep\", ");
        ReadSweepJob.Outcome torn = ReadSweepJob.read(bad);
        assertTrue(torn.problem().contains(bad.resolve("sweep.json").toString()) && torn.problem().contains("not JSON"), torn.problem());
        panel.failed(torn.problem());
        assertEquals(torn.problem(), panel.heading());
    }
}
