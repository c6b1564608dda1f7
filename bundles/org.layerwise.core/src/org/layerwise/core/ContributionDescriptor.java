package org.layerwise.core;

import java.util.List;
import java.util.Map;

import org.eclipse.core.runtime.CoreException;
import org.eclipse.core.runtime.IConfigurationElement;

/**
 * One registered contribution as declared in its plugin.xml: id, names, settings metadata
 * and declared outputs. The implementation class is created only when asked for.
 */
public final class ContributionDescriptor {

    /**
     * An output an analyzer declares (kind: table, scalars or tensors), with how it presents
     * itself: a scalars output's headline figures, a table's axis (null when not declared).
     */
    public record Output(String name, String kind, String description, List<Headline> headlines, TableAxis axis,
            List<String> undefined) {

        public static final String TABLE = "table";
        public static final String SCALARS = "scalars";
        public static final String TENSORS = "tensors";

        public Output {
            headlines = headlines == null ? List.of() : List.copyOf(headlines);
            undefined = undefined == null ? List.of() : List.copyOf(undefined);
        }

        public Output(String name, String kind, String description, List<Headline> headlines, TableAxis axis) {
            this(name, kind, description, headlines, axis, List.of());
        }

        public Output(String name, String kind, String description) {
            this(name, kind, description, List.of(), null);
        }

        /**
         * Whether a scalars output declares this scalar as possibly undefined (NaN): attribute
         * {@code undefined}, names or patterns with '*' for any run of characters.
         */
        public boolean mayBeUndefined(String scalar) {
            return SCALARS.equals(kind) && undefined.stream().anyMatch(u -> matches(u, scalar));
        }

        private static boolean matches(String pattern, String name) {
            int star = pattern.indexOf('*');
            if (star < 0) {
                return pattern.equals(name);
            }
            String head = pattern.substring(0, star);
            if (!name.startsWith(head)) {
                return false;
            }
            String rest = pattern.substring(star + 1);
            for (int i = head.length(); i <= name.length(); i++) {
                if (matches(rest, name.substring(i))) {
                    return true;
                }
            }
            return false;
        }

        public boolean isTable() {
            return TABLE.equals(kind);
        }
    }

    private final Role role;
    private final String id;
    private final String name;
    private final String description;
    private final String bundle;
    private final String bundleVersion;
    private final List<SettingSpec> settings;
    private final List<Output> outputs;
    private final List<String> requires;
    private final List<Provision> provisions;
    private final List<ProvidedResult> provides;
    private final IConfigurationElement element;
    private final Object instance;
    private final List<String> families;

    /** The model family of attention-only transformers (ModelConfig), which analyzers read unless they declare others. */
    public static final String ATTENTION_ONLY = "attention-only";

    /** A {@code <provides>} as read, before it knows its owner. */
    record Provision(String result, List<String> requires, IConfigurationElement element) {
    }

    ContributionDescriptor(Role role, String id, String name, String description, String bundle, String bundleVersion,
            List<SettingSpec> settings, List<Output> outputs, IConfigurationElement element, Object instance) {
        this(role, id, name, description, bundle, bundleVersion, settings, outputs, List.of(), List.of(), element, instance);
    }

    ContributionDescriptor(Role role, String id, String name, String description, String bundle, String bundleVersion,
            List<SettingSpec> settings, List<Output> outputs, List<String> requires, List<Provision> provisions,
            IConfigurationElement element, Object instance) {
        this(role, id, name, description, bundle, bundleVersion, settings, outputs, requires, provisions, element, instance, null);
    }

    private ContributionDescriptor(Role role, String id, String name, String description, String bundle, String bundleVersion,
            List<SettingSpec> settings, List<Output> outputs, List<String> requires, List<Provision> provisions,
            IConfigurationElement element, Object instance, List<String> families) {
        this.role = role;
        this.id = id;
        this.name = name;
        this.description = description;
        this.bundle = bundle;
        this.bundleVersion = bundleVersion == null || bundleVersion.isBlank() ? "unknown" : bundleVersion;
        this.settings = List.copyOf(settings);
        this.outputs = List.copyOf(outputs);
        this.requires = List.copyOf(requires);
        this.provisions = List.copyOf(provisions);
        this.provides = provisions.stream().map(p -> new ProvidedResult(p.result(), this, p.requires(), p.element())).toList();
        this.element = element;
        this.instance = instance;
        if (families == null) {
            String declared = element == null ? null : element.getAttribute("families");
            families = declared == null || declared.isBlank() ? List.of(ATTENTION_ONLY) : List.of(declared.trim().split("\\s+"));
        }
        this.families = List.copyOf(families);
    }

    /** A contribution made in code rather than plugin.xml (tests, embedding). */
    public static ContributionDescriptor of(Role role, String id, String bundle, List<SettingSpec> settings,
            List<Output> outputs, Object instance) {
        return new ContributionDescriptor(role, id, id, "", bundle, null, settings, outputs, null, instance);
    }

    public Role role() {
        return role;
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String description() {
        return description;
    }

    /** Symbolic name of the contributing bundle. */
    public String bundle() {
        return bundle;
    }

    /** Version of the contributing bundle ("unknown" outside OSGi). */
    public String bundleVersion() {
        return bundleVersion;
    }

    public List<SettingSpec> settings() {
        return settings;
    }

    public List<Output> outputs() {
        return outputs;
    }

    /** The shared results it reads ({@code <requires result>}), each provided by some contribution. */
    public List<String> requires() {
        return requires;
    }

    /** The shared results it provides ({@code <provides result class>}). */
    public List<ProvidedResult> provides() {
        return provides;
    }

    /** Whether a scalar it returned may be NaN: one of its scalars outputs declares it undefined. */
    public boolean mayBeUndefined(String scalar) {
        return outputs.stream().anyMatch(o -> o.mayBeUndefined(scalar));
    }

    /** The headline figures of its scalars outputs, in the order declared. */
    public List<Headline> headlines() {
        return outputs.stream().flatMap(o -> o.headlines().stream()).toList();
    }

    /** Its declared table output of that name, or null. */
    public Output table(String name) {
        return outputs.stream().filter(o -> o.isTable() && o.name().equals(name)).findFirst().orElse(null);
    }

    /** The same contribution with other outputs (the registry drops what it refuses of a declaration). */
    ContributionDescriptor withOutputs(List<Output> replaced) {
        return new ContributionDescriptor(role, id, name, description, bundle, bundleVersion, settings, replaced, requires,
                provisions, element, instance, families);
    }

    /**
     * The model families an analyzer reads (plugin.xml attribute {@code families}, space-separated;
     * {@value #ATTENTION_ONLY} when absent), e.g. "attention-only transformer".
     */
    public List<String> families() {
        return families;
    }

    /** Whether an analyzer reads models of that family. */
    public boolean reads(String family) {
        return families.contains(family);
    }

    /** The same contribution reading other families (for contributions made in code). */
    public ContributionDescriptor withFamilies(String... declared) {
        return new ContributionDescriptor(role, id, name, description, bundle, bundleVersion, settings, outputs, requires,
                provisions, element, instance, List.of(declared));
    }

    public Settings resolve(Map<String, String> raw) throws InvalidSettingException {
        return Settings.resolve(settings, raw);
    }

    /** "bundle B, extension point P, id I": how every error about a contribution names it. */
    public String origin() {
        return "bundle " + bundle + ", extension point " + role.extensionPointId() + ", id '" + id + "'";
    }

    /** Creates a fresh instance of the implementation (under SafeRunner, type-checked). */
    public <T> T create(Class<T> type) throws ContributionException {
        Object created;
        if (element == null) {
            created = instance;
        } else {
            created = instantiate(this, element, "creating the implementation");
        }
        if (!type.isInstance(created)) {
            throw new ContributionException(this, "class " + (created == null ? "null" : created.getClass().getName())
                    + " does not implement " + type.getName(), null);
        }
        return type.cast(created);
    }

    /** The element's class attribute instantiated under SafeRunner, a failure named after {@code who}. */
    static Object instantiate(ContributionDescriptor who, IConfigurationElement element, String what) throws ContributionException {
        return SafeCall.call(who, what, () -> {
            try {
                return element.createExecutableExtension("class");
            } catch (CoreException e) {
                throw new IllegalStateException(e.getStatus().getMessage(), e);
            }
        });
    }

    @Override
    public String toString() {
        return role.key + " '" + id + "' (" + bundle + ")";
    }
}
