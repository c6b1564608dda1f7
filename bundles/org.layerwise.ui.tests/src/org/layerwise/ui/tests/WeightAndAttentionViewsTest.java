package org.layerwise.ui.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.eclipse.swt.SWT;
import org.eclipse.swt.custom.SashForm;
import org.eclipse.swt.graphics.ImageData;
import org.eclipse.swt.graphics.ImageLoader;
import org.eclipse.swt.graphics.Point;
import org.eclipse.swt.graphics.RGB;
import org.eclipse.swt.widgets.Event;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.layerwise.core.Tensor;
import org.layerwise.core.symmetry.Commutant;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.io.Safetensors;
import org.layerwise.ui.charts.ChartExport;
import org.layerwise.ui.charts.HeatmapChart;
import org.layerwise.analysis.ui.AttentionPanel;
import org.layerwise.ui.results.Focus;
import org.layerwise.analysis.ui.WeightAbstractionPanel;

/**
 * The Weight Abstraction and Attention views on one completed run with a factored model of
 * 3 blocks of 2 heads: what they show is what abstraction.csv, model.safetensors and eval.npz
 * hold, and they follow each other through the Focus.
 */
class WeightAndAttentionViewsTest extends CompletedRunTest {

    private static final int LAYERS = 3;
    private static final int HEADS = 2;
    private static final int D_HEAD = 6;

    private static int dx;
    private static int dy;

    /** The quickstart, shortened: factored weights (so the reader multiplies W_Q W_K^T out), 2 heads. */
    @BeforeAll
    static void completedRun() throws Exception {
        run = Ui.completedRun(64, doc -> {
            var backend = doc.pipeline().getStages().get(1);
            doc.setSetting(backend, "steps", "400");
            doc.setSetting(backend, "batch", "64");
            doc.setSetting(backend, "layers", Integer.toString(LAYERS));
            doc.setSetting(backend, "heads", Integer.toString(HEADS));
            doc.setSetting(backend, "parameterization", "factored");
            doc.setSetting(backend, "d_head", Integer.toString(D_HEAD));
        });
        Map<String, Object> config = Json.readMap(run.resolve("config.json"));
        assertEquals("factored", config.get("parameterization"));
        dx = ((Number) config.get("d_x")).intValue();
        dy = ((Number) config.get("d_y")).intValue();
    }

    @Test
    void weightAbstractionShowsTheCsvAndEachHeadsMatrixBesideItsReynoldsProjection() throws Exception {
        shell = Ui.shell("Weight abstraction");
        WeightAbstractionPanel panel = new WeightAbstractionPanel(shell);
        shell.open();
        panel.show(run);
        Ui.flush();

        Csv.Table csv = Csv.read(run.resolve("abstraction.csv"));
        assertEquals(LAYERS * HEADS * 2, csv.size());
        List<WeightAbstractionPanel.Row> rows = panel.rows();
        List<List<String>> shown = panel.shownRows();
        assertEquals(csv.size(), rows.size());
        String[] columns = {"layer", "head", "matrix", "a", "b", "f", "g", "c", "e", "asymmetry"};
        for (int r = 0; r < csv.size(); r++) {
            WeightAbstractionPanel.Row row = rows.get(r);
            assertEquals(Integer.parseInt(csv.get(r, "layer")), row.layer());
            assertEquals(Integer.parseInt(csv.get(r, "head")), row.head());
            assertEquals(csv.get(r, "matrix"), row.matrix());
            for (int k = 0; k < 6; k++) {
                assertEquals(Csv.parseDouble(csv.get(r, columns[3 + k])), row.scalars()[k], 0, "row " + r + " " + columns[3 + k]);
            }
            assertEquals(Csv.parseDouble(csv.get(r, "asymmetry")), row.asymmetry(), 0);
            for (int k = 3; k < columns.length; k++) {
                assertEquals(HeatmapChart.format(Csv.parseDouble(csv.get(r, columns[k]))), shown.get(r).get(k), columns[k]);
            }
        }

        Map<String, Tensor> weights = Safetensors.read(run.resolve("model.safetensors")).tensors();
        int n = dx + dy;
        for (WeightAbstractionPanel.Row row : rows) {
            panel.selectAndNotify(row.layer(), row.head(), row.matrix());
            Ui.flush();
            String where = "block " + row.layer() + " head " + row.head() + " " + row.matrix();
            double[] expected = row.matrix().equals("Q")
                    ? product(weights, row.layer(), "W_Q", "W_K", row.head(), n, true)
                    : transpose(product(weights, row.layer(), "W_V", "W_O", row.head(), n, false), n);
            double[] m = panel.matrixChart().values();
            double[] p = panel.projectionChart().values();
            double[] d = panel.residualChart().values();
            assertEquals(n, panel.matrixChart().rows());
            for (int i = 0; i < m.length; i++) {
                assertEquals(expected[i], m[i], 1e-12 * (1 + Math.abs(expected[i])), where + " entry " + i);
                assertEquals(m[i] - p[i], d[i], 0, where + ": the residual shown is M - R(M)");
            }
            assertArrayEquals(Commutant.reynolds(m, dx, dy), p, 0, where + ": R(M) of the shown M");
            assertArrayEquals(p, Commutant.reynolds(p, dx, dy), 1e-13, where + ": R(R(M)) = R(M)");
            int[] perm = {1, 0, 2, 3, 4, 5, 6, 7, 10, 8, 9, 11};
            assertEquals(n, perm.length);
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    assertEquals(p[i * n + j], p[perm[i] * n + perm[j]], 1e-15, where + ": R(M) commutes with a block permutation");
                }
            }
            assertEquals(row.asymmetry(), norm(d) / norm(m), 1e-9, where + ": the asymmetry beside the row");
            assertEquals(row.asymmetry(), panel.shownAsymmetry(), 1e-9, where);
            Commutant.Scalars s = Commutant.scalars(m, dx, dy);
            assertArrayEquals(row.scalars(), s.toArray(), 1e-12, where + ": the six scalars of the shown M");
            assertEquals(panel.matrixChart().low(), panel.projectionChart().low(), 0, "M and R(M) share a colour range");
            assertEquals(panel.matrixChart().high(), panel.projectionChart().high(), 0);
            assertArrayEquals(new int[] {dx}, panel.matrixChart().rowBoundaries());
            assertArrayEquals(new int[] {dx}, panel.residualChart().columnBoundaries());
        }
        assertTrue(panel.matrixChart().title().startsWith("V = OV[1]^T, block 2"), panel.matrixChart().title());

        // Sorting by asymmetry orders the rows by it, ascending then descending.
        panel.table().getColumn(9).notifyListeners(SWT.Selection, new Event());
        List<Double> sorted = panel.rows().stream().map(WeightAbstractionPanel.Row::asymmetry).toList();
        assertEquals(sorted.stream().sorted().toList(), sorted);
        assertEquals(panel.rows().get(0).asymmetry(), Csv.parseDouble(panel.shownRows().get(0).get(9)), 1e-3);
        panel.table().getColumn(9).notifyListeners(SWT.Selection, new Event());
        assertTrue(panel.rows().get(0).asymmetry() >= panel.rows().get(panel.rows().size() - 1).asymmetry());
        Ui.screenshot(shell, "view-weight-abstraction");
    }

    @Test
    void attentionShowsTheNpzPatternOfAPromptBlockAndHeadWithClassesAndPrediction() throws Exception {
        shell = Ui.shell("Attention");
        AttentionPanel panel = new AttentionPanel(shell);
        shell.open();
        panel.show(run);
        int p = 5;
        int l = 1;
        int h = 1;
        panel.choose(p, l, h);
        Ui.flush();

        Map<String, Tensor> eval = Npz.read(run.resolve("eval.npz"));
        Tensor pattern = eval.get("blocks." + l + ".attn.hook_pattern");
        long[] shape = pattern.shape();
        int tokens = (int) shape[2];
        int keys = (int) shape[3];
        int contextSize = tokens - 1;
        double[] all = pattern.toDoubles();
        HeatmapChart heatmap = panel.heatmap();
        assertEquals(tokens, heatmap.rows());
        assertEquals(keys, heatmap.columns());
        double[] shown = heatmap.values();
        int from = ((p * (int) shape[1]) + h) * tokens * keys;
        for (int i = 0; i < shown.length; i++) {
            assertEquals(all[from + i], shown[i], 0, "entry " + i);
        }
        for (int r = 0; r < tokens; r++) {
            double sum = 0;
            for (int c = 0; c < keys; c++) {
                sum += heatmap.value(r, c);
            }
            assertEquals(1, sum, 1e-5, "row " + r + " sums to 1");
        }
        assertEquals(contextSize, heatmap.markedRow(), "the query row is marked");
        long[] context = eval.get("context_labels").toLongs();
        int[] rowClasses = heatmap.rowClasses();
        for (int i = 0; i < contextSize; i++) {
            assertEquals(context[p * contextSize + i], rowClasses[i], "class band of token " + i);
            assertEquals(i + " (c" + context[p * contextSize + i] + ")", heatmap.rowLabel(i));
        }
        assertEquals(-1, rowClasses[contextSize]);
        int truth = (int) eval.get("labels").toLongs()[p];
        double[] logits = eval.get("logits").toDoubles();
        int classes = (int) eval.get("logits").dim(1);
        int predicted = 0;
        for (int k = 1; k < classes; k++) {
            if (logits[p * classes + k] > logits[p * classes + predicted]) {
                predicted = k;
            }
        }
        assertTrue(panel.caption().contains("true label c" + truth + ", prediction c" + predicted), panel.caption());
        assertEquals("Attention, prompt 5, block 1, head 1", heatmap.title());

        // Hovering a cell names it; a click reports it.
        Point centre = heatmap.pixelOf(contextSize, 3);
        HeatmapChart.Cell cell = heatmap.cellAt(centre.x, centre.y);
        assertEquals(new HeatmapChart.Cell(contextSize, 3, heatmap.value(contextSize, 3)), cell);
        Event move = new Event();
        move.x = centre.x;
        move.y = centre.y;
        heatmap.plotArea().notifyListeners(SWT.MouseMove, move);
        String tip = heatmap.plotArea().getToolTipText();
        assertNotNull(tip);
        assertTrue(tip.startsWith("row " + contextSize + " query, column 3 (c" + context[p * contextSize + 3] + ") [the query]: "), tip);
        assertTrue(tip.endsWith(HeatmapChart.format(heatmap.value(contextSize, 3))), tip);
        heatmap.plotArea().notifyListeners(SWT.MouseExit, new Event());

        // Export: PNG as on screen, SVG with one rect per cell, CSV equal to the matrix.
        Path dir = Path.of(System.getProperty("layerwise.screenshots", "target/screenshots")).resolveSibling("exports");
        Path png = dir.resolve("attention.png");
        Path svg = dir.resolve("attention.svg");
        Path csv = dir.resolve("attention.csv");
        ChartExport.write(heatmap, png, ChartExport.Format.PNG);
        ChartExport.write(heatmap, svg, ChartExport.Format.SVG);
        ChartExport.write(heatmap, csv, ChartExport.Format.CSV);
        Csv.Table table = Csv.read(csv);
        assertEquals(List.of("row", "column", "value", "row_label", "column_label"), table.header());
        assertEquals(tokens * keys, table.size());
        for (int i = 0; i < table.size(); i++) {
            int r = Integer.parseInt(table.get(i, "row"));
            int c = Integer.parseInt(table.get(i, "column"));
            assertEquals(heatmap.value(r, c), Csv.parseDouble(table.get(i, "value")), 0);
            assertEquals(heatmap.rowLabel(r), table.get(i, "row_label"));
        }
        SvgFigure figure = SvgFigure.parse(Files.readString(svg));
        assertEquals(tokens * keys, figure.groups("cell").size());
        assertTrue(figure.texts().containsAll(List.of("attention probability", "token (query last)")), figure.texts().toString());
        ImageLoader loader = new ImageLoader();
        loader.load(png.toString());
        ImageData image = loader.data[0];
        assertEquals(heatmap.control().getSize().x, image.width);
        Point inHolder = Ui.display().map(heatmap.plotArea(), heatmap.control(), heatmap.pixelOf(2, 3));
        RGB pixel = image.palette.getRGB(image.getPixel(inHolder.x, inHolder.y));
        RGB expected = heatmap.colour(heatmap.value(2, 3));
        assertTrue(Math.abs(pixel.red - expected.red) <= 3 && Math.abs(pixel.green - expected.green) <= 3
                && Math.abs(pixel.blue - expected.blue) <= 3, "the PNG shows the cell's colour: " + pixel + " vs " + expected);
        Ui.screenshot(shell, "view-attention");
    }

    @Test
    void aTableRowSetsTheFocusAndTheAttentionViewFollowsAndBack() throws Exception {
        shell = Ui.shell("Weight abstraction and attention, linked");
        SashForm sash = new SashForm(shell, SWT.HORIZONTAL);
        WeightAbstractionPanel weights = new WeightAbstractionPanel(sash);
        AttentionPanel attention = new AttentionPanel(sash);
        sash.setWeights(58, 42);
        shell.open();
        weights.show(run);
        attention.show(run);
        Ui.flush();

        weights.selectAndNotify(2, 1, "V");
        assertEquals(2, Focus.get().layer());
        assertEquals(1, Focus.get().head());
        int prompt = Focus.get().prompt();
        assertArrayEquals(new int[] {prompt, 2, 1}, attention.shown(), "the Attention view follows the table");
        assertEquals("Attention, prompt " + prompt + ", block 2, head 1", attention.heatmap().title());

        attention.choose(3, 0, 0);
        assertEquals(new Focus.State(0, 3, 0), Focus.get());
        WeightAbstractionPanel.Row row = weights.selectedRow();
        assertEquals(List.of(0, 0, "V"), List.of(row.layer(), row.head(), row.matrix()), "the table follows, keeping V");
        assertTrue(weights.matrixChart().title().startsWith("V = OV[0]^T, block 0"), weights.matrixChart().title());

        // The output state (layer L) has no block: both views show the last block and the Attention view says so.
        Focus.set(new Focus.State(LAYERS, 7, 1), this);
        assertArrayEquals(new int[] {7, LAYERS - 1, 1}, attention.shown());
        assertTrue(attention.note().contains("output state"), attention.note());
        row = weights.selectedRow();
        assertEquals(List.of(LAYERS - 1, 1), List.of(row.layer(), row.head()));
        Ui.flush();
        Ui.screenshot(shell, "views-focus-linked");
        assertFalse(attention.caption().isEmpty());
    }

    /** A x B^T (transposeB) or A x B of head h of block l, from the file's factors [H, D, k] / [H, k, D]. */
    private static double[] product(Map<String, Tensor> w, int l, String a, String b, int h, int n, boolean transposeB) {
        double[] fa = w.get("blocks." + l + ".attn." + a).toDoubles();
        double[] fb = w.get("blocks." + l + ".attn." + b).toDoubles();
        int k = D_HEAD;
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int t = 0; t < k; t++) {
                    s += fa[h * n * k + i * k + t] * (transposeB ? fb[h * n * k + j * k + t] : fb[h * k * n + t * n + j]);
                }
                out[i * n + j] = s;
            }
        }
        return out;
    }

    private static double[] transpose(double[] m, int n) {
        double[] t = new double[m.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                t[j * n + i] = m[i * n + j];
            }
        }
        return t;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }

}
