package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.layerwise.core.SequenceShape;
import org.layerwise.core.SequenceTaskGenerator;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.TokenDataset;

class SequenceTaskTest {

    /** Four examples of two tokens from {0, 1, 2}, the answer (0 or 1) at position 1; examples 0 and 2 train. */
    private static final SequenceShape SHAPE = new SequenceShape(3, 2, 1, 4, 2);
    private static final TaskSpec SPEC = TaskSpec.ofSequence(SHAPE, 2, Map.of("m", new double[] {2}));

    private static TokenDataset fourExamples(int[] labels, int[] train, int[] test) {
        return new TokenDataset(3, 2, 2, 1, new int[] {0, 2, 1, 2, 2, 2, 0, 2}, labels, train, test);
    }

    @Test
    void a_sequence_task_spec_equals_only_specs_of_the_same_sequence_shape() {
        TaskSpec same = TaskSpec.ofSequence(new SequenceShape(3, 2, 1, 4, 2), 2, Map.of("m", new double[] {2}));
        assertEquals(SPEC, same);
        assertEquals(SPEC.hashCode(), same.hashCode());
        assertTrue(SPEC.isSequence());
        assertEquals(3, SPEC.features());
        assertEquals(1, SPEC.contextSize());
        assertNotEquals(SPEC, TaskSpec.ofSequence(new SequenceShape(3, 2, 1, 4, 3), 2, Map.of("m", new double[] {2})),
                "another split size is another task");
        assertNotEquals(SPEC, TaskSpec.ofSequence(new SequenceShape(3, 2, 0, 4, 2), 2, Map.of("m", new double[] {2})),
                "another answer position is another task");
        TaskSpec inContext = new TaskSpec(TaskSpec.CLASSIFICATION, 3, 2, 1, Map.of("m", new double[] {2}));
        assertFalse(inContext.isSequence());
        assertNotEquals(SPEC, inContext);
        assertNotEquals(inContext, SPEC);
        assertEquals(new TaskSpec(TaskSpec.CLASSIFICATION, 3, 2, 1), new TaskSpec(TaskSpec.CLASSIFICATION, 3, 2, 1, Map.of(), null),
                "the old constructors make in-context specs");
        assertTrue(SPEC.toString().contains("SequenceShape"), SPEC.toString());
        assertThrows(IllegalArgumentException.class, () -> new TaskSpec(TaskSpec.SEQUENCE, 3, 2, 1), "a sequence kind needs a shape");
        assertThrows(IllegalArgumentException.class, () -> new TaskSpec(TaskSpec.SEQUENCE, 4, 2, 1, Map.of(), SHAPE),
                "features must be the vocabulary");
        assertThrows(IllegalArgumentException.class, () -> new SequenceShape(3, 2, 1, 4, 4), "the test split must not be empty");
        assertThrows(IllegalArgumentException.class, () -> new SequenceShape(3, 2, 2, 4, 1), "the answer must be inside the sequence");
    }

    @Test
    void problem_accepts_a_partition_and_names_each_kind_of_broken_dataset() {
        assertNull(fourExamples(new int[] {0, 1, 1, 0}, new int[] {0, 2}, new int[] {1, 3}).problem(SPEC));
        assertTrue(fourExamples(new int[] {0, 1, 1, 0}, new int[] {0, 2}, new int[] {1, 2}).problem(SPEC).contains("in both train and test"));
        assertTrue(fourExamples(new int[] {0, 1, 1, 0}, new int[] {0, 2}, new int[] {1}).problem(SPEC).contains("every example must be in one"));
        assertTrue(fourExamples(new int[] {0, 1, 1, 0}, new int[] {2, 0}, new int[] {1, 3}).problem(SPEC).contains("strictly increasing"));
        assertTrue(fourExamples(new int[] {0, 1, 1, 0}, new int[] {0, 2}, new int[] {1, 4}).problem(SPEC).contains("outside [0, 4)"));
        assertTrue(fourExamples(new int[] {0, 1, 1, 0}, new int[] {0}, new int[] {1, 2, 3}).problem(SPEC).contains("1 training examples"));
        assertTrue(fourExamples(new int[] {0, 2, 1, 0}, new int[] {0, 2}, new int[] {1, 3}).problem(SPEC).contains("label 2 of example 1"));
        TokenDataset badToken = new TokenDataset(3, 2, 2, 1, new int[] {0, 2, 1, 3, 2, 2, 0, 2}, new int[] {0, 1, 1, 0},
                new int[] {0, 2}, new int[] {1, 3});
        assertTrue(badToken.problem(SPEC).contains("token 3 of example 1"), badToken.problem(SPEC));
        assertTrue(fourExamples(new int[] {0, 1, 1}, new int[] {0, 2}, new int[] {1}).problem(SPEC).contains("3 labels"));
        assertTrue(fourExamples(new int[] {0, 1, 1, 0}, new int[] {0, 2}, new int[] {1, 3}).problem(new TaskSpec(TaskSpec.CLASSIFICATION, 3,
                2, 1)).contains("not sequence"));
    }

    @Test
    void chance_and_majority_come_from_the_training_split_and_are_scored_on_the_test_split() {
        // train labels {1, 1, 0}: majority 1; test labels {1, 0, 0, 0}: rate 1/4
        TokenDataset d = new TokenDataset(2, 2, 1, 0, new int[7], new int[] {1, 1, 0, 1, 0, 0, 0}, new int[] {0, 1, 2},
                new int[] {3, 4, 5, 6});
        assertEquals(0.5, d.chance());
        assertEquals(1, d.majorityClass());
        assertEquals(0.25, d.majorityRate());
        TokenDataset tie = new TokenDataset(2, 3, 1, 0, new int[4], new int[] {2, 1, 1, 2}, new int[] {0, 1}, new int[] {2, 3});
        assertEquals(1, tie.majorityClass(), "a tie goes to the smaller label");
        assertEquals(0.5, tie.majorityRate());
    }

    @Test
    void a_sequence_generator_has_no_prompts() {
        SequenceTaskGenerator g = new SequenceTaskGenerator() {
            @Override
            public TaskSpec configure(Settings s) {
                return SPEC;
            }

            @Override
            public TokenDataset dataset(Settings s, long seed) {
                return fourExamples(new int[] {0, 1, 1, 0}, new int[] {0, 2}, new int[] {1, 3});
            }
        };
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> g.generate(Settings.of(Map.of()), 1, 0));
        assertTrue(e.getMessage().contains("sequence task"), e.getMessage());
    }
}
