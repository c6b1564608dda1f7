package org.layerwise.report.tests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.layerwise.report.Claim;
import org.layerwise.runner.RunDirectory;

/** What the claims tests of every study share: hand-written runs on disk by role, and finding a claim. */
final class SyntheticStudy {

    /** A run written by hand into a fresh directory. */
    @FunctionalInterface
    interface Run {
        RunDirectory write(Path dir) throws IOException;
    }

    private SyntheticStudy() {
    }

    /** Each run written into its own directory below dir, by role. */
    static Map<String, RunDirectory> write(Path dir, Map<String, ? extends Run> runs) throws IOException {
        Map<String, RunDirectory> dirs = new LinkedHashMap<>();
        for (var e : runs.entrySet()) {
            Path d = Files.createDirectories(dir.resolve(e.getKey() + "-" + System.nanoTime()));
            dirs.put(e.getKey(), e.getValue().write(d));
        }
        return dirs;
    }

    /** The claim of this result whose statement contains the text. */
    static Claim claim(List<Claim> claims, String result, String statementPart) {
        return claims.stream().filter(c -> c.result().equals(result) && c.statement().contains(statementPart)).findFirst()
                .orElseThrow(() -> new AssertionError("no claim " + result + " '" + statementPart + "' in " + claims));
    }
}
