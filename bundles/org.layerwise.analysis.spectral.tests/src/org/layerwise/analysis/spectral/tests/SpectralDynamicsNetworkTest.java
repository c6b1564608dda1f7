package org.layerwise.analysis.spectral.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.analysis.spectral.SpectralDynamicsAnalyzer;
import org.layerwise.analysis.spectral.SpectralMeasures;
import org.layerwise.core.AnalysisContext;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.ModelSeries;
import org.layerwise.core.ModelSeries.Checkpoint;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Role;
import org.layerwise.core.Settings;
import org.layerwise.core.SharedResults;
import org.layerwise.core.Table;
import org.layerwise.core.Tensor;
import org.layerwise.core.TrainingMonitor;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkModel;

/**
 * The analyzer on checkpoint series of tiny transformer networks built here (d_model 4, 2 blocks of 2 heads,
 * d_head 2, d_mlp 6, d_vocab 5, d_vocab_out 3): every matrix is rebuilt from the raw tensors by index arithmetic
 * written out below, independently of NetworkModel's slicing, and measured directly.
 */
class SpectralDynamicsNetworkTest {

    static final int D = 4;
    static final int HEADS = 2;
    static final int D_HEAD = 2;
    static final int LAYERS = 2;
    static final int D_MLP = 6;
    static final int VOCAB = 5;
    static final int VOCAB_OUT = 3;

    static NetworkConfig config(int dMlp, boolean attnOnly) {
        return new NetworkConfig(NetworkConfig.TRANSFORMER, VOCAB, VOCAB_OUT, 3, D, LAYERS, HEADS, D_HEAD, attnOnly ? 0 : dMlp,
                attnOnly, "relu", null, 1e-5, Math.sqrt(D_HEAD), "float64", null);
    }

    static final NetworkConfig CONFIG = config(D_MLP, false);

    /** A network whose tensors are {@code set}'s where given, uniform in [-1, 1) elsewhere (biases included). */
    static NetworkModel network(NetworkConfig c, SplittableRandom rng, Map<String, double[]> set) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        c.expectedShapes().forEach((name, shape) -> {
            double[] v = set.get(name);
            if (v == null) {
                v = random((int) Arrays.stream(shape).reduce(1, (a, b) -> a * b), rng);
            }
            t.put(name, Tensor.of(v, shape));
        });
        return new NetworkModel(c, t);
    }

    static ModelSeries.Series series(List<NetworkModel> models, int[] steps) {
        List<Checkpoint> out = new ArrayList<>();
        for (int t = 0; t < models.size(); t++) {
            NetworkModel m = models.get(t);
            out.add(Checkpoint.ofNetwork(steps[t], Path.of("ckpt", String.format("step_%08d.safetensors", steps[t])), () -> m));
        }
        return new ModelSeries.Series(out);
    }

    static AnalysisResult analyze(List<NetworkModel> models, int[] steps, long rank) throws Exception {
        Settings settings = Settings.of(Map.of("tol", 1e-5, "k", 1L, "rank", rank, "threshold", 0.1));
        AnalysisContext ctx = AnalysisContext.ofNetwork(settings, models.get(models.size() - 1), null, null, 7L, TrainingMonitor.NONE,
                new SharedResults(), series(models, steps), null);
        return new SpectralDynamicsAnalyzer().analyze(ctx);
    }

    static double value(Table t, List<Object> row, String column) {
        return ((Number) row.get(t.column(column))).doubleValue();
    }

    static int integer(Table t, List<Object> row, String column) {
        return ((Number) row.get(t.column(column))).intValue();
    }

    /** Head h of a [H, a, b] tensor as an a x b row-major matrix: entry (i, j) at h a b + i b + j. */
    static double[] slice(NetworkModel m, String name, int h) {
        double[] all = m.tensor(name).toDoubles();
        long[] shape = m.tensor(name).shape();
        int a = (int) shape[1];
        int b = (int) shape[2];
        return Arrays.copyOfRange(all, h * a * b, (h + 1) * a * b);
    }

    /** x y^T for x, y of n rows and k columns, or x y for x n x k and y k x n when {@code transposeY} is false. */
    static double[] product(double[] x, double[] y, int n, int k, boolean transposeY) {
        double[] out = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                for (int a = 0; a < k; a++) {
                    out[i * n + j] += x[i * k + a] * (transposeY ? y[j * k + a] : y[a * n + j]);
                }
            }
        }
        return out;
    }

    /** The matrix of a row as the test builds it: {rows, cols} and the entries. */
    record Built(int rows, int cols, double[] m) {
    }

    static Built built(NetworkModel m, String kind, int l, int h) {
        String attn = "blocks." + l + ".attn.";
        return switch (kind) {
            case "W_E" -> new Built(VOCAB, D, m.tensor("embed.W_E").toDoubles());
            case "W_U" -> new Built(D, VOCAB_OUT, m.tensor("unembed.W_U").toDoubles());
            case "W_in" -> new Built(D, D_MLP, m.tensor("blocks." + l + ".mlp.W_in").toDoubles());
            case "W_out" -> new Built(D_MLP, D, m.tensor("blocks." + l + ".mlp.W_out").toDoubles());
            case "QK" -> new Built(D, D, product(slice(m, attn + "W_Q", h), slice(m, attn + "W_K", h), D, D_HEAD, true));
            case "OV" -> new Built(D, D, product(slice(m, attn + "W_V", h), slice(m, attn + "W_O", h), D, D_HEAD, false));
            case "W_O" -> new Built(D_HEAD, D, slice(m, attn + "W_O", h));
            default -> new Built(D, D_HEAD, slice(m, attn + kind, h));
        };
    }

    /*
     * W_E = sum_k s_k u_k v_k^T (u_k in R^5, v_k in R^4 orthonormal, random) with s = (1,1,1,1), (1,1,1,0),
     * (1,1,0,0), (1,0,0,0) at steps 0, 10, 50, 100: the embedding collapses one direction at a time, so its
     * effective rank is 4, 3, 2, 1 exactly, while every other weight is random.
     */
    @Test
    void the_embeddings_effective_rank_falls_as_constructed() throws Exception {
        SplittableRandom rng = new SplittableRandom(5);
        // the rows of orthogonal matrices: orthonormal bases of R^5 and R^4
        double[][] u = SpectralMeasuresTest.orthogonal(VOCAB, rng);
        double[][] v = SpectralMeasuresTest.orthogonal(D, rng);
        int[] steps = {0, 10, 50, 100};
        List<NetworkModel> models = new ArrayList<>();
        for (int t = 0; t < steps.length; t++) {
            double[] we = new double[VOCAB * D];
            for (int k = 0; k < D - t; k++) {
                for (int i = 0; i < VOCAB; i++) {
                    for (int j = 0; j < D; j++) {
                        we[i * D + j] += u[k][i] * v[k][j];
                    }
                }
            }
            models.add(network(CONFIG, rng, Map.of("embed.W_E", we)));
        }
        AnalysisResult r = analyze(models, steps, 0);
        Table t = r.tables().get("spectral-dynamics");
        List<Double> ranks = new ArrayList<>();
        for (List<Object> row : t.rows()) {
            if (row.get(3).equals("W_E")) {
                ranks.add(value(t, row, "effective_rank"));
                assertEquals(D - ranks.size() + 1, integer(t, row, "numerical_rank"), row.toString());
                assertEquals(1, value(t, row, "sigma_1"), 1e-12, row.toString());
                // u_1 v_1^T, the final W_E, lies in every earlier checkpoint's row space
                assertEquals(0, value(t, row, "subspace_distance"), 1e-12, row.toString());
            }
        }
        assertEquals(4, ranks.size());
        for (int s = 0; s < 4; s++) {
            assertEquals(4 - s, ranks.get(s), 1e-12, "step " + steps[s]);
        }
        assertArrayEquals(new double[] {4, 3, 2, 1}, r.tensors().get("W_E.effective_rank").toDoubles(), 1e-12);
        assertEquals(4, r.scalars().get("w_e_effective_rank_initial"), 1e-12);
        assertEquals(1, r.scalars().get("w_e_effective_rank_final"), 1e-12);
        assertEquals(0.0, r.scalars().get("w_e_settled_step"));
        assertTrue(r.summaryLines().stream().anyMatch(l -> l.startsWith("W_E: effective rank 4.000 at step 0 -> 1.000 at step 100;")
                && l.endsWith("within 0.100 of the final from step 0 on")), r.summaryLines().toString());
        // the rest is random: W_U keeps full rank 3 throughout
        assertArrayEquals(new double[] {3, 3, 3, 3}, r.tensors().get("W_U.r").toDoubles(), 0);
    }

    /*
     * Block 0, head 1: W_Q[1] = [e1 e2] at both checkpoints, W_K[1] = [e1 e2] at step 0 and 2 [e3 e4] at the final,
     * so QK_0 = diag(1,1,0,0) and QK_final = 2 (e1 e3^T + e2 e4^T): the final's row space span(e3, e4) is orthogonal
     * to QK_0's, distance 1 (its transpose W_K W_Q^T would give 0). OV likewise with W_V[1] = [e1 e2] and
     * W_O[1] = [e1; e2] then 3 [e3; e4]. Every other head and block is random, so a slice of the wrong head,
     * block or tensor shows up in the measures of every row, which are recomputed here from the raw tensors.
     */
    @Test
    void every_row_measures_its_own_slice_and_qk_of_head_1_is_w_q_1_times_w_k_1_transposed() throws Exception {
        SplittableRandom rng = new SplittableRandom(8);
        int[] steps = {0, 5, 20};
        List<NetworkModel> models = new ArrayList<>();
        for (int t = 0; t < steps.length; t++) {
            Map<String, double[]> set = new HashMap<>();
            if (t != 1) {
                boolean fin = t == 2;
                double[] wq = random(HEADS * D * D_HEAD, rng);
                double[] wk = random(HEADS * D * D_HEAD, rng);
                double[] wv = random(HEADS * D * D_HEAD, rng);
                double[] wo = random(HEADS * D_HEAD * D, rng);
                int q = D * D_HEAD; // head 1 starts at q in W_Q, W_K, W_V and W_O
                Arrays.fill(wq, q, 2 * q, 0);
                Arrays.fill(wk, q, 2 * q, 0);
                Arrays.fill(wv, q, 2 * q, 0);
                Arrays.fill(wo, q, 2 * q, 0);
                for (int a = 0; a < D_HEAD; a++) {
                    wq[q + a * D_HEAD + a] = 1; // W_Q[1][a][a]
                    wv[q + a * D_HEAD + a] = 1;
                    wk[q + (fin ? a + 2 : a) * D_HEAD + a] = fin ? 2 : 1; // W_K[1][i][a], i = a or a + 2
                    wo[q + a * D + (fin ? a + 2 : a)] = fin ? 3 : 1; // W_O[1][a][j], j = a or a + 2
                }
                set.put("blocks.0.attn.W_Q", wq);
                set.put("blocks.0.attn.W_K", wk);
                set.put("blocks.0.attn.W_V", wv);
                set.put("blocks.0.attn.W_O", wo);
            }
            models.add(network(CONFIG, rng, set));
        }
        AnalysisResult r = analyze(models, steps, 0);
        Table t = r.tables().get("spectral-dynamics");
        Map<String, List<Object>> rows = new HashMap<>();
        for (List<Object> row : t.rows()) {
            int s = Arrays.binarySearch(steps, ((Number) row.get(0)).intValue());
            String kind = (String) row.get(3);
            int l = (Integer) row.get(1);
            int h = (Integer) row.get(2);
            rows.put(row.get(0) + "|" + kind + "|" + l + "|" + h, row);
            Built m = built(models.get(s), kind, l, h);
            Built fin = built(models.get(steps.length - 1), kind, l, h);
            SpectralMeasures.Svd svd = SpectralMeasures.svd(m.m(), m.rows(), m.cols());
            int n = svd.rankAbove(1e-5);
            String key = row.toString();
            assertEquals(SpectralMeasures.effectiveRank(svd.sigma(), 1e-5), value(t, row, "effective_rank"), 1e-12, key);
            assertEquals(n, integer(t, row, "numerical_rank"), key);
            assertEquals(svd.sigma()[0], value(t, row, "sigma_1"), 1e-12, key);
            assertEquals(SpectralMeasures.subspaceDistance(fin.m(), svd, n), value(t, row, "subspace_distance"), 1e-12, key);
        }
        assertEquals(steps.length * (2 + LAYERS * (HEADS * 6 + 2)), rows.size(), "one row per step and matrix");
        assertEquals(1, value(t, rows.get("0|QK|0|1"), "subspace_distance"), 1e-15);
        assertEquals(1, value(t, rows.get("0|OV|0|1"), "subspace_distance"), 1e-15);
        assertEquals(2, value(t, rows.get("20|QK|0|1"), "sigma_1"), 1e-15);
        assertEquals(3, value(t, rows.get("20|OV|0|1"), "sigma_1"), 1e-15);
        assertEquals(2, value(t, rows.get("20|QK|0|1"), "effective_rank"), 1e-15);
        // npz: QK.singular_values [S, L, H, D] holds step 20, block 0, head 1 at ((2 L + 0) H + 1) D
        double[] sv = r.tensors().get("QK.singular_values").toDoubles();
        int at = ((2 * LAYERS) * HEADS + 1) * D;
        assertArrayEquals(new double[] {2, 2, 0, 0}, Arrays.copyOfRange(sv, at, at + D), 1e-15);
    }

    @Test
    void kinds_without_a_block_or_head_have_minus_1_in_the_csv_and_their_own_npz_shapes() throws Exception {
        SplittableRandom rng = new SplittableRandom(2);
        int[] steps = {0, 3, 9};
        List<NetworkModel> models = List.of(network(CONFIG, rng, Map.of()), network(CONFIG, rng, Map.of()),
                network(CONFIG, rng, Map.of()));
        AnalysisResult r = analyze(models, steps, 0);
        Table t = r.tables().get("spectral-dynamics");
        int perStep = 2 + LAYERS * (HEADS * 6 + 2);
        assertEquals(steps.length * perStep, t.rows().size());
        List<String> order = new ArrayList<>();
        for (List<Object> row : t.rows().subList(0, perStep)) {
            order.add(row.get(3) + "@" + row.get(1) + "/" + row.get(2));
        }
        List<String> expected = new ArrayList<>(List.of("W_E@-1/-1"));
        for (int l = 0; l < LAYERS; l++) {
            for (int h = 0; h < HEADS; h++) {
                for (String k : List.of("QK", "OV", "W_Q", "W_K", "W_V", "W_O")) {
                    expected.add(k + "@" + l + "/" + h);
                }
            }
            expected.add("W_in@" + l + "/-1");
            expected.add("W_out@" + l + "/-1");
        }
        expected.add("W_U@-1/-1");
        assertEquals(expected, order);

        Map<String, Tensor> npz = r.tensors();
        Map<String, List<Long>> shapes = new LinkedHashMap<>();
        npz.forEach((name, tensor) -> shapes.put(name, Arrays.stream(tensor.shape()).boxed().toList()));
        long s = steps.length;
        for (String k : List.of("QK", "OV", "W_Q", "W_K", "W_V", "W_O")) {
            assertEquals(List.of(s, 2L, 2L), shapes.get(k + ".effective_rank"), k);
            assertEquals(List.of(s, 2L, 2L), shapes.get(k + ".r"), k);
        }
        assertEquals(List.of(s, 2L, 2L, 4L), shapes.get("QK.singular_values"));
        assertEquals(List.of(s, 2L, 2L, 2L), shapes.get("W_O.singular_values"));
        for (String k : List.of("W_in", "W_out")) {
            assertEquals(List.of(s, 2L), shapes.get(k + ".effective_rank"), k);
            assertEquals(List.of(s, 2L), shapes.get(k + ".subspace_distance"), k);
            assertEquals(List.of(s, 2L, 4L), shapes.get(k + ".singular_values"), k);
        }
        assertEquals(List.of(s), shapes.get("W_E.marginal_effective_rank"));
        assertEquals(List.of(s, 4L), shapes.get("W_E.singular_values"));
        assertEquals(List.of(s), shapes.get("W_U.effective_rank"));
        assertEquals(List.of(s, 3L), shapes.get("W_U.singular_values"));
        assertEquals(1 + 10 * 5, npz.size(), shapes.keySet().toString());

        // the npz layout is the table's: W_out.effective_rank[t, l] is the row of step t, block l
        double[] wOut = npz.get("W_out.effective_rank").toDoubles();
        double[] wU = npz.get("W_U.subspace_distance").toDoubles();
        for (List<Object> row : t.rows()) {
            int step = Arrays.binarySearch(steps, ((Number) row.get(0)).intValue());
            if (row.get(3).equals("W_out")) {
                assertEquals(value(t, row, "effective_rank"), wOut[step * LAYERS + (Integer) row.get(1)], 0, row.toString());
            } else if (row.get(3).equals("W_U")) {
                assertEquals(value(t, row, "subspace_distance"), wU[step], 0, row.toString());
            }
        }
        for (String stem : List.of("w_e", "w_u", "w_in", "w_out", "qk", "ov", "w_q", "w_k", "w_v", "w_o")) {
            for (String measure : List.of("_effective_rank_initial", "_effective_rank_final", "_marginal_effective_rank_final",
                    "_subspace_distance_initial", "_settled_step")) {
                assertTrue(r.scalars().containsKey(stem + measure), stem + measure);
            }
        }
        assertTrue(r.summaryLines().stream().anyMatch(l -> l.startsWith("W_in (mean over 2 block(s)): ")
                && l.contains("every block within 0.100 of the final")), r.summaryLines().toString());
        assertTrue(r.summaryLines().stream().anyMatch(l -> l.startsWith("QK (mean over 4 head(s)): ")), r.summaryLines().toString());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> settled = (List<Map<String, Object>>) r.details().get("settled");
        assertEquals(Map.of("layer", -1, "head", -1, "matrix", "W_E", "settled_step", 0.0), settled.get(0));
        assertTrue(r.details().get("definitions").toString().contains("W_pos is not measured"));
    }

    @Test
    void an_attention_only_network_has_no_mlp_kinds() throws Exception {
        NetworkConfig attnOnly = config(0, true);
        SplittableRandom rng = new SplittableRandom(3);
        AnalysisResult r = analyze(List.of(network(attnOnly, rng, Map.of()), network(attnOnly, rng, Map.of())), new int[] {0, 4}, 0);
        List<String> kinds = r.tables().get("spectral-dynamics").rows().stream().map(row -> (String) row.get(3)).distinct().toList();
        assertEquals(List.of("W_E", "QK", "OV", "W_Q", "W_K", "W_V", "W_O", "W_U"), kinds);
    }

    @Test
    void a_scalar_that_is_nan_is_declared_undefined() throws Exception {
        SplittableRandom rng = new SplittableRandom(4);
        // a zero-initialised unembedding: W_U's effective rank at the first checkpoint is undefined
        List<NetworkModel> models = List.of(network(CONFIG, rng, Map.of("unembed.W_U", new double[D * VOCAB_OUT])),
                network(CONFIG, rng, Map.of()), network(CONFIG, rng, Map.of()));
        AnalysisResult r = analyze(models, new int[] {0, 1, 2}, 0);
        assertTrue(Double.isNaN(r.scalars().get("w_u_effective_rank_initial")), r.scalars().toString());
        ContributionRegistry registry = ContributionRegistry.load();
        ContributionDescriptor d = registry.find(Role.ANALYZER, "spectral-dynamics");
        List<String> nan = r.scalars().entrySet().stream().filter(e -> Double.isNaN(e.getValue())).map(Map.Entry::getKey).toList();
        for (String name : nan) {
            assertTrue(d.mayBeUndefined(name), name + " is NaN but plugin.xml does not declare it undefined");
        }
    }

    @Test
    void declared_for_both_families_and_a_rank_beyond_the_widest_matrix_is_refused() throws Exception {
        ContributionRegistry registry = ContributionRegistry.load();
        ContributionDescriptor d = registry.find(Role.ANALYZER, "spectral-dynamics");
        assertEquals(List.of("attention-only", "transformer"), d.families());
        RecursionAnalyzer a = d.create(RecursionAnalyzer.class);
        // the widest matrix of CONFIG is W_in with d_mlp = 6 columns
        a.configureNetwork(d.resolve(Map.of("rank", "6")), CONFIG, null);
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> a.configureNetwork(d.resolve(Map.of("rank", "7")), CONFIG, null));
        assertTrue(e.getMessage().contains("rank 7 exceeds 6"), e.getMessage());
        // without MLPs the widest is d_model = 4
        assertThrows(InvalidSettingException.class, () -> a.configureNetwork(d.resolve(Map.of("rank", "5")), config(0, true), null));
    }

    @Test
    void a_checkpoint_of_another_shape_is_refused_with_its_step() {
        SplittableRandom rng = new SplittableRandom(6);
        List<NetworkModel> models = List.of(network(config(5, false), rng, Map.of()), network(CONFIG, rng, Map.of()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> analyze(models, new int[] {0, 8}, 0));
        assertTrue(e.getMessage().startsWith("checkpoint of step 0 (ckpt/step_00000000.safetensors) is not shaped like the final "
                + "checkpoint of step 8"), e.getMessage());
    }

    /** Uniform entries in [-1, 1). */
    static double[] random(int n, SplittableRandom rng) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rng.nextDouble(-1, 1);
        }
        return v;
    }
}
