package org.layerwise.ui.results;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.core.TableAxis;
import org.layerwise.runner.RunDirectory;

/**
 * What one analyzer of a run wrote, found without knowing the analyzer: its scalars (metrics.json
 * analyzers.ID), its tables (NAME.csv for each table output its plugin.xml declares, when its
 * bundle is installed; else the run's ID.csv and ID-*.csv that no installed analyzer declares)
 * and its tensors (ID.npz); what a table is plotted against is its declared axis.
 */
public final class AnalyzerOutputs {

    /** An analyzer the run ran: its id, the bundle that contributed it, and its descriptor when installed. */
    public record Analyzer(String id, String bundle, ContributionDescriptor descriptor) {

        public boolean installed() {
            return descriptor != null;
        }

        /** "Name (id)" when installed, else the id. */
        public String label() {
            return descriptor == null || descriptor.name().equals(id) ? id : descriptor.name() + " (" + id + ")";
        }
    }

    private AnalyzerOutputs() {
    }

    /**
     * The analyzers in the order the pipeline ran them (run.json pipeline.stages), then any other
     * id metrics.json reports scalars for.
     */
    public static List<Analyzer> of(RunDirectory run, ContributionRegistry registry) {
        Map<String, String> ids = new LinkedHashMap<>();
        if (run.run().get("pipeline") instanceof Map<?, ?> pipeline && pipeline.get("stages") instanceof List<?> stages) {
            for (Object o : stages) {
                if (o instanceof Map<?, ?> stage && Role.ANALYZER.key.equals(stage.get("role")) && stage.get("id") != null) {
                    ids.put(String.valueOf(stage.get("id")), stage.get("bundle") == null ? "" : String.valueOf(stage.get("bundle")));
                }
            }
        }
        if (run.metrics().get("analyzers") instanceof Map<?, ?> all) {
            all.keySet().forEach(k -> ids.putIfAbsent(String.valueOf(k), ""));
        }
        List<Analyzer> out = new ArrayList<>();
        ids.forEach((id, bundle) -> {
            ContributionDescriptor d = registry.find(Role.ANALYZER, id);
            out.add(new Analyzer(id, d != null ? d.bundle() : bundle, d));
        });
        return out;
    }

    /**
     * The names of the analyzer's tables that the run directory holds (each NAME.csv). Installed:
     * exactly its declared table outputs. Not installed: ID.csv and ID-*.csv, except names an
     * installed analyzer declares and names that belong to another analyzer of the run whose id
     * is a longer match (so "coupled" never takes coupled-mean-shift's tables).
     */
    public static List<String> tables(RunDirectory run, Analyzer a, List<Analyzer> ranWith, ContributionRegistry registry)
            throws IOException {
        List<String> out = new ArrayList<>();
        if (a.installed()) {
            for (ContributionDescriptor.Output o : a.descriptor().outputs()) {
                if (o.isTable() && !out.contains(o.name()) && Files.isRegularFile(csv(run, o.name()))) {
                    out.add(o.name());
                }
            }
            return out;
        }
        Set<String> declared = new TreeSet<>();
        for (ContributionDescriptor d : registry.all(Role.ANALYZER)) {
            d.outputs().stream().filter(ContributionDescriptor.Output::isTable).forEach(o -> declared.add(o.name()));
        }
        Set<String> names = new TreeSet<>();
        try (Stream<Path> files = Files.list(run.path())) {
            files.filter(Files::isRegularFile).map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".csv"))
                    .map(f -> f.substring(0, f.length() - 4)).forEach(names::add);
        }
        for (String name : names) {
            if (!matches(name, a.id()) || declared.contains(name)) {
                continue;
            }
            boolean claimedByLonger = ranWith.stream()
                    .anyMatch(o -> o.id().length() > a.id().length() && matches(name, o.id()));
            if (!claimedByLonger) {
                out.add(name);
            }
        }
        return out;
    }

    /** Declared table outputs the run did not write (an analyzer may skip a table; the view says so). */
    public static List<String> missingTables(RunDirectory run, Analyzer a) {
        if (!a.installed()) {
            return List.of();
        }
        return a.descriptor().outputs().stream().filter(ContributionDescriptor.Output::isTable).map(ContributionDescriptor.Output::name)
                .distinct().filter(n -> !Files.isRegularFile(csv(run, n))).toList();
    }

    private static boolean matches(String name, String id) {
        return name.equals(id) || name.startsWith(id + "-");
    }

    public static Path csv(RunDirectory run, String table) {
        return run.path().resolve(table + ".csv");
    }

    /** The analyzer's tensors, ID.npz (may not exist). */
    public static Path tensors(RunDirectory run, String id) {
        return run.path().resolve(id + ".npz");
    }

    /** Focus's convention in words: what a layer column means when its analyzer does not say. */
    public static final String FOCUS_CONVENTION = "layer t = the states after t blocks (0 = the prompts), Focus's convention";

    /**
     * A table whose analyzer declares no axis but that has a numeric column named layer: read by
     * layer in Focus's convention (docs/extension-points/recursionAnalyzers.md).
     */
    public static final TableAxis UNDECLARED_LAYER = new TableAxis("layer", TableAxis.By.LAYER, null, FOCUS_CONVENTION, List.of());

    /** The axis the analyzer declares for one of its tables (plugin.xml by/axis), or null. */
    public static TableAxis declaredAxis(Analyzer a, String table) {
        ContributionDescriptor.Output o = a.installed() ? a.descriptor().table(table) : null;
        return o == null ? null : o.axis();
    }

    /** In words, what an axis's values mean: as declared, else Focus's convention for a layer axis, else "". */
    public static String convention(TableAxis axis) {
        if (axis.convention() != null && !axis.convention().isBlank()) {
            return axis.convention();
        }
        return axis.by() == TableAxis.By.LAYER ? FOCUS_CONVENTION : "";
    }
}
