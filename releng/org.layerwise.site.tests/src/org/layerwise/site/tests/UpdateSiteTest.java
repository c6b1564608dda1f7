package org.layerwise.site.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The update site the reactor builds (releng/org.layerwise.site/target/repository): the SDK
 * feature with the API bundles and their sources, every bundle the products run, and
 * qualifiers that are the commit times of what was built, so a tagged commit always builds
 * the same versions.
 */
class UpdateSiteTest {

    static final List<String> SDK = List.of("org.layerwise.core", "org.layerwise.io", "org.layerwise.analysis.recursion",
            "org.layerwise.testing");

    @BeforeAll
    static void built() {
        Checkout.siteIsBuilt();
    }

    /** id to version of every jar in plugins/ or features/ of the site. */
    static Map<String, String> jars(String folder) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(Checkout.SITE.resolve(folder))) {
            for (Path p : s.sorted().toList()) {
                String name = p.getFileName().toString();
                assertTrue(name.endsWith(".jar"), "not a jar in the site's " + folder + ": " + name);
                int cut = name.lastIndexOf('_');
                String previous = out.put(name.substring(0, cut), name.substring(cut + 1, name.length() - 4));
                assertEquals(null, previous, "two versions of " + name.substring(0, cut) + " in the site");
            }
        }
        return out;
    }

    static Map<String, String> featurePlugins(String featureId) throws Exception {
        String version = jars("features").get(featureId);
        assertTrue(version != null, "feature " + featureId + " is not in the site: " + jars("features").keySet());
        NodeList plugins = Checkout.xmlEntry(Checkout.SITE.resolve("features/" + featureId + "_" + version + ".jar"), "feature.xml")
                .getElementsByTagName("plugin");
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < plugins.getLength(); i++) {
            Element e = (Element) plugins.item(i);
            out.put(e.getAttribute("id"), e.getAttribute("version"));
        }
        return out;
    }

    @Test
    void theSdkFeatureHoldsTheApiBundlesAndTheirSources() throws Exception {
        Map<String, String> inFeature = featurePlugins("org.layerwise.sdk");
        Set<String> expected = new TreeSet<>(SDK);
        SDK.forEach(id -> expected.add(id + ".source"));
        assertEquals(expected, new TreeSet<>(inFeature.keySet()), "the SDK feature's plugins");
        Map<String, String> plugins = jars("plugins");
        for (String id : SDK) {
            String version = inFeature.get(id);
            assertEquals(version, plugins.get(id), id + ": the feature and the site disagree");
            assertEquals(version, inFeature.get(id + ".source"), id + ".source is not of the bundle's version");
            Path source = Checkout.SITE.resolve("plugins/" + id + ".source_" + version + ".jar");
            Manifest m = Checkout.manifest(source);
            assertEquals(id + ";version=\"" + version + "\";roots:=\".\"", m.getMainAttributes().getValue("Eclipse-SourceBundle"),
                    source + " does not say whose source it is");
            assertTrue(m.getMainAttributes().getValue("Bundle-Version").equals(version), source + "'s Bundle-Version");
            List<String> missing = new ArrayList<>();
            Path src = Checkout.ROOT.resolve("bundles/" + id + "/src");
            try (JarFile jar = new JarFile(source.toFile()); Stream<Path> files = Files.walk(src)) {
                for (Path java : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    String entry = src.relativize(java).toString().replace('\\', '/');
                    if (jar.getEntry(entry) == null) {
                        missing.add(entry);
                    }
                }
            }
            assertTrue(missing.isEmpty(), source + " lacks " + missing);
        }
    }

    @Test
    void theSiteHoldsEveryBundleTheProductsRun() throws Exception {
        Map<String, String> plugins = jars("plugins");
        List<String> missing = new ArrayList<>();
        try (Stream<Path> s = Files.list(Checkout.ROOT.resolve("bundles"))) {
            for (Path b : s.filter(p -> Files.isRegularFile(p.resolve("META-INF/MANIFEST.MF"))).sorted().toList()) {
                String id = b.getFileName().toString();
                if (!id.endsWith(".tests") && !plugins.containsKey(id)) {
                    missing.add(id);
                }
            }
        }
        assertTrue(missing.isEmpty(), "bundles of the repository missing from the site: " + missing);
        assertTrue(jars("features").containsKey("org.layerwise.core.feature"), "the runtime feature is not in the site");
        assertTrue(plugins.keySet().stream().allMatch(id -> id.startsWith("org.layerwise.")),
                "the site should hold Layerwise's bundles only (Eclipse and libraries come from Maven Central): " + plugins.keySet());
    }

    /**
     * Every bundle and feature whose folder has no uncommitted change carries the time of the
     * last commit that touched it (a feature: the newest of its folder and its bundles), so two
     * builds of one commit, a release tag's included, give the same versions. CI builds a fresh
     * clone, where every folder is clean; in a working copy the folders with changes are skipped.
     */
    @Test
    void qualifiersAreTheCommitTimesOfWhatWasBuilt() throws Exception {
        List<String> checked = new ArrayList<>();
        List<String> dirty = new ArrayList<>();
        Map<String, String> expectedQualifier = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : jars("plugins").entrySet()) {
            String id = e.getKey().endsWith(".source") ? e.getKey().substring(0, e.getKey().length() - ".source".length()) : e.getKey();
            String dir = "bundles/" + id;
            if (!Checkout.clean(dir)) {
                dirty.add(dir);
                continue;
            }
            String expected = Checkout.commitQualifier(dir);
            expectedQualifier.put(id, expected);
            assertEquals("0.1.0." + expected, e.getValue(), e.getKey() + " in the site: not the time of the last commit to " + dir);
            checked.add(e.getKey());
        }
        for (String feature : List.of("org.layerwise.sdk", "org.layerwise.core.feature")) {
            String dir = "features/" + (feature.endsWith(".feature") ? feature : feature + ".feature");
            Map<String, String> included = featurePlugins(feature);
            if (!Checkout.clean(dir) || !included.keySet().stream().map(id -> id.replace(".source", "")).allMatch(expectedQualifier::containsKey)) {
                dirty.add(dir);
                continue;
            }
            String newest = Checkout.commitQualifier(dir);
            for (String id : included.keySet()) {
                String q = expectedQualifier.get(id.replace(".source", ""));
                newest = q.compareTo(newest) > 0 ? q : newest;
            }
            assertEquals("0.1.0." + newest, jars("features").get(feature), feature + ": not the newest commit time of its folder and bundles");
            checked.add(feature);
        }
        assumeTrue(!checked.isEmpty(), "every module has uncommitted changes: " + dirty);
        if (!dirty.isEmpty()) {
            System.out.println("UpdateSiteTest: skipped folders with uncommitted changes: " + dirty);
        }
    }
}
