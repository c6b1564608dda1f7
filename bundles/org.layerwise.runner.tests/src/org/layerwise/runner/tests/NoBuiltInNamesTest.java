package org.layerwise.runner.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.layerwise.testing.Fixtures;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The generic presentations (the runner, the workbench's Summary and Results, the reports'
 * generic code) name no built-in analyzer, output or headline scalar in a string literal: what
 * they show of an analyzer comes from its declaration. Study-specific report code (Paper*,
 * Grokking*, Emergence, LearningDynamics) may name what its claims are about.
 */
class NoBuiltInNamesTest {

    private static final Set<String> STUDY_SPECIFIC = Set.of("Emergence.java", "LearningDynamics.java");

    @Test
    void generic_presentation_code_names_no_built_in_analyzer_output_or_headline_scalar() throws Exception {
        Path repo = Fixtures.repository();
        Set<String> names = builtInNames(repo);
        assertTrue(names.containsAll(List.of("weight-abstraction", "baselines", "coupled-mean-shift", "accuracy_soft_nn",
                "asymmetry_mean", "agreement_full")), "the names come from the plugin.xml files: " + names);
        List<Path> sources = new ArrayList<>();
        sources.addAll(java(repo.resolve("bundles/org.layerwise.runner/src")));
        Path results = repo.resolve("bundles/org.layerwise.ui/src/org/layerwise/ui/results");
        for (String f : List.of("SummaryRows.java", "SummaryPanel.java", "AnalyzerOutputs.java", "ResultsPanel.java")) {
            sources.add(results.resolve(f));
        }
        java(repo.resolve("bundles/org.layerwise.report/src")).stream().filter(p -> !p.getFileName().toString().startsWith("Paper")
                && !p.getFileName().toString().startsWith("Grokking") && !STUDY_SPECIFIC.contains(p.getFileName().toString())).forEach(sources::add);
        assertTrue(sources.size() > 20, sources.toString());
        List<String> found = new ArrayList<>();
        for (Path p : sources) {
            for (String literal : literals(Files.readString(p))) {
                for (String name : names) {
                    if (names(literal, name)) {
                        found.add(repo.relativize(p) + ": \"" + literal + "\" names " + name);
                    }
                }
            }
        }
        assertEquals(List.of(), found, "declare it in the analyzer's plugin.xml instead");
    }

    @Test
    void the_check_finds_a_name_in_a_literal_and_not_in_comments_or_longer_names() {
        String source = "String a = \"weight-abstraction\"; // \"baselines\"\n/* \"baselines\" */ String b = \"x\\\"y\" + \"see coupled-mean-shift.json\";"
                + " char c = '\"'; String d = \"\"\"\n  text block baselines\n  \"\"\"; String e = \"my-baselines-table\";";
        List<String> literals = literals(source);
        assertEquals(List.of("weight-abstraction", "x\\\"y", "see coupled-mean-shift.json", "\n  text block baselines\n  ",
                "my-baselines-table"), literals);
        assertTrue(names("weight-abstraction", "weight-abstraction"));
        assertTrue(names("see coupled-mean-shift.json", "coupled-mean-shift"));
        assertTrue(names("\n  text block baselines\n  ", "baselines"));
        assertFalse(names("my-baselines-table", "baselines"), "part of another name");
        assertFalse(names("coupled-mean-shift-coefficients", "coupled-mean-shift"));
    }

    /** Every id, output name and headline, interval and detail scalar the built-in analyzers declare. */
    private static Set<String> builtInNames(Path repo) throws Exception {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> bundles = Files.list(repo.resolve("bundles"))) {
            for (Path plugin : bundles.map(b -> b.resolve("plugin.xml")).filter(Files::isRegularFile).toList()) {
                Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(plugin.toFile()).getDocumentElement();
                NodeList analyzers = root.getElementsByTagName("recursionAnalyzer");
                for (int i = 0; i < analyzers.getLength(); i++) {
                    Element a = (Element) analyzers.item(i);
                    names.add(a.getAttribute("id"));
                    collect(a, "output", names, "name");
                    collect(a, "headline", names, "scalar", "interval-low", "interval-high");
                    collect(a, "detail", names, "scalar");
                }
            }
        }
        return names;
    }

    private static void collect(Element parent, String tag, Set<String> names, String... attributes) {
        NodeList nodes = parent.getElementsByTagName(tag);
        for (int i = 0; i < nodes.getLength(); i++) {
            for (String attribute : attributes) {
                String v = ((Element) nodes.item(i)).getAttribute(attribute);
                if (!v.isEmpty()) {
                    names.add(v);
                }
            }
        }
    }

    private static List<Path> java(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
        }
    }

    /** Whether the literal holds the name as a whole name (not inside a longer one of letters, digits, '_' and '-'). */
    static boolean names(String literal, String name) {
        for (int i = literal.indexOf(name); i >= 0; i = literal.indexOf(name, i + 1)) {
            int end = i + name.length();
            if ((i == 0 || !namePart(literal.charAt(i - 1))) && (end == literal.length() || !namePart(literal.charAt(end)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean namePart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-';
    }

    /** The string literals of Java source as written (escapes kept), text blocks included, comments skipped. */
    static List<String> literals(String s) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            if (s.startsWith("//", i)) {
                int end = s.indexOf('\n', i);
                i = end < 0 ? s.length() : end;
            } else if (s.startsWith("/*", i)) {
                int end = s.indexOf("*/", i + 2);
                i = end < 0 ? s.length() : end + 2;
            } else if (s.startsWith("\"\"\"", i)) {
                int end = s.indexOf("\"\"\"", i + 3);
                end = end < 0 ? s.length() : end;
                String block = s.substring(i + 3, end);
                out.add(block.substring(block.indexOf('\n') < 0 ? 0 : block.indexOf('\n')));
                i = end + 3;
            } else if (s.charAt(i) == '"' || s.charAt(i) == '\'') {
                char quote = s.charAt(i);
                int j = i + 1;
                while (j < s.length() && s.charAt(j) != quote) {
                    j += s.charAt(j) == '\\' ? 2 : 1;
                }
                if (quote == '"') {
                    out.add(s.substring(i + 1, Math.min(j, s.length())));
                }
                i = j + 1;
            } else {
                i++;
            }
        }
        return out;
    }
}
