package org.layerwise.core;

import java.util.Locale;

/**
 * Memory estimated before it is allocated: a size that a file or a setting declares is held
 * against the heap that is left, so an absurd one is refused with the estimate and the limit
 * instead of ending in minutes of garbage collection and an out-of-memory error.
 */
public final class MemoryBudget {

    private MemoryBudget() {
    }

    /** Bytes the heap can still grow to hold: its limit less what is in use now. */
    public static long available() {
        Runtime r = Runtime.getRuntime();
        return r.maxMemory() - (r.totalMemory() - r.freeMemory());
    }

    /**
     * Null when {@code bytes} fit the heap that is left; otherwise a sentence naming
     * {@code what} needs them, the estimate, the limit and how to raise it.
     */
    public static String problem(String what, long bytes) {
        long free = available();
        if (bytes >= 0 && bytes <= free) {
            return null;
        }
        long max = Runtime.getRuntime().maxMemory();
        String head = String.format(Locale.ROOT, "%s needs about %s of memory but the heap limit is %s (%s free)",
                what, format(bytes), format(max), format(free));
        long ram = physical();
        if (bytes < 0 || (ram > 0 && bytes > ram * 9 / 10)) {
            return head + String.format(Locale.ROOT, ", and this machine has %s of RAM in all; make it smaller",
                    ram > 0 ? format(ram) : "less");
        }
        return head + String.format(Locale.ROOT, "; make it smaller, or raise the limit, e.g. LAYERWISE_JAVA_OPTS=-Xmx%dg ./layerwise ...",
                Math.max(2, (saturated(bytes) >> 30) * 5 / 4 + 1));
    }

    /** The machine's RAM in bytes (Linux's MemTotal), or -1 where it cannot be read. */
    private static long physical() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux
        }
        return -1;
    }

    /** Human-readable bytes: "512 MB", "3.2 GB", "more than 9 EB". */
    public static String format(long bytes) {
        if (bytes < 0) {
            return "more than 9 EB";
        }
        if (bytes < 1L << 20) {
            return String.format(Locale.ROOT, "%d KB", (bytes + 1023) >> 10);
        }
        if (bytes < 1L << 30) {
            return String.format(Locale.ROOT, "%d MB", (bytes + (1L << 20) - 1) >> 20);
        }
        if (bytes < 1L << 40) {
            return String.format(Locale.ROOT, "%.1f GB", bytes / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.1f TB", bytes / (double) (1L << 40));
    }

    /** a * b * ..., or -1 (read: too much to hold) when the product overflows or a factor is negative. */
    public static long product(long... factors) {
        long p = 1;
        for (long f : factors) {
            if (f < 0) {
                return -1;
            }
            try {
                p = Math.multiplyExact(p, f);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return p;
    }

    /** a + b + ..., or -1 when any term is -1 (unbounded) or the sum overflows. */
    public static long sum(long... terms) {
        long s = 0;
        for (long t : terms) {
            if (t < 0) {
                return -1;
            }
            try {
                s = Math.addExact(s, t);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return s;
    }

    private static long saturated(long bytes) {
        return bytes < 0 ? Long.MAX_VALUE >> 2 : bytes;
    }
}
