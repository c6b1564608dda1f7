package org.layerwise.launcher.tests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.layerwise.launcher.Plugins;

/** Bundle jars, a product's configuration and the plugins command, made small for tests. */
final class Fixtures {

    private Fixtures() {
    }

    /** A bundle jar: a manifest with the given headers and a plugin.xml naming its id. */
    static Path bundle(Path dir, String fileName, String id, String version, String... headers) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (id != null) {
            a.putValue("Bundle-ManifestVersion", "2");
            a.putValue("Bundle-SymbolicName", id + ";singleton:=true");
            a.putValue("Bundle-Version", version);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            a.putValue(headers[i], headers[i + 1]);
        }
        Files.createDirectories(dir);
        Path jar = dir.resolve(fileName);
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new JarEntry("plugin.xml"));
            j.write(("<plugin><!-- " + id + " " + version + " --></plugin>").getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        return jar;
    }

    /** A product directory laid out as Tycho materializes one with simpleconfigurator. */
    static Path product(Path root, String... ownIds) throws IOException {
        Path p = root.resolve("layerwise-batch");
        Path info = p.resolve("configuration/org.eclipse.equinox.simpleconfigurator/bundles.info");
        Files.createDirectories(info.getParent());
        StringBuilder sb = new StringBuilder("#encoding=UTF-8\n#version=1\n");
        sb.append("org.eclipse.osgi,3.24.100,plugins/org.eclipse.osgi_3.24.100.jar,-1,true\n");
        sb.append("org.eclipse.equinox.simpleconfigurator,1.5.700,plugins/org.eclipse.equinox.simpleconfigurator_1.5.700.jar,1,true\n");
        for (String id : ownIds) {
            sb.append(id).append(",0.1.0.v1,plugins/").append(id).append("_0.1.0.v1.jar,4,false\n");
        }
        Files.writeString(info, sb.toString());
        Files.writeString(p.resolve("configuration/config.ini"), """
                #Product Runtime Configuration File
                eclipse.application=org.layerwise.batch.app
                eclipse.p2.data.area=@config.dir/../p2
                osgi.bundles=reference\\:file\\:org.eclipse.equinox.simpleconfigurator_1.5.700.jar@1\\:start
                osgi.framework=file\\:plugins/org.eclipse.osgi_3.24.100.jar
                org.eclipse.equinox.simpleconfigurator.configUrl=file\\:org.eclipse.equinox.simpleconfigurator/bundles.info
                """);
        Files.createDirectories(p.resolve("plugins"));
        return p;
    }

    record Outcome(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    /** Runs {@code layerwise plugins ARGS} on the plugin folder, Layerwise's own bundles read from the product. */
    static Outcome plugins(Path folder, Path product, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 2];
        all[0] = "--product";
        all[1] = product.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        int code = Plugins.run(all, Map.of("LAYERWISE_PLUGINS", folder.toString()), new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static List<String> names(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** A simple p2 artifact repository over jars in its plugins/ folder, as Tycho's eclipse-repository writes one. */
    static void artifactsXml(Path repo, List<String[]> artifacts) throws IOException {
        StringBuilder sb = new StringBuilder("""
                <?xml version='1.0' encoding='UTF-8'?>
                <?artifactRepository version='1.1.0'?>
                <repository name='test' type='org.eclipse.equinox.p2.artifact.repository.simpleRepository' version='1'>
                  <mappings size='3'>
                    <rule filter='(&amp; (classifier=osgi.bundle) (format=packed))' output='${repoUrl}/plugins/${id}_${version}.jar.pack.gz'/>
                    <rule filter='(&amp; (classifier=osgi.bundle))' output='${repoUrl}/plugins/${id}_${version}.jar'/>
                    <rule filter='(&amp; (classifier=org.eclipse.update.feature))' output='${repoUrl}/features/${id}_${version}.jar'/>
                  </mappings>
                  <artifacts size='%d'>
                """.formatted(artifacts.size()));
        for (String[] a : artifacts) {
            sb.append("    <artifact classifier='").append(a[0]).append("' id='").append(a[1]).append("' version='").append(a[2])
                    .append("'>\n      <properties size='1'>\n");
            if (a.length > 3) {
                sb.append("        <property name='download.checksum.sha-256' value='").append(a[3]).append("'/>\n");
            }
            sb.append("      </properties>\n    </artifact>\n");
        }
        sb.append("  </artifacts>\n</repository>\n");
        Files.createDirectories(repo);
        Files.writeString(repo.resolve("artifacts.xml"), sb.toString());
    }
}
