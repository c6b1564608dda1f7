package org.layerwise.nd4j.internal;

import org.nd4j.common.config.ND4JClassLoading;
import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;

/**
 * ND4J finds its backend (ServiceLoader, Class.forName) through a class loader it takes from the thread
 * context class loader of whichever thread first touches ND4J. In OSGi that is often a consumer bundle's
 * loader, which cannot see the backend ("Please ensure that you have an nd4j backend on your classpath").
 * This bundle starts lazily, so this runs when the first ND4J class is loaded from it, before any ND4J
 * static initialiser, and points ND4J at this bundle's own class loader.
 */
public final class Activator implements BundleActivator {

    @Override
    public void start(BundleContext context) {
        ND4JClassLoading.setNd4jClassloaderFromClass(Activator.class);
    }

    @Override
    public void stop(BundleContext context) {
        // nothing: native memory and threads of ND4J live until the JVM ends
    }
}
