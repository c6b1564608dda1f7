package org.layerwise.ui.results;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.eclipse.core.runtime.ILog;
import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridData;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Control;
import org.eclipse.swt.widgets.Label;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.SafeCall;
import org.layerwise.runner.RunDirectory;

/**
 * How a contributed run view is created and shown: the contributed code runs under SafeRunner,
 * a failure (an exception, an Error, a class that is missing or not a RunPanel) is logged and
 * said in the view naming bundle, extension point and id, and a run without the outputs the
 * view requires is not handed to the panel at all: the view says which analyzer's output is
 * missing.
 */
public final class ResultViewHost {

    private ResultViewHost() {
    }

    /** The view's panel in parent, or a panel that says why it could not be made. */
    public static RunPanel create(ResultView view, Composite parent) {
        List<Control> before = List.of(parent.getChildren());
        SafeCall.Outcome<RunPanel> made = SafeCall.run(() -> view.createPanel(parent));
        if (made.failure() == null) {
            return made.value();
        }
        for (Control c : parent.getChildren()) { // whatever the failed constructor left behind
            if (!before.contains(c)) {
                c.dispose();
            }
        }
        return new ProblemPanel(parent, failed(view, "cannot create its panel " + view.panelClass(), made.failure()));
    }

    /** A panel for a view id no installed bundle contributes (a view restored after its plugin was removed). */
    public static RunPanel notInstalled(String id, Composite parent) {
        return new ProblemPanel(parent, "No installed bundle contributes the run view '" + id + "' to "
                + ResultViews.EXTENSION_POINT + ".");
    }

    /**
     * Shows the run in dir: when it has every output the view requires, through the panel's
     * {@link RunPanel#showRun} under SafeRunner; otherwise the panel says what is missing.
     */
    public static void show(ResultView view, RunPanel panel, Path dir, ContributionRegistry registry) {
        RunDirectory run;
        try {
            run = RunDirectory.open(dir);
        } catch (IOException | RuntimeException e) {
            panel.show(dir); // says that it cannot be read
            return;
        }
        if (panel instanceof ProblemPanel) {
            try {
                panel.showRun(run);
            } catch (IOException cannot) {
                throw new IllegalStateException(cannot); // a ProblemPanel reads nothing
            }
            return;
        }
        String missing = view.missing(run, registry);
        if (missing != null) {
            panel.unavailable(run, missing);
            return;
        }
        SafeCall.Outcome<Object> shown = SafeCall.run(() -> {
            panel.showRun(run);
            return null;
        });
        if (shown.failure() != null && !panel.isDisposed()) {
            panel.unavailable(run, failed(view, "failed to show this run", shown.failure()));
        }
    }

    /** Logs the failure and returns the message the view shows. */
    private static String failed(ResultView view, String what, Throwable e) {
        String message = "The run view " + view.name() + " (" + view.origin() + ") " + what + ": " + e.getClass().getSimpleName()
                + (e.getMessage() == null ? "" : ": " + SafeCall.message(e));
        ILog.of(ResultViewHost.class).error(message, e);
        return message;
    }

    /** Stands in for a panel that could not be made: says why, whatever run is selected. */
    public static final class ProblemPanel extends RunPanel {

        private final Label problem;

        ProblemPanel(Composite parent, String text) {
            super(parent);
            setLayout(new GridLayout(1, false));
            placeHeading(1);
            problem = new Label(this, SWT.WRAP);
            problem.setLayoutData(new GridData(SWT.FILL, SWT.TOP, true, false));
            problem.setText(text);
        }

        public String problem() {
            return problem.getText();
        }

        @Override
        protected void show(RunDirectory run) {
            // nothing of the run to draw: the problem stays in view
        }
    }
}
