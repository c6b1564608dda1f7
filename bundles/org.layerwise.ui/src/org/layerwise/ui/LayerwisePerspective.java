package org.layerwise.ui;

import org.eclipse.swt.widgets.Display;
import org.eclipse.ui.IFolderLayout;
import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.IPerspectiveFactory;
import org.layerwise.ui.explorer.ExplorerView;
import org.layerwise.ui.results.ResultViewPart;
import org.layerwise.ui.results.ResultsView;
import org.layerwise.ui.results.SummaryView;
import org.layerwise.ui.runs.TrainingView;

/**
 * Explorer on the left, pipeline editors in the middle, run views below: Training, Summary and
 * Results, then every view contributed to org.layerwise.ui.resultViews (opened once the layout
 * exists: a page layout cannot hold a view's second instance).
 */
public final class LayerwisePerspective implements IPerspectiveFactory {

    public static final String ID = "org.layerwise.ui.perspective";
    /** The folder below the editors where run views open; other bundles add their views to it. */
    public static final String RUN_VIEWS = "org.layerwise.ui.runViews";

    @Override
    public void createInitialLayout(IPageLayout layout) {
        String editors = layout.getEditorArea();
        layout.addView(ExplorerView.ID, IPageLayout.LEFT, 0.22f, editors);
        IFolderLayout below = layout.createFolder(RUN_VIEWS, IPageLayout.BOTTOM, 0.3f, editors);
        below.addView(TrainingView.ID);
        below.addView(SummaryView.ID);
        below.addView(ResultsView.ID);
        below.addPlaceholder(ResultViewPart.ID + ":*");
        below.addPlaceholder("*");
        for (String id : new String[] {ExplorerView.ID, TrainingView.ID, SummaryView.ID, ResultsView.ID}) {
            layout.addShowViewShortcut(id);
        }
        Display display = Display.getCurrent();
        if (display != null) { // on a new or reset perspective only: a view the user closed stays closed
            display.asyncExec(() -> ResultViewPart.openAll(ID));
        }
    }
}
