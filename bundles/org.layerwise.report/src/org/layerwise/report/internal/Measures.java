package org.layerwise.report.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.io.Csv;
import org.layerwise.runner.RunDirectory;

/** The numbers a report needs, read from a run's tables exactly as the run wrote them. */
final class Measures {

    /** A mean with its bootstrap interval; NaN where the measure is undefined. */
    record Interval(double mean, double low, double high) {
        boolean defined() {
            return !Double.isNaN(mean);
        }
    }

    private Measures() {
    }

    /** Each row of name.csv that the reader turns into a value (null skips the row); empty when the run wrote no such table. */
    static <T> List<T> rows(RunDirectory run, String name, RowReader<T> reader) throws IOException {
        List<T> out = new ArrayList<>();
        Optional<Csv.Table> t = Optional.ofNullable(run.table(name));
        if (t.isPresent()) {
            for (int i = 0; i < t.get().size(); i++) {
                T v = reader.read(t.get(), i);
                if (v != null) {
                    out.add(v);
                }
            }
        }
        return out;
    }

    /** Reads row i of a table. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(Csv.Table table, int i);
    }

    /** The table an analyzer declares in its plugin.xml (its first), or its id when it is not installed. */
    static String declaredTable(ContributionRegistry registry, String analyzer) {
        ContributionDescriptor d = registry.find(Role.ANALYZER, analyzer);
        return d == null ? analyzer : d.outputs().stream().filter(ContributionDescriptor.Output::isTable)
                .map(ContributionDescriptor.Output::name).findFirst().orElse(analyzer);
    }

    /** The settings an analyzer of the run ran with (run.json's pipeline stages, defaults included); empty if it did not run. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> analyzerSettings(RunDirectory run, String analyzer) {
        if (run.run().get("pipeline") instanceof Map<?, ?> p && p.get("stages") instanceof List<?> stages) {
            for (Object s : stages) {
                if (s instanceof Map<?, ?> m && "analyzer".equals(m.get("role")) && analyzer.equals(m.get("id"))
                        && m.get("settings") instanceof Map<?, ?> settings) {
                    return (Map<String, Object>) settings;
                }
            }
        }
        return Map.of();
    }

    /**
     * spectral-dynamics rows of the given matrix kinds, averaged over layers and heads: kind -> checkpoint step ->
     * {effective rank, subspace distance to the final}; kinds without rows are absent.
     */
    static Map<String, TreeMap<Long, double[]>> spectralMeans(Csv.Table table, List<String> matrices) {
        Map<String, TreeMap<Long, double[]>> means = new TreeMap<>();
        for (int i = 0; i < table.size(); i++) {
            String m = table.get(i, "matrix");
            if (matrices.contains(m)) {
                double[] acc = means.computeIfAbsent(m, k -> new TreeMap<>()).computeIfAbsent(Long.parseLong(table.get(i, "step")),
                        k -> new double[3]);
                acc[0] += Csv.parseDouble(table.get(i, "effective_rank"));
                acc[1] += Csv.parseDouble(table.get(i, "subspace_distance"));
                acc[2]++;
            }
        }
        for (TreeMap<Long, double[]> series : means.values()) {
            series.replaceAll((step, acc) -> new double[] {acc[0] / acc[2], acc[1] / acc[2]});
        }
        return means;
    }
}
