package com.example.layerwise.norms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.layerwise.core.AnalysisResult;
import org.layerwise.core.SymmetryEnforcer.Factors;
import org.layerwise.core.Table;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.ModelConfig.Attention;
import org.layerwise.core.model.ModelConfig.Keys;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.core.symmetry.BlockPermutation;
import org.layerwise.testing.Fixtures;

class AttentionNormsAnalyzerTest {

    static final ModelConfig CONFIG = Fixtures.config(2, 2, Keys.CONTEXT, Attention.SOFTMAX);
    static final int D = CONFIG.dModel();

    static AnalysisResult analyze(TransformerModel model, String matrices) throws Exception {
        SplittableRandom rng = new SplittableRandom(11);
        return new AttentionNormsAnalyzer()
                .analyze(Fixtures.context(model, Fixtures.prompts(model.config(), 8, rng), Factors.NONE, Map.of("matrices", matrices)));
    }

    static List<Object> row(Table t, int layer, int head, String matrix) {
        return t.rows().stream().filter(r -> r.get(0).equals(layer) && r.get(1).equals(head) && r.get(2).equals(matrix))
                .findFirst().orElseThrow(() -> new AssertionError("no row " + layer + "/" + head + "/" + matrix + " in " + t.rows()));
    }

    static double value(Table t, List<Object> row, String column) {
        return ((Number) row.get(t.column(column))).doubleValue();
    }

    /** |det M| by Gaussian elimination with partial pivoting: the product of all singular values. */
    static double absDeterminant(double[] m, int n) {
        double[] a = m.clone();
        double det = 1;
        for (int k = 0; k < n; k++) {
            int p = k;
            for (int r = k + 1; r < n; r++) {
                if (Math.abs(a[r * n + k]) > Math.abs(a[p * n + k])) {
                    p = r;
                }
            }
            for (int c = 0; c < n; c++) {
                double t = a[k * n + c];
                a[k * n + c] = a[p * n + c];
                a[p * n + c] = t;
            }
            det *= a[k * n + k];
            for (int r = k + 1; r < n; r++) {
                double f = a[r * n + k] / a[k * n + k];
                for (int c = k; c < n; c++) {
                    a[r * n + c] -= f * a[k * n + c];
                }
            }
        }
        return Math.abs(det);
    }

    @Test
    void a_scaled_permutation_has_full_stable_rank_and_an_outer_product_rank_one() throws Exception {
        double[][] qk = new double[4][];
        double[][] ov = new double[4][];
        int[] shift = new int[D];
        for (int k = 0; k < D; k++) {
            shift[k] = (k + 3) % D;
        }
        double[] u = new double[D];
        double[] v = new double[D];
        for (int k = 0; k < D; k++) {
            u[k] = k + 1;
            v[k] = k % 2 == 0 ? 0.5 : -1;
        }
        for (int i = 0; i < 4; i++) {
            qk[i] = new double[D * D];
            ov[i] = new double[D * D];
            for (int r = 0; r < D; r++) {
                qk[i][r * D + shift[r]] = 3.0 * (i + 1);
                for (int c = 0; c < D; c++) {
                    ov[i][r * D + c] = u[r] * v[c];
                }
            }
        }
        AnalysisResult r = analyze(new TransformerModel(CONFIG, qk, ov), "both");
        Table t = r.tables().get("attention-norms");
        assertEquals(2 * 2 * 2, t.rows().size(), t.rows().toString());
        List<Object> q11 = row(t, 1, 1, "QK");
        assertEquals(12.0, value(t, q11, "spectral"), 1e-12);
        assertEquals(12.0 * Math.sqrt(D), value(t, q11, "frobenius"), 1e-12);
        assertEquals(D, value(t, q11, "stable_rank"), 1e-9);
        double uv = Math.sqrt(dot(u, u) * dot(v, v));
        List<Object> o01 = row(t, 0, 1, "OV");
        assertEquals(uv, value(t, o01, "spectral"), 1e-12 * uv);
        assertEquals(1.0, value(t, o01, "stable_rank"), 1e-9);
        assertEquals(12.0, r.scalars().get("qk_spectral_max"), 1e-12);
        assertEquals(D, r.scalars().get("qk_stable_rank_mean"), 1e-9);
        assertEquals(1.0, r.scalars().get("ov_stable_rank_mean"), 1e-9);
    }

    @Test
    void the_singular_values_of_a_generic_model_have_its_frobenius_norm_and_determinant_and_are_conjugation_invariant() throws Exception {
        TransformerModel model = Fixtures.generic(CONFIG, 0.7, new SplittableRandom(5));
        AnalysisResult r = analyze(model, "both");
        double[] qs = r.tensors().get("qk.singular_values").toDoubles();
        assertEquals(CONFIG.nLayers() * CONFIG.nHeads() * D, qs.length);
        int[] pi = BlockPermutation.draw(CONFIG.dX(), CONFIG.dY(), true, true, new SplittableRandom(3));
        double largestQk = 0;
        for (int l = 0; l < CONFIG.nLayers(); l++) {
            for (int h = 0; h < CONFIG.nHeads(); h++) {
                double[] m = model.qk(l, h);
                double[] s = Arrays.copyOfRange(qs, (l * CONFIG.nHeads() + h) * D, (l * CONFIG.nHeads() + h + 1) * D);
                double sumSquares = 0;
                double product = 1;
                for (int k = 0; k < D; k++) {
                    assertTrue(k == 0 || s[k] <= s[k - 1], "largest first: " + Arrays.toString(s));
                    sumSquares += s[k] * s[k];
                    product *= s[k];
                }
                assertEquals(dot(m, m), sumSquares, 1e-10 * dot(m, m));
                double det = absDeterminant(m, D);
                assertEquals(det, product, 1e-9 * det);
                double[] conjugated = SingularValues.of(BlockPermutation.conjugate(m, pi), D);
                for (int k = 0; k < D; k++) {
                    assertEquals(s[k], conjugated[k], 1e-10 * s[0]);
                }
                largestQk = Math.max(largestQk, s[0]);
            }
        }
        assertEquals(largestQk, r.scalars().get("qk_spectral_max"), 0.0);
    }

    @Test
    void matrices_qk_measures_qk_alone() throws Exception {
        AnalysisResult r = analyze(Fixtures.generic(CONFIG, 0.7, new SplittableRandom(9)), "qk");
        assertFalse(r.scalars().containsKey("ov_spectral_max"), r.scalars().toString());
        assertFalse(r.tensors().containsKey("ov.singular_values"));
        assertTrue(r.tables().get("attention-norms").rows().stream().allMatch(row -> row.get(2).equals("QK")));
        assertEquals(CONFIG.nLayers() * CONFIG.nHeads(), r.tables().get("attention-norms").rows().size());
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int k = 0; k < a.length; k++) {
            s += a[k] * b[k];
        }
        return s;
    }
}
