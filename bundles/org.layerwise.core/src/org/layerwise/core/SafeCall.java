package org.layerwise.core;

import java.util.concurrent.Callable;

import org.eclipse.core.runtime.ISafeRunnable;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.SafeRunner;

/**
 * The boundary around contributed code: every call runs under SafeRunner, a failure becomes
 * a ContributionException naming bundle, extension point and id (running out of heap
 * included), and cancellation passes through unchanged.
 */
public final class SafeCall {

    private SafeCall() {
    }

    public static <T> T call(ContributionDescriptor who, String what, Callable<T> body) throws ContributionException {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        SafeRunner.run(new ISafeRunnable() {
            @Override
            public void run() throws Exception {
                try {
                    result[0] = body.call();
                } catch (OutOfMemoryError e) {
                    failure[0] = e; // SafeRunner rethrows it; the heap is free again once the call has unwound
                }
            }

            @Override
            public void handleException(Throwable e) {
                failure[0] = e;
            }
        });
        Throwable e = failure[0];
        if (e instanceof OperationCanceledException oce) {
            throw oce;
        }
        if (e != null) {
            String msg = e instanceof OutOfMemoryError oom ? OutOfMemory.explain(oom)
                    : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            throw new ContributionException(who, what + " failed: " + msg, e);
        }
        @SuppressWarnings("unchecked")
        T t = (T) result[0];
        return t;
    }
}
