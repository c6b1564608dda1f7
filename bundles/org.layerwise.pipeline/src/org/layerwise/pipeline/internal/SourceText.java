package org.layerwise.pipeline.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text of a loaded file, to turn the positions SAX reports (just after the '>' of the
 * current start tag) into the positions a person looks for: the '<' of the element, or the
 * attribute that is wrong. Attribute values cannot contain a raw '<', so the nearest '<' before
 * the end of a start tag is its beginning.
 */
public final class SourceText {

    /** A 1-based line and column. */
    public record Position(int line, int column) {
    }

    /** The start tag that ends at a SAX position: its name as written and where it is. */
    public record Tag(String name, int start, int end) {
    }

    private final String text;
    private final int[] lineStarts;

    public SourceText(String text) {
        this.text = text;
        List<Integer> starts = new ArrayList<>();
        starts.add(0);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || (c == '\r' && (i + 1 == text.length() || text.charAt(i + 1) != '\n'))) {
                starts.add(i + 1);
            }
        }
        lineStarts = starts.stream().mapToInt(Integer::intValue).toArray();
    }

    /** The start tag whose '>' lies just before the given SAX position, or null. */
    public Tag tagEndingAt(int line, int column) {
        int end = offset(line, column);
        if (end <= 0 || text.charAt(end - 1) != '>') {
            return null;
        }
        int start = text.lastIndexOf('<', end - 1);
        if (start < 0 || start + 1 >= end) {
            return null;
        }
        char first = text.charAt(start + 1);
        if (first == '/' || first == '!' || first == '?') {
            return null;
        }
        int nameEnd = start + 1;
        while (nameEnd < end && !Character.isWhitespace(text.charAt(nameEnd))
                && text.charAt(nameEnd) != '/' && text.charAt(nameEnd) != '>') {
            nameEnd++;
        }
        return new Tag(text.substring(start + 1, nameEnd), start, end);
    }

    /** Where the tag starts. */
    public Position startOf(Tag tag) {
        return position(tag.start());
    }

    /** Where the named attribute (prefix ignored) is written inside the tag, or null. */
    public Position attribute(Tag tag, String localName) {
        Matcher m = Pattern.compile("\\s((?:[\\w.-]+:)?" + Pattern.quote(localName) + ")\\s*=")
                .matcher(text).region(tag.start(), tag.end());
        return m.find() ? position(m.start(1)) : null;
    }

    private int offset(int line, int column) {
        if (line < 1 || line > lineStarts.length || column < 1) {
            return -1;
        }
        int offset = lineStarts[line - 1] + column - 1;
        return offset <= text.length() ? offset : -1;
    }

    private Position position(int offset) {
        int lo = 0;
        int hi = lineStarts.length - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (lineStarts[mid] <= offset) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return new Position(lo + 1, offset - lineStarts[lo] + 1);
    }

    /** Local part of a tag or attribute name: "layerwise:Pipeline" gives "Pipeline". */
    public static String localName(String qualified) {
        int colon = qualified.indexOf(':');
        return colon < 0 ? qualified : qualified.substring(colon + 1);
    }
}
