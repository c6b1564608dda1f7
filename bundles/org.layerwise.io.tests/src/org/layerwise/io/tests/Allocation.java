package org.layerwise.io.tests;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;

/**
 * Bytes the current thread has allocated, from HotSpot's com.sun.management.ThreadMXBean
 * (reached by reflection: the test runtime does not wire com.sun.management to bundles).
 */
final class Allocation {

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final Method CURRENT = find();

    private Allocation() {
    }

    private static Method find() {
        try {
            Class<?> hotspot = Class.forName("com.sun.management.ThreadMXBean", false, ClassLoader.getPlatformClassLoader());
            if (!hotspot.isInstance(MX)) {
                return null;
            }
            Method m = hotspot.getMethod("getCurrentThreadAllocatedBytes");
            return (long) m.invoke(MX) >= 0 ? m : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    /** Whether this JVM measures allocation per thread. */
    static boolean measured() {
        return CURRENT != null;
    }

    /** Bytes allocated by the current thread so far, or -1 when not measured. */
    static long current() {
        if (CURRENT == null) {
            return -1;
        }
        try {
            return (long) CURRENT.invoke(MX);
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }

    /** What the call allocated on this thread (-1 when not measured). */
    static long of(ThrowingRunnable call) throws Exception {
        long before = current();
        call.run();
        long after = current();
        return before < 0 ? -1 : after - before;
    }

    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
