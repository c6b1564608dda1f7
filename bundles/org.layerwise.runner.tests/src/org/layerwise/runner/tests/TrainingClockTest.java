package org.layerwise.runner.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.layerwise.runner.TrainingClock;

class TrainingClockTest {

    @Test
    void time_left_extrapolates_the_mean_step_time_from_the_first_step_seen() throws Exception {
        TrainingClock clock = new TrainingClock();
        clock.step(11);
        assertTrue(Double.isNaN(clock.secondsLeft(20)), "one step gives no rate");
        Thread.sleep(5);
        clock.step(13);
        double elapsed = clock.elapsedSeconds();
        assertTrue(elapsed >= 0.005, "elapsed " + elapsed);
        assertEquals(elapsed / 2 * 7, clock.secondsLeft(20), 1e-12);
        assertEquals(0, clock.secondsLeft(13), 0.0);
    }
}
