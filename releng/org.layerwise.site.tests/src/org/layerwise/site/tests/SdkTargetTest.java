package org.layerwise.site.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/**
 * targetplatform/layerwise-sdk.target, the target of third-party plugin builds: Layerwise's
 * site through the layerwise.site property, and exactly the Maven Central locations Layerwise
 * is built from, so a plugin never resolves against other Eclipse or library versions than the
 * products run.
 */
class SdkTargetTest {

    static Document target(String name) throws Exception {
        return Checkout.xml(Checkout.ROOT.resolve("targetplatform/" + name));
    }

    static List<Element> locations(Document d, String type) {
        List<Element> out = new ArrayList<>();
        NodeList all = d.getElementsByTagName("location");
        for (int i = 0; i < all.getLength(); i++) {
            Element e = (Element) all.item(i);
            if (e.getAttribute("type").equals(type)) {
                out.add(e);
            }
        }
        return out;
    }

    /** An element as text with sorted attributes, whitespace-only text and comments dropped. */
    static String canonical(Node n) {
        StringBuilder sb = new StringBuilder();
        if (n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE) {
            return n.getNodeValue().isBlank() ? "" : n.getNodeValue().strip();
        }
        if (n.getNodeType() != Node.ELEMENT_NODE) {
            return "";
        }
        TreeMap<String, String> attributes = new TreeMap<>();
        NamedNodeMap a = n.getAttributes();
        for (int i = 0; i < a.getLength(); i++) {
            attributes.put(a.item(i).getNodeName(), a.item(i).getNodeValue());
        }
        sb.append('<').append(n.getNodeName()).append(' ').append(attributes).append('>');
        for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
            sb.append(canonical(c));
        }
        return sb.append("</").append(n.getNodeName()).append('>').toString();
    }

    @Test
    void theMavenLocationsAreLayerwisesOwn() throws Exception {
        List<String> own = locations(target("layerwise.target"), "Maven").stream().map(SdkTargetTest::canonical).toList();
        List<String> sdk = locations(target("layerwise-sdk.target"), "Maven").stream().map(SdkTargetTest::canonical).toList();
        assertTrue(own.size() >= 1, "layerwise.target has no Maven location");
        assertEquals(own, sdk, "layerwise-sdk.target's Maven locations differ from layerwise.target's: copy them over");
    }

    @Test
    void theSiteLocationNamesUnitsTheSiteHas() throws Exception {
        Checkout.siteIsBuilt();
        List<Element> sites = locations(target("layerwise-sdk.target"), "InstallableUnit");
        assertEquals(1, sites.size(), "one location for Layerwise's site");
        Element repository = (Element) sites.get(0).getElementsByTagName("repository").item(0);
        assertEquals("${system_property:layerwise.site}", repository.getAttribute("location"));
        NodeList units = sites.get(0).getElementsByTagName("unit");
        assertTrue(units.getLength() >= 2, "the SDK and the runtime feature at least");
        List<String> missing = new ArrayList<>();
        for (int i = 0; i < units.getLength(); i++) {
            String id = ((Element) units.item(i)).getAttribute("id");
            String folder = id.endsWith(".feature.group") ? "features" : "plugins";
            String name = id.endsWith(".feature.group") ? id.substring(0, id.length() - ".feature.group".length()) : id;
            try (var s = Files.list(Checkout.SITE.resolve(folder))) {
                if (s.noneMatch(p -> p.getFileName().toString().startsWith(name + "_"))) {
                    missing.add(id);
                }
            }
        }
        assertTrue(missing.isEmpty(), "units of layerwise-sdk.target that the site lacks: " + missing);
    }
}
