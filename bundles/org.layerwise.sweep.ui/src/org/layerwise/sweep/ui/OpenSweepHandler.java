package org.layerwise.sweep.ui;

import java.nio.file.Path;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.commands.ExecutionException;
import org.eclipse.core.expressions.IEvaluationContext;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.ui.ISources;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.handlers.HandlerUtil;
import org.layerwise.ui.explorer.ExplorerContent;

/**
 * The explorer's Open in Sweep View (its double-click on a sweep directory, its context menu):
 * shows the one selected sweep directory in the Sweep view.
 */
public final class OpenSweepHandler extends AbstractHandler {

    @Override
    public void setEnabled(Object evaluationContext) {
        Object selection = evaluationContext instanceof IEvaluationContext c
                ? c.getVariable(ISources.ACTIVE_CURRENT_SELECTION_NAME)
                : null;
        setBaseEnabled(sweep(selection) != null);
    }

    /** The sweep directory when the selection is exactly one, else null. */
    static Path sweep(Object selection) {
        return selection instanceof IStructuredSelection s && s.size() == 1 && s.getFirstElement() instanceof Path p
                && ExplorerContent.isSweep(p) ? p : null;
    }

    @Override
    public Object execute(ExecutionEvent event) throws ExecutionException {
        Path dir = sweep(HandlerUtil.getCurrentSelection(event));
        if (dir == null) {
            return null;
        }
        try {
            SweepView.open(HandlerUtil.getActiveWorkbenchWindowChecked(event).getActivePage(), dir);
        } catch (PartInitException e) {
            throw new ExecutionException(e.getMessage(), e);
        }
        return null;
    }
}
