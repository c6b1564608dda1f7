package org.layerwise.core;

import java.util.List;

import org.eclipse.core.runtime.IConfigurationElement;

/**
 * A shared result as a contribution declares it: its name, the contribution that provides it,
 * the results its computation needs in turn, and the provider, created only when asked for.
 */
public final class ProvidedResult {

    private final String name;
    private final ContributionDescriptor owner;
    private final List<String> requires;
    private final IConfigurationElement element;

    ProvidedResult(String name, ContributionDescriptor owner, List<String> requires, IConfigurationElement element) {
        this.name = name;
        this.owner = owner;
        this.requires = List.copyOf(requires);
        this.element = element;
    }

    public String name() {
        return name;
    }

    /** The contribution whose {@code <provides>} this is. */
    public ContributionDescriptor owner() {
        return owner;
    }

    public List<String> requires() {
        return requires;
    }

    /** How errors name it: the owner's bundle, extension point and id, and the result. */
    public String origin() {
        return owner.origin() + ", shared result '" + name + "'";
    }

    SharedResultProvider create() throws ContributionException {
        Object created = ContributionDescriptor.instantiate(owner, element, "creating the provider of shared result '" + name + "'");
        if (!(created instanceof SharedResultProvider p)) {
            throw new ContributionException(owner, "the provider of shared result '" + name + "', class "
                    + (created == null ? "null" : created.getClass().getName()) + ", does not implement "
                    + SharedResultProvider.class.getName(), null);
        }
        return p;
    }
}
