package org.layerwise.ui.editor;

import java.io.IOException;
import java.nio.file.Path;

import org.eclipse.core.runtime.IProgressMonitor;
import org.eclipse.jface.action.Action;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.FileDialog;
import org.eclipse.ui.IEditorInput;
import org.eclipse.ui.IEditorSite;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.actions.ActionFactory;
import org.eclipse.ui.part.EditorPart;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.pipeline.PipelineFileException;
import org.layerwise.pipeline.PipelineFiles;

/** The editor of *.layerwise files: a {@link PipelineForm} with save, save as, undo and redo. */
public final class PipelineEditor extends EditorPart {

    public static final String ID = "org.layerwise.ui.pipelineEditor";

    private PipelineDocument document;
    private PipelineForm form;
    private final Action undo = new Action("Undo") {
        @Override
        public void run() {
            document.commandStack().undo();
        }
    };
    private final Action redo = new Action("Redo") {
        @Override
        public void run() {
            document.commandStack().redo();
        }
    };

    @Override
    public void init(IEditorSite site, IEditorInput input) throws PartInitException {
        if (!(input instanceof PipelineEditorInput in)) {
            throw new PartInitException("not a pipeline: " + input.getName());
        }
        ContributionRegistry registry = ContributionRegistry.load();
        try {
            document = in.file() == null ? PipelineDocument.create(in.getName().replaceFirst("\\.layerwise$", ""), registry)
                    : PipelineDocument.open(in.file(), registry);
        } catch (PipelineFileException e) {
            throw new PartInitException(e.getMessage(), e);
        }
        setSite(site);
        setInput(input);
        setPartName(input.getName());
        document.addListener(this::changed);
        site.getActionBars().setGlobalActionHandler(ActionFactory.UNDO.getId(), undo);
        site.getActionBars().setGlobalActionHandler(ActionFactory.REDO.getId(), redo);
        updateActions();
    }

    @Override
    public void createPartControl(Composite parent) {
        form = new PipelineForm(parent, document);
    }

    private void changed() {
        firePropertyChange(PROP_DIRTY);
        updateActions();
    }

    private void updateActions() {
        undo.setEnabled(document.commandStack().canUndo());
        redo.setEnabled(document.commandStack().canRedo());
        undo.setText(document.commandStack().canUndo() ? "Undo " + document.commandStack().getUndoCommand().getLabel() : "Undo");
        redo.setText(document.commandStack().canRedo() ? "Redo " + document.commandStack().getRedoCommand().getLabel() : "Redo");
    }

    public PipelineDocument document() {
        return document;
    }

    @Override
    public void doSave(IProgressMonitor monitor) {
        if (document.file() == null) {
            doSaveAs();
            return;
        }
        save(document.file());
    }

    @Override
    public void doSaveAs() {
        FileDialog dialog = new FileDialog(getSite().getShell(), SWT.SAVE);
        dialog.setFilterExtensions(new String[] {"*." + PipelineFiles.FILE_EXTENSION});
        dialog.setFileName(getEditorInput().getName());
        dialog.setOverwrite(true);
        String chosen = dialog.open();
        if (chosen == null) {
            return;
        }
        String suffix = "." + PipelineFiles.FILE_EXTENSION;
        Path file = Path.of(chosen.endsWith(suffix) ? chosen : chosen + suffix);
        if (save(file)) {
            setInput(PipelineEditorInput.of(file));
            setPartName(file.getFileName().toString());
        }
    }

    private boolean save(Path file) {
        try {
            document.save(file);
            return true;
        } catch (IOException | RuntimeException e) {
            MessageDialog.openError(getSite().getShell(), "Save failed", "Could not save " + file + ": " + e.getMessage());
            return false;
        }
    }

    @Override
    public boolean isDirty() {
        return document.isDirty();
    }

    @Override
    public boolean isSaveAsAllowed() {
        return true;
    }

    @Override
    public void setFocus() {
        form.setFocus();
    }
}
