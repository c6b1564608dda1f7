package org.layerwise.sweep;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.Headline;
import org.layerwise.runner.ExitCode;
import org.layerwise.runner.PipelineException;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.PipelineValidator;
import org.layerwise.runner.ValidatedPipeline;

/**
 * Checks every point of a sweep before anything runs: each combination's pipeline through the
 * pipeline validator (the seed changes no verdict, so each combination is checked once), and
 * each chosen metric against what the points' pipelines can write. A refused point is named
 * with its id and coordinates.
 */
public final class SweepValidation {

    /** At most this many refused points are listed; the count says how many there were. */
    static final int LISTED = 10;

    /**
     * @param combinations distinct combinations of the axes
     * @param threads      the most threads one point's run uses (its backend's "threads", 0 = every core)
     * @param first        the first point's validated pipeline (for the memory check and messages)
     */
    public record Result(int points, int combinations, int threads, ValidatedPipeline first) {
    }

    private SweepValidation() {
    }

    public static Result validate(SweepSpec spec, PipelineSpec base, List<SweepPoint> points, PipelineValidator validator)
            throws PipelineException {
        String origin = spec.file().getFileName().toString();
        Map<Map<String, String>, SweepPoint> combinations = new LinkedHashMap<>();
        points.forEach(p -> combinations.putIfAbsent(p.coordinates(), p));
        List<String> refused = new ArrayList<>();
        ExitCode code = null;
        int threads = 1;
        ValidatedPipeline first = null;
        Set<String> topLevel = new TreeSet<>(Headline.RUN_METRICS);
        topLevel.remove("analyzers");
        Set<String> analyzersWithScalars = new LinkedHashSet<>();
        int cores = Runtime.getRuntime().availableProcessors();
        for (SweepPoint p : combinations.values()) {
            try {
                PipelineSpec ps = PointPipelines.apply(base, p, origin);
                ValidatedPipeline v = validator.validate(ps);
                if (first == null) {
                    first = v;
                }
                Object t = v.backend().settings().asMap().get("threads");
                int n = t instanceof Number num && num.intValue() > 0 ? Math.min(num.intValue(), cores) : cores;
                threads = Math.max(threads, n);
                for (ValidatedPipeline.Bound<?> a : v.analyzers()) {
                    ContributionDescriptor d = a.descriptor();
                    if (d.outputs().stream().anyMatch(o -> ContributionDescriptor.Output.SCALARS.equals(o.kind()))) {
                        analyzersWithScalars.add(d.id());
                    }
                    d.headlines().stream().map(Headline::promote).filter(x -> x != null).forEach(topLevel::add);
                }
            } catch (PipelineException e) {
                code = code == null ? e.exitCode() : code;
                refused.add(p.id() + " (" + p.describe().replaceFirst(", seed -?\\d+$", "").replaceFirst("^seed -?\\d+$", "no axes")
                        + "): " + e.getMessage().replace("\n", "\n    "));
            }
        }
        if (!refused.isEmpty()) {
            StringBuilder m = new StringBuilder(origin + ": " + refused.size() + " of " + combinations.size()
                    + " combinations cannot run (each with every seed)");
            refused.stream().limit(LISTED).forEach(r -> m.append("\n  point ").append(r));
            if (refused.size() > LISTED) {
                m.append("\n  ... and ").append(refused.size() - LISTED).append(" more");
            }
            throw new PipelineException(code, m.toString());
        }
        List<String> unknown = new ArrayList<>();
        for (String metric : spec.metrics()) {
            int dot = metric.indexOf('.');
            boolean known = dot < 0 ? topLevel.contains(metric) : analyzersWithScalars.contains(metric.substring(0, dot));
            if (!known) {
                unknown.add(metric);
            }
        }
        if (!unknown.isEmpty()) {
            throw new PipelineException(ExitCode.INVALID_SETTING, origin + ": metric" + (unknown.size() > 1 ? "s " : " ")
                    + String.join(", ", unknown) + ": no point's pipeline writes " + (unknown.size() > 1 ? "them" : "it")
                    + "; expected a key of metrics.json (" + String.join(", ", topLevel) + ") or ANALYZER.SCALAR with ANALYZER one of "
                    + (analyzersWithScalars.isEmpty() ? "the pipeline's analyzers (it has none with scalars)"
                            : String.join(", ", analyzersWithScalars)));
        }
        return new Result(points.size(), combinations.size(), threads, first);
    }
}
