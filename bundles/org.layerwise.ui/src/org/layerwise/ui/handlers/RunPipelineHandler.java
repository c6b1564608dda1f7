package org.layerwise.ui.handlers;

import java.util.List;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.commands.ExecutionException;
import org.eclipse.jface.dialogs.MessageDialog;
import org.eclipse.ui.IEditorPart;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.handlers.HandlerUtil;
import org.layerwise.runner.PipelineProblem;
import org.layerwise.runner.RunOptions;
import org.layerwise.ui.Folders;
import org.layerwise.ui.editor.PipelineDocument;
import org.layerwise.ui.editor.PipelineEditor;
import org.layerwise.ui.runs.RunPipelineJob;
import org.layerwise.ui.runs.TrainingView;

/**
 * Run > Run Pipeline: runs the pipeline of the active editor as it is now (saved or not) in
 * the background; its run directory goes under the explorer folder's runs/.
 */
public final class RunPipelineHandler extends AbstractHandler {

    @Override
    public Object execute(ExecutionEvent event) throws ExecutionException {
        IWorkbenchWindow window = HandlerUtil.getActiveWorkbenchWindowChecked(event);
        IEditorPart editor = window.getActivePage().getActiveEditor();
        if (!(editor instanceof PipelineEditor pe)) {
            MessageDialog.openInformation(window.getShell(), "Run Pipeline", "Open a pipeline in the editor first.");
            return null;
        }
        PipelineDocument document = pe.document();
        List<PipelineProblem> problems = document.problems();
        if (!problems.isEmpty()) {
            MessageDialog.openError(window.getShell(), "The pipeline cannot run",
                    String.join("\n", problems.stream().map(PipelineProblem::toString).toList()));
            return null;
        }
        try {
            window.getActivePage().showView(TrainingView.ID);
        } catch (PartInitException e) {
            throw new ExecutionException(e.getMessage(), e);
        }
        new RunPipelineJob(document.spec(), new RunOptions(Folders.runs(), RunOptions.DEFAULT_EVAL_PROMPTS)).schedule();
        return null;
    }
}
