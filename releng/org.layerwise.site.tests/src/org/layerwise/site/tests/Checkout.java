package org.layerwise.site.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;

/** The Layerwise checkout these tests run in: its git state, its built site, its files. */
final class Checkout {

    /** The module's directory is releng/org.layerwise.site.tests. */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent().getParent();
    static final Path SITE = ROOT.resolve("releng/org.layerwise.site/target/repository");

    /** The qualifier format of the build (tycho-packaging-plugin's format in pom.xml), in UTC. */
    static final DateTimeFormatter QUALIFIER = DateTimeFormatter.ofPattern("yyyyMMddHHmm").withZone(ZoneOffset.UTC);

    private Checkout() {
    }

    static void siteIsBuilt() {
        assertTrue(Files.isRegularFile(ROOT.resolve("layerwise")), "not in the repository: " + ROOT);
        assertTrue(Files.isDirectory(SITE.resolve("plugins")), "build the site first: ./mvnw verify -pl "
                + "releng/org.layerwise.site,releng/org.layerwise.site.tests -am (" + SITE + " is missing)");
    }

    /** git ARGS in the checkout; its stdout. */
    static String git(String... args) throws IOException, InterruptedException {
        List<String> cmd = new java.util.ArrayList<>(List.of("git", "-C", ROOT.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("git", ".out");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "git " + String.join(" ", args) + " did not end");
            String text = Files.readString(out, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "git " + String.join(" ", args) + ":\n" + text);
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** True when nothing under dir (relative to the root) differs from HEAD, untracked files included. */
    static boolean clean(String dir) throws IOException, InterruptedException {
        return git("status", "--porcelain", "--untracked-files=all", "--", dir).isBlank();
    }

    /** The qualifier a build gives the module in dir: the time of the last commit that touched it. */
    static String commitQualifier(String dir) throws IOException, InterruptedException {
        String seconds = git("log", "-1", "--format=%ct", "--", dir).trim();
        assertTrue(!seconds.isEmpty(), "no commit touches " + dir);
        return QUALIFIER.format(Instant.ofEpochSecond(Long.parseLong(seconds)));
    }

    static Manifest manifest(Path jar) throws IOException {
        try (JarFile j = new JarFile(jar.toFile())) {
            return j.getManifest();
        }
    }

    static Document xmlEntry(Path jar, String entry) throws Exception {
        try (JarFile j = new JarFile(jar.toFile()); InputStream in = j.getInputStream(j.getEntry(entry))) {
            return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(in);
        }
    }

    static Document xml(Path file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(file.toFile());
    }
}
