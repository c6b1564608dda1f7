package org.layerwise.ui.results;

import org.eclipse.swt.widgets.Composite;

/** The Summary of the selected run. */
public final class SummaryView extends RunViewPart {

    public static final String ID = "org.layerwise.ui.summaryView";

    @Override
    protected RunPanel createPanel(Composite parent) {
        return new SummaryPanel(parent);
    }
}
