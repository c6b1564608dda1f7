package org.layerwise.batch;

import org.eclipse.equinox.app.IApplication;
import org.eclipse.equinox.app.IApplicationContext;
import org.layerwise.core.OutOfMemory;
import org.layerwise.runner.ExitCode;

/** The headless batch product's entry point: hands the command line to {@link Cli}. */
public class BatchApplication implements IApplication {

    @Override
    public Object start(IApplicationContext context) {
        String[] args = (String[]) context.getArguments().get(IApplicationContext.APPLICATION_ARGS);
        context.applicationRunning();
        try {
            return Cli.execute(args == null ? new String[0] : args, System.out, System.err);
        } catch (Throwable e) { // an Error escaping here would otherwise end the process with exit code 0
            System.err.println("layerwise: " + (e instanceof OutOfMemoryError oom ? OutOfMemory.explain(oom) : "internal error: " + e));
            return ExitCode.FAILED.code;
        }
    }

    @Override
    public void stop() {
        Cli.cancelRunning();
    }
}
