package org.layerwise.ui.results;

import org.eclipse.swt.widgets.Composite;

/** Weight abstraction (six scalars, Reynolds projection) of the selected run. */
public final class WeightAbstractionView extends RunViewPart {

    public static final String ID = "org.layerwise.ui.weightAbstractionView";

    @Override
    protected RunPanel createPanel(Composite parent) {
        return new WeightAbstractionPanel(parent);
    }
}
