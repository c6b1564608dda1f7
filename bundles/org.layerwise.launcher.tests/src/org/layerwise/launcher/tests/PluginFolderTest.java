package org.layerwise.launcher.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.launcher.PluginFolder;

/** layerwise plugins add, list and remove: what they copy, refuse and say, and their exit codes. */
class PluginFolderTest {

    @TempDir
    Path tmp;

    Path folder;
    Path product;
    Path src;

    @BeforeEach
    void setUp() throws Exception {
        folder = tmp.resolve("data/layerwise/plugins");
        product = Fixtures.product(tmp.resolve("product"), "org.layerwise.core", "com.fasterxml.jackson.core.jackson-core");
        src = tmp.resolve("src");
    }

    @Test
    void the_folder_is_named_by_LAYERWISE_PLUGINS_else_XDG_DATA_HOME_else_the_home_folder() {
        assertEquals(Path.of("/x/plugins"), PluginFolder.location(Map.of("LAYERWISE_PLUGINS", "/x/plugins", "XDG_DATA_HOME", "/d")));
        assertEquals(Path.of("/d/layerwise/plugins"), PluginFolder.location(Map.of("XDG_DATA_HOME", "/d", "HOME", "/h")));
        assertEquals(Path.of("/h/.local/share/layerwise/plugins"), PluginFolder.location(Map.of("HOME", "/h")));
        assertEquals(Path.of("/h/.local/share/layerwise/plugins"), PluginFolder.location(Map.of("HOME", "/h", "XDG_DATA_HOME", "")));
    }

    @Test
    void add_a_jar_then_list_it_then_remove_it() throws Exception {
        Path jar = Fixtures.bundle(src, "whatever-name.jar", "com.example.analyzer", "1.0.0");
        Fixtures.Outcome add = Fixtures.plugins(folder, product, "add", jar.toString());
        assertEquals(0, add.code(), add.toString());
        assertTrue(add.out().startsWith("installed com.example.analyzer 1.0.0 -> " + folder.resolve("com.example.analyzer_1.0.0.jar")),
                add.out());
        assertEquals(List.of("com.example.analyzer_1.0.0.jar"), Fixtures.names(folder));

        Fixtures.Outcome list = Fixtures.plugins(folder, product, "list");
        assertEquals(0, list.code(), list.toString());
        assertTrue(list.out().contains("Plugin folder: " + folder + " (from LAYERWISE_PLUGINS)"), list.out());
        assertTrue(list.out().matches("(?s).*com\\.example\\.analyzer +1\\.0\\.0 +com\\.example\\.analyzer_1\\.0\\.0\\.jar.*"), list.out());

        Fixtures.Outcome remove = Fixtures.plugins(folder, product, "remove", "com.example.analyzer");
        assertEquals(0, remove.code(), remove.toString());
        assertTrue(remove.out().startsWith("removed com.example.analyzer 1.0.0"), remove.out());
        assertEquals(List.of(), Fixtures.names(folder));
        assertTrue(Fixtures.plugins(folder, product, "list").out().contains("(no plugins)"));
    }

    @Test
    void a_newer_version_replaces_the_older_and_the_same_version_is_reinstalled() throws Exception {
        Fixtures.plugins(folder, product, "add", Fixtures.bundle(src, "a.jar", "com.example.analyzer", "1.0.0").toString());
        Fixtures.Outcome newer = Fixtures.plugins(folder, product, "add",
                Fixtures.bundle(src, "b.jar", "com.example.analyzer", "1.1.0.v2").toString());
        assertEquals(0, newer.code(), newer.toString());
        assertTrue(newer.out().startsWith("replaced com.example.analyzer 1.0.0 with 1.1.0.v2 -> "), newer.out());
        assertEquals(List.of("com.example.analyzer_1.1.0.v2.jar"), Fixtures.names(folder));
        Fixtures.Outcome again = Fixtures.plugins(folder, product, "add", src.resolve("b.jar").toString());
        assertTrue(again.out().startsWith("reinstalled com.example.analyzer 1.1.0.v2 -> "), again.out());
        assertEquals(List.of("com.example.analyzer_1.1.0.v2.jar"), Fixtures.names(folder));
    }

    @Test
    void add_an_unpacked_bundle_directory() throws Exception {
        Path dir = src.resolve("unpacked");
        Files.createDirectories(dir.resolve("META-INF"));
        Files.writeString(dir.resolve("META-INF/MANIFEST.MF"), "Manifest-Version: 1.0\nBundle-ManifestVersion: 2\n"
                + "Bundle-SymbolicName: com.example.unpacked\nBundle-Version: 2.0.0\nFragment-Host: com.example.analyzer\n");
        Files.writeString(dir.resolve("fragment.xml"), "<fragment/>");
        Fixtures.Outcome add = Fixtures.plugins(folder, product, "add", dir.toString());
        assertEquals(0, add.code(), add.toString());
        assertTrue(add.out().startsWith("installed fragment com.example.unpacked 2.0.0 -> "), add.out());
        assertTrue(Files.isRegularFile(folder.resolve("com.example.unpacked_2.0.0/fragment.xml")));
        assertTrue(Fixtures.plugins(folder, product, "list").out().contains("2.0.0 (fragment)"));
    }

    @Test
    void add_a_directory_of_jars_skipping_the_bundles_Layerwise_has_itself() throws Exception {
        Path dir = src.resolve("jars");
        Fixtures.bundle(dir, "analyzer.jar", "com.example.analyzer", "1.0.0", "Require-Bundle", "com.example.lib");
        Fixtures.bundle(dir, "lib-1.jar", "com.example.lib", "1.0.0");
        Fixtures.bundle(dir, "lib-2.jar", "com.example.lib", "1.2.0");
        Fixtures.bundle(dir, "jackson.jar", "com.fasterxml.jackson.core.jackson-core", "2.18.2");
        Fixtures.Outcome add = Fixtures.plugins(folder, product, "add", dir.toString());
        assertEquals(0, add.code(), add.toString());
        assertEquals(List.of("com.example.analyzer_1.0.0.jar", "com.example.lib_1.2.0.jar"), Fixtures.names(folder));
        assertTrue(add.out().contains("skipped com.fasterxml.jackson.core.jackson-core 2.18.2: Layerwise has this bundle itself "
                + "(0.1.0.v1 in the batch product)"), add.out());
    }

    @Test
    void add_a_local_p2_repository_as_a_directory_a_file_url_and_with_a_jar_index() throws Exception {
        Path site = tmp.resolve("site");
        Path a = Fixtures.bundle(site.resolve("plugins"), "com.example.analyzer_1.0.0.v20260101.jar", "com.example.analyzer",
                "1.0.0.v20260101");
        Fixtures.bundle(site.resolve("plugins"), "com.example.lib_3.0.0.jar", "com.example.lib", "3.0.0");
        Fixtures.bundle(site.resolve("plugins"), "org.layerwise.core_0.1.0.v1.jar", "org.layerwise.core", "0.1.0.v1");
        String sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(a)));
        Fixtures.artifactsXml(site, List.of(new String[] {"osgi.bundle", "com.example.analyzer", "1.0.0.v20260101", sha},
                new String[] {"osgi.bundle", "com.example.lib", "3.0.0"}, new String[] {"osgi.bundle", "org.layerwise.core", "0.1.0.v1"},
                new String[] {"org.eclipse.update.feature", "com.example.feature", "1.0.0"}));
        Fixtures.Outcome add = Fixtures.plugins(folder, product, "add", site.toString());
        assertEquals(0, add.code(), add.toString());
        assertEquals(List.of("com.example.analyzer_1.0.0.v20260101.jar", "com.example.lib_3.0.0.jar"), Fixtures.names(folder));
        assertTrue(add.out().contains("skipped org.layerwise.core 0.1.0.v1: Layerwise has this bundle itself"), add.out());

        // the same site as a file: URL, its index zipped in artifacts.jar as Tycho writes it
        Path xml = site.resolve("artifacts.xml");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(site.resolve("artifacts.jar")))) {
            z.putNextEntry(new ZipEntry("artifacts.xml"));
            z.write(Files.readAllBytes(xml));
            z.closeEntry();
        }
        Files.delete(xml);
        Fixtures.Outcome url = Fixtures.plugins(folder, product, "add", site.toUri().toString());
        assertEquals(0, url.code(), url.toString());
        assertTrue(url.out().contains("reinstalled com.example.analyzer 1.0.0.v20260101"), url.out());

        // a composite repository's children are read too
        Path composite = tmp.resolve("composite");
        Files.createDirectories(composite);
        Files.writeString(composite.resolve("compositeArtifacts.xml"), "<?xml version='1.0' encoding='UTF-8'?>\n<repository name='c' "
                + "type='org.eclipse.equinox.internal.p2.artifact.repository.CompositeArtifactRepository' version='1.0.0'>"
                + "<children size='1'><child location='../site'/></children></repository>");
        Fixtures.plugins(folder, product, "remove", "com.example.lib");
        Fixtures.Outcome viaComposite = Fixtures.plugins(folder, product, "add", composite.toString());
        assertEquals(0, viaComposite.code(), viaComposite.toString());
        assertTrue(viaComposite.out().contains("installed com.example.lib 3.0.0"), viaComposite.out());
    }

    @Test
    void a_p2_repository_whose_file_does_not_match_its_checksum_is_refused() throws Exception {
        Path site = tmp.resolve("site");
        Fixtures.bundle(site.resolve("plugins"), "com.example.analyzer_1.0.0.jar", "com.example.analyzer", "1.0.0");
        Fixtures.artifactsXml(site, List.<String[]>of(new String[] {"osgi.bundle", "com.example.analyzer", "1.0.0", "00ff"}));
        Fixtures.Outcome add = Fixtures.plugins(folder, product, "add", site.toString());
        assertEquals(14, add.code(), add.toString());
        assertTrue(add.err().contains("does not match the SHA-256 that the p2 repository records"), add.err());
        assertEquals(List.of(), Fixtures.names(folder));
    }

    @Test
    void refusals_have_clear_messages_and_their_own_exit_codes() throws Exception {
        Path plain = Fixtures.bundle(src, "plain.jar", null, null);
        Fixtures.Outcome notBundle = Fixtures.plugins(folder, product, "add", plain.toString());
        assertEquals(15, notBundle.code(), notBundle.toString());
        assertTrue(notBundle.err().contains(plain + " is not an OSGi bundle: its manifest has no Bundle-SymbolicName"), notBundle.err());

        Path mixed = src.resolve("mixed");
        Fixtures.bundle(mixed, "good.jar", "com.example.good", "1.0.0");
        Files.copy(plain, mixed.resolve("plain.jar"));
        Fixtures.Outcome mixedDir = Fixtures.plugins(folder, product, "add", mixed.toString());
        assertEquals(15, mixedDir.code(), mixedDir.toString());
        assertEquals(List.of(), Fixtures.names(folder), "nothing of a refused folder is copied");

        Fixtures.Outcome clash = Fixtures.plugins(folder, product, "add",
                Fixtures.bundle(src, "core.jar", "com.fasterxml.jackson.core.jackson-core", "9.9.9").toString());
        assertEquals(16, clash.code(), clash.toString());
        assertTrue(clash.err().contains("refused com.fasterxml.jackson.core.jackson-core 9.9.9"), clash.err());
        assertTrue(clash.err().contains("Layerwise has this bundle itself (0.1.0.v1 in the batch product)"), clash.err());

        Fixtures.Outcome reserved = Fixtures.plugins(folder, product, "add",
                Fixtures.bundle(src, "lw.jar", "org.layerwise.mine", "1.0.0").toString());
        assertEquals(16, reserved.code(), reserved.toString());
        assertTrue(reserved.err().contains("ids starting with org.layerwise. are reserved"), reserved.err());

        Fixtures.Outcome missing = Fixtures.plugins(folder, product, "add", src.resolve("nope.jar").toString());
        assertEquals(14, missing.code(), missing.toString());
        assertTrue(missing.err().contains("nope.jar does not exist"), missing.err());

        Fixtures.Outcome remote = Fixtures.plugins(folder, product, "add", "https://download.example.org/releases/");
        assertEquals(14, remote.code(), remote.toString());
        assertTrue(remote.err().contains("only local p2 repositories"), remote.err());

        Files.createDirectories(src.resolve("empty"));
        Fixtures.Outcome empty = Fixtures.plugins(folder, product, "add", src.resolve("empty").toString());
        assertEquals(14, empty.code(), empty.toString());

        Fixtures.Outcome notInstalled = Fixtures.plugins(folder, product, "remove", "com.example.absent");
        assertEquals(17, notInstalled.code(), notInstalled.toString());
        assertTrue(notInstalled.err().contains("no plugin with id 'com.example.absent'"), notInstalled.err());

        Files.createDirectories(folder.getParent());
        Files.writeString(folder, "a file where the folder should be");
        Fixtures.Outcome unwritable = Fixtures.plugins(folder, product, "add",
                Fixtures.bundle(src, "ok.jar", "com.example.ok", "1.0.0").toString());
        assertEquals(18, unwritable.code(), unwritable.toString());

        Fixtures.Outcome usage = Fixtures.plugins(folder, product, "frobnicate");
        assertEquals(2, usage.code(), usage.toString());
        assertFalse(usage.err().isBlank());
    }
}
