package org.layerwise.analysis.dynamics.ui;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Combo;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.layerwise.io.Csv;
import org.layerwise.runner.RunDirectory;
import org.layerwise.ui.charts.ChartExportMenu;
import org.layerwise.ui.charts.LineChart;
import org.layerwise.ui.charts.Palette;
import org.layerwise.ui.charts.Series;
import org.layerwise.ui.results.Focus;
import org.layerwise.ui.results.FocusLinks;
import org.layerwise.ui.results.RunPanel;

/**
 * Layer Dynamics (layer-dynamics.csv): one measure across layers, the network solid and the
 * recursion dashed in the same colour, each with its bootstrap interval as a light band.
 * Attention measures show the mean over heads. The x axis follows {@link Focus}'s convention:
 * a state measure at x = t is the state after t blocks ("layer (0 = input)"), an attention
 * measure at x = t is block t's attention, computed from the state at layer t ("block").
 * Clicking the chart focuses the nearest layer; the focused layer is marked by a vertical line.
 */
public final class LayerDynamicsPanel extends RunPanel {

    /** What each measure is measured in, for the y-axis title. */
    private static final Map<String, String> UNITS = Map.of("fisher_ratio", "ratio", "distance_ratio", "ratio",
            "label_margin", "label units", "feature_margin", "squared distance", "same_class_mass", "attention mass",
            "entropy", "nats", "entropy_normalized", "fraction of log K");

    /** Measures of a layer's attention (mean over heads) rather than of the states after it. */
    private static final Set<String> ATTENTION = Set.of("same_class_mass", "entropy", "entropy_normalized");

    private final Combo measure;
    private final LineChart chart;
    private Csv.Table table;

    public LayerDynamicsPanel(Composite parent) {
        super(parent);
        setLayout(new GridLayout(2, false));
        placeHeading(2);
        new Label(this, SWT.NONE).setText("Measure");
        measure = new Combo(this, SWT.READ_ONLY);
        measure.setLayoutData(new GridData(SWT.LEFT, SWT.CENTER, false, false));
        measure.addListener(SWT.Selection, e -> plot());
        chart = new LineChart(this, "Layer dynamics", "layer (0 = input)", "");
        chart.control().setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true, 2, 1));
        chart.integerXAxis();
        ChartExportMenu.attach(chart);
        FocusLinks.clickSetsLayer(chart, this);
        FocusLinks.follow(this, (state, source) -> chart.setMarker(state.layer()));
        chart.setMarker(Focus.get().layer());
    }

    public LineChart chart() {
        return chart;
    }

    public Combo measureCombo() {
        return measure;
    }

    @Override
    protected void show(RunDirectory run) throws IOException {
        table = run.table("layer-dynamics");
        measure.removeAll();
        if (table == null) {
            chart.setTitles("Layer dynamics: this run has no layer-dynamics analyzer", "layer (0 = input)", "");
            chart.show(List.of());
            return;
        }
        Set<String> keys = new LinkedHashSet<>();
        for (int r = 0; r < table.size(); r++) {
            if (summaryRow(r)) {
                keys.add(key(table.get(r, "measure"), table.get(r, "block")));
            }
        }
        keys.forEach(measure::add);
        measure.select(0);
        plot();
    }

    private boolean summaryRow(int r) {
        String head = table.get(r, "head");
        return head.equals("-") || head.equals("mean");
    }

    private static String key(String measure, String block) {
        return block.equals("-") ? measure : measure + " (" + block + ")";
    }

    /** Draws the selected measure. */
    private void plot() {
        if (table == null || measure.getSelectionIndex() < 0) {
            return;
        }
        String selected = measure.getItem(measure.getSelectionIndex());
        List<Series> series = new ArrayList<>();
        String name = selected.replaceFirst(" \\(.*", "");
        int colour = 0;
        for (String source : List.of("network", "recursion")) {
            List<double[]> points = new ArrayList<>();
            for (int r = 0; r < table.size(); r++) {
                if (summaryRow(r) && table.get(r, "source").equals(source)
                        && key(table.get(r, "measure"), table.get(r, "block")).equals(selected)) {
                    points.add(new double[] {Csv.parseDouble(table.get(r, "layer")), Csv.parseDouble(table.get(r, "mean")),
                        Csv.parseDouble(table.get(r, "low")), Csv.parseDouble(table.get(r, "high"))});
                }
            }
            if (points.isEmpty()) {
                continue;
            }
            points.sort((a, b) -> Double.compare(a[0], b[0]));
            double[] x = points.stream().mapToDouble(p -> p[0]).toArray();
            Series line = Series.line(source, source, x, points.stream().mapToDouble(p -> p[1]).toArray(), Palette.categorical(colour));
            series.add(source.equals("recursion") ? line.asDashed() : line);
            series.addAll(List.of(Series.band(source, source, x, points.stream().mapToDouble(p -> p[2]).toArray(),
                    points.stream().mapToDouble(p -> p[3]).toArray(), Palette.categorical(colour))));
        }
        chart.setTitles("Layer dynamics: " + selected, ATTENTION.contains(name) ? "block" : "layer (0 = input)",
                selected + " (" + UNITS.getOrDefault(name, "value") + ")");
        chart.show(series);
    }
}
