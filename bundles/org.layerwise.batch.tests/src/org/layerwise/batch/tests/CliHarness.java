package org.layerwise.batch.tests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.layerwise.batch.Cli;

/** Runs the batch command line in-process and keeps what it printed. */
final class CliHarness {

    record Outcome(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "\n--- stderr\n" + err;
        }
    }

    private CliHarness() {
    }

    static Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Cli.execute(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * The run directories of a study folder by pipeline name (less {@code prefix}), each of
     * which must have ended OK.
     */
    static java.util.Map<String, Path> okRuns(Path study, String prefix) throws IOException {
        java.util.Map<String, Path> runs = new java.util.HashMap<>();
        try (java.util.stream.Stream<Path> s = Files.list(study)) {
            for (Path run : s.filter(Files::isDirectory).filter(p -> Files.exists(p.resolve("run.json"))).toList()) {
                java.util.Map<String, Object> json = org.layerwise.io.Json.readMap(run.resolve("run.json"));
                org.junit.jupiter.api.Assertions.assertEquals("OK", json.get("status"), run.toString());
                runs.put(String.valueOf(((java.util.Map<?, ?>) json.get("pipeline")).get("name")).replaceFirst("^" + prefix, ""), run);
            }
        }
        return runs;
    }

    /** A pipeline file with the given stages (XML fragments), small enough to train in seconds. */
    static Path pipeline(Path dir, String name, String stagesXml) throws IOException {
        String xml = """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" \
                xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="%s" seed="3">
                %s
                </layerwise:Pipeline>
                """.formatted(name, stagesXml);
        Path file = dir.resolve(name + ".layerwise");
        Files.writeString(file, xml);
        return file;
    }

    static final String TINY_TASK = """
              <stages role="task" contribution="linear">
                <settings key="d" value="4"/>
                <settings key="C" value="3"/>
                <settings key="N" value="8"/>
              </stages>""";

    static final String TINY_BACKEND = """
              <stages role="backend" contribution="softmax-attention">
                <settings key="layers" value="2"/>
                <settings key="steps" value="40"/>
                <settings key="batch" value="32"/>
              </stages>""";

    static final String CONJUGATION = """
              <stages role="enforcer" contribution="random-conjugation"/>""";

    static final String ABSTRACTION = """
              <stages role="analyzer" contribution="weight-abstraction">
                <settings key="draws" value="2"/>
              </stages>""";
}
