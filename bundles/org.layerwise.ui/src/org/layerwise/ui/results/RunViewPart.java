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
 * A view bound to the selected run: it follows the run directory selected in the explorer,
 * and a run that completes in the workbench.
 */
public abstract class RunViewPart extends ViewPart {

    private RunPanel panel;
    private final ISelectionListener selection = (part, sel) -> {
        if (sel instanceof IStructuredSelection s && s.getFirstElement() instanceof Path p && RunDirectory.isRun(p)) {
            show(p);
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
        // Opened later (Window > Run Views), the view starts from the explorer's selection: the
        // page's own selection is that of the active part, which is then seldom the explorer.
        ISelection explorer = getSite().getPage().getSelection(ExplorerView.ID);
        selection.selectionChanged(null, explorer != null ? explorer : getSite().getPage().getSelection());
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
