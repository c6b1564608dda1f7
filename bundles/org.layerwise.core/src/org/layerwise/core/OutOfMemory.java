package org.layerwise.core;

import java.util.Locale;

/** What to tell a user whose run ran out of heap: the limit in force and how to raise it. */
public final class OutOfMemory {

    private OutOfMemory() {
    }

    public static String explain(OutOfMemoryError e) {
        return String.format(Locale.ROOT, "out of memory (%s) with a heap limit of %,d MB; fewer evaluation prompts or a "
                + "smaller batch need less, or raise the limit, e.g. LAYERWISE_JAVA_OPTS=-Xmx%dg ./layerwise ...",
                e.getMessage() == null ? "no detail" : e.getMessage(), Runtime.getRuntime().maxMemory() >> 20,
                Math.max(2, 2 * (Runtime.getRuntime().maxMemory() >> 30)));
    }
}
