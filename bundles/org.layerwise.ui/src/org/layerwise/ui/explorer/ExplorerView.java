package org.layerwise.ui.explorer;

import java.nio.file.Path;

import org.eclipse.core.commands.Command;
import org.eclipse.core.commands.ExecutionException;
import org.eclipse.core.commands.NotEnabledException;
import org.eclipse.core.commands.NotHandledException;
import org.eclipse.core.commands.common.NotDefinedException;
import org.eclipse.core.runtime.ILog;
import org.eclipse.jface.action.Action;
import org.eclipse.jface.action.GroupMarker;
import org.eclipse.jface.action.MenuManager;
import org.eclipse.jface.viewers.IStructuredSelection;
import org.eclipse.jface.viewers.TreeViewer;
import org.eclipse.swt.SWT;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.DirectoryDialog;
import org.eclipse.ui.IWorkbenchActionConstants;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.commands.ICommandService;
import org.eclipse.ui.handlers.IHandlerService;
import org.eclipse.ui.part.ViewPart;
import org.layerwise.ui.Folders;
import org.layerwise.ui.editor.PipelineEditor;
import org.layerwise.ui.editor.PipelineEditorInput;
import org.layerwise.ui.runs.RunEvents;
import org.layerwise.ui.runs.RunPipelineJob;
import org.layerwise.runner.RunResult;

/**
 * The pipelines and run directories of a chosen folder. Double-click opens a pipeline, and a sweep
 * directory through the command {@link #OPEN_SWEEP} when a bundle handles it (org.layerwise.sweep.ui:
 * the Sweep view; without one it expands like any folder); the selected run directory (a Path) is
 * what the run views show. A run's label carries its status,
 * read again every few seconds while it is RUNNING; the context menu is open to contributions
 * (popup:org.layerwise.ui.explorer, e.g. Resume Run).
 */
public final class ExplorerView extends ViewPart {

    public static final String ID = "org.layerwise.ui.explorer";
    /** Opens the selected sweep directory; declared here, handled by the bundle that shows sweeps. */
    public static final String OPEN_SWEEP = "org.layerwise.ui.openSweep";

    private TreeViewer viewer;
    private final ExplorerLabels labels = new ExplorerLabels();
    private final RunEvents.Listener runs = new RunEvents.Listener() {
        @Override
        public void started(RunPipelineJob job, Path directory) {
            refreshLater();
        }

        @Override
        public void finished(RunPipelineJob job, RunResult result) {
            refreshLater();
        }
    };

    @Override
    public void createPartControl(Composite parent) {
        viewer = new TreeViewer(parent, SWT.SINGLE | SWT.V_SCROLL | SWT.H_SCROLL);
        viewer.setContentProvider(new ExplorerContent());
        viewer.setLabelProvider(labels);
        viewer.setInput(Folders.root());
        setContentDescription(Folders.root().toString());
        viewer.addDoubleClickListener(e -> {
            Object o = ((IStructuredSelection) e.getSelection()).getFirstElement();
            if (o instanceof Path p && ExplorerContent.isPipeline(p)) {
                open(p);
            } else if (o instanceof Path p && ExplorerContent.isSweep(p) && openSweep()) {
                return;
            } else if (o != null) {
                viewer.setExpandedState(o, !viewer.getExpandedState(o));
            }
        });
        getSite().setSelectionProvider(viewer);
        MenuManager menu = new MenuManager();
        menu.add(new GroupMarker(IWorkbenchActionConstants.MB_ADDITIONS));
        viewer.getControl().setMenu(menu.createContextMenu(viewer.getControl()));
        getSite().registerContextMenu(menu, viewer);
        RunningRuns.follow(viewer, labels, RunningRuns.PERIOD_MILLIS);
        Action choose = new Action("Open Folder...") {
            @Override
            public void run() {
                chooseFolder();
            }
        };
        choose.setToolTipText("Show the pipelines and runs of another folder");
        Action refresh = new Action("Refresh") {
            @Override
            public void run() {
                viewer.refresh();
            }
        };
        getViewSite().getActionBars().getToolBarManager().add(choose);
        getViewSite().getActionBars().getToolBarManager().add(refresh);
        RunEvents.add(runs);
    }

    private void refreshLater() {
        viewer.getControl().getDisplay().asyncExec(() -> {
            if (!viewer.getControl().isDisposed()) {
                viewer.refresh();
            }
        });
    }

    public void chooseFolder() {
        DirectoryDialog dialog = new DirectoryDialog(getSite().getShell());
        dialog.setText("Folder of pipelines and runs");
        dialog.setFilterPath(Folders.root().toString());
        String chosen = dialog.open();
        if (chosen != null) {
            showFolder(Path.of(chosen));
        }
    }

    public void showFolder(Path folder) {
        Folders.setRoot(folder);
        labels.clear();
        viewer.setInput(Folders.root());
        setContentDescription(Folders.root().toString());
    }

    private void open(Path pipeline) {
        try {
            getSite().getPage().openEditor(PipelineEditorInput.of(pipeline), PipelineEditor.ID);
        } catch (PartInitException e) {
            org.eclipse.jface.dialogs.ErrorDialog.openError(getSite().getShell(), "Cannot open " + pipeline.getFileName(),
                    e.getMessage(), e.getStatus());
        }
    }

    /** Runs {@link #OPEN_SWEEP} on the selection when some bundle handles it; false when none does. */
    private boolean openSweep() {
        Command command = getSite().getService(ICommandService.class).getCommand(OPEN_SWEEP);
        if (!command.isDefined() || !command.isHandled()) {
            return false;
        }
        try {
            getSite().getService(IHandlerService.class).executeCommand(OPEN_SWEEP, null);
        } catch (ExecutionException | NotDefinedException | NotEnabledException | NotHandledException e) {
            ILog.of(ExplorerView.class).error("cannot open the sweep: " + e.getMessage(), e);
        }
        return true;
    }

    @Override
    public void dispose() {
        RunEvents.remove(runs);
        super.dispose();
    }

    @Override
    public void setFocus() {
        viewer.getControl().setFocus();
    }
}
