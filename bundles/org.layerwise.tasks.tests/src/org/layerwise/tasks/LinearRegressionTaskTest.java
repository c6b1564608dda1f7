package org.layerwise.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskGenerator;
import org.layerwise.core.TaskSpec;

/** The linear-regression task of docs/mathematics.md sections 2 and 9: prompts, pool and structure. */
class LinearRegressionTaskTest {

    private final InstalledTask<LinearRegressionTask> installed = InstalledTask.of("linear-regression", LinearRegressionTask.class);

    @Test
    void in_a_run_the_master_seed_derives_the_pool_and_the_prompts_are_drawn_from_it() throws Exception {
        Settings s = installed.settings("d", "3", "N", "5", "P", "4", "basis", "random");
        long seedA = TaskGenerator.taskSeed(s, 1);
        long seedB = TaskGenerator.taskSeed(s, 2);
        LinearRegressionTask a = installed.task();
        LinearRegressionTask b = installed.task();
        TaskSpec specA = a.configure(s, seedA);
        TaskSpec specB = b.configure(s, seedB);
        assertFalse(Arrays.equals(specA.structure("pool"), specB.structure("pool")), "another master seed, another pool");
        assertFalse(Arrays.equals(specA.structure("U"), specB.structure("U")));
        assertEquals(specA, installed.task().configure(s, seedA), "the same master seed, the same structure");
        // the run's prompts come from the structure configured for it
        PromptBatch batch = a.generate(s, 6, 99);
        int[] member = new int[6];
        a.generate(s, 6, 99, member);
        double[] u = specA.structure("U");
        double[] pool = specA.structure("pool");
        for (int p = 0; p < 6; p++) {
            double[] w = LinearRegressionTask.taskMatrix(u, Arrays.copyOfRange(pool, member[p] * 3, member[p] * 3 + 3), 3);
            int q = batch.offset(p, 5);
            for (int i = 0; i < 3; i++) {
                double y = 0;
                for (int j = 0; j < 3; j++) {
                    y += w[i * 3 + j] * batch.z[q + j];
                }
                assertEquals(y, batch.queryTargets[p * 3 + i], 1e-12, "prompt " + p);
            }
        }
        Settings fixed = installed.settings("d", "3", "N", "5", "P", "4", "basis", "random", "seed", "5");
        assertEquals(installed.task().configure(fixed), installed.task().configure(fixed, TaskGenerator.taskSeed(fixed, 123)),
                "a seed setting >= 0 is the task seed whatever the master seed");
    }

    @Test
    void prompts_are_deterministic_in_their_seed_and_share_the_pool_across_seeds() throws Exception {
        LinearRegressionTask t = installed.task();
        Settings s = installed.settings("d", "4", "N", "9", "P", "5", "basis", "random", "seed", "17");
        TaskSpec spec = t.configure(s);
        assertEquals(new TaskSpec(TaskSpec.REGRESSION, 4, 4, 9), new TaskSpec(spec.kind(), spec.features(), spec.classes(), spec.contextSize()));
        PromptBatch a = t.generate(s, 30, 1);
        assertNull(a.problem(spec, 30));
        assertArrayEquals(a.z, t.generate(s, 30, 1).z, 0.0);
        assertArrayEquals(a.queryTargets, t.generate(s, 30, 1).queryTargets, 0.0);
        PromptBatch head = t.generate(s, 6, 1);
        assertArrayEquals(Arrays.copyOf(a.z, head.z.length), head.z, 0.0, "prompt p must not depend on the count");
        assertFalse(Arrays.equals(a.z, t.generate(s, 30, 2).z), "another generate seed gives other prompts");
        // the pool is the structure's, not the generate seed's: both seeds' prompts use its members
        int[] k1 = new int[200];
        int[] k2 = new int[200];
        PromptBatch b1 = t.generate(s, 200, 1, k1);
        PromptBatch b2 = t.generate(s, 200, 2, k2);
        assertTargetsAreThePoolMembers(spec, b1, k1);
        assertTargetsAreThePoolMembers(spec, b2, k2);
        // a fresh generator (no cache) configures equal arrays; another structure seed another pool
        assertEquals(spec, installed.task().configure(s));
        assertNotEquals(spec, t.configure(installed.settings("d", "4", "N", "9", "P", "5", "basis", "random", "seed", "18")));
    }

    private static void assertTargetsAreThePoolMembers(TaskSpec spec, PromptBatch b, int[] members) {
        int d = b.features;
        double[] u = spec.structure("U");
        double[] pool = spec.structure("pool");
        for (int p = 0; p < b.count; p++) {
            double[] w = LinearRegressionTask.taskMatrix(u, Arrays.copyOfRange(pool, members[p] * d, members[p] * d + d), d);
            for (int i = 0; i <= b.contextSize; i++) {
                int o = b.offset(p, i);
                double[] wx = times(w, b.z, o, d);
                double[] y = i < b.contextSize ? Arrays.copyOfRange(b.z, o + d, o + 2 * d) : Arrays.copyOfRange(b.queryTargets, p * d, p * d + d);
                assertArrayEquals(wx, y, 1e-12, "prompt " + p + ", token " + i + ": y = W_k x");
                if (i == b.contextSize) {
                    assertArrayEquals(new double[d], Arrays.copyOfRange(b.z, o + d, o + 2 * d), 0.0, "the query's y block is zero");
                }
            }
        }
    }

    /** W x for W d x d row-major and x at z[o .. o + d). */
    private static double[] times(double[] w, double[] z, int o, int d) {
        double[] out = new double[d];
        for (int i = 0; i < d; i++) {
            for (int k = 0; k < d; k++) {
                out[i] += w[i * d + k] * z[o + k];
            }
        }
        return out;
    }

    @Test
    void the_query_target_is_w_x_q_and_its_y_block_zero_in_the_identity_basis() throws Exception {
        LinearRegressionTask t = installed.task();
        Settings s = installed.settings("d", "3", "N", "4", "P", "7");
        TaskSpec spec = t.configure(s);
        assertArrayEquals(LinearRegressionTask.identity(3), spec.structure("U"), 0.0);
        int[] k = new int[50];
        assertTargetsAreThePoolMembers(spec, t.generate(s, 50, 11, k), k);
    }

    @Test
    void each_prompt_picks_a_pool_member_uniformly() throws Exception {
        int[] k = new int[8000];
        installed.task().generate(installed.settings("d", "2", "N", "1", "P", "4"), 8000, 3, k);
        int[] counts = new int[4];
        for (int i : k) {
            counts[i]++;
        }
        // binomial standard deviation sqrt(0.25 * 0.75 / 8000) = 0.0048: 0.02 is four of them
        for (int c : counts) {
            assertEquals(0.25, c / 8000.0, 0.02, Arrays.toString(counts));
        }
    }

    @Test
    void the_empirical_covariance_of_x_is_u_s_u_transposed() throws Exception {
        LinearRegressionTask t = installed.task();
        Settings s = installed.settings("d", "3", "N", "15", "P", "3", "basis", "random", "s1", "1", "r", "0.5", "seed", "4");
        TaskSpec spec = t.configure(s);
        assertArrayEquals(new double[] {1, 0.5, 0.25}, spec.structure("s"), 0.0);
        PromptBatch b = t.generate(s, 4000, 9);
        double[] cov = new double[9];
        int samples = 0;
        for (int p = 0; p < b.count; p++) {
            for (int i = 0; i <= b.contextSize; i++) {
                int o = b.offset(p, i);
                for (int r = 0; r < 3; r++) {
                    for (int c = 0; c < 3; c++) {
                        cov[r * 3 + c] += b.z[o + r] * b.z[o + c];
                    }
                }
                samples++;
            }
        }
        double[] u = spec.structure("U");
        double[] expected = LinearRegressionTask.taskMatrix(u, spec.structure("s"), 3);
        // 64,000 draws, every variance <= 1: each entry's standard error is at most sqrt(2 / 64000) = 0.0056
        for (int e = 0; e < 9; e++) {
            assertEquals(expected[e], cov[e] / samples, 0.03, "covariance entry " + e + " of " + Arrays.toString(expected));
        }
        // and the basis is a real rotation: U S U' is not diagonal here
        assertTrue(Math.abs(expected[1]) > 0.05, Arrays.toString(expected));
    }

    @Test
    void a_random_basis_is_orthogonal_and_fixed_by_the_seed() throws Exception {
        for (int d : new int[] {1, 2, 17, 96}) {
            double[] u = installed.task().configure(installed.settings("d", Integer.toString(d), "basis", "random", "seed", "5")).structure("U");
            for (int a = 0; a < d; a++) {
                for (int b = 0; b < d; b++) {
                    double dot = 0;
                    for (int i = 0; i < d; i++) {
                        dot += u[i * d + a] * u[i * d + b];
                    }
                    assertEquals(a == b ? 1 : 0, dot, 1e-12, "d = " + d + ": u_" + a + " . u_" + b);
                }
            }
            assertArrayEquals(u, LinearRegressionTask.randomOrthogonal(d, org.layerwise.core.Seeds.derive(5, "linear-regression/basis")), 0.0);
        }
        assertFalse(Arrays.equals(LinearRegressionTask.randomOrthogonal(4, 1), LinearRegressionTask.randomOrthogonal(4, 2)));
    }

    @Test
    void lambda2_is_the_sum_of_squares_of_the_pool_and_pools_nest() throws Exception {
        TaskSpec spec = installed.task().configure(installed.settings("d", "5", "P", "40"));
        double[] pool = spec.structure("pool");
        assertEquals(200, pool.length);
        assertArrayEquals(new double[] {40}, spec.structure("P"), 0.0);
        double[] lambda2 = new double[5];
        for (int k = 0; k < 40; k++) {
            for (int a = 0; a < 5; a++) {
                lambda2[a] += pool[k * 5 + a] * pool[k * 5 + a];
            }
        }
        assertArrayEquals(lambda2, spec.structure("lambda2"), 1e-12);
        for (double l : lambda2) {
            assertTrue(l > 10 && l < 80, "Lambda2 is about P = 40: " + Arrays.toString(lambda2));
        }
        // the first 10 members of the pool of 40, whatever N or the spectrum
        double[] small = installed.task().configure(installed.settings("d", "5", "P", "10", "N", "3", "r", "0.9")).structure("pool");
        assertArrayEquals(Arrays.copyOf(pool, 50), small, 0.0);
    }

    @Test
    void a_list_spectrum_is_used_exactly() throws Exception {
        TaskSpec spec = installed.task().configure(installed.settings("d", "4", "spectrum", "list", "values", " 3, 1.5,0.25 ,1e-3", "basis", "random"));
        assertArrayEquals(new double[] {3, 1.5, 0.25, 1e-3}, spec.structure("s"), 0.0);
        // x's variance along u_alpha is s_alpha: in the identity basis, coordinate by coordinate
        LinearRegressionTask t = installed.task();
        Settings s = installed.settings("d", "2", "N", "20", "spectrum", "list", "values", "4,0.01");
        PromptBatch b = t.generate(s, 2000, 1);
        double[] var = new double[2];
        for (int p = 0; p < b.count; p++) {
            for (int i = 0; i <= b.contextSize; i++) {
                var[0] += b.z[b.offset(p, i)] * b.z[b.offset(p, i)];
                var[1] += b.z[b.offset(p, i) + 1] * b.z[b.offset(p, i) + 1];
            }
        }
        assertEquals(4, var[0] / 42000, 0.12, "standard error 0.028");
        assertEquals(0.01, var[1] / 42000, 0.0003, "standard error 0.00007");
    }

    @Test
    void bad_settings_are_refused_naming_the_setting() throws Exception {
        assertRefused("values", "needs d = 3 comma-separated values", "d", "3", "spectrum", "list", "values", "1,2");
        assertRefused("values", "needs d = 3 comma-separated values", "d", "3", "spectrum", "list");
        assertRefused("values", "ASCII", "d", "3", "spectrum", "list", "values", "1,\u0662,3");
        assertRefused("values", "ASCII", "d", "2", "spectrum", "list", "values", "1,-2");
        assertRefused("values", "positive", "d", "2", "spectrum", "list", "values", "1,0");
        assertRefused("values", "ASCII", "d", "2", "spectrum", "list", "values", "1,NaN");
        assertRefused("values", "ASCII", "d", "2", "spectrum", "list", "values", "1,0x1p3");
        assertRefused("values", "ASCII", "d", "3", "spectrum", "list", "values", "1,,2");
        assertRefused("values", "positive", "d", "2", "spectrum", "list", "values", "1,1e999");
        assertRefused("values", "only when spectrum = list", "values", "1,2,3,4,5,6,7,8");
        assertRefused("r", "(0, 1]", "r", "0");
        assertRefused("r", "normal", "d", "256", "r", "1e-300");
        assertRefused("s1", "positive", "s1", "0");
        assertRefused("P", "at most", "d", "256", "P", "1000000");
    }

    private void assertRefused(String setting, String says, String... keyValues) throws Exception {
        Settings s = installed.settings(keyValues);
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> installed.task().configure(s));
        assertEquals(setting, e.setting(), e.getMessage());
        assertTrue(e.getMessage().contains(says), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> installed.task().generate(s, 1, 0));
    }
}
