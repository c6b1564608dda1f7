package org.layerwise.ui.results;

import java.io.IOException;
import java.nio.file.Path;

import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.layerwise.runner.RunDirectory;

/** A composite showing one run directory; says so plainly when there is nothing to show. */
public abstract class RunPanel extends Composite {

    private final Label heading;

    protected RunPanel(Composite parent) {
        super(parent, SWT.NONE);
        heading = new Label(this, SWT.WRAP);
        heading.setText("Select a run directory in the explorer.");
    }

    /** Lays the heading out across the panel's grid of this many columns. */
    protected void placeHeading(int columns) {
        heading.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false, columns, 1));
    }

    public void show(Path dir) {
        try {
            RunDirectory run = RunDirectory.open(dir);
            heading.setText(dir.getFileName() + "  [" + run.status() + "]");
            show(run);
        } catch (IOException | RuntimeException e) {
            heading.setText(dir.getFileName() + ": cannot be read (" + e.getMessage() + ")");
        }
        layout(true, true);
    }

    public String heading() {
        return heading.getText();
    }

    protected abstract void show(RunDirectory run) throws IOException;
}
