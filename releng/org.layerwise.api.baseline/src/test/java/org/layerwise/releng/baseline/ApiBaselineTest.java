package org.layerwise.releng.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import aQute.bnd.header.Parameters;
import aQute.bnd.osgi.Processor;

/**
 * The API bundles of the site this build made keep the API of the last release (baseline/, the
 * recorded API trees), and the check refuses what it must: scratch copies of the built
 * org.layerwise.core with an incompatible change are refused naming the package, the same change
 * with the package version raised, and a compatible addition, pass. The scratch copies are
 * compared with the built bundle's own recorded API, so they test the check whatever state the
 * build's API is in against the release.
 */
class ApiBaselineTest {

    /** The module's directory is releng/org.layerwise.api.baseline. */
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path ROOT = MODULE.getParent().getParent();
    static final Path BASELINE = MODULE.resolve("baseline");
    static final Path PLUGINS = ROOT.resolve("releng/org.layerwise.site/target/repository/plugins");
    static final String CORE = "org.layerwise.core";

    @TempDir
    static Path tmp;

    @BeforeAll
    static void siteIsBuilt() {
        assertTrue(Files.isDirectory(PLUGINS), "build the site first: ./mvnw verify -pl "
                + "releng/org.layerwise.site,releng/org.layerwise.api.baseline -am (" + PLUGINS + " is missing)");
    }

    /** The jar of bundle id in the site (exactly one). */
    static Path built(String id) throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(PLUGINS, id + "_*.jar")) {
            s.forEach(found::add);
        }
        assertEquals(1, found.size(), "the site should hold one " + id + ": " + found);
        return found.get(0);
    }

    /** The recorded API of bundle id in this build, the starting point of the scratch copies below. */
    static ApiBaseline.Recorded current(String id) throws Exception {
        return ApiBaseline.record(built(id));
    }

    @Test
    void theBuiltApiKeepsTheLastReleasesApi() throws Exception {
        List<String> problems = new ArrayList<>();
        int compared = 0;
        try (DirectoryStream<Path> s = Files.newDirectoryStream(BASELINE, "*.api.json")) {
            for (Path file : s) {
                ApiBaseline.Recorded old = ApiBaseline.read(file);
                ApiBaseline.Outcome o = ApiBaseline.compare(built(old.bundle()), old);
                o.problems().forEach(p -> problems.add(p.toString()));
                o.notes().forEach(System.out::println);
                compared++;
            }
        }
        assertTrue(compared >= 4, "the baseline should hold the SDK's API bundles, found " + compared);
        assertTrue(problems.isEmpty(), "incompatible API changes against the last release (docs/releasing.md, "
                + "'The API and its baseline'):\n" + String.join("\n", problems));
    }

    /** A public class of org.layerwise.core that lost its public methods is refused naming the package and method. */
    @Test
    void anIncompatibleChangeIsRefusedNamingThePackage() throws Exception {
        Path changed = withClass(built(CORE), "withoutMethods", "SharedResults", "public final class SharedResults {\n}\n", null);
        ApiBaseline.Outcome o = ApiBaseline.compare(changed, ApiBaseline.read(BASELINE.resolve(CORE + ".api.json")));
        String report = o.problems().stream().map(Object::toString).collect(Collectors.joining("\n"));
        System.out.println("the check refuses a scratch copy of " + CORE + " whose SharedResults lost its methods:\n" + report);
        assertEquals(1, o.problems().size(), report);
        assertEquals(CORE, o.problems().get(0).packageName(), report);
        assertTrue(report.contains("org.layerwise.core.SharedResults") && report.contains("get("), report);
        assertTrue(report.contains("raise it to 0.2.0"), report);
    }

    @Test
    void theSameChangeWithTheVersionRaisedPasses() throws Exception {
        Path changed = withClass(built(CORE), "raised", "SharedResults", "public final class SharedResults {\n}\n", "0.2.0");
        assertEquals(List.of(), ApiBaseline.compare(changed, current(CORE)).problems());
    }

    @Test
    void aCompatibleAdditionPassesWithANote() throws Exception {
        Path changed = withClass(built(CORE), "added", "BaselineProbeAddition",
                "public final class BaselineProbeAddition {\n    public static int answer() {\n        return 42;\n    }\n}\n", null);
        ApiBaseline.Outcome o = ApiBaseline.compare(changed, current(CORE));
        assertEquals(List.of(), o.problems());
        assertTrue(o.notes().stream().anyMatch(n -> n.contains("package org.layerwise.core: compatible change (MINOR)")), o.notes().toString());
    }

    /** What the baseline keeps reads back as the very tree that was recorded. */
    @Test
    void aRecordedApiReadsBackUnchanged() throws Exception {
        ApiBaseline.Recorded r = current(CORE);
        Path file = tmp.resolve("core.api.json");
        ApiBaseline.write(r, file);
        ApiBaseline.Recorded back = ApiBaseline.read(file);
        assertEquals(r.exportPackage(), back.exportPackage());
        assertEquals(aQute.bnd.service.diff.Delta.UNCHANGED, back.tree().diff(r.tree()).getDelta());
        assertTrue(back.tree().getChildren().length > 0);
    }

    @Test
    void aRemovedApiPackageIsRefused() throws Exception {
        Path jar = built(CORE);
        Path changed = tmp.resolve("removed.jar");
        Manifest m;
        try (JarFile j = new JarFile(jar.toFile())) {
            m = j.getManifest();
        }
        try (Processor p = new Processor()) {
            Parameters exports = new Parameters(m.getMainAttributes().getValue("Export-Package"), p);
            exports.remove("org.layerwise.core.stats");
            m.getMainAttributes().putValue("Export-Package", exports.toString());
        }
        copy(jar, changed, m, Map.of(), "org/layerwise/core/stats/");
        ApiBaseline.Outcome o = ApiBaseline.compare(changed, current(CORE));
        assertEquals(1, o.problems().size(), o.problems().toString());
        assertEquals("org.layerwise.core.stats", o.problems().get(0).packageName());
        assertTrue(o.problems().get(0).text().contains("no longer exported"), o.problems().toString());
    }

    /**
     * A copy of jar in which class org.layerwise.core.NAME is compiled from body (against the
     * jar), and, when raise is given, org.layerwise.core is exported at that version.
     */
    static Path withClass(Path jar, String label, String name, String body, String raise) throws Exception {
        Path src = Files.createDirectories(tmp.resolve(label + "/src/org/layerwise/core"));
        Path classes = Files.createDirectories(tmp.resolve(label + "/classes"));
        Files.writeString(src.resolve(name + ".java"), "package org.layerwise.core;\n\n" + body);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertTrue(javac != null, "the tests need a JDK, not a JRE");
        int rc = javac.run(null, null, null, "--release", "21", "-classpath", jar.toString(), "-d", classes.toString(),
                src.resolve(name + ".java").toString());
        assertEquals(0, rc, "javac " + name);
        Manifest m;
        try (JarFile j = new JarFile(jar.toFile())) {
            m = j.getManifest();
        }
        if (raise != null) {
            try (Processor p = new Processor()) {
                Parameters exports = new Parameters(m.getMainAttributes().getValue("Export-Package"), p);
                exports.get(CORE).put("version", raise);
                m.getMainAttributes().putValue("Export-Package", exports.toString());
            }
        }
        String entry = "org/layerwise/core/" + name + ".class";
        Path out = tmp.resolve(label + ".jar");
        copy(jar, out, m, Map.of(entry, classes.resolve(entry)), null);
        return out;
    }

    /** Copies a jar with a new manifest, entries replaced or added from files, and entries under drop left out. */
    static void copy(Path from, Path to, Manifest manifest, Map<String, Path> put, String drop) throws IOException {
        try (JarFile in = new JarFile(from.toFile()); OutputStream os = Files.newOutputStream(to);
                JarOutputStream out = new JarOutputStream(os, manifest)) {
            for (Enumeration<JarEntry> e = in.entries(); e.hasMoreElements();) {
                JarEntry entry = e.nextElement();
                String n = entry.getName();
                if (n.equals(JarFile.MANIFEST_NAME) || put.containsKey(n) || (drop != null && n.startsWith(drop))) {
                    continue;
                }
                out.putNextEntry(new JarEntry(n));
                try (InputStream is = in.getInputStream(entry)) {
                    is.transferTo(out);
                }
                out.closeEntry();
            }
            for (Map.Entry<String, Path> p : put.entrySet()) {
                out.putNextEntry(new JarEntry(p.getKey()));
                Files.copy(p.getValue(), out);
                out.closeEntry();
            }
        }
    }
}
