package org.layerwise.ui.results;

import java.nio.file.Path;

import org.eclipse.core.runtime.ILog;
import org.eclipse.jface.resource.ImageDescriptor;
import org.eclipse.swt.graphics.Image;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.ui.IViewSite;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.plugin.AbstractUIPlugin;
import org.layerwise.core.ContributionRegistry;

/**
 * The workbench view of a contribution to {@code org.layerwise.ui.resultViews}: one instance per
 * contribution, its secondary id the contribution's id. It takes the contribution's label, icon
 * and description, and follows the selected run like every run view; the contributed panel is
 * created and shown through {@link ResultViewHost}.
 */
public final class ResultViewPart extends RunViewPart {

    public static final String ID = "org.layerwise.ui.resultView";

    private ResultView view;
    private Image icon;

    @Override
    public void init(IViewSite site) throws PartInitException {
        super.init(site);
        view = site.getSecondaryId() == null ? null : ResultViews.load().find(site.getSecondaryId());
        if (view == null) {
            return;
        }
        setPartName(view.name());
        setTitleToolTip(view.description().isEmpty() ? view.name() : view.description());
        if (view.icon() != null) {
            ImageDescriptor d = AbstractUIPlugin.imageDescriptorFromPlugin(view.bundle(), view.icon());
            if (d != null) {
                icon = d.createImage(false);
                if (icon != null) {
                    setTitleImage(icon);
                }
            }
        }
    }

    /**
     * Creates, behind the views already there, every contributed run view not yet open in the
     * active page of each window showing the perspective perspectiveId.
     */
    public static void openAll(String perspectiveId) {
        if (!PlatformUI.isWorkbenchRunning()) {
            return;
        }
        for (IWorkbenchWindow window : PlatformUI.getWorkbench().getWorkbenchWindows()) {
            IWorkbenchPage page = window.getActivePage();
            if (page == null || page.getPerspective() == null || !perspectiveId.equals(page.getPerspective().getId())) {
                continue;
            }
            for (ResultView v : ResultViews.load().views()) {
                if (page.findViewReference(ID, v.id()) == null) {
                    open(page, v, IWorkbenchPage.VIEW_CREATE);
                }
            }
        }
    }

    /** Shows the contribution's view in the page (mode: IWorkbenchPage.VIEW_ACTIVATE, VIEW_CREATE, ...); a failure is logged. */
    public static void open(IWorkbenchPage page, ResultView v, int mode) {
        try {
            page.showView(ID, v.id(), mode);
        } catch (PartInitException e) {
            ILog.of(ResultViewPart.class).error(v.origin() + ": the view cannot be opened", e);
        }
    }

    /** The contribution this view shows, or null when none with its secondary id is installed. */
    public ResultView contribution() {
        return view;
    }

    @Override
    protected RunPanel createPanel(Composite parent) {
        if (view == null) {
            String id = getViewSite().getSecondaryId();
            return ResultViewHost.notInstalled(id == null ? "(none)" : id, parent);
        }
        return ResultViewHost.create(view, parent);
    }

    @Override
    protected void show(Path dir) {
        if (view == null) {
            super.show(dir);
        } else {
            ResultViewHost.show(view, panel(), dir, ContributionRegistry.load());
        }
    }

    @Override
    public void dispose() {
        super.dispose();
        if (icon != null) {
            icon.dispose();
        }
    }
}
