package org.layerwise.ui.results;

import java.nio.file.Path;

import org.eclipse.jface.viewers.ISelection;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.ui.ISelectionListener;
import org.eclipse.ui.part.ViewPart;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunResult;
import org.layerwise.runner.RunStatus;
import org.layerwise.ui.explorer.ExplorerView;
import org.layerwise.ui.runs.RunEvents;
import org.layerwise.ui.runs.RunPipelineJob;

/**
 * A view bound to the selected run: it follows the run directory selected in the explorer (or
 * any part whose selection is a run directory, such as a point of the Sweep view), and a run
 * that completes in the workbench.
 */
public abstract class RunViewPart extends ViewPart {

    private RunPanel panel;
    private final ISelectionListener selection = (part, sel) -> {
        if (isRun(sel)) {
            show((Path) ((IStructuredSelection) sel).getFirstElement());
        }
    };
    private final RunEvents.Listener runs = new RunEvents.Listener() {
        @Override
        public void finished(RunPipelineJob job, RunResult result) {
            if (result.status() == RunStatus.OK || result.status() == RunStatus.PARTIAL) {
                panel.getDisplay().asyncExec(() -> {
                    if (!panel.isDisposed()) {
                        show(result.directory());
                    }
                });
            }
        }
    };

    private static boolean isRun(ISelection sel) {
        return sel instanceof IStructuredSelection s && s.getFirstElement() instanceof Path p && RunDirectory.isRun(p);
    }

    /** The panel that shows one run. */
    protected abstract RunPanel createPanel(Composite parent);

    /** Shows the run in dir: the panel's own {@link RunPanel#show(Path)} unless a subclass guards it. */
    protected void show(Path dir) {
        panel.show(dir);
    }

    /** The panel this view shows its run in (null before the view's controls exist). */
    public RunPanel panel() {
        return panel;
    }

    @Override
    public final void createPartControl(Composite parent) {
        panel = createPanel(parent);
        getSite().getPage().addPostSelectionListener(selection);
        RunEvents.add(runs);
        // Opened later (Window > Run Views), the view starts from the active part's selection when
        // that is a run (the explorer's, or a point chosen in the Sweep view), else from the
        // explorer's: the active part is then seldom the explorer.
        ISelection active = getSite().getPage().getSelection();
        ISelection explorer = getSite().getPage().getSelection(ExplorerView.ID);
        selection.selectionChanged(null, isRun(active) || explorer == null ? active : explorer);
    }

    @Override
    public void dispose() {
        getSite().getPage().removePostSelectionListener(selection);
        RunEvents.remove(runs);
        super.dispose();
    }

    @Override
    public void setFocus() {
        panel.setFocus();
    }
}
