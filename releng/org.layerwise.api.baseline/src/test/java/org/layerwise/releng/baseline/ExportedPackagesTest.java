package org.layerwise.releng.baseline;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import aQute.bnd.header.Attrs;
import aQute.bnd.header.Parameters;
import aQute.bnd.osgi.Processor;

/**
 * The Export-Package headers of the repository's bundles (source MANIFEST.MF files, no build
 * needed): every package carries a version, and the packages not marked x-internal or
 * x-friends, the API, are those of the SDK feature's bundles, the API the baseline guards.
 */
class ExportedPackagesTest {

    /** bundle id to its Export-Package, for every bundle under bundles/ and releng/. */
    static Map<String, Parameters> exports(Processor reporter) throws Exception {
        Map<String, Parameters> out = new LinkedHashMap<>();
        for (String folder : List.of("bundles", "releng")) {
            try (Stream<Path> s = Files.list(ApiBaselineTest.ROOT.resolve(folder))) {
                for (Path b : s.sorted().toList()) {
                    Path mf = b.resolve("META-INF/MANIFEST.MF");
                    if (!Files.isRegularFile(mf)) {
                        continue;
                    }
                    try (InputStream in = Files.newInputStream(mf)) {
                        String header = new Manifest(in).getMainAttributes().getValue("Export-Package");
                        out.put(b.getFileName().toString(), new Parameters(header, reporter));
                    }
                }
            }
        }
        return out;
    }

    static Set<String> sdkBundles() throws Exception {
        String feature = Files.readString(ApiBaselineTest.ROOT.resolve("features/org.layerwise.sdk.feature/feature.xml"));
        Set<String> ids = new TreeSet<>();
        Matcher m = Pattern.compile("<plugin\\s+id=\"([^\"]+)\"").matcher(feature);
        while (m.find()) {
            if (!m.group(1).endsWith(".source")) {
                ids.add(m.group(1));
            }
        }
        assertTrue(!ids.isEmpty(), "no plugin in the SDK feature");
        return ids;
    }

    @Test
    void everyExportedPackageHasAVersion() throws Exception {
        List<String> unversioned = new ArrayList<>();
        int packages = 0;
        try (Processor reporter = new Processor()) {
            for (Map.Entry<String, Parameters> b : exports(reporter).entrySet()) {
                for (Map.Entry<String, Attrs> p : b.getValue().entrySet()) {
                    packages++;
                    if (p.getValue().getVersion() == null) {
                        unversioned.add(b.getKey() + ": " + Processor.removeDuplicateMarker(p.getKey()));
                    }
                }
            }
        }
        assertTrue(packages > 20, "too few exported packages found: " + packages);
        assertTrue(unversioned.isEmpty(), "exported packages without a version (add ;version=\"0.1.0\", docs/releasing.md):\n"
                + String.join("\n", unversioned));
    }

    @Test
    void theApiIsThePackagesOfTheSdkBundles() throws Exception {
        Set<String> sdk = sdkBundles();
        List<String> outside = new ArrayList<>();
        Set<String> withApi = new TreeSet<>();
        try (Processor reporter = new Processor()) {
            for (Map.Entry<String, Parameters> b : exports(reporter).entrySet()) {
                for (Map.Entry<String, Attrs> p : b.getValue().entrySet()) {
                    if (ApiBaseline.internal(p.getValue())) {
                        continue;
                    }
                    if (sdk.contains(b.getKey())) {
                        withApi.add(b.getKey());
                    } else {
                        outside.add(b.getKey() + ": " + Processor.removeDuplicateMarker(p.getKey()));
                    }
                }
            }
        }
        assertTrue(outside.isEmpty(), "packages exported as API by bundles outside the SDK feature (mark them x-internal:=true "
                + "or x-friends:=\"...\", or put the bundle into the SDK and its baseline):\n" + String.join("\n", outside));
        assertTrue(withApi.equals(sdk), "SDK bundles without an API package: " + sdk + " vs " + withApi);
    }
}
