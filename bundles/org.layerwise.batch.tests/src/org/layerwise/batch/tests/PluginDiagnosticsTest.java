package org.layerwise.batch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.batch.Cli;
import org.layerwise.io.Json;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;

/** What a user learns about a plugin: its version, why it did not resolve, and the stack trace when it throws. */
class PluginDiagnosticsTest {

    @TempDir
    Path dir;

    @Test
    void list_names_each_contributions_bundle_and_version() {
        CliHarness.Outcome o = CliHarness.run("list");
        assertEquals(0, o.exitCode(), o.toString());
        String tasks = org.eclipse.core.runtime.Platform.getBundle("org.layerwise.tasks").getVersion().toString();
        assertTrue(o.out().contains("[org.layerwise.tasks " + tasks + "]"), o.out());
    }

    @Test
    void list_reports_an_installed_bundle_that_did_not_resolve_with_its_missing_requirement() throws Exception {
        BundleContext context = FrameworkUtil.getBundle(Cli.class).getBundleContext();
        Bundle b = context.installBundle("test:org.example.unresolvable", new ByteArrayInputStream(bundleJar(
                "org.example.unresolvable", "1.2.3", "com.example.missing.library;bundle-version=\"2.0.0\"")));
        try {
            CliHarness.Outcome o = CliHarness.run("list");
            assertEquals(0, o.exitCode(), o.toString());
            assertTrue(o.out().contains("UNRESOLVED BUNDLES"), o.out());
            assertTrue(o.out().contains("org.example.unresolvable 1.2.3  (test:org.example.unresolvable)"), o.out());
            assertTrue(o.out().contains("missing: Require-Bundle: com.example.missing.library; bundle-version=\"2.0.0\""), o.out());

            // a pipeline naming a contribution that is not there points at the bundle that did not resolve
            Path p = CliHarness.pipeline(dir, "absent", CliHarness.TINY_TASK + CliHarness.TINY_BACKEND
                    + "<stages role=\"analyzer\" contribution=\"not-installed\"/>");
            CliHarness.Outcome v = CliHarness.run("validate", p.toString());
            assertEquals(4, v.exitCode(), v.toString());
            assertTrue(v.err().contains("did not resolve") && v.err().contains("org.example.unresolvable 1.2.3"), v.err());
        } finally {
            b.uninstall();
        }
        assertTrue(!CliHarness.run("list").out().contains("org.example.unresolvable"));
    }

    @Test
    void a_throwing_analyzer_shows_its_stack_trace_on_stderr_and_its_first_lines_in_run_json() throws Exception {
        Path p = CliHarness.pipeline(dir, "throws", CliHarness.TINY_TASK + CliHarness.TINY_BACKEND
                + "<stages role=\"analyzer\" contribution=\"test-throwing\"/>" + CliHarness.ABSTRACTION);
        CliHarness.Outcome o = CliHarness.run("run", p.toString(), "--out", dir.resolve("runs").toString(), "--eval-prompts", "16");
        assertEquals(10, o.exitCode(), o.toString());
        assertTrue(o.err().contains("layerwise: bundle org.layerwise.batch, extension point org.layerwise.core.recursionAnalyzers, "
                + "id 'test-throwing': analyze failed: deliberate failure of a test analyzer"), o.err());
        assertTrue(o.err().contains("java.lang.IllegalStateException: deliberate failure of a test analyzer\n"
                + "\tat org.layerwise.batch.ThrowingAnalyzer.deeper(ThrowingAnalyzer.java:"), o.err());
        assertTrue(o.err().contains("\tat org.layerwise.batch.ThrowingAnalyzer.analyze("), o.err());

        Path run = Path.of(o.out().replaceAll("(?s).*Run directory: (.*) \\(status PARTIAL\\).*", "$1"));
        Map<String, Object> json = Json.readMap(run.resolve("run.json"));
        assertEquals("PARTIAL", json.get("status"));
        Map<?, ?> failure = (Map<?, ?>) ((List<?>) json.get("failures")).get(0);
        assertEquals("test-throwing", failure.get("id"));
        assertEquals(FrameworkUtil.getBundle(Cli.class).getVersion().toString(), failure.get("bundle_version"));
        List<?> trace = (List<?>) failure.get("trace");
        assertEquals("java.lang.IllegalStateException: deliberate failure of a test analyzer", trace.get(0));
        assertTrue(String.valueOf(trace.get(1)).contains("ThrowingAnalyzer.deeper"), trace.toString());
        assertTrue(o.out().contains("Weight abstraction") || run.resolve("abstraction.csv").toFile().isFile(), "the others still ran");
    }

    /** A bundle jar with only a manifest. */
    static byte[] bundleJar(String id, String version, String requireBundle) throws Exception {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", id);
        a.putValue("Bundle-Version", version);
        a.putValue("Require-Bundle", requireBundle);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes, m)) {
            // the manifest is all
        }
        return bytes.toByteArray();
    }
}
