package org.layerwise.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.eclipse.core.runtime.IConfigurationElement;

/**
 * Reads an analyzer's {@code <output>} with its presentation: headlines (scalars) and axis
 * (tables). A missing name or an unknown kind refuses the contribution; a bad presentation
 * attribute or element is named in {@code ignored} and left out, so the analyzer still runs.
 */
final class OutputDeclarations {

    private static final String NAME = "[a-z][a-z0-9_]*";

    private OutputDeclarations() {
    }

    static ContributionDescriptor.Output parse(IConfigurationElement o, List<String> ignored) {
        String name = ContributionRegistry.required(o, "name");
        String kind = ContributionRegistry.required(o, "kind");
        if (!Set.of(ContributionDescriptor.Output.TABLE, ContributionDescriptor.Output.SCALARS,
                ContributionDescriptor.Output.TENSORS).contains(kind)) {
            throw new IllegalArgumentException("output '" + name + "': unknown kind '" + kind + "' (table, scalars or tensors)");
        }
        String where = "output '" + name + "'";
        List<Headline> headlines = new ArrayList<>();
        Set<String> scalars = new HashSet<>();
        for (IConfigurationElement h : o.getChildren("headline")) {
            if (!kind.equals(ContributionDescriptor.Output.SCALARS)) {
                ignored.add(where + ": <headline> belongs on an output of kind scalars, not " + kind);
                continue;
            }
            Headline parsed = headline(h, where, ignored);
            if (parsed != null && !scalars.add(parsed.scalar())) {
                ignored.add(where + ": <headline scalar=\"" + parsed.scalar() + "\"> declared twice");
            } else if (parsed != null) {
                headlines.add(parsed);
            }
        }
        TableAxis axis = axis(o, kind, where, ignored);
        return new ContributionDescriptor.Output(name, kind, o.getAttribute("description"), headlines, axis,
                undefined(o, kind, where, ignored));
    }

    /** The scalars that may be NaN (attribute undefined: names or patterns with '*', comma-separated). */
    private static List<String> undefined(IConfigurationElement o, String kind, String where, List<String> ignored) {
        String u = o.getAttribute("undefined");
        if (u == null || u.isBlank()) {
            return List.of();
        }
        if (!kind.equals(ContributionDescriptor.Output.SCALARS)) {
            ignored.add(where + ": attribute 'undefined' belongs on an output of kind scalars, not " + kind);
            return List.of();
        }
        List<String> names = new ArrayList<>();
        for (String n : u.split(",")) {
            String t = n.trim();
            if (t.matches("[A-Za-z0-9_*]+")) {
                names.add(t);
            } else {
                ignored.add(where + ": attribute 'undefined': '" + t + "' is not a scalar name or a pattern of letters, digits, '_' and '*'");
            }
        }
        return names;
    }

    private static Headline headline(IConfigurationElement h, String output, List<String> ignored) {
        String scalar = h.getAttribute("scalar");
        if (scalar == null || scalar.isBlank()) {
            ignored.add(output + ": <headline> without attribute 'scalar'");
            return null;
        }
        String where = output + ", <headline scalar=\"" + scalar + "\">";
        String format = format(h, where, ignored);
        Headline.Better better = Headline.Better.NONE;
        String b = h.getAttribute("better");
        if (b != null) {
            try {
                better = Headline.Better.valueOf(b.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                ignored.add(where + ": attribute 'better' is '" + b + "', not higher, lower or none");
            }
        }
        String low = h.getAttribute("interval-low");
        String high = h.getAttribute("interval-high");
        if ((low == null) != (high == null)) {
            ignored.add(where + ": attributes 'interval-low' and 'interval-high' come together, one is missing");
            low = null;
            high = null;
        }
        int order = Headline.DEFAULT_ORDER;
        String o = h.getAttribute("order");
        if (o != null) {
            try {
                order = Integer.parseInt(o.trim());
            } catch (NumberFormatException e) {
                ignored.add(where + ": attribute 'order' is '" + o + "', not an integer");
            }
        }
        String promote = h.getAttribute("promote");
        if (promote != null && (!promote.matches(NAME) || Headline.RUN_METRICS.contains(promote))) {
            ignored.add(where + ": attribute 'promote' is '" + promote + "': "
                    + (promote.matches(NAME) ? "the runner writes that key of metrics.json itself" : "not a key of lower-case letters, digits and '_'"));
            promote = null;
        }
        String sameAs = h.getAttribute("same-as");
        if (sameAs != null && !Headline.RUN_METRICS.contains(sameAs)) {
            ignored.add(where + ": attribute 'same-as' is '" + sameAs + "', not one of the run's metrics "
                    + new java.util.TreeSet<>(Headline.RUN_METRICS));
            sameAs = null;
        }
        List<Headline.Detail> details = new ArrayList<>();
        for (IConfigurationElement d : h.getChildren("detail")) {
            String s = d.getAttribute("scalar");
            if (s == null || s.isBlank()) {
                ignored.add(where + ": <detail> without attribute 'scalar'");
                continue;
            }
            String label = d.getAttribute("label");
            details.add(new Headline.Detail(s, label == null || label.isBlank() ? s : label,
                    format(d, where + ", <detail scalar=\"" + s + "\">", ignored)));
        }
        return new Headline(scalar, h.getAttribute("label"), format, h.getAttribute("unit"), better, low, high, order, promote,
                sameAs, h.getAttribute("note"), details);
    }

    /** The element's format, or null (the default) when absent or unusable. */
    private static String format(IConfigurationElement e, String where, List<String> ignored) {
        String format = e.getAttribute("format");
        if (format == null) {
            return null;
        }
        String problem = Headline.formatProblem(format);
        if (problem != null) {
            ignored.add(where + ": attribute 'format' '" + format + "' " + problem);
            return null;
        }
        return format;
    }

    private static TableAxis axis(IConfigurationElement o, String kind, String where, List<String> ignored) {
        String column = o.getAttribute("axis");
        String by = o.getAttribute("by");
        if (column == null && by == null) {
            if (o.getChildren("layer-offset").length > 0) {
                ignored.add(where + ": <layer-offset> needs by=\"layer\"");
            }
            return null;
        }
        if (!kind.equals(ContributionDescriptor.Output.TABLE)) {
            ignored.add(where + ": attributes 'axis' and 'by' belong on an output of kind table, not " + kind);
            return null;
        }
        TableAxis.By counts = TableAxis.By.NONE;
        if (by != null) {
            try {
                counts = TableAxis.By.valueOf(by.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                ignored.add(where + ": attribute 'by' is '" + by + "', not layer, step, mode or none");
            }
        }
        if (column == null || column.isBlank()) {
            if (counts == TableAxis.By.NONE) {
                return null;
            }
            column = counts.key();
        }
        List<TableAxis.LayerOffset> offsets = new ArrayList<>();
        for (IConfigurationElement l : o.getChildren("layer-offset")) {
            String c = l.getAttribute("column");
            String v = l.getAttribute("value");
            String n = l.getAttribute("offset");
            if (counts != TableAxis.By.LAYER) {
                ignored.add(where + ": <layer-offset> needs by=\"layer\"");
            } else if ((c == null) != (v == null)) {
                ignored.add(where + ": <layer-offset>: attributes 'column' and 'value' come together, one is missing");
            } else {
                try {
                    offsets.add(new TableAxis.LayerOffset(c, v, Integer.parseInt(n == null ? "" : n.trim())));
                } catch (NumberFormatException e) {
                    ignored.add(where + ": <layer-offset>: attribute 'offset' is '" + n + "', not an integer");
                }
            }
        }
        return new TableAxis(column, counts, o.getAttribute("axis-label"), o.getAttribute("convention"), offsets);
    }

    /** The contribution without the promotions another one made first (each named in {@code taken}); records its own. */
    static ContributionDescriptor withoutTakenPromotions(ContributionDescriptor d, Map<String, ContributionDescriptor> promoted,
            List<String> taken) {
        boolean changed = false;
        List<ContributionDescriptor.Output> outputs = new ArrayList<>();
        for (ContributionDescriptor.Output o : d.outputs()) {
            List<Headline> headlines = new ArrayList<>();
            for (Headline h : o.headlines()) {
                ContributionDescriptor owner = h.promote() == null ? null : promoted.putIfAbsent(h.promote(), d);
                if (owner != null && owner != d) {
                    taken.add("output '" + o.name() + "', <headline scalar=\"" + h.scalar() + "\">: attribute 'promote': '"
                            + h.promote() + "' of metrics.json is promoted by " + owner.origin() + " already");
                    h = new Headline(h.scalar(), h.label(), h.format(), h.unit(), h.better(), h.intervalLow(), h.intervalHigh(),
                            h.order(), null, h.sameAs(), h.note(), h.details());
                    changed = true;
                }
                headlines.add(h);
            }
            outputs.add(new ContributionDescriptor.Output(o.name(), o.kind(), o.description(), headlines, o.axis(), o.undefined()));
        }
        return changed ? d.withOutputs(outputs) : d;
    }
}
