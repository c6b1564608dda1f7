package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.Seeds;
import org.layerwise.core.SettingSpec;
import org.layerwise.core.SettingSpec.Type;

class SettingSpecTest {

    @Test
    void integers_are_parsed_and_range_checked() throws Exception {
        SettingSpec d = new SettingSpec("d", Type.INTEGER, "8", 1.0, 256.0, List.of(), "features");
        assertEquals(12L, d.parse("12"));
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> d.parse("0"));
        assertEquals("0 is out of range; expected in [1, 256]", e.getMessage());
        assertThrows(InvalidSettingException.class, () -> d.parse("1.5"));
        assertThrows(InvalidSettingException.class, () -> d.parse("257"));
    }

    @Test
    void reals_reject_non_finite_and_choices_list_the_allowed_values() {
        SettingSpec lr = new SettingSpec("lr", Type.REAL, "0.01", 1e-8, 1.0, List.of(), "learning rate");
        assertThrows(InvalidSettingException.class, () -> lr.parse("NaN"));
        assertThrows(InvalidSettingException.class, () -> lr.parse("2"));
        SettingSpec f = new SettingSpec("factor", Type.CHOICE, "both", null, null, List.of("both", "features", "labels"), "");
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> f.parse("all"));
        assertEquals("'all' is not allowed; expected one of both, features, labels", e.getMessage());
    }

    @Test
    void only_ascii_digits_and_plain_decimal_forms_are_numbers() throws Exception {
        SettingSpec steps = new SettingSpec("steps", Type.INTEGER, "20", 0.0, 1e7, List.of(), "steps");
        SettingSpec lr = new SettingSpec("lr", Type.REAL, "0.01", 1e-7, 10.0, List.of(), "learning rate");
        assertEquals(20L, steps.parse(" +20 "));
        for (String notAnInteger : List.of("\uff12\uff10", "\u0668", "2\u0660", "0x10", "20L", "1e3", "")) {
            InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> steps.parse(notAnInteger), notAnInteger);
            assertTrue(e.getMessage().contains("ASCII digits"), e.getMessage());
        }
        assertEquals(0.01, lr.parse("1e-2"));
        assertEquals(0.5, lr.parse(".5"));
        assertEquals(2.0, lr.parse("2."));
        assertEquals(0.001, lr.parse("+1.0E-3"));
        for (String notADecimal : List.of("1e-2d", "1e-2f", "0x1p-4", "Infinity", "\u0661e-2", "1e", "1,5", ".")) {
            assertThrows(InvalidSettingException.class, () -> lr.parse(notADecimal), notADecimal);
        }
    }

    @Test
    void derived_seeds_differ_by_path_and_master_and_are_stable() {
        Set<Long> seen = new HashSet<>();
        for (long master = 0; master < 50; master++) {
            for (String path : List.of("task", "task/eval", "backend", "enforcer", "analyzer/weight-abstraction")) {
                assertTrue(seen.add(Seeds.derive(master, path)));
            }
        }
        assertEquals(Seeds.derive(7, "task"), Seeds.derive(7, "task"));
        assertNotEquals(Seeds.derive(7, 0L), Seeds.derive(7, 1L));
    }
}
