package org.layerwise.ui.tests;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/**
 * An exported SVG read back with the JDK's XML parser (so it must be well-formed): the groups the
 * figure writer names (series-line, series-symbols, marker, cell), the points of a series' path
 * and every text drawn.
 */
final class SvgFigure {

    private static final Pattern POINT = Pattern.compile("[ML]\\s*(-?[0-9.Ee+-]+)[ ,](-?[0-9.Ee+-]+)");

    private final Document document;

    private SvgFigure(Document document) {
        this.document = document;
    }

    static SvgFigure parse(String svg) throws Exception {
        DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        return new SvgFigure(xml.newDocumentBuilder().parse(new InputSource(new StringReader(svg))));
    }

    /** The groups of a class, in document order. */
    List<Element> groups(String cssClass) {
        List<Element> out = new ArrayList<>();
        NodeList all = document.getElementsByTagName("g");
        for (int i = 0; i < all.getLength(); i++) {
            Element g = (Element) all.item(i);
            if (cssClass.equals(g.getAttribute("class"))) {
                out.add(g);
            }
        }
        return out;
    }

    /** The ids of the series drawn, in document order, each once. */
    List<String> seriesIds() {
        return groups("series-line").stream().map(g -> g.getAttribute("data-series")).distinct().toList();
    }

    /** The group of one series in one pass (series-line or series-symbols). */
    Element series(String cssClass, String id) {
        return groups(cssClass).stream().filter(g -> id.equals(g.getAttribute("data-series"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + cssClass + " group of series " + id));
    }

    /** The paths inside an element (at any depth). */
    static List<Element> paths(Element e) {
        NodeList all = e.getElementsByTagName("path");
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < all.getLength(); i++) {
            out.add((Element) all.item(i));
        }
        return out;
    }

    /** The drawn shapes inside an element: its element children that are not groups or titles, at any depth. */
    static int shapes(Element e) {
        int n = 0;
        for (Node c = e.getFirstChild(); c != null; c = c.getNextSibling()) {
            if (c instanceof Element child) {
                n += switch (child.getTagName()) {
                    case "g" -> shapes(child);
                    case "title" -> 0;
                    default -> 1;
                };
            }
        }
        return n;
    }

    /** The (x, y) pixel points of a series' line: the one path of its series-line group. */
    List<double[]> line(String id) {
        List<Element> paths = paths(series("series-line", id));
        if (paths.size() != 1) {
            throw new AssertionError("series " + id + " is drawn as " + paths.size() + " paths, not one");
        }
        List<double[]> out = new ArrayList<>();
        Matcher m = POINT.matcher(paths.get(0).getAttribute("d"));
        while (m.find()) {
            out.add(new double[] {Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))});
        }
        return out;
    }

    /** Every text drawn, trimmed. */
    List<String> texts() {
        NodeList all = document.getElementsByTagName("text");
        List<String> out = new ArrayList<>();
        for (int i = 0; i < all.getLength(); i++) {
            out.add(all.item(i).getTextContent().strip());
        }
        return out;
    }
}
