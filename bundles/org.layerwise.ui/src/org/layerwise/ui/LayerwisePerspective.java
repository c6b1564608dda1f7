package org.layerwise.ui;

import org.eclipse.ui.IFolderLayout;
import org.eclipse.ui.IPageLayout;
import org.eclipse.ui.IPerspectiveFactory;
import org.layerwise.ui.explorer.ExplorerView;
import org.layerwise.ui.results.AttentionView;
import org.layerwise.ui.results.LayerDynamicsView;
import org.layerwise.ui.results.RecursionView;
import org.layerwise.ui.results.ResultsView;
import org.layerwise.ui.results.SummaryView;
import org.layerwise.ui.results.TrainingDynamicsView;
import org.layerwise.ui.results.TrajectoriesView;
import org.layerwise.ui.results.WeightAbstractionView;
import org.layerwise.ui.runs.TrainingView;

/** Explorer on the left, pipeline editors in the middle, run views below. */
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
        below.addView(TrainingDynamicsView.ID);
        below.addView(SummaryView.ID);
        below.addView(LayerDynamicsView.ID);
        below.addView(RecursionView.ID);
        below.addView(WeightAbstractionView.ID);
        below.addView(AttentionView.ID);
        below.addView(TrajectoriesView.ID);
        below.addView(ResultsView.ID);
        below.addPlaceholder("*");
        for (String id : new String[] {ExplorerView.ID, TrainingView.ID, TrainingDynamicsView.ID, SummaryView.ID,
            LayerDynamicsView.ID, RecursionView.ID, WeightAbstractionView.ID, AttentionView.ID, TrajectoriesView.ID, ResultsView.ID}) {
            layout.addShowViewShortcut(id);
        }
    }
}
