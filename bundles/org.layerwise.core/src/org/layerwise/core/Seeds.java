package org.layerwise.core;

import java.nio.charset.StandardCharsets;

/**
 * Derivation of every component's seed from the one master seed of a run: a seed is a
 * SplitMix64 hash of the master seed and a path such as "task/train" or "backend/init",
 * so adding a stage never shifts the seeds of the others.
 */
public final class Seeds {

    private Seeds() {
    }

    public static long derive(long master, String path) {
        long h = mix(master ^ 0x9E3779B97F4A7C15L);
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            h = mix(h ^ (b & 0xFF));
        }
        return h;
    }

    /** The seed of the index-th item (step, draw) of a derived stream. */
    public static long derive(long seed, long index) {
        return mix(seed ^ mix(index + 0x632BE59BD9B4E019L));
    }

    /** SplitMix64 finalizer. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
