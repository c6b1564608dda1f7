package org.layerwise.report.internal;

/** Figures are drawn off-screen: AWT must start headless, before any AWT class is loaded. */
final class Headless {

    private Headless() {
    }

    static void require() {
        System.setProperty("java.awt.headless", "true");
    }
}
