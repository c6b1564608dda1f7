package org.layerwise.ui.results;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.eclipse.core.runtime.IConfigurationElement;
import org.eclipse.core.runtime.IExtensionRegistry;
import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.InvalidRegistryObjectException;
import org.eclipse.core.runtime.Platform;
import org.eclipse.core.runtime.Status;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;

/**
 * The reader of {@code org.layerwise.ui.resultViews}. A malformed contribution is reported with
 * bundle, extension point and id, and skipped; the others load. Layerwise's own bundles are read
 * first, so a third party cannot take a built-in view's id. The panel classes are not loaded here.
 */
public final class ResultViews {

    public static final String EXTENSION_POINT = "org.layerwise.ui.resultViews";
    private static final Set<String> KINDS = Set.of(ContributionDescriptor.Output.TABLE, ContributionDescriptor.Output.SCALARS,
            ContributionDescriptor.Output.TENSORS);

    /** Problems logged already: the registry is read again by every view and menu, the log gets each once. */
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private final List<ResultView> views;
    private final List<String> problems;

    private ResultViews(List<ResultView> views, List<String> problems) {
        this.views = List.copyOf(views);
        this.problems = List.copyOf(problems);
    }

    /** Reads the platform's extension registry, checking each view's reads against the analyzers installed. */
    public static ResultViews load() {
        return load(Platform.getExtensionRegistry(), ContributionRegistry.load());
    }

    static ResultViews load(IExtensionRegistry registry, ContributionRegistry analyzers) {
        List<String> problems = new ArrayList<>();
        Map<String, ResultView> byId = new LinkedHashMap<>();
        IConfigurationElement[] elements = registry == null ? new IConfigurationElement[0]
                : registry.getConfigurationElementsFor(EXTENSION_POINT).clone();
        Arrays.sort(elements, Comparator.comparing(e -> !bundleOf(e).startsWith("org.layerwise.")));
        for (IConfigurationElement e : elements) {
            String bundle = bundleOf(e);
            String id = e.getAttribute("id");
            String origin = "bundle " + bundle + ", extension point " + EXTENSION_POINT + ", id '" + id + "'";
            try {
                List<String> notes = new ArrayList<>();
                ResultView v = parse(e, bundle, analyzers, notes);
                notes.forEach(n -> problems.add(origin + ": " + n));
                ResultView taken = byId.putIfAbsent(v.id(), v);
                if (taken != null) {
                    problems.add(origin + ": the id is taken by bundle " + taken.bundle() + "; contribution skipped");
                }
            } catch (IllegalArgumentException | InvalidRegistryObjectException ex) {
                problems.add(origin + ": " + ex.getMessage() + "; contribution skipped");
            }
        }
        problems.stream().filter(LOGGED::add).forEach(p -> ILog.of(ResultViews.class).log(Status.warning(p)));
        List<ResultView> sorted = new ArrayList<>(byId.values());
        sorted.sort(Comparator.comparingInt(ResultView::order).thenComparing(ResultView::name));
        return new ResultViews(sorted, problems);
    }

    private static String bundleOf(IConfigurationElement e) {
        return e.getContributor() == null ? "?" : e.getContributor().getName();
    }

    private static ResultView parse(IConfigurationElement e, String bundle, ContributionRegistry analyzers, List<String> notes) {
        if (!"resultView".equals(e.getName())) {
            throw new IllegalArgumentException("unexpected element <" + e.getName() + ">, expected <resultView>");
        }
        String id = required(e, "id");
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("id must be letters, digits, '.', '-' or '_'");
        }
        String panel = required(e, "class");
        String name = e.getAttribute("name") == null ? id : e.getAttribute("name");
        String description = e.getAttribute("description") == null ? "" : e.getAttribute("description");
        int order = 100;
        if (e.getAttribute("order") != null) {
            try {
                order = Integer.parseInt(e.getAttribute("order").trim());
            } catch (NumberFormatException ex) {
                notes.add("order '" + e.getAttribute("order") + "' is not an integer; 100 used");
            }
        }
        List<ResultView.Read> reads = new ArrayList<>();
        for (IConfigurationElement r : e.getChildren("reads")) {
            String analyzer = required(r, "analyzer");
            String output = r.getAttribute("output") == null ? analyzer : r.getAttribute("output");
            String kind = r.getAttribute("kind") == null ? ContributionDescriptor.Output.TABLE : r.getAttribute("kind");
            if (!KINDS.contains(kind)) {
                throw new IllegalArgumentException("<reads analyzer=\"" + analyzer + "\"> has kind '" + kind
                        + "', not one of table, scalars, tensors");
            }
            ResultView.Read read = new ResultView.Read(analyzer, output, kind, !"false".equals(r.getAttribute("required")));
            ContributionDescriptor d = analyzers.find(Role.ANALYZER, analyzer);
            if (d != null && d.outputs().stream().noneMatch(o -> o.name().equals(output) && o.kind().equals(kind))) {
                notes.add("reads " + read.describe() + ", which that analyzer (bundle " + d.bundle() + ") does not declare");
            }
            reads.add(read);
        }
        return new ResultView(id, name, description, bundle, panel, e.getAttribute("icon"), order, reads, e);
    }

    private static String required(IConfigurationElement e, String attribute) {
        String v = e.getAttribute(attribute);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("<" + e.getName() + "> has no " + attribute);
        }
        return v.trim();
    }

    /** The views, by order then name. */
    public List<ResultView> views() {
        return views;
    }

    /** The view with this id, or null. */
    public ResultView find(String id) {
        return views.stream().filter(v -> v.id().equals(id)).findFirst().orElse(null);
    }

    /** What was wrong with contributions, each naming bundle, extension point and id. */
    public List<String> problems() {
        return problems;
    }
}
