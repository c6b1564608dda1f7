package org.layerwise.releng.baseline;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.jar.Manifest;

import aQute.bnd.differ.Baseline;
import aQute.bnd.differ.DiffPluginImpl;
import aQute.bnd.header.Attrs;
import aQute.bnd.header.Parameters;
import aQute.bnd.osgi.Instructions;
import aQute.bnd.osgi.Jar;
import aQute.bnd.osgi.Processor;
import aQute.bnd.service.diff.Delta;
import aQute.bnd.service.diff.Diff;
import aQute.bnd.service.diff.Tree;
import aQute.bnd.service.diff.Type;
import aQute.bnd.version.Version;
import aQute.lib.json.JSONCodec;

/**
 * Compares a built bundle with its baseline (the same bundle of the last release) package by
 * package, with bnd's differ. The baseline is kept as text, not as the released jar: bnd's API
 * tree of the bundle (every public and protected type, member and version of its packages) and
 * its Export-Package header, recorded in baseline/ID.api.json by {@link #record}. The API is every package the baseline exports without
 * {@code x-internal:=true} or {@code x-friends}. An incompatible change of such a package (bnd's
 * MAJOR delta: something removed or changed that a user of the package compiled against, or a
 * method added to an interface users implement) must raise the package's version past its
 * breaking segment: the major, or for 0.x versions the minor (0.1.0 to 0.2.0). Removing an API
 * package, or marking it internal, is always incompatible. Compatible additions (MINOR) are
 * reported, not refused.
 */
final class ApiBaseline {

    /** A refused change: the bundle, the package and what changed. */
    record Problem(String bundle, String packageName, String text) {
        @Override
        public String toString() {
            return bundle + ": package " + packageName + ": " + text;
        }
    }

    /** What the comparison found: refused changes, and notes about compatible ones. */
    record Outcome(List<Problem> problems, List<String> notes) {
    }

    private static final int MAX_CAUSES = 12;

    private ApiBaseline() {
    }

    /** A bundle's API as the baseline keeps it. */
    record Recorded(String bundle, String exportPackage, Tree tree) {
    }

    /** baseline/ID.api.json as written: public fields, for bnd's JSON codec. */
    public static final class Stored {
        public String bundle;
        public String exportPackage;
        public Tree.Data tree;
    }

    /** The API of a bundle jar, as {@link #write} keeps it. */
    static Recorded record(Path jar) throws Exception {
        try (Jar j = new Jar(jar.toFile())) {
            Manifest m = j.getManifest();
            if (m == null) {
                throw new IOException(jar + " has no manifest");
            }
            return new Recorded(j.getBsn(), m.getMainAttributes().getValue("Export-Package"), new DiffPluginImpl().tree(j));
        }
    }

    static void write(Recorded r, Path file) throws Exception {
        Stored s = new Stored();
        s.bundle = r.bundle();
        s.exportPackage = r.exportPackage();
        s.tree = serialize(r.tree());
        StringWriter text = new StringWriter();
        new JSONCodec().enc().indent(" ").to(text).put(s).close();
        Files.writeString(file, text + "\n", StandardCharsets.UTF_8);
    }

    static Recorded read(Path file) throws Exception {
        Stored s = new JSONCodec().dec().from(file.toFile()).get(Stored.class);
        if (s.bundle == null || s.exportPackage == null || s.tree == null) {
            throw new IOException(file + ": expected the fields bundle, exportPackage and tree");
        }
        return new Recorded(s.bundle, s.exportPackage, tree(s.tree));
    }

    // bnd's tree class (aQute.bnd.differ.Element) is package-private; its Data form and the
    // constructor from it are public, and are what bnd itself stores trees with.
    private static Tree.Data serialize(Tree tree) throws ReflectiveOperationException {
        java.lang.reflect.Method m = tree.getClass().getMethod("serialize");
        m.setAccessible(true);
        return (Tree.Data) m.invoke(tree);
    }

    private static Tree tree(Tree.Data data) throws ReflectiveOperationException {
        java.lang.reflect.Constructor<?> c = Class.forName("aQute.bnd.differ.Element").getConstructor(Tree.Data.class);
        c.setAccessible(true);
        return (Tree) c.newInstance(data);
    }

    static Outcome compare(Path built, Recorded older) throws Exception {
        List<Problem> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        try (Processor reporter = new Processor(); Jar newer = new Jar(built.toFile())) {
            String bundle = older.bundle();
            Parameters oldExports = new Parameters(older.exportPackage(), reporter);
            Parameters newExports = exports(newer, reporter);
            List<String> api = new ArrayList<>();
            for (Map.Entry<String, Attrs> e : oldExports.entrySet()) {
                if (!internal(e.getValue())) {
                    api.add(Processor.removeDuplicateMarker(e.getKey()));
                }
            }
            for (String p : api) {
                Attrs now = newExports.get(p);
                if (now == null) {
                    problems.add(new Problem(bundle, p, "no longer exported (an API package cannot be removed)"));
                } else if (internal(now)) {
                    problems.add(new Problem(bundle, p, "now marked internal (x-internal or x-friends); it was API"));
                }
            }
            if (api.isEmpty()) {
                return new Outcome(problems, notes);
            }
            Baseline differ = new Baseline(reporter, new DiffPluginImpl());
            Instructions only = new Instructions(new Parameters(String.join(",", api), reporter));
            Tree newTree = new DiffPluginImpl().tree(newer);
            for (Baseline.Info info : differ.baseline(newTree, newExports, older.tree(), oldExports, only)) {
                Delta delta = info.packageDiff.getDelta();
                if (delta == Delta.REMOVED || !newExports.containsKey(info.packageName)) {
                    continue; // reported above
                }
                if (delta == Delta.MAJOR) {
                    Version required = breaking(info.olderVersion);
                    if (info.newerVersion.compareTo(required) < 0) {
                        problems.add(new Problem(bundle, info.packageName, "incompatible change with the version still "
                                + info.newerVersion + " (the release had " + info.olderVersion + "; raise it to " + required
                                + " or keep the API):\n" + causes(info.packageDiff)));
                    }
                } else if (delta == Delta.MINOR || delta == Delta.MICRO) {
                    notes.add(bundle + ": package " + info.packageName + ": compatible change (" + delta + ") at version "
                            + info.newerVersion + " (release " + info.olderVersion + ")");
                }
            }
        }
        return new Outcome(problems, notes);
    }

    static Parameters exports(Jar jar, Processor reporter) throws Exception {
        Manifest m = jar.getManifest();
        if (m == null) {
            throw new IOException(jar.getName() + " has no manifest");
        }
        return new Parameters(m.getMainAttributes().getValue("Export-Package"), reporter);
    }

    static boolean internal(Attrs attrs) {
        return "true".equals(attrs.get("x-internal:")) || attrs.containsKey("x-friends:");
    }

    /** The lowest version that announces a breaking change of a package at version v. */
    static Version breaking(Version v) {
        return v.getMajor() > 0 ? new Version(v.getMajor() + 1, 0, 0) : new Version(0, v.getMinor() + 1, 0);
    }

    /** The innermost incompatible changes under a package's diff, one line each. */
    static String causes(Diff packageDiff) {
        List<String> lines = new ArrayList<>();
        collect(packageDiff, "", lines);
        if (lines.size() > MAX_CAUSES) {
            int more = lines.size() - MAX_CAUSES;
            lines = new ArrayList<>(lines.subList(0, MAX_CAUSES));
            lines.add("  ... and " + more + " more");
        }
        return String.join("\n", lines);
    }

    private static void collect(Diff diff, String path, List<String> lines) {
        for (Diff child : diff.getChildren()) {
            boolean breaking = child.getDelta() == Delta.MAJOR || child.getDelta() == Delta.REMOVED;
            if (!breaking || child.getType() == Type.VERSION) {
                continue;
            }
            String name = path.isEmpty() ? child.getName() : path + " " + child.getName();
            boolean deeper = child.getDelta() == Delta.MAJOR && child.getChildren().stream()
                    .anyMatch(c -> (c.getDelta() == Delta.MAJOR || c.getDelta() == Delta.REMOVED) && c.getType() != Type.VERSION);
            if (deeper) {
                collect(child, name, lines);
            } else {
                lines.add("  " + child.getType() + " " + child.getDelta() + ": " + name);
            }
        }
    }
}
