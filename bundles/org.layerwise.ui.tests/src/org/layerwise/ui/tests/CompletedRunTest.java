package org.layerwise.ui.tests;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.layerwise.ui.results.Focus;

/**
 * What the tests of run views on one completed run share: the run (each subclass makes it once,
 * with {@link Ui#completedRun}, and it is deleted after the class), a shell per test, and the
 * Focus back at layer, prompt and head 0 before each test.
 */
abstract class CompletedRunTest extends ShellTest {

    static Path run;

    @BeforeEach
    void resetFocus() {
        Focus.set(new Focus.State(0, 0, 0), null);
    }

    @AfterAll
    static void deleteRun() throws IOException {
        Ui.delete(run);
        run = null;
    }
}
