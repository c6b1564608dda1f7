package org.layerwise.ui.results;

import org.eclipse.swt.widgets.Composite;

/** Trajectories of one prompt's tokens across layers, network and recursion, in the selected run. */
public final class TrajectoriesView extends RunViewPart {

    public static final String ID = "org.layerwise.ui.trajectoriesView";

    @Override
    protected RunPanel createPanel(Composite parent) {
        return new TrajectoriesPanel(parent);
    }
}
