package org.layerwise.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.eclipse.core.runtime.ContributorFactoryOSGi;
import org.eclipse.core.runtime.IConfigurationElement;
import org.eclipse.core.runtime.IExtensionRegistry;
import org.eclipse.core.runtime.ILog;
import org.eclipse.core.runtime.Platform;
import org.eclipse.core.runtime.Status;
import org.osgi.framework.Bundle;
import org.osgi.framework.namespace.HostNamespace;
import org.osgi.framework.wiring.BundleWire;
import org.osgi.framework.wiring.BundleWiring;

/**
 * The one reader of the four extension points. A malformed contribution is reported (with
 * bundle, point and id) and skipped; it never hides the others, and a contribution from
 * outside org.layerwise.* cannot take a built-in id.
 */
public final class ContributionRegistry {

    public static final String PLUGIN_ID = "org.layerwise.core";
    static final String RESULT_NAME = "[a-z0-9][a-z0-9.-]*";
    private static final String BUILT_IN_PREFIX = "org.layerwise.";

    private final Map<Role, Map<String, ContributionDescriptor>> byRole = new EnumMap<>(Role.class);
    private final List<String> problems = new ArrayList<>();
    /** Each promoted metrics.json key and the contribution that promotes it. */
    private final Map<String, ContributionDescriptor> promoted = new LinkedHashMap<>();
    /** Each shared result and its provider, once {@link #checkRequirements} has accepted it. */
    private final Map<String, ProvidedResult> providers = new LinkedHashMap<>();

    private ContributionRegistry() {
        for (Role r : Role.values()) {
            byRole.put(r, new LinkedHashMap<>());
        }
    }

    /** Reads the platform's extension registry (fresh each call: bundles may come and go). */
    public static ContributionRegistry load() {
        IExtensionRegistry registry = Platform.getExtensionRegistry();
        ContributionRegistry result = new ContributionRegistry();
        if (registry != null) {
            result.read(registry);
        }
        return result;
    }

    /** An empty registry to fill with {@link #add} (tests, embedding without OSGi). */
    public static ContributionRegistry empty() {
        return new ContributionRegistry();
    }

    private void read(IExtensionRegistry registry) {
        Map<String, String> versions = new java.util.HashMap<>();
        for (Role role : Role.values()) {
            IConfigurationElement[] elements = registry.getConfigurationElementsFor(role.extensionPointId());
            // Built-ins first, so that a third party registering the same id is the one refused.
            IConfigurationElement[] sorted = elements.clone();
            Arrays.sort(sorted, (x, y) -> Boolean.compare(!isBuiltIn(bundleOf(x)), !isBuiltIn(bundleOf(y))));
            for (IConfigurationElement e : sorted) {
                String bundle = bundleOf(e);
                String id = e.getAttribute("id");
                try {
                    List<String> ignored = new ArrayList<>();
                    ContributionDescriptor d = parse(role, e, bundle, versions.computeIfAbsent(bundle, b -> versionOf(e)), ignored);
                    ignored.forEach(m -> report(d.origin() + ": " + m + "; ignored"));
                    add(d);
                } catch (IllegalArgumentException ex) {
                    report("bundle " + bundle + ", extension point " + role.extensionPointId() + ", id '" + id + "': "
                            + ex.getMessage() + "; contribution skipped");
                }
            }
        }
        checkRequirements();
    }

    /**
     * Matches every analyzer's and provider's {@code <requires result>} with a {@code <provides>}:
     * a result provided twice keeps its first (built-in) provider, a provider in a cycle of
     * requirements or missing one of its own is dropped, and an analyzer whose requirement no
     * remaining contribution provides is skipped, each reported naming bundle, extension point and id.
     * {@link #load} calls it; a registry filled with {@link #add} calls it after the last add.
     */
    public void checkRequirements() {
        providers.clear();
        for (ContributionDescriptor d : byRole.get(Role.ANALYZER).values()) {
            for (ProvidedResult p : d.provides()) {
                ProvidedResult first = providers.putIfAbsent(p.name(), p);
                if (first != null) {
                    report(p.origin() + ": already provided by " + first.owner().origin() + "; ignored");
                }
            }
        }
        Map<String, String> refused = new LinkedHashMap<>();
        for (String name : List.copyOf(providers.keySet())) {
            refuse(name, new ArrayList<>(), refused);
        }
        refused.forEach((name, why) -> report(providers.remove(name).origin() + ": " + why + "; ignored"));
        for (ContributionDescriptor d : List.copyOf(byRole.get(Role.ANALYZER).values())) {
            for (String r : d.requires()) {
                if (!providers.containsKey(r)) {
                    report(d.origin() + ": requires shared result '" + r + "', which " + (refused.containsKey(r)
                            ? "cannot be provided (" + refused.get(r) + ")" : "no installed contribution provides")
                            + "; contribution skipped");
                    byRole.get(Role.ANALYZER).remove(d.id());
                    break;
                }
            }
        }
    }

    /** Why the result cannot be provided (a cycle, or a requirement nobody provides), or null; memoized in {@code refused}. */
    private String refuse(String name, List<String> path, Map<String, String> refused) {
        if (refused.containsKey(name)) {
            return refused.get(name);
        }
        if (path.contains(name)) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(name), path.size()));
            cycle.add(name);
            String why = "its requirements form a cycle: " + String.join(" -> ", cycle);
            for (String c : cycle) {
                refused.putIfAbsent(c, why);
            }
            return why;
        }
        ProvidedResult p = providers.get(name);
        if (p == null) {
            return "no installed contribution provides '" + name + "'";
        }
        path.add(name);
        String why = null;
        for (String r : p.requires()) {
            String sub = refuse(r, path, refused);
            if (sub != null && why == null) {
                why = r.equals(name) || sub.startsWith("its requirements form a cycle") ? sub : "it requires '" + r + "': " + sub;
            }
        }
        path.remove(path.size() - 1);
        if (why != null) {
            refused.putIfAbsent(name, why);
        }
        return why;
    }

    /** The accepted provider of a shared result, or null. */
    public ProvidedResult provider(String result) {
        return providers.get(result);
    }

    private static boolean isBuiltIn(String bundle) {
        return bundle.startsWith(BUILT_IN_PREFIX);
    }

    private static String bundleOf(IConfigurationElement e) {
        return e.getContributor() == null ? "?" : e.getContributor().getName();
    }

    /** The version of the bundle the contribution is named after (a fragment's host), or null when it cannot be told. */
    private static String versionOf(IConfigurationElement e) {
        try {
            Bundle b = e.getContributor() == null ? null : ContributorFactoryOSGi.resolve(e.getContributor());
            if (b != null && !b.getSymbolicName().equals(bundleOf(e))) {
                BundleWiring w = b.adapt(BundleWiring.class);
                for (BundleWire host : w == null ? List.<BundleWire>of() : w.getRequiredWires(HostNamespace.HOST_NAMESPACE)) {
                    b = host.getProvider().getBundle();
                }
            }
            return b == null ? null : b.getVersion().toString();
        } catch (RuntimeException | LinkageError outsideOsgi) {
            return null;
        }
    }

    private static ContributionDescriptor parse(Role role, IConfigurationElement e, String bundle, String version,
            List<String> ignored) {
        if (!role.element.equals(e.getName())) {
            throw new IllegalArgumentException("unexpected element <" + e.getName() + ">, expected <" + role.element + ">");
        }
        String id = required(e, "id");
        if (!id.matches("[a-z0-9][a-z0-9.-]*")) {
            throw new IllegalArgumentException("id must be lower-case letters, digits, '-' or '.'");
        }
        required(e, "class");
        List<SettingSpec> settings = new ArrayList<>();
        for (IConfigurationElement s : e.getChildren("setting")) {
            SettingSpec spec = parseSetting(s);
            if (settings.stream().anyMatch(x -> x.name().equals(spec.name()))) {
                throw new IllegalArgumentException("setting '" + spec.name() + "' declared twice");
            }
            settings.add(spec);
        }
        List<ContributionDescriptor.Output> outputs = new ArrayList<>();
        for (IConfigurationElement o : e.getChildren("output")) {
            outputs.add(OutputDeclarations.parse(o, ignored));
        }
        List<ContributionDescriptor.Provision> provisions = new ArrayList<>();
        for (IConfigurationElement p : e.getChildren("provides")) {
            String result = resultName(p, "result");
            required(p, "class");
            if (provisions.stream().anyMatch(x -> x.result().equals(result))) {
                throw new IllegalArgumentException("<provides result=\"" + result + "\"> declared twice");
            }
            provisions.add(new ContributionDescriptor.Provision(result, requirements(p), p));
        }
        String name = e.getAttribute("name") == null ? id : e.getAttribute("name");
        String description = e.getAttribute("description") == null ? "" : e.getAttribute("description");
        return new ContributionDescriptor(role, id, name, description, bundle, version, settings, outputs, requirements(e),
                provisions, e, null);
    }

    /** The {@code <requires result>} children of an analyzer or a {@code <provides>}. */
    private static List<String> requirements(IConfigurationElement e) {
        List<String> names = new ArrayList<>();
        for (IConfigurationElement r : e.getChildren("requires")) {
            String result = resultName(r, "result");
            if (!names.contains(result)) {
                names.add(result);
            }
        }
        return names;
    }

    private static String resultName(IConfigurationElement e, String attribute) {
        String v = required(e, attribute);
        if (!v.matches(RESULT_NAME)) {
            throw new IllegalArgumentException("<" + e.getName() + " " + attribute + "=\"" + v
                    + "\">: a shared result's name is lower-case letters, digits, '-' or '.'");
        }
        return v;
    }

    private static SettingSpec parseSetting(IConfigurationElement s) {
        String name = required(s, "name");
        if (!name.matches("[A-Za-z][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("setting name '" + name + "' must be letters, digits or '_'");
        }
        SettingSpec.Type type;
        try {
            type = SettingSpec.Type.valueOf(required(s, "type").toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException ex) {
            throw new IllegalArgumentException("setting '" + name + "': unknown type '" + s.getAttribute("type") + "'");
        }
        Double min = number(s, "min", name);
        Double max = number(s, "max", name);
        String choices = s.getAttribute("choices");
        SettingSpec spec = new SettingSpec(name, type, s.getAttribute("default") == null ? "" : s.getAttribute("default"),
                min, max, choices == null ? List.of() : Arrays.stream(choices.split(",")).map(String::trim).toList(),
                s.getAttribute("description") == null ? "" : s.getAttribute("description"));
        try {
            spec.parse(spec.defaultValue());
        } catch (InvalidSettingException ex) {
            throw new IllegalArgumentException("setting '" + name + "': invalid default: " + ex.getMessage());
        }
        return spec;
    }

    private static Double number(IConfigurationElement s, String attribute, String setting) {
        String v = s.getAttribute(attribute);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return Double.valueOf(v);
        } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("setting '" + setting + "': " + attribute + " '" + v + "' is not a number");
        }
    }

    static String required(IConfigurationElement e, String attribute) {
        String v = e.getAttribute(attribute);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("missing attribute '" + attribute + "' on <" + e.getName() + ">");
        }
        return v;
    }

    /**
     * Registers a contribution; a duplicate id is reported and refused, and a metrics.json key
     * that another contribution promotes already is reported and not promoted again.
     */
    public void add(ContributionDescriptor d) {
        Map<String, ContributionDescriptor> map = byRole.get(d.role());
        ContributionDescriptor existing = map.get(d.id());
        if (existing != null) {
            report(d.origin() + ": id already registered by bundle " + existing.bundle() + "; contribution skipped");
            return;
        }
        List<String> taken = new ArrayList<>();
        ContributionDescriptor kept = OutputDeclarations.withoutTakenPromotions(d, promoted, taken);
        taken.forEach(m -> report(d.origin() + ": " + m + "; ignored"));
        map.put(d.id(), kept);
    }

    private void report(String message) {
        problems.add(message);
        try {
            ILog.of(ContributionRegistry.class).log(Status.warning(message));
        } catch (RuntimeException | LinkageError outsideOsgi) {
            System.err.println("layerwise: " + message);
        }
    }

    public ContributionDescriptor find(Role role, String id) {
        return byRole.get(role).get(id);
    }

    public List<ContributionDescriptor> all(Role role) {
        return List.copyOf(byRole.get(role).values());
    }

    public List<String> ids(Role role) {
        return List.copyOf(byRole.get(role).keySet());
    }

    /** Contributions that were skipped, each with its reason. */
    public List<String> problems() {
        return Collections.unmodifiableList(problems);
    }

}
