package org.layerwise.tasks;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.Seeds;
import org.layerwise.core.SequenceShape;
import org.layerwise.core.SequenceTaskGenerator;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.TokenDataset;

/**
 * Modular arithmetic, the task of the grokking experiments: every pair (a, b) of 0..p-1 (for
 * divide, b != 0) as the three tokens [a, b, p], where token p stands for "=", and the label
 * (a op b) mod p read at position 2. Division multiplies by b's inverse b^(p-2) mod p.
 *
 * <p>Examples are numbered a-major (a * p + b; for divide a * (p - 1) + b - 1). The split is a
 * Fisher-Yates shuffle of all examples from {@code Seeds.derive(taskSeed, "split")}; its first
 * floor(train_fraction * N) examples train, the rest test, each list sorted. The TaskSpec is a
 * sequence task with vocabulary p + 1, p classes, and the structure "modulus" [p] and
 * "operation" [the index of op in {@link #OPERATIONS}].
 */
public class ModularArithmeticTask implements SequenceTaskGenerator {

    /** The op setting's values, in the order of the structure's "operation" index. */
    public static final List<String> OPERATIONS = List.of("add", "subtract", "multiply", "divide");
    /** The smallest and largest modulus p accepted (both prime). */
    public static final int MIN_P = 3;
    public static final int MAX_P = 1021;
    static final int LENGTH = 3;
    static final int ANSWER_POSITION = 2;

    @Override
    public TaskSpec configure(Settings s) throws InvalidSettingException {
        int p = modulus(s);
        int op = operation(s);
        int n = examples(p, op);
        SequenceShape shape = new SequenceShape(p + 1, LENGTH, ANSWER_POSITION, n, trainExamples(s, n));
        return TaskSpec.ofSequence(shape, p, Map.of("modulus", new double[] {p}, "operation", new double[] {op}));
    }

    @Override
    public TokenDataset dataset(Settings s, long taskSeed) throws InvalidSettingException {
        TaskSpec spec = configure(s);
        int p = modulus(s);
        int op = operation(s);
        int n = spec.sequence().examples();
        int[] tokens = new int[n * LENGTH];
        int[] labels = new int[n];
        int e = 0;
        for (int a = 0; a < p; a++) {
            for (int b = op == 3 ? 1 : 0; b < p; b++) {
                tokens[e * LENGTH] = a;
                tokens[e * LENGTH + 1] = b;
                tokens[e * LENGTH + 2] = p;
                labels[e] = label(a, b, p, op);
                e++;
            }
        }
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        SplittableRandom rng = new SplittableRandom(Seeds.derive(taskSeed, "split"));
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int trainCount = spec.sequence().trainExamples();
        int[] train = Arrays.copyOfRange(order, 0, trainCount);
        int[] test = Arrays.copyOfRange(order, trainCount, n);
        Arrays.sort(train);
        Arrays.sort(test);
        return new TokenDataset(p + 1, p, LENGTH, ANSWER_POSITION, tokens, labels, train, test);
    }

    /** (a op b) mod p for op an index into {@link #OPERATIONS}; divide needs b != 0. */
    static int label(int a, int b, int p, int op) {
        return switch (op) {
            case 0 -> (a + b) % p;
            case 1 -> Math.floorMod(a - b, p);
            case 2 -> (int) ((long) a * b % p);
            default -> (int) ((long) a * inverse(b, p) % p);
        };
    }

    /** b^(p-2) mod p: the inverse of b != 0 modulo the prime p (Fermat). */
    static long inverse(int b, int p) {
        long result = 1;
        long base = b % p;
        for (int e = p - 2; e > 0; e >>= 1) {
            if ((e & 1) != 0) {
                result = result * base % p;
            }
            base = base * base % p;
        }
        return result;
    }

    private static int examples(int p, int op) {
        return op == 3 ? p * (p - 1) : p * p;
    }

    private static int modulus(Settings s) throws InvalidSettingException {
        int p = s.integer("p");
        if (p < MIN_P || p > MAX_P) {
            throw new InvalidSettingException("p", p + " is out of range; expected a prime in [" + MIN_P + ", " + MAX_P + "]");
        }
        if (!isPrime(p)) {
            int below = p - 1;
            while (!isPrime(below)) {
                below--;
            }
            int above = p + 1;
            while (!isPrime(above)) {
                above++;
            }
            throw new InvalidSettingException("p", p + " is not prime (arithmetic modulo p needs a field); the nearest primes are "
                    + below + " and " + above);
        }
        return p;
    }

    private static int operation(Settings s) throws InvalidSettingException {
        int op = OPERATIONS.indexOf(s.text("op"));
        if (op < 0) {
            throw new InvalidSettingException("op", "'" + s.text("op") + "' is not allowed; expected one of " + String.join(", ", OPERATIONS));
        }
        return op;
    }

    private static int trainExamples(Settings s, int n) throws InvalidSettingException {
        double f = s.real("train_fraction");
        int train = (int) Math.floor(f * n);
        if (!(f > 0 && f < 1) || train < 1 || train >= n) {
            throw new InvalidSettingException("train_fraction", f + " leaves " + train + " of the " + n
                    + " pairs for training; expected a fraction in (0, 1) that leaves both training and test pairs");
        }
        return train;
    }

    static boolean isPrime(int n) {
        if (n < 2) {
            return false;
        }
        for (int d = 2; (long) d * d <= n; d++) {
            if (n % d == 0) {
                return false;
            }
        }
        return true;
    }
}
