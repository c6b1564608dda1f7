package org.layerwise.figures.internal;

import java.awt.Graphics2D;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.SVGHints;

/** Opens and closes named groups in an SVG being drawn (nothing on any other canvas). */
final class SvgGroups {

    private SvgGroups() {
    }

    /** attributes: name, value, name, value, ... */
    static void begin(Graphics2D g2, String... attributes) {
        if (g2 instanceof SVGGraphics2D) {
            Map<String, String> map = new LinkedHashMap<>();
            for (int i = 0; i < attributes.length; i += 2) {
                map.put(attributes[i], attributes[i + 1]);
            }
            g2.setRenderingHint(SVGHints.KEY_BEGIN_GROUP, map);
        }
    }

    /** A &lt;title&gt; (a tooltip in browsers) for the group just begun. */
    static void title(Graphics2D g2, String text) {
        if (g2 instanceof SVGGraphics2D) {
            g2.setRenderingHint(SVGHints.KEY_ELEMENT_TITLE, text);
        }
    }

    static void end(Graphics2D g2) {
        if (g2 instanceof SVGGraphics2D) {
            g2.setRenderingHint(SVGHints.KEY_END_GROUP, "end");
        }
    }
}
