package org.layerwise.ui.runs;

import org.eclipse.swt.widgets.Composite;
import org.eclipse.ui.part.ViewPart;

/** The workbench view around {@link TrainingPanel}. */
public final class TrainingView extends ViewPart {

    public static final String ID = "org.layerwise.ui.trainingView";

    private TrainingPanel panel;

    @Override
    public void createPartControl(Composite parent) {
        panel = new TrainingPanel(parent);
    }

    @Override
    public void setFocus() {
        panel.setFocus();
    }
}
