package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.layerwise.core.SeriesSchedule;

class SeriesScheduleTest {

    @Test
    void every_s_keeps_multiples_of_s_and_the_last_step() {
        assertArrayEquals(new int[] {0, 300, 600, 900, 1000}, SeriesSchedule.parse("every:300", 1000).steps());
        assertArrayEquals(new int[] {0, 5, 10}, SeriesSchedule.parse("every:5", 10).steps());
    }

    @Test
    void log_k_spaces_k_steps_evenly_in_log_step_from_0_to_the_last() {
        int[] s = SeriesSchedule.parse("log:7", 1_000_000).steps();
        assertEquals(7, s.length);
        assertEquals(0, s[0]);
        assertEquals(1_000_000, s[6]);
        for (int i = 1; i < 6; i++) { // log(step + 1) in equal sixths of log(10^6 + 1): about 1, 9, 99, 999, 9999
            assertEquals(i * Math.log1p(1_000_000) / 6, Math.log1p(s[i]), 0.05, "step " + s[i]);
        }
        assertTrue(SeriesSchedule.parse("log:50", 20).steps().length <= 21, "steps that round together are kept once");
        assertTrue(SeriesSchedule.parse("log:3", 100).due(100));
        assertFalse(SeriesSchedule.parse("log:3", 100).due(50));
    }

    @Test
    void none_keeps_nothing_and_malformed_texts_say_what_is_expected() {
        assertEquals(0, SeriesSchedule.parse("none", 100).steps().length);
        assertEquals(0, SeriesSchedule.parse("", 100).steps().length);
        for (String bad : List.of("log:1", "log:0", "every:0", "log", "every:x", "linear:5", "log:\u0665", "every:-3")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SeriesSchedule.parse(bad, 100), bad);
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
    }
}
