package org.layerwise.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Headless core, thin UI: the batch product holds no UI bundle (no *.ui companion, no SWT, no
 * workbench), and the workbench product holds every UI companion bundle whose views it shows.
 */
class ProductContentsTest {

    private static List<String> bundleIds(Path product) throws IOException {
        Path plugins = product.resolve("plugins");
        assertTrue(Files.isDirectory(plugins), "the product is built: " + plugins);
        try (Stream<Path> files = Files.list(plugins)) {
            return files.map(f -> f.getFileName().toString().replaceFirst("_\\d.*$", "")).sorted().toList();
        }
    }

    @Test
    void the_batch_product_has_no_ui_bundle() throws IOException {
        List<String> batch = bundleIds(BatchProductPluginsTest.BATCH);
        assertTrue(batch.containsAll(List.of("org.layerwise.analysis", "org.layerwise.analysis.recursion",
                "org.layerwise.analysis.dynamics", "org.layerwise.analysis.learning", "org.layerwise.analysis.spectral",
                "org.layerwise.analysis.modular")), "" + batch);
        assertEquals(List.of(), batch.stream().filter(id -> id.endsWith(".ui") || id.contains(".ui.") || id.startsWith("org.eclipse.swt")
                || id.startsWith("org.eclipse.jface") || id.startsWith("org.eclipse.swtchart")).toList(), "UI bundles in the batch product");
    }

    @Test
    void the_workbench_product_has_every_ui_companion() throws IOException {
        if (!Files.isDirectory(BatchProductPluginsTest.WORKBENCH.resolve("plugins"))) {
            org.junit.jupiter.api.Assumptions.abort("the workbench product is not built");
        }
        List<String> workbench = bundleIds(BatchProductPluginsTest.WORKBENCH);
        assertTrue(workbench.containsAll(List.of("org.layerwise.ui", "org.layerwise.ui.charts", "org.layerwise.analysis.ui",
                "org.layerwise.analysis.recursion.ui", "org.layerwise.analysis.dynamics.ui", "org.layerwise.analysis.learning.ui")),
                "" + workbench);
    }
}
