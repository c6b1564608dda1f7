package org.layerwise.launcher.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.launcher.LaunchConfiguration;
import org.layerwise.launcher.PluginFolder;

/** The configuration area a product starts with: its own bundles plus the plugin folder's, re-keyed on any change. */
class LaunchConfigurationTest {

    @TempDir
    Path tmp;

    Path product;
    Path plugins;
    Path cache;

    @BeforeEach
    void setUp() throws Exception {
        product = Fixtures.product(tmp.resolve("product"), "org.layerwise.core", "org.layerwise.batch");
        plugins = tmp.resolve("plugins");
        cache = tmp.resolve("cache/config");
    }

    private LaunchConfiguration.Area prepare() throws Exception {
        return LaunchConfiguration.prepare(product, "batch", plugins, cache);
    }

    private List<String> bundlesInfo(LaunchConfiguration.Area a) throws Exception {
        return Files.readAllLines(a.dir().resolve(LaunchConfiguration.BUNDLES_INFO));
    }

    private String snapshot(Path dir) throws Exception {
        StringBuilder sb = new StringBuilder();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted().toList()) {
                sb.append(dir.relativize(p)).append(' ').append(Files.isRegularFile(p) ? Files.size(p) : -1).append(' ')
                        .append(Files.getLastModifiedTime(p)).append('\n');
            }
        }
        return sb.toString();
    }

    @Test
    void the_area_lists_the_products_bundles_with_absolute_locations_and_points_equinox_at_them() throws Exception {
        String before = snapshot(product);
        LaunchConfiguration.Area a = prepare();
        assertTrue(a.created());
        assertTrue(a.dir().getFileName().toString().startsWith("batch-"), a.dir().toString());
        List<String> info = bundlesInfo(a);
        assertTrue(info.contains("org.layerwise.core,0.1.0.v1," + product.resolve("plugins/org.layerwise.core_0.1.0.v1.jar").toUri()
                + ",4,false"), info.toString());
        assertTrue(info.contains("#version=1"), info.toString());
        Properties config = new Properties();
        try (InputStream in = Files.newInputStream(a.dir().resolve("config.ini"))) {
            config.load(in);
        }
        assertEquals(a.dir().resolve(LaunchConfiguration.BUNDLES_INFO).toUri().toString(),
                config.getProperty("org.eclipse.equinox.simpleconfigurator.configUrl"));
        assertEquals(product.resolve("plugins/org.eclipse.osgi_3.24.100.jar").toUri().toString(), config.getProperty("osgi.framework"));
        assertEquals("org.layerwise.batch.app", config.getProperty("eclipse.application"));
        assertEquals(before, snapshot(product), "nothing in the product directory is written");

        LaunchConfiguration.Area again = prepare();
        assertEquals(a.dir(), again.dir());
        assertFalse(again.created(), "an unchanged product and plugin folder start from the same area");
    }

    @Test
    void a_plugin_gets_a_line_and_a_changed_jar_a_fresh_area_while_the_unused_old_one_goes() throws Exception {
        LaunchConfiguration.Area empty = prepare();
        Path jar = Fixtures.bundle(tmp.resolve("src"), "a.jar", "com.example.analyzer", "1.0.0");
        new PluginFolder(plugins, Map.of()).add(jar.toString());
        LaunchConfiguration.Area one = prepare();
        assertNotEquals(empty.dir(), one.dir());
        assertTrue(one.created());
        assertTrue(bundlesInfo(one).contains("com.example.analyzer,1.0.0," + plugins.resolve("com.example.analyzer_1.0.0.jar").toUri()
                + ",4,false"), bundlesInfo(one).toString());
        assertFalse(Files.exists(empty.dir()), "the older area nobody uses is pruned");

        // the same file name, rebuilt: another size or time is another configuration (no stale plugin.xml)
        Path installed = plugins.resolve("com.example.analyzer_1.0.0.jar");
        Fixtures.bundle(plugins, "com.example.analyzer_1.0.0.jar", "com.example.analyzer", "1.0.0", "Bundle-Name", "rebuilt");
        Files.setLastModifiedTime(installed, FileTime.fromMillis(Files.getLastModifiedTime(installed).toMillis() + 2000));
        LaunchConfiguration.Area rebuilt = prepare();
        assertNotEquals(one.dir(), rebuilt.dir());
        assertTrue(rebuilt.created());

        // only the time changed: still a fresh area
        Files.setLastModifiedTime(installed, FileTime.fromMillis(Files.getLastModifiedTime(installed).toMillis() + 1000));
        assertNotEquals(rebuilt.dir(), prepare().dir());

        // a rebuilt product is another configuration too
        Path info = product.resolve("configuration").resolve(LaunchConfiguration.BUNDLES_INFO);
        String before = prepare().dir().toString();
        Files.writeString(info, Files.readString(info).replace("0.1.0.v1", "0.1.0.v2"));
        assertNotEquals(before, prepare().dir().toString());
    }

    @Test
    void an_area_a_running_process_uses_is_not_pruned() throws Exception {
        LaunchConfiguration.Area used = prepare();
        LaunchConfiguration.holdInUse(used.dir());
        new PluginFolder(plugins, Map.of()).add(Fixtures.bundle(tmp.resolve("src"), "a.jar", "com.example.a", "1.0.0").toString());
        LaunchConfiguration.Area next = prepare();
        assertNotEquals(used.dir(), next.dir());
        assertTrue(Files.isDirectory(used.dir()), "held by a live process");
    }

    @Test
    void a_plugin_that_Layerwise_has_itself_or_a_file_that_is_no_bundle_is_left_out_with_a_warning() throws Exception {
        Fixtures.bundle(plugins, "org.layerwise.core_9.0.0.jar", "org.layerwise.core", "9.0.0");
        Fixtures.bundle(plugins, "plain.jar", null, null);
        LaunchConfiguration.Area a = prepare();
        assertTrue(bundlesInfo(a).stream().noneMatch(l -> l.contains("9.0.0")), bundlesInfo(a).toString());
        assertEquals(2, a.warnings().size(), a.warnings().toString());
        assertTrue(a.warnings().get(0).contains("is not an OSGi bundle"), a.warnings().toString());
        assertTrue(a.warnings().get(1).contains("the plugin org.layerwise.core 9.0.0"), a.warnings().toString());
        assertEquals(a.warnings(), prepare().warnings(), "told again at every start until fixed");
    }

    @Test
    void a_product_built_without_simpleconfigurator_is_named_as_the_problem() throws Exception {
        Files.delete(product.resolve("configuration").resolve(LaunchConfiguration.BUNDLES_INFO));
        org.layerwise.launcher.PluginException e = org.junit.jupiter.api.Assertions.assertThrows(
                org.layerwise.launcher.PluginException.class, this::prepare);
        assertEquals(18, e.exit().code);
        assertTrue(e.getMessage().contains("rebuild it"), e.getMessage());
    }
}
