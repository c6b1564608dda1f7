package org.layerwise.ui.handlers;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.commands.ExecutionException;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.handlers.HandlerUtil;
import org.layerwise.ui.explorer.ExplorerView;

/** File > Open Folder...: the folder the explorer shows and runs are written under. */
public final class OpenFolderHandler extends AbstractHandler {

    @Override
    public Object execute(ExecutionEvent event) throws ExecutionException {
        try {
            ExplorerView view = (ExplorerView) HandlerUtil.getActiveWorkbenchWindowChecked(event).getActivePage()
                    .showView(ExplorerView.ID);
            view.chooseFolder();
        } catch (PartInitException e) {
            throw new ExecutionException(e.getMessage(), e);
        }
        return null;
    }
}
