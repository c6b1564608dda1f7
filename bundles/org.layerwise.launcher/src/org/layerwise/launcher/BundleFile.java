package org.layerwise.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/** A bundle as a jar or an unpacked directory: its symbolic name (id), version and whether it is a fragment. */
public record BundleFile(String id, String version, boolean fragment, Path path) {

    /** OSGi version order: major, minor, micro numerically, then the qualifier as a string. */
    public static final Comparator<String> VERSION_ORDER = (a, b) -> {
        String[] x = a.split("\\.", 4);
        String[] y = b.split("\\.", 4);
        for (int i = 0; i < 3; i++) {
            int c = Long.compare(number(x, i), number(y, i));
            if (c != 0) {
                return c;
            }
        }
        return (x.length > 3 ? x[3] : "").compareTo(y.length > 3 ? y[3] : "");
    };

    private static long number(String[] parts, int i) {
        try {
            return i < parts.length ? Long.parseLong(parts[i]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The file name this bundle gets in the plugin folder: id_version.jar, or id_version for a directory. */
    public String folderName() {
        return id + "_" + version + (Files.isDirectory(path) ? "" : ".jar");
    }

    /** Reads the manifest of a jar or an unpacked bundle directory; refuses anything that is not a bundle. */
    public static BundleFile read(Path path) throws PluginException {
        Manifest m;
        try {
            if (Files.isDirectory(path)) {
                Path mf = path.resolve("META-INF/MANIFEST.MF");
                if (!Files.isRegularFile(mf)) {
                    throw new PluginException(Exit.NOT_A_BUNDLE, path + " is not an OSGi bundle: it has no META-INF/MANIFEST.MF");
                }
                try (InputStream in = Files.newInputStream(mf)) {
                    m = new Manifest(in);
                }
            } else {
                try (JarFile jar = new JarFile(path.toFile(), false)) {
                    m = jar.getManifest();
                }
                if (m == null) {
                    throw new PluginException(Exit.NOT_A_BUNDLE, path + " is not an OSGi bundle: the jar has no META-INF/MANIFEST.MF");
                }
            }
        } catch (IOException e) {
            throw new PluginException(Exit.NOT_A_BUNDLE, path + " cannot be read as a jar: " + e.getMessage(), e);
        }
        String name = m.getMainAttributes().getValue("Bundle-SymbolicName");
        if (name == null || clause(name).isEmpty()) {
            throw new PluginException(Exit.NOT_A_BUNDLE, path + " is not an OSGi bundle: its manifest has no Bundle-SymbolicName "
                    + "(a plain library jar must be wrapped as a bundle first, e.g. with bnd)");
        }
        String id = clause(name);
        if (!id.matches("[A-Za-z0-9_.-]+")) {
            throw new PluginException(Exit.NOT_A_BUNDLE, path + ": Bundle-SymbolicName '" + id + "' is not a valid bundle id");
        }
        String version = m.getMainAttributes().getValue("Bundle-Version");
        version = version == null || version.isBlank() ? "0.0.0" : version.strip();
        if (!version.matches("[0-9]+(\\.[0-9]+(\\.[0-9]+(\\.[A-Za-z0-9_-]+)?)?)?")) {
            throw new PluginException(Exit.NOT_A_BUNDLE, path + ": Bundle-Version '" + version + "' is not an OSGi version");
        }
        return new BundleFile(id, version, m.getMainAttributes().getValue("Fragment-Host") != null, path);
    }

    /** The first clause of a header, without its attributes and directives. */
    private static String clause(String header) {
        int semi = header.indexOf(';');
        return (semi < 0 ? header : header.substring(0, semi)).strip();
    }
}
