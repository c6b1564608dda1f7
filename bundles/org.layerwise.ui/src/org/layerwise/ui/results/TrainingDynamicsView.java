package org.layerwise.ui.results;

import org.eclipse.swt.widgets.Composite;

/** Training Dynamics of the selected run (its checkpoint series' learning and spectral dynamics). */
public final class TrainingDynamicsView extends RunViewPart {

    public static final String ID = "org.layerwise.ui.trainingDynamicsView";

    @Override
    protected RunPanel createPanel(Composite parent) {
        return new TrainingDynamicsPanel(parent);
    }
}
