package org.layerwise.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The points of a sweep, in a fixed order: the combinations of the axes (grid: the first axis
 * varies slowest; zip: the i-th value of every axis), each once per seed, seeds innermost. Every
 * combination runs with the same seeds, so two values of an axis are compared on the same
 * master seeds (paired replicates).
 */
public final class SweepExpansion {

    private SweepExpansion() {
    }

    /** @param pipelineSeed the seed of the pipeline, used when the sweep names none */
    public static List<SweepPoint> expand(SweepSpec spec, long pipelineSeed) {
        List<Long> seeds = spec.seeds().isEmpty() ? List.of(pipelineSeed) : spec.seeds();
        List<Map<String, String>> combinations = spec.zip() ? zip(spec.axes()) : grid(spec.axes());
        int count = combinations.size() * seeds.size();
        List<SweepPoint> points = new ArrayList<>(count);
        for (Map<String, String> c : combinations) {
            for (long seed : seeds) {
                int index = points.size();
                points.add(new SweepPoint(SweepPoint.id(index, count), index, c, seed));
            }
        }
        return points;
    }

    private static List<Map<String, String>> grid(List<SweepSpec.AxisSpec> axes) {
        List<Map<String, String>> out = new ArrayList<>();
        out.add(new LinkedHashMap<>());
        for (SweepSpec.AxisSpec axis : axes) {
            List<Map<String, String>> next = new ArrayList<>(out.size() * axis.values().size());
            for (Map<String, String> partial : out) {
                for (String v : axis.values()) {
                    Map<String, String> m = new LinkedHashMap<>(partial);
                    m.put(axis.setting(), v);
                    next.add(m);
                }
            }
            out = next;
        }
        return out;
    }

    private static List<Map<String, String>> zip(List<SweepSpec.AxisSpec> axes) {
        if (axes.isEmpty()) {
            return List.of(Map.of());
        }
        List<Map<String, String>> out = new ArrayList<>();
        for (int i = 0; i < axes.get(0).values().size(); i++) {
            Map<String, String> m = new LinkedHashMap<>();
            for (SweepSpec.AxisSpec axis : axes) {
                m.put(axis.setting(), axis.values().get(i));
            }
            out.add(m);
        }
        return out;
    }
}
