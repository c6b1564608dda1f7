package org.layerwise.product.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.io.Json;
import org.layerwise.launcher.LaunchConfiguration;

/**
 * A third party's analyzer, built here as its own bundle jar, installed with
 * {@code ./layerwise plugins add}, run in a pipeline by the real batch product, replaced by a
 * new version, made to throw, and removed; a plugin that cannot resolve is reported. Runs the
 * products this build materialized (the module comes after them in the reactor).
 */
class BatchProductPluginsTest {

    static final Path ROOT = Path.of("").toAbsolutePath().getParent().getParent();
    static final Path BATCH = ROOT.resolve("releng/org.layerwise.product.batch/target/products/layerwise-batch/linux/gtk/x86_64/layerwise-batch");
    static final Path WORKBENCH = ROOT.resolve(
            "releng/org.layerwise.product.workbench/target/products/layerwise-workbench/linux/gtk/x86_64/layerwise-workbench");

    @TempDir
    static Path tmp;

    @BeforeAll
    static void theProductIsBuilt() {
        assertTrue(Files.isRegularFile(ROOT.resolve("layerwise")), "not in the repository: " + ROOT);
        assertTrue(Files.isDirectory(BATCH.resolve("plugins")), "build the batch product first: ./mvnw verify -pl "
                + "releng/org.layerwise.product.batch,releng/org.layerwise.product.tests -am (" + BATCH + " is missing)");
    }

    record Outcome(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** ./layerwise ARGS with the test's own plugin folder and cache, the product taken as built. */
    static Outcome layerwise(String... args) throws Exception {
        return layerwiseIn(tmp, args);
    }

    /** ./layerwise ARGS started in work, with work's own plugin folder and cache, the product taken as built. */
    static ProcessBuilder command(Path work, String... args) {
        List<String> cmd = new ArrayList<>(List.of(ROOT.resolve("layerwise").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(work.toFile());
        Map<String, String> env = pb.environment();
        env.put("LAYERWISE_PLUGINS", work.resolve("plugins").toString());
        env.put("XDG_CACHE_HOME", work.resolve("cache").toString());
        env.put("LAYERWISE_NO_BUILD", "1");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        return pb;
    }

    /** As {@link #layerwise}, in the given folder; waits at most 180 s. */
    static Outcome layerwiseIn(Path work, String... args) throws Exception {
        ProcessBuilder pb = command(work, args);
        Path out = Files.createTempFile(work, "out", ".txt");
        Path err = Files.createTempFile(work, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("./layerwise " + String.join(" ", args) + " did not end in 180 s");
        }
        return new Outcome(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The tiny analyzer as a bundle jar: compiled here against the product's org.layerwise.core. */
    static Path tinyAnalyzer(String version, String summary) throws Exception {
        Path work = tmp.resolve("tiny-" + version);
        Path src = work.resolve("src/com/example/tiny/TinyAnalyzer.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
                package com.example.tiny;

                import org.layerwise.core.AnalysisContext;
                import org.layerwise.core.AnalysisResult;
                import org.layerwise.core.RecursionAnalyzer;

                public final class TinyAnalyzer implements RecursionAnalyzer {
                    @Override
                    public AnalysisResult analyze(AnalysisContext context) {
                        if ("explode".equals(context.settings().asMap().get("mode"))) {
                            throw new IllegalStateException("the tiny analyzer was told to explode");
                        }
                        int layers = context.model().config().nLayers();
                        return new AnalysisResult().scalar("layers", layers).summary("%s " + layers);
                    }
                }
                """.formatted(summary));
        Path classes = work.resolve("classes");
        Files.createDirectories(classes);
        String cp = Stream.of("org.layerwise.core_", "org.eclipse.equinox.common_", "org.eclipse.equinox.registry_", "org.eclipse.osgi_")
                .map(BatchProductPluginsTest::productJar).map(Path::toString).reduce((a, b) -> a + File.pathSeparator + b).orElseThrow();
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--release", "21", "-proc:none", "-cp", cp, "-d", classes.toString(), src.toString());
        assertEquals(0, rc, "the tiny analyzer compiles against " + cp);

        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "com.example.tiny;singleton:=true");
        a.putValue("Bundle-Version", version);
        a.putValue("Bundle-Name", "Tiny analyzer");
        a.putValue("Require-Bundle", "org.layerwise.core");
        a.putValue("Bundle-ActivationPolicy", "lazy");
        Path jar = work.resolve("tiny.jar");
        try (OutputStream o = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(o, m)) {
            j.putNextEntry(new JarEntry("plugin.xml"));
            j.write("""
                    <?xml version="1.0" encoding="UTF-8"?>
                    <?eclipse version="3.4"?>
                    <plugin>
                       <extension point="org.layerwise.core.recursionAnalyzers">
                          <recursionAnalyzer id="tiny" name="Tiny" description="counts the layers" class="com.example.tiny.TinyAnalyzer">
                             <setting name="mode" type="choice" choices="calm,explode" default="calm" description="explode: throw"/>
                             <output name="tiny" kind="scalars" description="layers"/>
                          </recursionAnalyzer>
                       </extension>
                    </plugin>
                    """.getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
            j.putNextEntry(new JarEntry("com/example/tiny/TinyAnalyzer.class"));
            j.write(Files.readAllBytes(classes.resolve("com/example/tiny/TinyAnalyzer.class")));
            j.closeEntry();
        }
        return jar;
    }

    static Path productJar(String prefix) {
        try (Stream<Path> s = Files.list(BATCH.resolve("plugins"))) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + prefix + "* in " + BATCH));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static Path pipeline() throws IOException {
        Path file = tmp.resolve("tiny.layerwise");
        Files.writeString(file, """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" \
                xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="tiny" seed="3">
                  <stages role="task" contribution="linear"><settings key="d" value="4"/><settings key="C" value="3"/><settings key="N" value="8"/></stages>
                  <stages role="backend" contribution="softmax-attention"><settings key="layers" value="2"/><settings key="steps" value="20"/><settings key="batch" value="16"/></stages>
                  <stages role="analyzer" contribution="tiny"/>
                </layerwise:Pipeline>
                """);
        return file;
    }

    static Path runDirectory(Outcome o) {
        return Path.of(o.out().replaceAll("(?s).*Run directory: (\\S+) \\(status.*", "$1"));
    }

    static List<String> areas() throws IOException {
        Path config = tmp.resolve("cache/layerwise/config");
        try (Stream<Path> s = Files.list(config)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("batch-")).sorted().toList();
        }
    }

    @Test
    void a_third_party_analyzer_is_added_run_replaced_and_removed_with_the_real_batch_product() throws Exception {
        Outcome none = layerwise("plugins", "list");
        assertEquals(0, none.code(), none.toString());
        assertTrue(none.out().contains("(no plugins)"), none.toString());

        Outcome add = layerwise("plugins", "add", tinyAnalyzer("1.0.0", "Tiny analyzer 1.0.0: layers").toString());
        assertEquals(0, add.code(), add.toString());
        assertTrue(add.out().startsWith("installed com.example.tiny 1.0.0 -> " + tmp.resolve("plugins/com.example.tiny_1.0.0.jar")),
                add.toString());

        Outcome list = layerwise("list");
        assertEquals(0, list.code(), list.toString());
        assertTrue(list.out().contains("  tiny - Tiny  [com.example.tiny 1.0.0]"), list.toString());
        assertTrue(list.out().matches("(?s).*weight-abstraction - .*\\[org\\.layerwise\\.analysis 0\\.1\\.0\\.\\d+\\].*"), list.out());

        Path pipeline = pipeline();
        Outcome run = layerwise("run", pipeline.toString(), "--out", tmp.resolve("runs").toString(), "--eval-prompts", "16");
        assertEquals(0, run.code(), run.toString());
        assertTrue(run.out().contains("Tiny analyzer 1.0.0: layers 2"), run.toString());
        Map<String, Object> runJson = Json.readMap(runDirectory(run).resolve("run.json"));
        assertEquals("1.0.0", ((Map<?, ?>) ((Map<?, ?>) runJson.get("versions")).get("bundles")).get("com.example.tiny"));
        List<String> before = areas();
        assertEquals(1, before.size(), before.toString());

        // a new version replaces the old one, and the next start sees its new code and plugin.xml
        Outcome replace = layerwise("plugins", "add", tinyAnalyzer("1.0.1", "Tiny analyzer 1.0.1 counted").toString());
        assertEquals(0, replace.code(), replace.toString());
        assertTrue(replace.out().startsWith("replaced com.example.tiny 1.0.0 with 1.0.1"), replace.toString());
        Outcome again = layerwise("run", pipeline.toString(), "--out", tmp.resolve("runs").toString(), "--eval-prompts", "16");
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.out().contains("Tiny analyzer 1.0.1 counted 2"), again.toString());
        assertNotEquals(before, areas(), "a changed plugin folder starts from a fresh configuration area");
        assertEquals(1, areas().size(), "the unused older area was pruned: " + areas());

        // its failure shows on stderr with the stack trace, and in run.json
        Outcome thrown = layerwise("run", pipeline.toString(), "--out", tmp.resolve("runs").toString(), "--eval-prompts", "16",
                "--set", "tiny.mode=explode");
        assertEquals(10, thrown.code(), thrown.toString());
        assertTrue(thrown.err().contains("layerwise: bundle com.example.tiny, extension point org.layerwise.core.recursionAnalyzers, "
                + "id 'tiny': analyze failed: the tiny analyzer was told to explode (bundle version 1.0.1)"), thrown.toString());
        assertTrue(thrown.err().contains("java.lang.IllegalStateException: the tiny analyzer was told to explode\n"
                + "\tat com.example.tiny.TinyAnalyzer.analyze(TinyAnalyzer.java:"), thrown.toString());
        Map<?, ?> failure = (Map<?, ?>) ((List<?>) Json.readMap(runDirectory(thrown).resolve("run.json")).get("failures")).get(0);
        assertEquals("1.0.1", failure.get("bundle_version"));

        Outcome remove = layerwise("plugins", "remove", "com.example.tiny");
        assertEquals(0, remove.code(), remove.toString());
        assertTrue(remove.out().startsWith("removed com.example.tiny 1.0.1"), remove.toString());
        Outcome gone = layerwise("run", pipeline.toString(), "--out", tmp.resolve("runs").toString());
        assertEquals(4, gone.code(), gone.toString());
        assertFalse(layerwise("list").out().contains("com.example.tiny"));
    }

    @Test
    void a_plugin_that_cannot_resolve_is_listed_with_its_missing_requirement() throws Exception {
        Path dir = tmp.resolve("needs-absent");
        Files.createDirectories(dir.resolve("META-INF"));
        Files.writeString(dir.resolve("META-INF/MANIFEST.MF"), "Manifest-Version: 1.0\nBundle-ManifestVersion: 2\n"
                + "Bundle-SymbolicName: com.example.needs.absent\nBundle-Version: 0.2.0\n"
                + "Require-Bundle: com.example.absent;bundle-version=\"1.0.0\"\n");
        Outcome add = layerwise("plugins", "add", dir.toString());
        assertEquals(0, add.code(), add.toString());
        try {
            Outcome list = layerwise("list");
            assertEquals(0, list.code(), list.toString());
            assertTrue(list.out().contains("UNRESOLVED BUNDLES"), list.toString());
            assertTrue(list.out().contains("  com.example.needs.absent 0.2.0  (reference:file:" + tmp.resolve("plugins") + "/"), list.toString());
            assertTrue(list.out().contains("      missing: Require-Bundle: com.example.absent; bundle-version=\"1.0.0\""), list.toString());
        } finally {
            assertEquals(0, layerwise("plugins", "remove", "com.example.needs.absent").code());
        }
    }

    @Test
    void layerwises_own_p2_repository_adds_nothing_and_a_clashing_jar_is_refused() throws Exception {
        Path site = ROOT.resolve("releng/org.layerwise.product.batch/target/repository");
        Outcome own = layerwise("plugins", "add", site.toUri().toString());
        assertEquals(16, own.code(), own.toString());
        assertTrue(own.err().contains("every bundle in it is Layerwise's own"), own.toString());

        Outcome clash = layerwise("plugins", "add", productJar("picocli_").toString());
        assertEquals(16, clash.code(), clash.toString());
        assertTrue(clash.err().contains("refused picocli 4.7.7"), clash.toString());
    }

    @Test
    void the_workbench_reads_the_same_plugin_folder() throws Exception {
        if (!Files.isDirectory(WORKBENCH.resolve("plugins"))) {
            org.junit.jupiter.api.Assumptions.abort("the workbench product is not built");
        }
        Path folder = tmp.resolve("wb-plugins");
        org.layerwise.launcher.PluginFolder f = new org.layerwise.launcher.PluginFolder(folder, Map.of());
        f.add(tinyAnalyzer("2.0.0", "Tiny").toString());
        LaunchConfiguration.Area area = LaunchConfiguration.prepare(WORKBENCH, "workbench", folder, tmp.resolve("wb-cache"));
        List<String> info = Files.readAllLines(area.dir().resolve(LaunchConfiguration.BUNDLES_INFO));
        assertTrue(info.stream().anyMatch(l -> l.startsWith("com.example.tiny,2.0.0,file:")), info.toString());
        assertTrue(info.stream().anyMatch(l -> l.startsWith("org.layerwise.ui,")), info.toString());
        Outcome swt = layerwise("plugins", "add", WORKBENCH.resolve("plugins").toString());
        assertEquals(16, swt.code(), "the workbench's own bundles are Layerwise's too: " + swt);
    }
}
