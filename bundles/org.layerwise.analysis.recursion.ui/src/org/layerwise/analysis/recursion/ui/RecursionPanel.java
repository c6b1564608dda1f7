package org.layerwise.analysis.recursion.ui;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
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
 * Recursion (coupled-mean-shift analyzer): the recursion's coefficients across blocks for one
 * head, and its fidelity per layer (R2 of the hidden states of one token block), full and
 * reduced. Axes follow {@link Focus}'s convention, as Layer Dynamics does: block l's
 * coefficients at x = l ("block"), the fidelity of the states after block l (the file's
 * "layer l", blocks.{l}.hook_resid_post) at x = l + 1 ("layer (0 = input)"). Clicking either
 * chart focuses the nearest layer, both mark the focused layer, and the head selector follows
 * and sets the focused head.
 */
public final class RecursionPanel extends RunPanel {

    /** The coefficient groups of coupled-mean-shift-coefficients.csv, each a chart of its own. */
    private static final String[][] GROUPS = {
        {"Q: a, b, f, g, c, e", "q_a", "q_b", "q_f", "q_g", "q_c", "q_e"},
        {"V: a', b', f', g', c', e'", "v_a", "v_b", "v_f", "v_g", "v_c", "v_e"},
        {"reduced: alpha, beta, gamma, delta", "alpha", "beta", "gamma", "delta"}};

    private final Combo group;
    private final Combo head;
    private final Combo block;
    private final LineChart coefficients;
    private final LineChart fidelity;
    private Csv.Table coefficientTable;
    private Csv.Table fidelityTable;

    public RecursionPanel(Composite parent) {
        super(parent);
        setLayout(new GridLayout(2, true));
        placeHeading(2);
        Composite controls = new Composite(this, SWT.NONE);
        controls.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false, 2, 1));
        controls.setLayout(new GridLayout(6, false));
        group = combo(controls, "Coefficients", this::plot);
        for (String[] g : GROUPS) {
            group.add(g[0]);
        }
        group.select(0);
        head = combo(controls, "Head", this::headChosen);
        block = combo(controls, "Fidelity of token block", this::plot);
        coefficients = new LineChart(this, "Recursion coefficients", "block", "coefficient (dimensionless)");
        coefficients.control().setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        coefficients.integerXAxis();
        ChartExportMenu.attach(coefficients);
        fidelity = new LineChart(this, "Recursion fidelity", "layer (0 = input)", "hidden-state R2 (1 = exact)");
        fidelity.control().setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        fidelity.integerXAxis();
        ChartExportMenu.attach(fidelity);
        for (LineChart c : List.of(coefficients, fidelity)) {
            FocusLinks.clickSetsLayer(c, this);
            c.setMarker(Focus.get().layer());
        }
        FocusLinks.follow(this, this::focusChanged);
    }

    private Combo combo(Composite parent, String label, Runnable onSelection) {
        new Label(parent, SWT.NONE).setText(label);
        Combo c = new Combo(parent, SWT.READ_ONLY);
        c.setLayoutData(new GridData(SWT.LEFT, SWT.CENTER, false, false));
        c.addListener(SWT.Selection, e -> onSelection.run());
        return c;
    }

    public Combo headCombo() {
        return head;
    }

    /** The head chosen here becomes the focused head (when it is a head number). */
    private void headChosen() {
        plot();
        int h = headNumber(head.getSelectionIndex());
        if (h >= 0) {
            Focus.head(h, this);
        }
    }

    private int headNumber(int index) {
        if (index < 0) {
            return -1;
        }
        try {
            return Integer.parseInt(head.getItem(index).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private void focusChanged(Focus.State state, Object source) {
        coefficients.setMarker(state.layer());
        fidelity.setMarker(state.layer());
        if (source != this) {
            selectFocusedHead();
        }
    }

    /** Selects (and plots) the focused head when this run has it. */
    private void selectFocusedHead() {
        for (int i = 0; i < head.getItemCount(); i++) {
            if (headNumber(i) == Focus.get().head() && head.getSelectionIndex() != i) {
                head.select(i);
                plot();
                return;
            }
        }
    }

    public LineChart coefficientChart() {
        return coefficients;
    }

    public LineChart fidelityChart() {
        return fidelity;
    }

    @Override
    protected void show(RunDirectory run) throws IOException {
        coefficientTable = run.table("coupled-mean-shift-coefficients");
        fidelityTable = run.table("coupled-mean-shift");
        head.removeAll();
        block.removeAll();
        if (coefficientTable == null || fidelityTable == null) {
            coefficients.setTitles("Recursion: this run has no coupled-mean-shift analyzer", "block", "");
            coefficients.show(List.of());
            fidelity.show(List.of());
            return;
        }
        new LinkedHashSet<>(coefficientTable.column("head")).forEach(head::add);
        head.select(0);
        for (int i = 0; i < head.getItemCount(); i++) {
            if (headNumber(i) == Focus.get().head()) {
                head.select(i);
            }
        }
        Set<String> blocks = new LinkedHashSet<>();
        for (int r = 0; r < fidelityTable.size(); r++) {
            if (fidelityTable.get(r, "measure").equals("hidden_r2")) {
                blocks.add(fidelityTable.get(r, "block"));
            }
        }
        blocks.forEach(block::add);
        block.select(Math.max(0, List.copyOf(blocks).indexOf("probe.y")));
        plot();
    }

    private void plot() {
        if (coefficientTable == null || fidelityTable == null || head.getSelectionIndex() < 0) {
            return;
        }
        String h = head.getItem(head.getSelectionIndex());
        String[] g = GROUPS[group.getSelectionIndex()];
        List<Double> layers = new ArrayList<>();
        List<Integer> rows = new ArrayList<>();
        for (int r = 0; r < coefficientTable.size(); r++) {
            if (coefficientTable.get(r, "head").equals(h)) {
                rows.add(r);
                layers.add(Csv.parseDouble(coefficientTable.get(r, "layer")));
            }
        }
        double[] x = layers.stream().mapToDouble(Double::doubleValue).toArray();
        List<Series> series = new ArrayList<>();
        for (int k = 1; k < g.length; k++) {
            String column = g[k];
            double[] y = rows.stream().mapToDouble(r -> Csv.parseDouble(coefficientTable.get(r, column))).toArray();
            series.add(Series.line(column, column, x, y, Palette.categorical(k - 1)));
        }
        coefficients.setTitles(g[0] + " (head " + h + ")", "block", "coefficient (dimensionless)");
        coefficients.show(series);

        String b = block.getItemCount() == 0 ? "" : block.getItem(block.getSelectionIndex());
        List<Series> fid = new ArrayList<>();
        int colour = 0;
        for (String form : List.of("full", "reduced")) {
            List<double[]> points = new ArrayList<>();
            for (int r = 0; r < fidelityTable.size(); r++) {
                if (fidelityTable.get(r, "form").equals(form) && fidelityTable.get(r, "measure").equals("hidden_r2")
                        && fidelityTable.get(r, "block").equals(b)) {
                    // the file's layer l is the state after block l: layer l + 1 (Focus)
                    points.add(new double[] {Csv.parseDouble(fidelityTable.get(r, "layer")) + 1,
                        Csv.parseDouble(fidelityTable.get(r, "value"))});
                }
            }
            points.sort((p, q) -> Double.compare(p[0], q[0]));
            Series s = Series.line(form, form + " recursion", points.stream().mapToDouble(p -> p[0]).toArray(),
                    points.stream().mapToDouble(p -> p[1]).toArray(), Palette.categorical(colour++));
            fid.add(form.equals("reduced") ? s.asDashed() : s);
        }
        fidelity.setTitles("Recursion fidelity, states of " + b, "layer (0 = input)", "hidden-state R2 (1 = exact)");
        fidelity.show(fid);
    }
}
