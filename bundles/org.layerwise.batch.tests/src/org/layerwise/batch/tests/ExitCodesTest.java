package org.layerwise.batch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.layerwise.launcher.Exit;
import org.layerwise.runner.ExitCode;

/** One exit code, one meaning: the product's codes, the launcher's and Equinox's own 13 never share a number. */
class ExitCodesTest {

    /** What Equinox's launcher returns when the application cannot start (README.md lists it). */
    static final int EQUINOX_START_FAILED = 13;

    @Test
    void everyCodeMeansOneThing() {
        Map<Integer, String> seen = new HashMap<>();
        for (ExitCode c : ExitCode.values()) {
            String earlier = seen.put(c.code, c.name());
            assertEquals(null, earlier, c + " and " + earlier + " share " + c.code);
            assertFalse(c.code == EQUINOX_START_FAILED, c + " takes Equinox's " + EQUINOX_START_FAILED);
        }
        for (Exit e : Exit.values()) {
            String product = seen.get(e.code);
            // the launcher's OK and USAGE are the product's, by meaning
            assertTrue(product == null || product.equals(e.name()), "launcher " + e + " and the product's " + product + " share " + e.code);
        }
    }
}
