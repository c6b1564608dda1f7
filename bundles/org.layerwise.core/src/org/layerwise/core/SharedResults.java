package org.layerwise.core;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What several analyzers of one run compute from the same model and prompts, computed by the
 * first to ask and reused by the others. Between contributions a result is a declared
 * {@link SharedResult}: its provider runs on first need, and an analyzer reads only what its
 * plugin.xml requires or provides. Within one contribution, string keys ("coupled-mean-shift/full")
 * serve its own caches. Values are read-only once stored.
 */
public final class SharedResults {

    private final Store store;
    /** What the reading contribution declared; null when unrestricted (outside a run). */
    private final Set<String> declared;
    private final ContributionDescriptor reader;

    /** Outside a run (tests, embedding): providers come from the platform's registry on first need; nothing is restricted. */
    public SharedResults() {
        this(new Store(null, 0), null, null);
    }

    /** One run's results: the providers its pipeline needs (by result name), each provider's seed derived from {@code runSeed}. */
    public SharedResults(Map<String, ProvidedResult> providers, long runSeed) {
        this(new Store(Map.copyOf(providers)::get, runSeed), null, null);
    }

    private SharedResults(Store store, Set<String> declared, ContributionDescriptor reader) {
        this.store = store;
        this.declared = declared;
        this.reader = reader;
    }

    /** The same results as one analyzer sees them: only what it requires or provides. */
    public SharedResults readBy(ContributionDescriptor analyzer) {
        Set<String> names = new HashSet<>(analyzer.requires());
        analyzer.provides().forEach(p -> names.add(p.name()));
        return new SharedResults(store, names, analyzer);
    }

    /** The result stored under key, or null if nobody has computed it yet. */
    public <T> T peek(String key, Class<T> type) {
        synchronized (store) {
            return type.cast(store.values.get(key));
        }
    }

    /** The result stored under key, computing and storing it first if absent. */
    public <T> T get(String key, Class<T> type, Supplier<? extends T> compute) {
        synchronized (store) {
            Object v = store.values.get(key);
            if (v == null) {
                v = compute.get();
                store.values.put(key, v);
            }
            return type.cast(v);
        }
    }

    /** A declared shared result if someone has computed it already, else null (never computes). */
    public <T> T peek(SharedResult<T> result) {
        synchronized (store) {
            Object v = store.values.get(key(result.name()));
            return result.type().isInstance(v) ? result.type().cast(v) : null;
        }
    }

    /**
     * A declared shared result, computed by its provider the first time anyone asks.
     * {@code context} is the asking analyzer's; the provider gets it without settings and with its own seed.
     */
    public <T> T require(SharedResult<T> result, AnalysisContext context) throws ContributionException {
        if (declared != null && !declared.contains(result.name())) {
            throw new ContributionException(reader, "asks for shared result '" + result.name()
                    + "' without declaring <requires result=\"" + result.name() + "\"/> in its plugin.xml", null);
        }
        synchronized (store) {
            Object v = store.values.get(key(result.name()));
            if (v == null) {
                v = store.compute(result.name(), context);
            }
            if (!result.type().isInstance(v)) {
                throw new ContributionException(store.provider(result.name()).owner(), "shared result '" + result.name() + "' is a "
                        + v.getClass().getName() + ", asked for as " + result.type().getName(), null);
            }
            return result.type().cast(v);
        }
    }

    private static String key(String result) {
        return "shared-result:" + result;
    }

    private static final class Store {
        final Map<String, Object> values = new HashMap<>();
        final Set<String> computing = new LinkedHashSet<>();
        final long runSeed;
        Function<String, ProvidedResult> providers;

        Store(Function<String, ProvidedResult> providers, long runSeed) {
            this.providers = providers;
            this.runSeed = runSeed;
        }

        ProvidedResult provider(String name) {
            if (providers == null) {
                providers = ContributionRegistry.load()::provider;
            }
            ProvidedResult p = providers.apply(name);
            if (p == null) {
                throw new IllegalStateException("no installed contribution provides shared result '" + name + "'");
            }
            return p;
        }

        Object compute(String name, AnalysisContext asker) throws ContributionException {
            ProvidedResult p = provider(name);
            if (!computing.add(name)) {
                throw new ContributionException(p.owner(), "shared result '" + name + "' requires itself: "
                        + String.join(" -> ", computing) + " -> " + name, null);
            }
            try {
                SharedResultProvider provider = p.create();
                AnalysisContext ctx = new AnalysisContext(Settings.of(Map.of()), asker.model(), asker.task(), asker.evaluation(),
                        asker.cache(), asker.enforced(), Seeds.derive(runSeed, "shared/" + name), asker.monitor(),
                        new SharedResults(this, new HashSet<>(p.requires()), p.owner()), asker.series(), asker.training());
                Object v = SafeCall.call(p.owner(), "computing shared result '" + name + "'", () -> provider.compute(ctx));
                if (v == null) {
                    throw new ContributionException(p.owner(), "the provider of shared result '" + name + "' returned nothing", null);
                }
                values.put(key(name), v);
                return v;
            } finally {
                computing.remove(name);
            }
        }
    }
}
