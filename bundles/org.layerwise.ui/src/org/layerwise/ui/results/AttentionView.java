package org.layerwise.ui.results;

import org.eclipse.swt.widgets.Composite;

/** Attention patterns of the selected run, prompt by prompt. */
public final class AttentionView extends RunViewPart {

    public static final String ID = "org.layerwise.ui.attentionView";

    @Override
    protected RunPanel createPanel(Composite parent) {
        return new AttentionPanel(parent);
    }
}
