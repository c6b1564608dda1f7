package org.layerwise.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.SequenceShape;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskGenerator;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.TokenDataset;

class ModularArithmeticTaskTest {

    private final InstalledTask<ModularArithmeticTask> installed = InstalledTask.of("modular-arithmetic", ModularArithmeticTask.class);

    @Test
    void the_split_is_reproducible_from_its_seed_and_another_seed_gives_another_split() throws Exception {
        Settings s = installed.settings("p", "23");
        TokenDataset a = installed.task().dataset(s, 7);
        TokenDataset b = installed.task().dataset(s, 7);
        assertArrayEquals(a.train(), b.train());
        assertArrayEquals(a.test(), b.test());
        assertArrayEquals(a.tokens(), b.tokens());
        TokenDataset other = installed.task().dataset(s, 8);
        assertFalse(Arrays.equals(a.train(), other.train()), "seed 8 must split differently from seed 7");
        assertArrayEquals(a.labels(), other.labels(), "the seed moves the split, not the examples");
        // the taskSeed rule: an explicit seed setting wins, -1 derives it from the master seed
        assertEquals(5, TaskGenerator.taskSeed(installed.settings("seed", "5"), 99));
        assertFalse(Arrays.equals(installed.task().dataset(s, TaskGenerator.taskSeed(s, 1)).train(),
                installed.task().dataset(s, TaskGenerator.taskSeed(s, 2)).train()), "another master seed, another split");
    }

    @Test
    void train_and_test_partition_all_pairs_at_the_declared_sizes() throws Exception {
        for (String op : ModularArithmeticTask.OPERATIONS) {
            Settings s = installed.settings("p", "113", "op", op, "train_fraction", "0.3");
            TaskSpec spec = installed.task().configure(s);
            TokenDataset d = installed.task().dataset(s, 3);
            assertNull(d.problem(spec), op);
            int n = op.equals("divide") ? 113 * 112 : 113 * 113;
            SequenceShape shape = spec.sequence();
            assertEquals(n, shape.examples(), op);
            assertEquals((int) Math.floor(0.3 * n), shape.trainExamples(), op);
            assertEquals(op.equals("divide") ? 3796 : 3830, d.train().length, op + ": floor(f N) training pairs");
            assertEquals(n - d.train().length, d.test().length, op);
            Set<Integer> pairs = new HashSet<>();
            for (int e = 0; e < d.count(); e++) {
                assertEquals(113, d.token(e, 2), "the third token is =");
                assertTrue(pairs.add(d.token(e, 0) * 113 + d.token(e, 1)), op + ": pair of example " + e + " repeated");
                assertTrue(!op.equals("divide") || d.token(e, 1) != 0, "no division by 0");
            }
            assertEquals(n, pairs.size(), op + ": every pair once");
            assertEquals(TaskSpec.SEQUENCE, spec.kind());
            assertEquals(114, spec.features());
            assertEquals(113, spec.classes());
            assertEquals(2, spec.contextSize());
            assertArrayEquals(new double[] {113}, spec.structure("modulus"));
            assertArrayEquals(new double[] {ModularArithmeticTask.OPERATIONS.indexOf(op)}, spec.structure("operation"));
        }
    }

    @Test
    void every_operation_labels_each_pair_with_its_value_mod_p() throws Exception {
        int p = 13;
        for (String op : ModularArithmeticTask.OPERATIONS) {
            TokenDataset d = installed.task().dataset(installed.settings("p", "13", "op", op), 1);
            for (int e = 0; e < d.count(); e++) {
                int a = d.token(e, 0);
                int b = d.token(e, 1);
                int y = d.labels()[e];
                switch (op) {
                    case "add" -> assertEquals(Math.floorMod(a + b, p), y);
                    case "subtract" -> assertEquals(Math.floorMod(a - b, p), y, a + " - " + b);
                    case "multiply" -> assertEquals(a * b % p, y);
                    default -> assertEquals(a, b * y % p, a + " / " + b + " = " + y + " must satisfy b * label = a");
                }
            }
        }
    }

    @Test
    void a_modulus_that_is_not_prime_is_refused_naming_the_nearest_primes() throws Exception {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> installed.task().configure(installed.settings("p", "100")));
        assertEquals("p", e.setting());
        assertTrue(e.getMessage().contains("nearest primes are 97 and 101"), e.getMessage());
        assertEquals("p", assertThrows(InvalidSettingException.class, () -> installed.task().dataset(installed.settings("p", "9"), 0)).setting());
        installed.task().configure(installed.settings("p", "1021"));
        installed.task().configure(installed.settings("p", "3"));
    }

    @Test
    void settings_out_of_range_are_refused_naming_the_setting() throws Exception {
        for (String[] bad : new String[][] {{"p", "2"}, {"p", "1022"}, {"op", "power"}, {"train_fraction", "1.5"}}) {
            assertEquals(bad[0], assertThrows(InvalidSettingException.class, () -> installed.settings(bad)).setting(), String.join("=", bad));
        }
        for (String f : new String[] {"0", "1", "0.05"}) {
            // within the declared [0, 1], but an empty split (p = 3: floor(0.05 * 9) = 0 training pairs)
            InvalidSettingException e = assertThrows(InvalidSettingException.class,
                    () -> installed.task().configure(installed.settings("p", "3", "train_fraction", f)), f);
            assertEquals("train_fraction", e.setting(), f);
        }
        assertEquals(1, installed.task().configure(installed.settings("p", "3", "train_fraction", "0.12")).sequence().trainExamples());
    }

    @Test
    void baselines_are_chance_and_the_training_majority_on_the_test_split() throws Exception {
        TokenDataset d = installed.task().dataset(installed.settings("p", "7", "op", "multiply", "train_fraction", "0.5"), 11);
        assertEquals(1 / 7.0, d.chance(), 1e-15);
        // multiply: label 0 for every pair with a = 0 or b = 0 (13 of 49), the commonest label
        assertEquals(0, d.majorityClass());
        long zeros = Arrays.stream(d.test()).filter(e -> d.labels()[e] == 0).count();
        assertEquals(zeros / (double) d.test().length, d.majorityRate(), 1e-15);
    }

    @Test
    void the_inverse_is_the_inverse() {
        for (int b = 1; b < 1021; b++) {
            assertEquals(1, b * ModularArithmeticTask.inverse(b, 1021) % 1021, "b = " + b);
        }
        assertTrue(ModularArithmeticTask.isPrime(1021));
        assertFalse(ModularArithmeticTask.isPrime(1020));
    }
}
