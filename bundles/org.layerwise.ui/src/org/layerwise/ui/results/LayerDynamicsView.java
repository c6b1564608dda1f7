package org.layerwise.ui.results;

import org.eclipse.swt.widgets.Composite;

/** Layer Dynamics of the selected run. */
public final class LayerDynamicsView extends RunViewPart {

    public static final String ID = "org.layerwise.ui.layerDynamicsView";

    @Override
    protected RunPanel createPanel(Composite parent) {
        return new LayerDynamicsPanel(parent);
    }
}
