package org.layerwise.core;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What several analyzers of one run compute from the same model and prompts (e.g. a
 * recursion's trajectories), computed by the first to ask and reused by the others. Keys name
 * the result and its owner ("coupled-mean-shift/full"); values are read-only once stored.
 */
public final class SharedResults {

    private final Map<String, Object> values = new HashMap<>();

    /** The result stored under key, or null if nobody has computed it yet. */
    public synchronized <T> T peek(String key, Class<T> type) {
        return type.cast(values.get(key));
    }

    /** The result stored under key, computing and storing it first if absent. */
    public synchronized <T> T get(String key, Class<T> type, Supplier<? extends T> compute) {
        Object v = values.get(key);
        if (v == null) {
            v = compute.get();
            values.put(key, v);
        }
        return type.cast(v);
    }
}
