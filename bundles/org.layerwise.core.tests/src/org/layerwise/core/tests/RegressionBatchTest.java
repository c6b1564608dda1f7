package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.layerwise.core.PromptBatch;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.model.Forward;

class RegressionBatchTest {

    /** Two prompts, d = 1, width 1, N = 2: tokens [x ; y], the query [x_q ; 0]. */
    private static PromptBatch batch() {
        double[] z = {1, 2, 3, 6, 5, 0, /* prompt 1 */ -1, 1, 2, -2, 4, 0};
        return PromptBatch.regression(2, 1, 1, 2, z, new double[] {10, -4});
    }

    @Test
    void a_regression_batch_is_checked_against_a_regression_task_and_sliced_with_its_targets() {
        PromptBatch b = batch();
        TaskSpec spec = new TaskSpec(TaskSpec.REGRESSION, 1, 1, 2);
        assertNull(b.problem(spec, 2));
        assertTrue(b.problem(new TaskSpec(TaskSpec.CLASSIFICATION, 1, 1, 2), 2).contains("prompts are for regression"));
        PromptBatch one = b.slice(1, 1);
        assertArrayEquals(new double[] {-4}, one.queryTargets, 0.0);
        assertArrayEquals(new double[] {-1, 1, 2, -2, 4, 0}, one.z, 0.0);
        double[] torn = b.z.clone();
        torn[5] = 1;
        assertTrue(PromptBatch.regression(2, 1, 1, 2, torn, b.queryTargets).problem(spec, 2).contains("target block is not zero"));
        assertTrue(PromptBatch.regression(2, 1, 1, 2, b.z, new double[] {1, Double.NaN}).problem(spec, 2).contains("not finite"));
    }

    @Test
    void squared_error_is_half_the_summed_square_averaged_over_prompts() {
        assertEquals(0.5 * (4 + 1 + 9) / 2, Forward.squaredError(new double[] {2, 1, 0, 3}, new double[] {0, 0, 0, 0}, 2), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> Forward.squaredError(new double[3], new double[4], 2));
    }
}
