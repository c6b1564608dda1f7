package org.layerwise.ui;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;

import org.eclipse.swt.graphics.Point;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.application.ActionBarAdvisor;
import org.eclipse.ui.application.IActionBarConfigurer;
import org.eclipse.ui.application.IWorkbenchWindowConfigurer;
import org.eclipse.ui.application.WorkbenchWindowAdvisor;
import org.layerwise.core.AtomicFiles;

/** The main window: 1280x800 by default, menus from {@link LayerwiseActionBarAdvisor}. */
final class LayerwiseWindowAdvisor extends WorkbenchWindowAdvisor {

    /** System property naming a file to receive the startup time; the workbench then closes (releng/bench/workbench). */
    static final String STARTUP_REPORT = "layerwise.bench.startup";

    LayerwiseWindowAdvisor(IWorkbenchWindowConfigurer configurer) {
        super(configurer);
    }

    @Override
    public ActionBarAdvisor createActionBarAdvisor(IActionBarConfigurer configurer) {
        return new LayerwiseActionBarAdvisor(configurer);
    }

    @Override
    public void preWindowOpen() {
        IWorkbenchWindowConfigurer c = getWindowConfigurer();
        c.setInitialSize(new Point(1280, 800));
        c.setShowCoolBar(true);
        c.setShowStatusLine(true);
        c.setShowProgressIndicator(true);
        c.setTitle("Layerwise");
    }

    @Override
    public void postWindowOpen() {
        String report = System.getProperty(STARTUP_REPORT);
        if (report == null) {
            return;
        }
        // asyncExec runs once the event loop has drawn the window and is idle: the window is usable.
        getWindowConfigurer().getWindow().getShell().getDisplay().asyncExec(() -> {
            long millis = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            try {
                AtomicFiles.writeString(Path.of(report), millis + "\n");
            } catch (IOException e) {
                System.err.println("layerwise: cannot write " + report + ": " + e.getMessage());
            }
            PlatformUI.getWorkbench().close();
        });
    }
}
