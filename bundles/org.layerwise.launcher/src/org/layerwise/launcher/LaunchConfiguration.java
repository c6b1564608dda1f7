package org.layerwise.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The configuration area a product starts with: the product's own config.ini and bundles.info
 * (Equinox simpleconfigurator), plus one bundles.info line per plugin in the plugin folder. It
 * lives in the cache, named by a hash of the product build (its config.ini and bundles.info)
 * and of the plugin folder (each entry's name, size and modification time): a changed,
 * added or removed plugin gets a fresh area, so no cached registry or framework state of an
 * older jar is ever reused, and nothing in the product directory is written.
 */
public final class LaunchConfiguration {

    /** Where simpleconfigurator's list lives, relative to a configuration area (as p2 lays it out). */
    public static final String BUNDLES_INFO = "org.eclipse.equinox.simpleconfigurator/bundles.info";
    static final String CONFIG_URL = "org.eclipse.equinox.simpleconfigurator.configUrl";
    static final String WARNINGS = "warnings.txt";
    static final String IN_USE = ".in-use";
    /** Plugins start at the level of the product's own bundles, not marked started (activated lazily). */
    static final String PLUGIN_START = ",4,false";

    /** The area to start with, whether it was made now, and what was wrong with the plugin folder. */
    public record Area(Path dir, boolean created, List<String> warnings) {
    }

    /** Kept open for the life of the process: a shared lock that keeps other processes from pruning the area. */
    private static final List<FileChannel> HELD = new ArrayList<>();

    private LaunchConfiguration() {
    }

    /**
     * The configuration area for this product and plugin folder, made (atomically) when none exists
     * for their current state; older areas of the same product that no process uses are deleted.
     */
    public static Area prepare(Path product, String name, Path plugins, Path cache) throws PluginException {
        product = product.toAbsolutePath().normalize();
        String prefix = name + "-" + hash("product " + product).substring(0, 8) + "-";
        Path area;
        try {
            area = cache.toAbsolutePath().normalize().resolve(prefix + key(product, plugins).substring(0, 16));
        } catch (IOException | UncheckedIOException e) {
            throw new PluginException(Exit.FOLDER, "cannot read the product at " + product + " or the plugin folder " + plugins
                    + ": " + e.getMessage(), e);
        }
        if (Files.isRegularFile(area.resolve(BUNDLES_INFO))) {
            return new Area(area, false, readWarnings(area));
        }
        List<String> warnings = new ArrayList<>();
        Path tmp = area.resolveSibling("." + area.getFileName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.createDirectories(tmp.resolve(BUNDLES_INFO).getParent());
            write(product, plugins, tmp, area, warnings);
            try {
                Files.move(tmp, area, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException raced) {
                if (!Files.isRegularFile(area.resolve(BUNDLES_INFO))) {
                    throw raced;
                }
                PluginFolder.delete(tmp); // another launch made the same area first
            }
        } catch (IOException e) {
            try {
                PluginFolder.delete(tmp);
            } catch (IOException ignored) {
                // a hidden leftover is pruned later
            }
            throw new PluginException(Exit.FOLDER, "cannot write the configuration area " + area + ": " + e.getMessage(), e);
        }
        prune(area.getParent(), prefix, area);
        return new Area(area, true, warnings);
    }

    /**
     * The hash naming a configuration: the product path, its config.ini and bundles.info (size,
     * time, content), and every entry of the plugin folder (name, size, modification time; a
     * directory's files each).
     */
    static String key(Path product, Path plugins) throws IOException {
        StringBuilder sb = new StringBuilder("layerwise-configuration 1\n").append(product).append('\n');
        for (Path f : List.of(product.resolve("configuration/config.ini"), product.resolve("configuration").resolve(BUNDLES_INFO))) {
            if (Files.isRegularFile(f)) {
                sb.append(stat(product, f)).append(hash(Files.readString(f, StandardCharsets.UTF_8))).append('\n');
            }
        }
        if (Files.isDirectory(plugins)) {
            try (Stream<Path> s = Files.walk(plugins)) {
                for (Path p : s.filter(p -> !p.equals(plugins) && !hidden(plugins, p)).sorted().toList()) {
                    if (Files.isRegularFile(p)) {
                        sb.append(stat(plugins, p)).append('\n');
                    }
                }
            }
        }
        return hash(sb.toString());
    }

    private static boolean hidden(Path root, Path p) {
        return root.relativize(p).getName(0).toString().startsWith(".");
    }

    private static String stat(Path root, Path f) throws IOException {
        BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
        return root.relativize(f) + " " + a.size() + " " + a.lastModifiedTime().toInstant() + " ";
    }

    private static void write(Path product, Path plugins, Path tmp, Path area, List<String> warnings) throws IOException,
            PluginException {
        Path productConfig = product.resolve("configuration/config.ini");
        Path productInfo = product.resolve("configuration").resolve(BUNDLES_INFO);
        if (!Files.isRegularFile(productInfo) || !Files.isRegularFile(productConfig)) {
            throw new PluginException(Exit.FOLDER, "the product at " + product + " has no " + productInfo.getFileName()
                    + " of Equinox simpleconfigurator (built before Layerwise used it?): rebuild it");
        }
        Properties config = new Properties();
        try (InputStream in = Files.newInputStream(productConfig)) {
            config.load(in);
        }
        config.setProperty(CONFIG_URL, area.resolve(BUNDLES_INFO).toUri().toString());
        String framework = config.getProperty("osgi.framework");
        if (framework != null && framework.startsWith("file:") && !framework.startsWith("file:/")) {
            config.setProperty("osgi.framework", product.resolve(framework.substring("file:".length())).toUri().toString());
        }
        config.setProperty("eclipse.p2.data.area", product.resolve("p2").toUri().toString());

        List<String> lines = new ArrayList<>();
        Map<String, String> own = new LinkedHashMap<>();
        for (String line : Files.readAllLines(productInfo, StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.isBlank()) {
                lines.add(line);
                continue;
            }
            String[] f = line.split(",", -1);
            if (f.length >= 5) {
                own.put(f[0], f[1]);
                if (!f[2].matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
                    f[2] = location(product.resolve(f[2]));
                }
                lines.add(String.join(",", f));
            }
        }
        PluginFolder folder = new PluginFolder(plugins, Map.of());
        PluginFolder.Listing listing = folder.list();
        warnings.addAll(listing.problems());
        for (BundleFile b : listing.bundles()) {
            if (own.containsKey(b.id())) {
                warnings.add("the plugin " + b.id() + " " + b.version() + " (" + b.path() + ") is ignored: Layerwise has this "
                        + "bundle itself (" + own.get(b.id()) + ")");
            } else {
                lines.add(b.id() + "," + b.version() + "," + location(b.path()) + PLUGIN_START);
            }
        }
        Files.write(tmp.resolve(BUNDLES_INFO), lines, StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(tmp.resolve("config.ini"))) {
            config.store(out, "Written by the Layerwise launcher from " + productConfig + " and the plugin folder " + plugins);
        }
        Files.write(tmp.resolve(WARNINGS), warnings, StandardCharsets.UTF_8);
    }

    /** A bundles.info location: an absolute file: URI, its commas escaped (the list is comma separated). */
    static String location(Path p) {
        return p.toAbsolutePath().normalize().toUri().toString().replace(",", "%2C");
    }

    private static List<String> readWarnings(Path area) {
        try {
            return Files.readAllLines(area.resolve(WARNINGS), StandardCharsets.UTF_8).stream().filter(s -> !s.isBlank()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The bundles of a built product, id to version, from its bundles.info (empty when it has none). */
    public static Map<String, String> productBundles(Path product) throws IOException {
        Map<String, String> own = new LinkedHashMap<>();
        Path info = product.resolve("configuration").resolve(BUNDLES_INFO);
        if (Files.isRegularFile(info)) {
            for (String line : Files.readAllLines(info, StandardCharsets.UTF_8)) {
                String[] f = line.split(",", -1);
                if (!line.startsWith("#") && f.length >= 5) {
                    own.put(f[0], f[1]);
                }
            }
        }
        return own;
    }

    /**
     * Marks the area as used by this process until it exits (a shared OS lock on its .in-use file),
     * so that another process does not prune it.
     */
    public static void holdInUse(Path area) {
        try {
            FileChannel ch = FileChannel.open(area.resolve(IN_USE), StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.READ);
            if (ch.tryLock(0, Long.MAX_VALUE, true) == null) {
                ch.close();
                return;
            }
            synchronized (HELD) {
                HELD.add(ch);
            }
        } catch (IOException | OverlappingFileLockException e) {
            // no locks on this file system: the area may be pruned by a later start, which this run survives
        }
    }

    /** Deletes the areas of the same product (same prefix) other than keep, unless a process holds them. */
    static void prune(Path cache, String prefix, Path keep) {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(cache)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                boolean ours = n.startsWith(prefix) || n.startsWith("." + prefix) && isOld(p);
                if (ours && !p.equals(keep) && Files.isDirectory(p) && !inUse(p)) {
                    PluginFolder.delete(p);
                }
            }
        } catch (IOException e) {
            // pruning is housekeeping; a leftover area costs only disk
        }
    }

    private static boolean isOld(Path p) throws IOException {
        return Files.getLastModifiedTime(p).toMillis() < System.currentTimeMillis() - 3_600_000L;
    }

    static boolean inUse(Path area) {
        Path f = area.resolve(IN_USE);
        if (!Files.exists(f)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                return true;
            }
            lock.release();
            return false;
        } catch (OverlappingFileLockException e) {
            return true; // held by this very process
        } catch (IOException e) {
            return true; // cannot tell: keep it
        }
    }

    static String hash(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
