package org.layerwise.analysis.modular;

import java.util.List;

import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.model.NetworkConfig;

/**
 * What the analyzers read of a modular-arithmetic task: its TaskSpec structure "modulus" [p] and
 * "operation" [the index of add, subtract, multiply, divide], and the sequences [a, b, =] with
 * "=" the token p and the answer at position 2 (org.layerwise.tasks.ModularArithmeticTask).
 */
record ModularTask(int p, int operation) {

    static final String MODULUS = "modulus";
    static final String OPERATION = "operation";
    static final List<String> OPERATIONS = List.of("add", "subtract", "multiply", "divide");
    static final int LENGTH = 3;
    static final int ANSWER_POSITION = 2;

    /** The task's modulus and operation; refused (naming {@code setting}) when it is no modular-arithmetic task. */
    static ModularTask of(TaskSpec task, String analyzer) throws InvalidSettingException {
        double[] modulus = task == null ? null : task.structure(MODULUS);
        double[] operation = task == null ? null : task.structure(OPERATION);
        if (modulus == null || modulus.length != 1 || operation == null || operation.length != 1 || !task.isSequence()) {
            throw new InvalidSettingException("task", analyzer + " reads the modular-arithmetic task (a sequence task whose "
                    + "structure has 'modulus' and 'operation'); this task is " + (task == null ? "unknown" : task));
        }
        int p = (int) modulus[0];
        int op = (int) operation[0];
        if (p != modulus[0] || p < 3 || p % 2 == 0 || op != operation[0] || op < 0 || op >= OPERATIONS.size()) {
            throw new InvalidSettingException("task", "the task's structure has modulus " + modulus[0] + " and operation "
                    + operation[0] + "; expected an odd modulus of at least 3 and an index into " + OPERATIONS);
        }
        if (task.sequence().length() != LENGTH || task.sequence().answerPosition() != ANSWER_POSITION
                || task.sequence().vocabulary() != p + 1 || task.classes() != p) {
            throw new InvalidSettingException("task", "a modular-arithmetic task of modulus " + p + " has sequences [a, b, =] of "
                    + "length 3 answered at position 2 over p + 1 tokens and p answers; this one is " + task.sequence()
                    + " with " + task.classes() + " answers");
        }
        return new ModularTask(p, op);
    }

    String operationName() {
        return OPERATIONS.get(operation);
    }

    /** Whether the answer is a function of a + b (add) or a - b (subtract), whose logits the Fourier basis of Z_p describes. */
    boolean additive() {
        return operation < 2;
    }

    /** +1 for add, -1 for subtract. */
    int sign() {
        return operation == 0 ? 1 : -1;
    }

    /** Null when the network reads this task's tokens and writes its answers, else why not. */
    String mismatch(NetworkConfig c) {
        if (c.dVocab() != p + 1 || c.dVocabOut() != p || c.nCtx() < LENGTH) {
            return "the network has d_vocab = " + c.dVocab() + ", d_vocab_out = " + c.dVocabOut() + ", n_ctx = " + c.nCtx()
                    + " but the task of modulus " + p + " has " + (p + 1) + " tokens, " + p + " answers and sequences of length "
                    + LENGTH;
        }
        return null;
    }

    /** The sequences [a, b, =] of the pairs with a in [from, to) and every b, a-major (row (a - from) p + b). */
    int[] pairs(int from, int to) {
        int[] tokens = new int[(to - from) * p * LENGTH];
        for (int a = from; a < to; a++) {
            for (int b = 0; b < p; b++) {
                int row = ((a - from) * p + b) * LENGTH;
                tokens[row] = a;
                tokens[row + 1] = b;
                tokens[row + 2] = p;
            }
        }
        return tokens;
    }
}
