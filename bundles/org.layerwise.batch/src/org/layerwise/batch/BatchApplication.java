package org.layerwise.batch;

import org.eclipse.equinox.app.IApplication;
import org.eclipse.equinox.app.IApplicationContext;

/** The headless batch product's entry point: hands the command line to {@link Cli}. */
public class BatchApplication implements IApplication {

    @Override
    public Object start(IApplicationContext context) {
        String[] args = (String[]) context.getArguments().get(IApplicationContext.APPLICATION_ARGS);
        context.applicationRunning();
        return Cli.execute(args == null ? new String[0] : args, System.out, System.err);
    }

    @Override
    public void stop() {
        Cli.cancelRunning();
    }
}
