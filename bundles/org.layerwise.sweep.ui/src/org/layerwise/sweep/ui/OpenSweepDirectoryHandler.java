package org.layerwise.sweep.ui;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.commands.ExecutionException;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.handlers.HandlerUtil;

/** File > Open Sweep Directory...: a directory dialog, then the Sweep view on the chosen directory. */
public final class OpenSweepDirectoryHandler extends AbstractHandler {

    @Override
    public Object execute(ExecutionEvent event) throws ExecutionException {
        try {
            SweepView view = (SweepView) HandlerUtil.getActiveWorkbenchWindowChecked(event).getActivePage().showView(SweepView.ID);
            view.chooseDirectory();
        } catch (PartInitException e) {
            throw new ExecutionException(e.getMessage(), e);
        }
        return null;
    }
}
