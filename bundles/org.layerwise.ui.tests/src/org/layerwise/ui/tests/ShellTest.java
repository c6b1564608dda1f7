package org.layerwise.ui.tests;

import org.eclipse.swt.widgets.Shell;
import org.junit.jupiter.api.AfterEach;

/** A test that opens one shell at a time ({@link Ui#shell}); it is disposed after each test. */
abstract class ShellTest {

    Shell shell;

    @AfterEach
    void closeShell() {
        if (shell != null) {
            shell.dispose();
        }
    }
}
