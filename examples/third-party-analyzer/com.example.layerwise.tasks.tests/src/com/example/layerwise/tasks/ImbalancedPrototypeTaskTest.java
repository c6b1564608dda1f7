package com.example.layerwise.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskSpec;

class ImbalancedPrototypeTaskTest {

    static Settings settings(int n, double sigma, double skew) {
        return Settings.of(Map.of("d", 3L, "C", 4L, "N", (long) n, "seed", -1L, "sigma", sigma, "skew", skew));
    }

    @Test
    void prompts_are_valid_and_deterministic_in_the_seed() {
        ImbalancedPrototypeTask task = new ImbalancedPrototypeTask();
        Settings s = settings(16, 0.5, 1);
        TaskSpec spec = task.configure(s);
        PromptBatch a = task.generate(s, 40, 7);
        assertNull(a.problem(spec, 40));
        PromptBatch again = task.generate(s, 40, 7);
        assertArrayEquals(a.z, again.z);
        assertArrayEquals(a.queryLabels, again.queryLabels);
        assertFalse(Arrays.equals(a.z, task.generate(s, 40, 8).z));
        // a prompt does not depend on how many were generated with it
        assertArrayEquals(Arrays.copyOf(a.z, a.tokens() * a.tokenDim()), task.generate(s, 1, 7).z);
        for (int p = 0; p < a.count; p++) {
            for (int i = 0; i < a.contextSize; i++) {
                int o = a.offset(p, i);
                for (int c = 0; c < a.classes; c++) {
                    assertEquals(c == a.contextLabels[p * a.contextSize + i] ? 1.0 : 0.0, a.z[o + a.features + c]);
                }
            }
        }
    }

    @Test
    void class_frequencies_follow_the_ranks_and_the_ranking_changes_from_prompt_to_prompt() {
        int n = 4000;
        double skew = 1;
        PromptBatch b = new ImbalancedPrototypeTask().generate(settings(n, 0.5, skew), 60, 3);
        double[] expected = ImbalancedPrototypeTask.rankProbabilities(4, skew);
        double[] meanShareByRank = new double[4];
        Set<Integer> mostFrequent = new HashSet<>();
        for (int p = 0; p < b.count; p++) {
            int[] counts = new int[4];
            for (int i = 0; i < n; i++) {
                counts[b.contextLabels[p * n + i]]++;
            }
            int top = 0;
            for (int c = 1; c < 4; c++) {
                top = counts[c] > counts[top] ? c : top;
            }
            mostFrequent.add(top);
            int[] sorted = counts.clone();
            Arrays.sort(sorted);
            for (int r = 0; r < 4; r++) {
                meanShareByRank[r] += sorted[3 - r] / (double) n / b.count;
            }
        }
        for (int r = 0; r < 4; r++) {
            assertEquals(expected[r], meanShareByRank[r], 0.01, "share of rank " + r + ": " + Arrays.toString(meanShareByRank));
        }
        assertTrue(mostFrequent.size() >= 3, "the most frequent class varies: " + mostFrequent);
    }

    @Test
    void with_no_spread_every_token_sits_on_its_class_prototype() {
        PromptBatch b = new ImbalancedPrototypeTask().generate(settings(50, 0, 2), 5, 1);
        for (int p = 0; p < b.count; p++) {
            double[][] prototype = new double[4][];
            for (int i = 0; i <= b.contextSize; i++) {
                int c = i < b.contextSize ? b.contextLabels[p * b.contextSize + i] : b.queryLabels[p];
                double[] x = Arrays.copyOfRange(b.z, b.offset(p, i), b.offset(p, i) + b.features);
                if (prototype[c] == null) {
                    prototype[c] = x;
                }
                assertArrayEquals(prototype[c], x, "prompt " + p + ", token " + i);
            }
        }
    }
}
