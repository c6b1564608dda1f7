package org.layerwise.ui.results;

import org.eclipse.swt.widgets.Composite;

/** Scalars, tables and tensors of any analyzer of the selected run, built-in or third-party. */
public final class ResultsView extends RunViewPart {

    public static final String ID = "org.layerwise.ui.resultsView";

    @Override
    protected RunPanel createPanel(Composite parent) {
        return new ResultsPanel(parent);
    }
}
