package org.layerwise.figures;

import java.util.List;

/**
 * A self-contained HTML page built in order: headings, paragraphs, tables and inline figures
 * (the study reports and the sweep report).
 */
public final class HtmlPage {

    private final StringBuilder body = new StringBuilder();
    private final String title;

    public HtmlPage(String title) {
        this.title = title;
    }

    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    public HtmlPage heading(int level, String id, String text) {
        body.append("<h").append(level).append(id == null ? "" : " id=\"" + escape(id) + "\"").append('>').append(escape(text))
                .append("</h").append(level).append(">\n");
        return this;
    }

    public HtmlPage paragraph(String text) {
        body.append("<p>").append(escape(text)).append("</p>\n");
        return this;
    }

    /** A paragraph of trusted markup (links the page itself builds). */
    public HtmlPage raw(String markup) {
        body.append(markup).append('\n');
        return this;
    }

    /** A table; cells are text, except a cell given as {@link Cell} which carries a CSS class. */
    public HtmlPage table(String caption, List<String> header, List<List<Object>> rows) {
        body.append("<table>\n");
        if (caption != null) {
            body.append("<caption>").append(escape(caption)).append("</caption>\n");
        }
        body.append("<tr>");
        header.forEach(h -> body.append("<th>").append(escape(h)).append("</th>"));
        body.append("</tr>\n");
        for (List<Object> row : rows) {
            body.append("<tr>");
            for (Object cell : row) {
                if (cell instanceof Cell c) {
                    body.append("<td class=\"").append(c.cssClass()).append("\">").append(escape(c.text())).append("</td>");
                } else {
                    body.append("<td>").append(escape(String.valueOf(cell))).append("</td>");
                }
            }
            body.append("</tr>\n");
        }
        body.append("</table>\n");
        return this;
    }

    /** A table cell with a style class (held, not-held, not-measured). */
    public record Cell(String text, String cssClass) {
    }

    /** An inline SVG figure with its caption and links to the files beside it. */
    public HtmlPage figure(String svgElement, String caption, String links) {
        body.append("<figure>\n").append(svgElement).append("\n<figcaption>").append(escape(caption)).append(' ').append(links)
                .append("</figcaption>\n</figure>\n");
        return this;
    }

    /** A figure written by {@link FigureFiles}, inline, with links to its SVG, PNG and CSV in folder (relative to the page). */
    public HtmlPage figure(FigureFiles.Written w, String caption, String folder) {
        String links = link(folder, w.svg(), "SVG") + " | " + link(folder, w.png(), "PNG") + " | " + link(folder, w.csv(), "data (CSV)");
        return figure(w.svgElement(), caption, links);
    }

    private static String link(String folder, java.nio.file.Path file, String text) {
        return "<a href=\"" + escape(folder + "/" + file.getFileName()) + "\">" + text + "</a>";
    }

    public String page() {
        return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + escape(title) + "</title>\n<style>\n"
                + "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.4}\n"
                + "table{border-collapse:collapse;margin:1em 0;font-size:0.9em}\n"
                + "th,td{border:1px solid #bbb;padding:0.25em 0.5em;text-align:left;vertical-align:top}\n"
                + "th{background:#eee}caption{text-align:left;font-weight:bold;margin-bottom:0.3em}\n"
                + ".held{background:#d8f0d8}.not-held{background:#f6d5d5}.not-measured{background:#f3ecd0}\n"
                + "figure{margin:1.5em 0}figure svg{max-width:100%;height:auto}figcaption{font-size:0.9em;color:#444}\n"
                + "</style>\n</head>\n<body>\n<h1>" + escape(title) + "</h1>\n" + body + "</body>\n</html>\n";
    }
}
