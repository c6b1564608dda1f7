package org.layerwise.ui;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.Platform;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.application.IWorkbenchWindowConfigurer;
import org.eclipse.ui.application.WorkbenchAdvisor;
import org.eclipse.ui.application.WorkbenchWindowAdvisor;
import org.layerwise.pipeline.PipelineFiles;
import org.layerwise.ui.editor.PipelineEditor;
import org.layerwise.ui.editor.PipelineEditorInput;

/** Opens the Layerwise perspective first, and the pipelines named on the command line. */
public final class LayerwiseWorkbenchAdvisor extends WorkbenchAdvisor {

    @Override
    public String getInitialWindowPerspectiveId() {
        return LayerwisePerspective.ID;
    }

    @Override
    public WorkbenchWindowAdvisor createWorkbenchWindowAdvisor(IWorkbenchWindowConfigurer configurer) {
        return new LayerwiseWindowAdvisor(configurer);
    }

    @Override
    public void postStartup() {
        IWorkbenchPage page = getWorkbenchConfigurer().getWorkbench().getActiveWorkbenchWindow().getActivePage();
        for (String arg : Platform.getApplicationArgs()) {
            if (!arg.endsWith("." + PipelineFiles.FILE_EXTENSION)) {
                continue;
            }
            Path file = Path.of(arg).toAbsolutePath();
            try {
                if (Files.isRegularFile(file)) {
                    page.openEditor(PipelineEditorInput.of(file), PipelineEditor.ID);
                } else {
                    ILog.of(getClass()).warn("no pipeline file " + file);
                }
            } catch (PartInitException e) {
                ILog.of(getClass()).error("cannot open " + file, e);
            }
        }
    }
}
