package org.layerwise.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.Role;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskGenerator;

/** Properties of every task family of docs/mathematics.md section 2 that could fail. */
class TaskGeneratorsTest {

    private final ContributionRegistry registry = ContributionRegistry.load();

    private Settings settings(String id, String... keyValues) throws Exception {
        Map<String, String> raw = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            raw.put(keyValues[i], keyValues[i + 1]);
        }
        return registry.find(Role.TASK, id).resolve(raw);
    }

    private ClassificationTask task(String id) throws Exception {
        ContributionDescriptor d = registry.find(Role.TASK, id);
        return (ClassificationTask) d.create(TaskGenerator.class);
    }

    @Test
    void every_family_is_deterministic_valid_and_independent_of_the_batch_size() throws Exception {
        for (String id : new String[] {"linear", "label-noise", "semi-supervised", "prototype", "nonlinear"}) {
            ClassificationTask t = task(id);
            Settings s = settings(id, "d", "5", "C", "3", "N", "10");
            PromptBatch a = t.generate(s, 40, 99);
            assertNull(a.problem(t.configure(s), 40), id);
            PromptBatch b = t.generate(s, 40, 99);
            assertArrayEquals(a.z, b.z, 0.0, id);
            assertArrayEquals(a.contextLabels, b.contextLabels, id);
            PromptBatch head = t.generate(s, 7, 99);
            assertArrayEquals(Arrays.copyOf(a.z, head.z.length), head.z, 0.0, id + ": prompt p must not depend on the count");
            assertFalse(Arrays.equals(a.z, t.generate(s, 40, 100).z), id + ": another seed gives other prompts");
            for (int p = 0; p < a.count; p++) {
                for (int i = 0; i < a.contextSize; i++) {
                    int label = a.contextLabels[p * a.contextSize + i];
                    for (int c = 0; c < a.classes; c++) {
                        assertEquals(c == label ? 1.0 : 0.0, a.z[a.offset(p, i) + a.features + c], id + ": y is one-hot of the observed label");
                    }
                }
            }
        }
    }

    @Test
    void labels_are_uniform_over_classes() throws Exception {
        for (String id : new String[] {"linear", "prototype", "nonlinear"}) {
            PromptBatch b = task(id).generate(settings(id, "C", "4", "N", "16"), 4000, 5);
            int[] counts = new int[4];
            for (int label : b.contextLabels) {
                counts[label]++;
            }
            for (int c : counts) {
                assertEquals(0.25, c / (double) b.contextLabels.length, 0.015, id + ": class frequencies " + Arrays.toString(counts));
            }
        }
    }

    @Test
    void label_noise_replaces_the_measured_fraction_of_context_labels_by_other_classes() throws Exception {
        for (double rho : new double[] {0.0, 0.2, 0.5}) {
            ClassificationTask t = task("label-noise");
            int[] truth = new int[3000 * 32];
            PromptBatch b = t.generate(settings("label-noise", "rho", Double.toString(rho)), 3000, 8, truth);
            int changed = 0;
            for (int i = 0; i < truth.length; i++) {
                if (truth[i] != b.contextLabels[i]) {
                    changed++;
                }
            }
            assertEquals(rho, changed / (double) truth.length, 0.01, "noise rate");
        }
    }

    @Test
    void semi_supervised_hides_exactly_round_u_n_labels_per_prompt() throws Exception {
        PromptBatch b = task("semi-supervised").generate(settings("semi-supervised", "u", "0.3", "N", "20"), 200, 3);
        for (int p = 0; p < b.count; p++) {
            int hidden = 0;
            for (int i = 0; i < 20; i++) {
                hidden += b.contextLabels[p * 20 + i] == -1 ? 1 : 0;
            }
            assertEquals(6, hidden);
        }
    }

    @Test
    void prototype_tokens_with_zero_spread_sit_on_their_class_prototype() throws Exception {
        PromptBatch b = task("prototype").generate(settings("prototype", "sigma", "0", "d", "3", "C", "3", "N", "30"), 20, 4);
        for (int p = 0; p < b.count; p++) {
            double[][] seen = new double[3][];
            for (int i = 0; i < 30; i++) {
                int c = b.contextLabels[p * 30 + i];
                double[] x = Arrays.copyOfRange(b.z, b.offset(p, i), b.offset(p, i) + 3);
                if (seen[c] == null) {
                    seen[c] = x;
                }
                assertArrayEquals(seen[c], x, 0.0);
            }
        }
    }

    @Test
    void the_relu_feature_map_is_fixed_by_the_family_seed() {
        assertArrayEquals(NonlinearTask.reluLayer(4, 8, 1), NonlinearTask.reluLayer(4, 8, 1), 0.0);
        assertFalse(Arrays.equals(NonlinearTask.reluLayer(4, 8, 1), NonlinearTask.reluLayer(4, 8, 2)));
        assertTrue(registry.find(Role.TASK, "nonlinear").settings().stream().anyMatch(s -> s.name().equals("family_seed")));
    }
}
