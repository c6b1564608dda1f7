package org.layerwise.core;

import java.util.concurrent.Callable;

import org.eclipse.core.runtime.ISafeRunnable;
import org.eclipse.core.runtime.OperationCanceledException;
import org.eclipse.core.runtime.SafeRunner;

/**
 * The boundary around contributed code: every call runs under SafeRunner, a failure becomes
 * a ContributionException naming bundle, extension point and id (an Error such as running
 * out of heap or stack included, so one broken contribution never stops the rest), and
 * cancellation passes through unchanged.
 */
public final class SafeCall {

    private SafeCall() {
    }

    public static <T> T call(ContributionDescriptor who, String what, Callable<T> body) throws ContributionException {
        Outcome<T> outcome = run(body);
        if (outcome.failure() != null) {
            throw new ContributionException(who, what + " failed: " + message(outcome.failure()), outcome.failure());
        }
        return outcome.value();
    }

    /** What a guarded call returned, or what it threw (then value is null). */
    public record Outcome<T>(T value, Throwable failure) {
    }

    /**
     * Runs contributed code under SafeRunner as {@link #call} does, for callers that report a
     * failure themselves (a contribution to an extension point of another bundle): every
     * Throwable but cancellation comes back in the outcome.
     */
    public static <T> Outcome<T> run(Callable<T> body) {
        Object[] result = new Object[1];
        Throwable[] failure = new Throwable[1];
        SafeRunner.run(new ISafeRunnable() {
            @Override
            public void run() throws Exception {
                try {
                    result[0] = body.call();
                } catch (LinkageError | AssertionError e) {
                    throw e; // SafeRunner logs these and hands them to handleException
                } catch (Error e) {
                    // SafeRunner would rethrow the others (StackOverflowError, OutOfMemoryError, ...) and end
                    // the whole run; once the call has unwound, its stack and heap are free again.
                    failure[0] = e;
                }
            }

            @Override
            public void handleException(Throwable e) {
                failure[0] = e;
            }
        });
        if (failure[0] instanceof OperationCanceledException oce) {
            throw oce;
        }
        @SuppressWarnings("unchecked")
        T t = (T) result[0];
        return new Outcome<>(failure[0] == null ? t : null, failure[0]);
    }

    /** A failure in a few words: its message, else its class; running out of heap explained. */
    public static String message(Throwable e) {
        return e instanceof OutOfMemoryError oom ? OutOfMemory.explain(oom)
                : e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
