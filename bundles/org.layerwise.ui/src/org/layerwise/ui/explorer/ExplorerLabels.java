package org.layerwise.ui.explorer;

import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.jface.viewers.LabelProvider;
import org.eclipse.swt.graphics.Image;
import org.eclipse.ui.ISharedImages;
import org.eclipse.ui.PlatformUI;
import org.layerwise.runner.RunDirectory;
import org.layerwise.runner.RunStatus;

/** Names, with a run's status after its name. */
final class ExplorerLabels extends LabelProvider {

    @Override
    public String getText(Object element) {
        if (!(element instanceof Path p)) {
            return String.valueOf(element);
        }
        String name = p.getFileName().toString();
        if (ExplorerContent.isRun(p)) {
            RunStatus status = RunDirectory.status(p);
            return name + "  [" + (status == null ? "unreadable run.json" : status) + "]";
        }
        return name;
    }

    @Override
    public Image getImage(Object element) {
        if (!(element instanceof Path p) || !PlatformUI.isWorkbenchRunning()) {
            return null;
        }
        ISharedImages images = PlatformUI.getWorkbench().getSharedImages();
        if (Files.isDirectory(p) && !ExplorerContent.isRun(p)) {
            return images.getImage(ISharedImages.IMG_OBJ_FOLDER);
        }
        return images.getImage(ExplorerContent.isRun(p) ? ISharedImages.IMG_OBJ_ELEMENT : ISharedImages.IMG_OBJ_FILE);
    }
}
