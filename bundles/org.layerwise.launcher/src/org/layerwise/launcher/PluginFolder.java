package org.layerwise.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

/**
 * The managed plugin folder both products read at start-up: one entry per bundle id, a jar
 * (id_version.jar) or an unpacked bundle (id_version/). It lives outside the build output, so
 * rebuilding or cleaning Layerwise keeps it. {@link #add} validates what it copies in; a bundle
 * that is one of Layerwise's own (or in the org.layerwise. namespace) is refused.
 */
public final class PluginFolder {

    /** The variable that names the folder. */
    public static final String ENV = "LAYERWISE_PLUGINS";
    /** Bundle ids in this namespace are Layerwise's own (the registry treats them as built-in). */
    public static final String RESERVED = "org.layerwise.";

    /** What the folder holds: its bundles by id, and entries that are not bundles. */
    public record Listing(List<BundleFile> bundles, List<String> problems) {
    }

    private final Path dir;
    private final Map<String, String> own;

    /**
     * @param dir the folder (created on the first add)
     * @param own Layerwise's own bundles, id to a description such as "3.24.100 (batch product)"
     */
    public PluginFolder(Path dir, Map<String, String> own) {
        this.dir = dir.toAbsolutePath().normalize();
        this.own = Map.copyOf(own);
    }

    /** $LAYERWISE_PLUGINS, else $XDG_DATA_HOME/layerwise/plugins, else ~/.local/share/layerwise/plugins. */
    public static Path location(Map<String, String> env) {
        String explicit = env.get(ENV);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit).toAbsolutePath().normalize();
        }
        String data = env.get("XDG_DATA_HOME");
        if (data == null || data.isBlank() || !Path.of(data).isAbsolute()) {
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            data = Path.of(home, ".local", "share").toString();
        }
        return Path.of(data, "layerwise", "plugins").toAbsolutePath().normalize();
    }

    public Path dir() {
        return dir;
    }

    /** The folder's bundles sorted by id; files that are not bundles are named in problems (and ignored). */
    public Listing list() throws PluginException {
        List<BundleFile> bundles = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Path p : entries()) {
            try {
                bundles.add(BundleFile.read(p));
            } catch (PluginException e) {
                problems.add(e.getMessage() + "; ignored");
            }
        }
        bundles.sort(Comparator.comparing(BundleFile::id).thenComparing(BundleFile::version, BundleFile.VERSION_ORDER));
        return new Listing(bundles, problems);
    }

    /** The folder's entries (jars and directories, hidden working files left out), sorted by name. */
    List<Path> entries() throws PluginException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                if (!n.startsWith(".") && (Files.isDirectory(p) || n.endsWith(".jar"))) {
                    out.add(p);
                }
            }
        } catch (IOException e) {
            throw new PluginException(Exit.FOLDER, "the plugin folder " + dir + " cannot be read: " + e.getMessage(), e);
        }
        out.sort(Comparator.comparing(p -> p.getFileName().toString()));
        return out;
    }

    /**
     * Adds a bundle jar, an unpacked bundle directory, a directory of bundle jars, or the bundles of
     * a local p2 repository (a directory or file: URL). Returns one line per thing done.
     */
    public List<String> add(String spec) throws PluginException {
        Path source = P2Repository.location(spec).toAbsolutePath().normalize();
        if (!Files.exists(source)) {
            throw new PluginException(Exit.SOURCE, source + " does not exist");
        }
        if (!Files.isReadable(source)) {
            throw new PluginException(Exit.SOURCE, source + " cannot be read (permission denied)");
        }
        if (Files.isRegularFile(source)) {
            BundleFile b = BundleFile.read(source);
            refuseOwn(b);
            return List.of(install(b));
        }
        if (!Files.isDirectory(source)) {
            throw new PluginException(Exit.SOURCE, source + " is neither a jar, a directory nor a p2 repository");
        }
        if (Files.isRegularFile(source.resolve("META-INF/MANIFEST.MF"))) {
            BundleFile b = BundleFile.read(source);
            refuseOwn(b);
            return List.of(install(b));
        }
        if (P2Repository.isRepository(source)) {
            return addSite(source);
        }
        return addJars(source);
    }

    private List<String> addSite(Path site) throws PluginException {
        List<BundleFile> bundles = new ArrayList<>();
        List<P2Repository.Artifact> artifacts = P2Repository.bundles(site);
        if (artifacts.isEmpty()) {
            throw new PluginException(Exit.NOT_A_BUNDLE, "the p2 repository " + site + " lists no bundle");
        }
        for (P2Repository.Artifact a : artifacts) {
            if (!Files.isRegularFile(a.file())) {
                throw new PluginException(Exit.SOURCE, "the p2 repository " + site + " lists " + a.id() + " " + a.version()
                        + " but its file " + a.file() + " is missing");
            }
            if (a.sha256() != null && !a.sha256().isBlank() && !a.sha256().equalsIgnoreCase(sha256(a.file()))) {
                throw new PluginException(Exit.SOURCE, a.file() + " does not match the SHA-256 that the p2 repository records "
                        + "for " + a.id() + " " + a.version() + " (a damaged or replaced file)");
            }
            bundles.add(BundleFile.read(a.file()));
        }
        return installAll(site, bundles, "the p2 repository");
    }

    private List<String> addJars(Path folder) throws PluginException {
        List<BundleFile> bundles = new ArrayList<>();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".jar") && Files.isRegularFile(p)).sorted().toList()) {
                bundles.add(BundleFile.read(p)); // one jar that is no bundle refuses the whole folder
            }
        } catch (IOException e) {
            throw new PluginException(Exit.SOURCE, folder + " cannot be listed: " + e.getMessage(), e);
        }
        if (bundles.isEmpty()) {
            throw new PluginException(Exit.SOURCE, folder + " holds no jar, is no unpacked bundle (no META-INF/MANIFEST.MF) "
                    + "and no p2 repository (no artifacts.xml or artifacts.jar)");
        }
        return installAll(folder, bundles, "the folder");
    }

    /** Installs the newest of each id; those Layerwise has itself are skipped (a site usually carries the platform). */
    private List<String> installAll(Path from, List<BundleFile> bundles, String what) throws PluginException {
        Map<String, BundleFile> newest = new LinkedHashMap<>();
        for (BundleFile b : bundles) {
            newest.merge(b.id(), b, (x, y) -> BundleFile.VERSION_ORDER.compare(y.version(), x.version()) > 0 ? y : x);
        }
        List<String> done = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (BundleFile b : newest.values()) {
            String reason = ownReason(b.id());
            if (reason != null) {
                skipped.add("skipped " + b.id() + " " + b.version() + ": " + reason);
            } else {
                done.add(install(b));
            }
        }
        if (done.isEmpty()) {
            throw new PluginException(Exit.CLASH, "nothing to install from " + what + " " + from + ": every bundle in it is "
                    + "Layerwise's own (" + String.join(", ", newest.keySet()) + ")");
        }
        done.addAll(skipped);
        return done;
    }

    private void refuseOwn(BundleFile b) throws PluginException {
        String reason = ownReason(b.id());
        if (reason != null) {
            throw new PluginException(Exit.CLASH, "refused " + b.id() + " " + b.version() + " (" + b.path() + "): " + reason);
        }
    }

    /** Why an id cannot be a plugin, or null. */
    private String ownReason(String id) {
        if (own.containsKey(id)) {
            return "Layerwise has this bundle itself (" + own.get(id) + "); a plugin cannot replace it";
        }
        if (id.startsWith(RESERVED)) {
            return "ids starting with " + RESERVED + " are reserved for Layerwise's own bundles; give the plugin an id of "
                    + "its own, e.g. com.example.myanalyzer";
        }
        return null;
    }

    /** Copies one bundle in (to a hidden name, then renamed), then removes other versions of its id. */
    private String install(BundleFile b) throws PluginException {
        List<BundleFile> before = new ArrayList<>();
        for (BundleFile x : list().bundles()) {
            if (x.id().equals(b.id())) {
                before.add(x);
            }
        }
        Path target = dir.resolve(b.folderName());
        Path tmp = dir.resolve("." + b.folderName() + ".tmp-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong()));
        try {
            Files.createDirectories(dir);
            if (Files.isDirectory(b.path())) {
                copyTree(b.path(), tmp);
                if (Files.exists(target)) {
                    delete(target);
                }
            } else {
                Files.copy(b.path(), tmp); // a fresh modification time: the next start sees a changed plugin
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            for (BundleFile old : before) {
                if (!old.path().toAbsolutePath().normalize().equals(target)) {
                    delete(old.path());
                }
            }
        } catch (IOException e) {
            try {
                delete(tmp);
            } catch (IOException ignored) {
                // a hidden leftover is never read as a plugin
            }
            throw new PluginException(Exit.FOLDER, "cannot write " + target + ": " + e.getMessage(), e);
        }
        String kind = b.fragment() ? "fragment " : "";
        if (before.isEmpty()) {
            return "installed " + kind + b.id() + " " + b.version() + " -> " + target;
        }
        List<String> versions = before.stream().map(BundleFile::version).toList();
        return (versions.equals(List.of(b.version())) ? "reinstalled " + kind + b.id() + " " + b.version()
                : "replaced " + kind + b.id() + " " + String.join(", ", versions) + " with " + b.version()) + " -> " + target;
    }

    /** Removes every version of a plugin; returns what it removed. */
    public List<String> remove(String id) throws PluginException {
        Listing l = list();
        List<String> done = new ArrayList<>();
        for (BundleFile b : l.bundles()) {
            if (b.id().equals(id)) {
                try {
                    delete(b.path());
                } catch (IOException e) {
                    throw new PluginException(Exit.FOLDER, "cannot remove " + b.path() + ": " + e.getMessage(), e);
                }
                done.add("removed " + b.id() + " " + b.version() + " (" + b.path() + ")");
            }
        }
        if (done.isEmpty()) {
            List<String> ids = l.bundles().stream().map(BundleFile::id).distinct().toList();
            throw new PluginException(Exit.NOT_INSTALLED, "no plugin with id '" + id + "' is in " + dir + " (installed: "
                    + (ids.isEmpty() ? "none" : String.join(", ", ids)) + ")");
        }
        return done;
    }

    static String sha256(Path file) throws PluginException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0;) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new PluginException(Exit.SOURCE, file + " cannot be read: " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes a) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes a) throws IOException {
                Files.copy(f, to.resolve(from.relativize(f).toString()));
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void delete(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> s = Files.walk(p)) {
                for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(x);
                }
            }
        } else {
            Files.deleteIfExists(p);
        }
    }
}
