package org.layerwise.sweep;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One point of a sweep: a value of every axis and a master seed. Its run directory is
 * {@code points/ID} inside the sweep directory, so no two points can write the same file.
 */
public record SweepPoint(String id, int index, Map<String, String> coordinates, long seed) {

    public SweepPoint {
        coordinates = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(coordinates));
    }

    /** The run directory, relative to the sweep directory. */
    public String run() {
        return "points/" + id;
    }

    /** "task.N=8, enforcer=none, seed 1": how messages and progress lines name the point. */
    public String describe() {
        String c = coordinates.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(", "));
        return (c.isEmpty() ? "" : c + ", ") + "seed " + seed;
    }

    /** p0, p00 ... p0000: zero-padded to the width of the largest index, so ids sort as points do. */
    static String id(int index, int count) {
        int width = Math.max(1, Integer.toString(Math.max(0, count - 1)).length());
        return String.format(Locale.ROOT, "p%0" + width + "d", index);
    }
}
