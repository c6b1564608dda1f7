package org.layerwise.ui.explorer;

import org.eclipse.jface.viewers.StructuredViewer;
import org.eclipse.swt.widgets.Display;

/**
 * Labels again, every few seconds, the runs a viewer last showed as RUNNING, so that a run
 * which ends, or whose process dies (INTERRUPTED), changes its label without a refresh; a run
 * started elsewhere (the command line, another workbench) is followed the same way. Stops when
 * the viewer's control is disposed.
 */
public final class RunningRuns implements Runnable {

    /** How often a RUNNING run's status is read again. */
    public static final int PERIOD_MILLIS = 3000;

    private final StructuredViewer viewer;
    private final ExplorerLabels labels;
    private final int millis;

    private RunningRuns(StructuredViewer viewer, ExplorerLabels labels, int millis) {
        this.viewer = viewer;
        this.labels = labels;
        this.millis = millis;
    }

    /** Starts following the viewer's RUNNING runs (UI thread). */
    public static RunningRuns follow(StructuredViewer viewer, ExplorerLabels labels, int millis) {
        RunningRuns r = new RunningRuns(viewer, labels, millis);
        Display display = viewer.getControl().getDisplay();
        viewer.getControl().addDisposeListener(e -> display.timerExec(-1, r));
        display.timerExec(millis, r);
        return r;
    }

    @Override
    public void run() {
        if (viewer.getControl().isDisposed()) {
            return;
        }
        Object[] running = labels.running();
        if (running.length > 0) {
            viewer.update(running, null);
        }
        viewer.getControl().getDisplay().timerExec(millis, this);
    }
}
