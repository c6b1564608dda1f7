package org.layerwise.ui.handlers;

import java.nio.file.Path;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.commands.ExecutionException;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.handlers.HandlerUtil;
import org.layerwise.pipeline.PipelineFiles;
import org.layerwise.ui.Folders;
import org.layerwise.ui.editor.PipelineEditor;
import org.layerwise.ui.editor.PipelineEditorInput;

/** File > Open Pipeline...: any *.layerwise file. */
public final class OpenPipelineHandler extends AbstractHandler {

    @Override
    public Object execute(ExecutionEvent event) throws ExecutionException {
        IWorkbenchWindow window = HandlerUtil.getActiveWorkbenchWindowChecked(event);
        FileDialog dialog = new FileDialog(window.getShell(), SWT.OPEN);
        dialog.setFilterExtensions(new String[] {"*." + PipelineFiles.FILE_EXTENSION});
        dialog.setFilterPath(Folders.root().toString());
        String chosen = dialog.open();
        if (chosen != null) {
            try {
                window.getActivePage().openEditor(PipelineEditorInput.of(Path.of(chosen)), PipelineEditor.ID);
            } catch (PartInitException e) {
                throw new ExecutionException(e.getMessage(), e);
            }
        }
        return null;
    }
}
