package org.layerwise.report;

import java.util.List;
import java.util.Optional;

import org.layerwise.report.internal.Grokking;
import org.layerwise.report.internal.PaperA;
import org.layerwise.report.internal.PaperB;

/** The studies `layerwise reproduce` knows, by name. */
public final class Studies {

    private static final List<Study> ALL = List.of(PaperA.study(), PaperB.study(), Grokking.study());

    private Studies() {
    }

    public static List<Study> all() {
        return ALL;
    }

    public static List<String> names() {
        return ALL.stream().map(Study::name).toList();
    }

    public static Optional<Study> named(String name) {
        return ALL.stream().filter(s -> s.name().equals(name)).findFirst();
    }
}
