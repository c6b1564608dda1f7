package org.layerwise.ui.results;

import org.eclipse.swt.widgets.Composite;

/** Recursion coefficients and fidelity of the selected run. */
public final class RecursionView extends RunViewPart {

    public static final String ID = "org.layerwise.ui.recursionView";

    @Override
    protected RunPanel createPanel(Composite parent) {
        return new RecursionPanel(parent);
    }
}
