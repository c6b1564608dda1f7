package org.layerwise.analysis.ui;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.eclipse.swt.widgets.Spinner;
import org.layerwise.core.Tensor;
import org.layerwise.io.Npz;
import org.layerwise.runner.RunDirectory;
import org.layerwise.ui.charts.ChartExportMenu;
import org.layerwise.ui.charts.HeatmapChart;
import org.layerwise.ui.results.Focus;
import org.layerwise.ui.results.RunPanel;

/**
 * Attention (eval.npz): for one evaluation prompt, block and head, the attention pattern
 * blocks.{l}.attn.hook_pattern[p, h] as a heatmap, one row per token (the query last, outlined)
 * and one column per key, with each token's label as a band in its class colour and in the
 * tick labels; the caption gives the query's true label and the model's prediction (argmax of
 * the logits). Choosing a prompt, block or head sets the {@link Focus}; a Focus change
 * elsewhere is followed (the output state, layer L, has no block: block L-1 is shown instead).
 */
public final class AttentionPanel extends RunPanel {

    private static final String PATTERN = "blocks.%d.attn.hook_pattern";
    /** What the panel reads of eval.npz besides the attention patterns. */
    private static final Set<String> EXTRAS = Set.of("labels", "context_labels", "logits", "targets");

    private final Spinner prompt;
    private final Spinner block;
    private final Spinner head;
    private final Label caption;
    private final Label note;
    private final HeatmapChart heatmap;
    private final Focus.Listener focusListener = this::focusChanged;

    private final List<Tensor> patterns = new ArrayList<>();
    private long[] labels;
    private long[] contextLabels;
    private double[] logits;
    private double[] targets;
    private int prompts;
    private int heads;
    private int tokens;
    private int keys;
    private int contextSize;
    private int outputs;

    public AttentionPanel(Composite parent) {
        super(parent);
        setLayout(new GridLayout(1, false));
        placeHeading(1);
        Composite controls = new Composite(this, SWT.NONE);
        controls.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        controls.setLayout(new GridLayout(6, false));
        prompt = spinner(controls, "Prompt");
        block = spinner(controls, "Block");
        head = spinner(controls, "Head");
        note = new Label(this, SWT.WRAP);
        note.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        caption = new Label(this, SWT.WRAP);
        caption.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
        heatmap = new HeatmapChart(this, "Attention", "key token (context index, class)", "token (query last)",
                "attention probability");
        heatmap.control().setLayoutData(new GridData(SWT.FILL, SWT.FILL, true, true));
        heatmap.onCellClick(c -> note.setText(heatmap.tooltip(c.row(), c.column())));
        ChartExportMenu.attach(heatmap);
        Focus.add(focusListener);
        addDisposeListener(e -> Focus.remove(focusListener));
    }

    private Spinner spinner(Composite parent, String label) {
        new Label(parent, SWT.NONE).setText(label);
        Spinner s = new Spinner(parent, SWT.BORDER);
        s.setMinimum(0);
        s.setMaximum(0);
        s.addListener(SWT.Selection, e -> chosen());
        return s;
    }

    @Override
    protected void show(RunDirectory run) throws IOException {
        patterns.clear();
        prompts = 0;
        Path file = run.path().resolve("eval.npz");
        if (!Files.isRegularFile(file)) {
            heatmap.show(new double[0], 0, 0, HeatmapChart.Scale.SEQUENTIAL);
            heatmap.setTitles("Attention: this run has no eval.npz", heatmap.xTitle(), heatmap.yTitle());
            caption.setText("");
            return;
        }
        // the patterns and the labels, not the hidden states: about half of eval.npz
        Map<String, Tensor> eval = Npz.read(file, k -> k.endsWith(".attn.hook_pattern") || EXTRAS.contains(k));
        for (int l = 0; eval.containsKey(String.format(Locale.ROOT, PATTERN, l)); l++) {
            patterns.add(eval.get(String.format(Locale.ROOT, PATTERN, l)));
        }
        if (patterns.isEmpty()) {
            heatmap.show(new double[0], 0, 0, HeatmapChart.Scale.SEQUENTIAL);
            heatmap.setTitles("Attention: eval.npz holds no attention patterns", heatmap.xTitle(), heatmap.yTitle());
            caption.setText("");
            return;
        }
        long[] shape = patterns.get(0).shape();
        prompts = (int) shape[0];
        heads = (int) shape[1];
        tokens = (int) shape[2];
        keys = (int) shape[3];
        contextSize = tokens - 1;
        labels = eval.containsKey("labels") ? eval.get("labels").toLongs() : null;
        contextLabels = eval.containsKey("context_labels") ? eval.get("context_labels").toLongs() : null;
        logits = eval.containsKey("logits") ? eval.get("logits").toDoubles() : null;
        targets = eval.containsKey("targets") ? eval.get("targets").toDoubles() : null;
        outputs = eval.containsKey("logits") ? (int) eval.get("logits").dim(1) : 0;
        prompt.setMaximum(prompts - 1);
        block.setMaximum(patterns.size() - 1);
        head.setMaximum(heads - 1);
        follow(Focus.get());
    }

    private void chosen() {
        if (prompts == 0) {
            return;
        }
        note.setText("");
        plot();
        Focus.set(new Focus.State(block.getSelection(), prompt.getSelection(), head.getSelection(), Focus.get().step()), this);
    }

    /** Chooses prompt, block and head as a user would: the heatmap follows and the Focus is set. */
    public void choose(int p, int l, int h) {
        prompt.setSelection(p);
        block.setSelection(l);
        head.setSelection(h);
        chosen();
    }

    private void focusChanged(Focus.State state, Object source) {
        if (source != this && !isDisposed() && prompts > 0) {
            follow(state);
        }
    }

    /** Shows what the Focus names, clamped to what the run has, and says when it clamps. */
    private void follow(Focus.State f) {
        List<String> clamped = new ArrayList<>();
        int layers = patterns.size();
        int l = f.layer();
        if (l == layers) {
            clamped.add("Focus is on layer " + l + ", the output state, which no block reads: showing block " + (layers - 1) + ".");
        } else if (l > layers) {
            clamped.add("Focus is on layer " + l + " but the model has " + layers + " blocks: showing block " + (layers - 1) + ".");
        }
        if (f.prompt() >= prompts) {
            clamped.add("Focus is on prompt " + f.prompt() + " but eval.npz has " + prompts + ": showing prompt " + (prompts - 1) + ".");
        }
        if (f.head() >= heads) {
            clamped.add("Focus is on head " + f.head() + " but blocks have " + heads + ": showing head " + (heads - 1) + ".");
        }
        prompt.setSelection(Math.min(f.prompt(), prompts - 1));
        block.setSelection(Math.min(l, layers - 1));
        head.setSelection(Math.min(f.head(), heads - 1));
        note.setText(String.join(" ", clamped));
        plot();
    }

    private void plot() {
        int p = prompt.getSelection();
        int l = block.getSelection();
        int h = head.getSelection();
        double[] a = pattern(p, l, h);
        String[] rowLabels = new String[tokens];
        int[] rowClasses = new int[tokens];
        for (int i = 0; i < tokens; i++) {
            boolean query = i == contextSize;
            rowClasses[i] = query ? -1 : contextLabel(p, i);
            rowLabels[i] = query ? i + " query" : i + " (" + className(rowClasses[i]) + ")";
        }
        String[] columnLabels = new String[keys];
        int[] columnClasses = new int[keys];
        for (int j = 0; j < keys; j++) {
            boolean query = j >= contextSize;
            columnClasses[j] = query ? -1 : contextLabel(p, j);
            columnLabels[j] = query ? j + " query" : j + " (" + className(columnClasses[j]) + ")";
        }
        heatmap.show(a, tokens, keys, HeatmapChart.Scale.SEQUENTIAL);
        heatmap.setTitles("Attention, prompt " + p + ", block " + l + ", head " + h, "key token (context index, class)",
                "token (query last)");
        heatmap.setRowLabels(rowLabels);
        heatmap.setColumnLabels(columnLabels);
        heatmap.setRowClasses(rowClasses);
        heatmap.setColumnClasses(columnClasses);
        heatmap.markRow(contextSize, "the query");
        caption.setText(captionText(p, l, h));
        layout(true, true);
    }

    private String captionText(int p, int l, int h) {
        String where = String.format(Locale.ROOT,
                "Prompt %d, block %d, head %d: how each of the %d tokens (rows; the query, outlined, last) spreads its attention "
                        + "over the %d keys (columns); each row sums to 1. Bands and labels give each token's class.",
                p, l, h, tokens, keys);
        if (labels != null && logits != null) {
            int truth = (int) labels[p];
            int predicted = argmax(logits, p * outputs, outputs);
            return String.format(Locale.ROOT, "Query of prompt %d: true label %s, prediction %s (argmax of the logits): %s. ", p,
                    className(truth), className(predicted), truth == predicted ? "correct" : "wrong") + where;
        }
        if (targets != null && logits != null) {
            return "Query of prompt " + p + ": target " + vector(targets, p) + ", readout " + vector(logits, p) + ". " + where;
        }
        return where;
    }

    private String vector(double[] v, int p) {
        List<String> s = new ArrayList<>();
        for (int k = 0; k < outputs; k++) {
            s.add(HeatmapChart.format(v[p * outputs + k]));
        }
        return "(" + String.join(", ", s) + ")";
    }

    private static int argmax(double[] v, int from, int n) {
        int best = 0;
        for (int k = 1; k < n; k++) {
            if (v[from + k] > v[from + best]) {
                best = k;
            }
        }
        return best;
    }

    private int contextLabel(int p, int i) {
        return contextLabels == null ? -1 : (int) contextLabels[p * contextSize + i];
    }

    private static String className(int k) {
        return k < 0 ? "unlabeled" : "c" + k;
    }

    /** blocks.{l}.attn.hook_pattern[p, h] as a row-major tokens x keys matrix. */
    private double[] pattern(int p, int l, int h) {
        int size = tokens * keys;
        return patterns.get(l).doubles((p * heads + h) * size, size);
    }

    public HeatmapChart heatmap() {
        return heatmap;
    }

    public String caption() {
        return caption.getText();
    }

    /** What the panel says about a Focus it could not show as is (empty when none). */
    public String note() {
        return note.getText();
    }

    /** The prompt, block and head shown. */
    public int[] shown() {
        return new int[] {prompt.getSelection(), block.getSelection(), head.getSelection()};
    }
}
