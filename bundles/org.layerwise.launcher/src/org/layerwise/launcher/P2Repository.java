package org.layerwise.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * A local p2 artifact repository read through its own index: artifacts.xml (or artifacts.jar),
 * its mapping rules from artifact keys to files, and composite repositories' children. Yields
 * the bundles (classifier osgi.bundle) it holds, checked against the SHA-256 the index records.
 * Only local repositories: nothing is downloaded.
 */
public final class P2Repository {

    /** A bundle artifact of the repository: id, version and the file p2's mapping rules name. */
    public record Artifact(String id, String version, Path file, String sha256) {
    }

    private static final Pattern TERM = Pattern.compile("\\(\\s*([A-Za-z0-9_.-]+)\\s*=\\s*([^)]*?)\\s*\\)");

    private P2Repository() {
    }

    /** True when the directory holds a p2 artifact repository index. */
    public static boolean isRepository(Path dir) {
        for (String name : List.of("artifacts.xml", "artifacts.jar", "compositeArtifacts.xml", "compositeArtifacts.jar",
                "artifacts.xml.xz", "p2.index")) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return true;
            }
        }
        return false;
    }

    /** The local directory of a p2 repository given as a directory or a file: URL; other URLs are refused. */
    public static Path location(String spec) throws PluginException {
        if (spec.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*") && !spec.matches("^[A-Za-z]:[\\\\/].*")) {
            URI uri;
            try {
                uri = URI.create(spec);
            } catch (IllegalArgumentException e) {
                throw new PluginException(Exit.SOURCE, spec + " is not a valid URL: " + e.getMessage());
            }
            if (!"file".equalsIgnoreCase(uri.getScheme())) {
                throw new PluginException(Exit.SOURCE, spec + ": only local p2 repositories (a directory or a file: URL) can be "
                        + "added; nothing is downloaded. Copy or mirror the repository to this machine first.");
            }
            return Path.of(uri);
        }
        return Path.of(spec);
    }

    /** Every bundle of the repository (children of a composite included), the newest version of each id only. */
    public static List<Artifact> bundles(Path repository) throws PluginException {
        Map<String, Artifact> newest = new LinkedHashMap<>();
        collect(repository.toAbsolutePath().normalize(), newest, 0);
        return List.copyOf(newest.values());
    }

    private static void collect(Path repo, Map<String, Artifact> into, int depth) throws PluginException {
        if (depth > 8) {
            throw new PluginException(Exit.SOURCE, repo + ": composite repositories nest too deep (a cycle?)");
        }
        Document composite = index(repo, "compositeArtifacts");
        if (composite != null) {
            NodeList children = composite.getElementsByTagName("child");
            for (int i = 0; i < children.getLength(); i++) {
                String location = ((Element) children.item(i)).getAttribute("location");
                Path child;
                if (location.matches("^[A-Za-z][A-Za-z0-9+.-]*:.*")) {
                    child = location(location);
                } else {
                    child = repo.resolve(location).normalize();
                }
                collect(child, into, depth + 1);
            }
            return;
        }
        Document simple = index(repo, "artifacts");
        if (simple == null) {
            if (Files.isRegularFile(repo.resolve("artifacts.xml.xz"))) {
                throw new PluginException(Exit.SOURCE, repo + ": this p2 repository has only an artifacts.xml.xz index, which "
                        + "cannot be read here; build it with the jar index too (Tycho writes artifacts.jar by default)");
            }
            throw new PluginException(Exit.SOURCE, repo + " is not a p2 repository (no artifacts.xml, artifacts.jar or "
                    + "compositeArtifacts.xml)");
        }
        List<String[]> rules = new ArrayList<>();
        NodeList ruleNodes = simple.getElementsByTagName("rule");
        for (int i = 0; i < ruleNodes.getLength(); i++) {
            Element r = (Element) ruleNodes.item(i);
            rules.add(new String[] {r.getAttribute("filter"), r.getAttribute("output")});
        }
        NodeList artifacts = simple.getElementsByTagName("artifact");
        for (int i = 0; i < artifacts.getLength(); i++) {
            Element a = (Element) artifacts.item(i);
            Map<String, String> keys = new HashMap<>();
            keys.put("classifier", a.getAttribute("classifier"));
            keys.put("id", a.getAttribute("id"));
            keys.put("version", a.getAttribute("version"));
            String sha256 = null;
            NodeList props = a.getElementsByTagName("property");
            for (int j = 0; j < props.getLength(); j++) {
                Element p = (Element) props.item(j);
                if (p.getAttribute("name").equals("format")) {
                    keys.put("format", p.getAttribute("value"));
                } else if (p.getAttribute("name").equals("download.checksum.sha-256")) {
                    sha256 = p.getAttribute("value");
                }
            }
            if (!"osgi.bundle".equals(keys.get("classifier")) || keys.containsKey("format")) {
                continue; // features, binaries and packed (pack200) copies are not bundles to install
            }
            Path file = file(repo, rules, keys);
            if (file == null) {
                throw new PluginException(Exit.SOURCE, repo + ": no mapping rule names the file of bundle " + keys.get("id")
                        + " " + keys.get("version"));
            }
            Artifact art = new Artifact(keys.get("id"), keys.get("version"), file, sha256);
            Artifact old = into.get(art.id());
            if (old == null || BundleFile.VERSION_ORDER.compare(art.version(), old.version()) > 0) {
                into.put(art.id(), art);
            }
        }
    }

    /** The file of an artifact by the first mapping rule whose filter it matches (p2's rule order). */
    private static Path file(Path repo, List<String[]> rules, Map<String, String> keys) throws PluginException {
        for (String[] rule : rules) {
            if (matches(rule[0], keys)) {
                String base = repo.toUri().toString();
                String out = rule[1].replace("${repoUrl}", base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                        .replace("${id}", keys.get("id")).replace("${version}", keys.get("version"))
                        .replace("${classifier}", keys.get("classifier"));
                return location(out);
            }
        }
        return null;
    }

    /** Matches a mapping rule's LDAP filter of the form (&amp; (k=v)...) or (k=v) against the artifact's keys. */
    static boolean matches(String filter, Map<String, String> keys) {
        Matcher m = TERM.matcher(filter);
        boolean any = false;
        while (m.find()) {
            any = true;
            if (!m.group(2).equals(keys.get(m.group(1)))) {
                return false;
            }
        }
        return any;
    }

    /** NAME.xml or NAME.jar (a zip holding NAME.xml) of the repository, parsed, or null when it has neither. */
    private static Document index(Path repo, String name) throws PluginException {
        Path xml = repo.resolve(name + ".xml");
        Path jar = repo.resolve(name + ".jar");
        try {
            if (Files.isRegularFile(xml)) {
                try (InputStream in = Files.newInputStream(xml)) {
                    return parse(in);
                }
            }
            if (Files.isRegularFile(jar)) {
                try (ZipFile zip = new ZipFile(jar.toFile())) {
                    ZipEntry e = zip.getEntry(name + ".xml");
                    if (e == null) {
                        throw new PluginException(Exit.SOURCE, jar + " holds no " + name + ".xml");
                    }
                    try (InputStream in = zip.getInputStream(e)) {
                        return parse(in);
                    }
                }
            }
        } catch (IOException | SAXException e) {
            throw new PluginException(Exit.SOURCE, repo + ": the p2 index " + name + " cannot be read: " + e.getMessage(), e);
        }
        return null;
    }

    private static Document parse(InputStream in) throws IOException, SAXException {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            f.setExpandEntityReferences(false);
            DocumentBuilder b = f.newDocumentBuilder();
            return b.parse(in);
        } catch (ParserConfigurationException e) {
            throw new IOException(e);
        }
    }
}
