package org.layerwise.ui.results;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.eclipse.core.runtime.ILog;
import org.eclipse.jface.action.Action;
import org.eclipse.jface.action.ActionContributionItem;
import org.eclipse.jface.action.IContributionItem;
import org.eclipse.jface.action.Separator;
import org.eclipse.jface.resource.ImageDescriptor;
import org.eclipse.ui.IWorkbenchPage;
import org.eclipse.ui.IWorkbenchWindow;
import org.eclipse.ui.PartInitException;
import org.eclipse.ui.PlatformUI;
import org.eclipse.ui.actions.CompoundContributionItem;
import org.eclipse.ui.plugin.AbstractUIPlugin;
import org.eclipse.ui.views.IViewDescriptor;

/**
 * Window > Run Views: the Layerwise views of the view registry (Explorer, Training, Summary,
 * Results) and then every view contributed to org.layerwise.ui.resultViews, each opening it.
 */
public final class RunViewsMenu extends CompoundContributionItem {

    /** org.layerwise.ui's own views; every other bundle's run view comes through org.layerwise.ui.resultViews. */
    private static final String OWN = "org.layerwise.ui.";

    @Override
    protected IContributionItem[] getContributionItems() {
        List<IContributionItem> items = new ArrayList<>();
        if (!PlatformUI.isWorkbenchRunning()) {
            return new IContributionItem[0];
        }
        for (IViewDescriptor d : PlatformUI.getWorkbench().getViewRegistry().getViews()) {
            if (d.getId().equals(ResultViewPart.ID) || !d.getId().startsWith(OWN)) {
                continue;
            }
            items.add(item(d.getLabel(), d.getImageDescriptor(), page -> {
                try {
                    page.showView(d.getId());
                } catch (PartInitException e) {
                    ILog.of(RunViewsMenu.class).error("cannot open " + d.getId(), e);
                }
            }));
        }
        List<ResultView> contributed = ResultViews.load().views();
        if (!contributed.isEmpty()) {
            items.add(new Separator());
        }
        for (ResultView v : contributed) {
            ImageDescriptor icon = v.icon() == null ? null : AbstractUIPlugin.imageDescriptorFromPlugin(v.bundle(), v.icon());
            items.add(item(v.name(), icon, page -> ResultViewPart.open(page, v, IWorkbenchPage.VIEW_ACTIVATE)));
        }
        return items.toArray(IContributionItem[]::new);
    }

    private static IContributionItem item(String label, ImageDescriptor icon, Consumer<IWorkbenchPage> opener) {
        Action a = new Action(label) {
            @Override
            public void run() {
                IWorkbenchWindow w = PlatformUI.getWorkbench().getActiveWorkbenchWindow();
                if (w != null && w.getActivePage() != null) {
                    opener.accept(w.getActivePage());
                }
            }
        };
        a.setImageDescriptor(icon);
        return new ActionContributionItem(a);
    }
}
