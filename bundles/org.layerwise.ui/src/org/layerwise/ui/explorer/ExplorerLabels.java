package org.layerwise.ui.explorer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.jface.viewers.LabelProvider;
import org.eclipse.swt.graphics.Image;
import org.eclipse.ui.ISharedImages;
import org.eclipse.ui.PlatformUI;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunStatus;

/**
 * Names, with a run's status after its name and an icon per kind of status: a plain run for
 * OK, an arrow while RUNNING, a stop sign for CANCELLED, a warning for INTERRUPTED and PARTIAL,
 * an error for FAILED, DIVERGED and an unreadable run.json; a sweep directory says "[sweep]". Remembers the runs it last labelled
 * RUNNING, which {@link RunningRuns} labels again until they end.
 */
public final class ExplorerLabels extends LabelProvider {

    private final Set<Path> running = ConcurrentHashMap.newKeySet();

    @Override
    public String getText(Object element) {
        if (!(element instanceof Path p)) {
            return String.valueOf(element);
        }
        String name = p.getFileName().toString();
        if (ExplorerContent.isRun(p)) {
            RunStatus status = status(p);
            return name + "  [" + (status == null ? "unreadable run.json" : status) + "]";
        }
        return ExplorerContent.isSweep(p) ? name + "  [sweep]" : name;
    }

    /** The run's status (null when run.json is unreadable), noting whether it is RUNNING. */
    private RunStatus status(Path run) {
        RunStatus status = RunDirectory.status(run);
        if (status == RunStatus.RUNNING) {
            running.add(run);
        } else {
            running.remove(run);
        }
        return status;
    }

    /** The runs last labelled RUNNING. */
    public Path[] running() {
        return running.toArray(Path[]::new);
    }

    /** Forgets the runs labelled so far (another folder is shown). */
    public void clear() {
        running.clear();
    }

    @Override
    public Image getImage(Object element) {
        if (!(element instanceof Path p) || !PlatformUI.isWorkbenchRunning()) {
            return null;
        }
        ISharedImages images = PlatformUI.getWorkbench().getSharedImages();
        if (!ExplorerContent.isRun(p)) {
            return images.getImage(Files.isDirectory(p) ? ISharedImages.IMG_OBJ_FOLDER : ISharedImages.IMG_OBJ_FILE);
        }
        RunStatus status = status(p);
        return images.getImage(status == null ? ISharedImages.IMG_OBJS_ERROR_TSK : switch (status) {
            case OK -> ISharedImages.IMG_OBJ_ELEMENT;
            case RUNNING -> ISharedImages.IMG_TOOL_FORWARD;
            case CANCELLED -> ISharedImages.IMG_ELCL_STOP;
            case INTERRUPTED, PARTIAL -> ISharedImages.IMG_OBJS_WARN_TSK;
            case FAILED, DIVERGED -> ISharedImages.IMG_OBJS_ERROR_TSK;
        });
    }
}
