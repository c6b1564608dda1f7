package org.layerwise.ui.tests;

import org.eclipse.swt.SWT;
import org.eclipse.swt.layout.GridLayout;
import org.eclipse.swt.widgets.Composite;
import org.eclipse.swt.widgets.Label;
import org.layerwise.runner.RunDirectory;
import org.layerwise.ui.results.RunPanel;

/** Deliberately broken run views (fragment.xml): the host must report them and keep the others working. */
public final class BrokenPanels {

    private BrokenPanels() {
    }

    /** Runs out of stack in show, an Error SafeRunner on its own would let through. */
    public static final class Overflowing extends RunPanel {

        public Overflowing(Composite parent) {
            super(parent);
            setLayout(new GridLayout(1, false));
            placeHeading(1);
        }

        @Override
        protected void show(RunDirectory run) {
            deeper(0);
        }

        private static int deeper(int n) {
            return deeper(n + 1) + 1;
        }
    }

    /** Throws from its constructor after it has made a control. */
    public static final class FailingConstructor extends RunPanel {

        public FailingConstructor(Composite parent) {
            super(parent);
            new Label(this, SWT.NONE).setText("half made");
            throw new IllegalStateException("no settings for the probe view");
        }

        @Override
        protected void show(RunDirectory run) {
            // never reached
        }
    }
}
