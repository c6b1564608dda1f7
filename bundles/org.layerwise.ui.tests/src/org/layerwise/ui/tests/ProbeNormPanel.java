package org.layerwise.ui.tests;

import java.io.IOException;

import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.layerwise.io.Csv;
import org.layerwise.runner.RunDirectory;
import org.layerwise.ui.results.RunPanel;

/**
 * A third party's run view (fragment.xml, org.layerwise.ui.resultViews) bound to my-probe's
 * table: the probe's norm at the last layer, read from my-probe.csv.
 */
public final class ProbeNormPanel extends RunPanel {

    private final Label text;
    private int shown;

    public ProbeNormPanel(Composite parent) {
        super(parent);
        setLayout(new GridLayout(1, false));
        placeHeading(1);
        text = new Label(this, SWT.NONE);
        text.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
    }

    @Override
    protected void show(RunDirectory run) throws IOException {
        shown++;
        Csv.Table t = run.table("my-probe");
        int last = -1;
        String value = "";
        for (int r = 0; r < t.size(); r++) {
            int layer = Integer.parseInt(t.get(r, "layer"));
            if (t.get(r, "measure").equals("probe_norm") && layer > last) {
                last = layer;
                value = t.get(r, "value");
            }
        }
        text.setText("probe norm at layer " + last + ": " + value);
    }

    public Label text() {
        return text;
    }

    /** How many runs the host handed to the panel. */
    public int shown() {
        return shown;
    }
}
