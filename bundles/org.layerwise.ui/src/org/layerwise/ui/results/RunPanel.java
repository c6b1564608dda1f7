package org.layerwise.ui.results;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.layerwise.runner.RunDirectory;

/**
 * A composite showing one run directory; says so plainly when there is nothing to show. The base
 * class of every run view's panel, the ones a bundle contributes through
 * {@code org.layerwise.ui.resultViews} included: a subclass has a public constructor taking the
 * parent Composite, lays itself out with a GridLayout (calling {@link #placeHeading}) and draws a
 * run in {@link #show(RunDirectory)}.
 */
public abstract class RunPanel extends Composite {

    private final Label heading;
    private final List<Control> hidden = new ArrayList<>();

    protected RunPanel(Composite parent) {
        super(parent, SWT.NONE);
        heading = new Label(this, SWT.WRAP);
        heading.setText("Select a run directory in the explorer.");
    }

    /** Lays the heading out across the panel's grid of this many columns. */
    protected void placeHeading(int columns) {
        heading.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false, columns, 1));
    }

    /** Shows the run in dir; a run that cannot be read or shown is said so in the heading. */
    public void show(Path dir) {
        try {
            showRun(RunDirectory.open(dir));
        } catch (IOException | RuntimeException e) {
            heading.setText(dir.getFileName() + ": cannot be read (" + e.getMessage() + ")");
            layout(true, true);
        }
    }

    /**
     * Shows an opened run: its name and status in the heading above what {@link #show(RunDirectory)}
     * draws. What that throws goes to the caller.
     */
    public void showRun(RunDirectory run) throws IOException {
        heading.setText(run.path().getFileName() + "  [" + run.status() + "]");
        setContentVisible(true);
        try {
            show(run);
        } finally {
            layout(true, true);
        }
    }

    /** Says in the heading why the run is not shown, and hides the panel's content meanwhile. */
    public void unavailable(RunDirectory run, String why) {
        heading.setText(run.path().getFileName() + "  [" + run.status() + "]: " + why);
        setContentVisible(false);
        layout(true, true);
    }

    /** Hides what the panel shows, remembering which controls it hid (a panel may hide some itself). */
    private void setContentVisible(boolean visible) {
        if (visible) {
            for (Control c : hidden) {
                if (!c.isDisposed()) {
                    c.setVisible(true);
                    ((GridData) c.getLayoutData()).exclude = false;
                }
            }
            hidden.clear();
            return;
        }
        for (Control c : getChildren()) {
            if (c == heading || !c.getVisible() || !(c.getLayoutData() == null || c.getLayoutData() instanceof GridData)) {
                continue;
            }
            if (c.getLayoutData() == null) {
                c.setLayoutData(new GridData());
            }
            c.setVisible(false);
            ((GridData) c.getLayoutData()).exclude = true;
            hidden.add(c);
        }
    }

    public String heading() {
        return heading.getText();
    }

    protected abstract void show(RunDirectory run) throws IOException;
}
