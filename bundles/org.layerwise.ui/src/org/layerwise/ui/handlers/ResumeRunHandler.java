package org.layerwise.ui.handlers;

import java.nio.file.Path;

import org.eclipse.core.commands.AbstractHandler;
import org.eclipse.core.commands.ExecutionEvent;
import org.eclipse.core.commands.ExecutionException;
import org.eclipse.core.expressions.IEvaluationContext;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.ui.ISources;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.handlers.HandlerUtil;
import org.layerwise.runner.RunDirectory;
import org.layerwise.ui.runs.RunPipelineJob;
import org.layerwise.ui.runs.TrainingView;

/**
 * Run > Resume Run (and the explorer's context menu): resumes the one run directory selected,
 * in the background, when its status is one a run resumes from
 * ({@link RunPipelineJob#RESUMABLE}: not OK, not RUNNING). The status is read when the menu
 * asks, so a run that died since it was selected can be resumed at once.
 */
public final class ResumeRunHandler extends AbstractHandler {

    public static final String COMMAND_ID = "org.layerwise.ui.resumeRun";

    @Override
    public void setEnabled(Object evaluationContext) {
        Object selection = evaluationContext instanceof IEvaluationContext c
                ? c.getVariable(ISources.ACTIVE_CURRENT_SELECTION_NAME)
                : null;
        setBaseEnabled(resumable(selection) != null);
    }

    /** The run directory when the selection is exactly one run that can be resumed, else null. */
    public static Path resumable(Object selection) {
        if (selection instanceof IStructuredSelection s && s.size() == 1 && s.getFirstElement() instanceof Path p
                && RunDirectory.isRun(p) && RunPipelineJob.RESUMABLE.contains(RunDirectory.status(p))) {
            return p;
        }
        return null;
    }

    @Override
    public Object execute(ExecutionEvent event) throws ExecutionException {
        Path run = resumable(HandlerUtil.getCurrentSelection(event));
        if (run == null) {
            return null; // the run ended or started again since the menu was shown
        }
        IWorkbenchWindow window = HandlerUtil.getActiveWorkbenchWindowChecked(event);
        try {
            window.getActivePage().showView(TrainingView.ID);
        } catch (PartInitException e) {
            throw new ExecutionException(e.getMessage(), e);
        }
        RunPipelineJob.resume(run).schedule();
        return null;
    }
}
