package org.layerwise.batch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.testing.Fixtures;
import org.layerwise.batch.tests.CliHarness.Outcome;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.TransformerModel;
import org.layerwise.io.model.ModelFiles;

/**
 * Every shipped pipeline (examples/ and its study folders) validates against the installed contributions; the plugin
 * template's, which need its plugins, are checked by its ci-check.
 */
class ExamplesTest {

    @TempDir
    Path dir;


    @Test
    void every_example_pipeline_validates() throws Exception {
        Path repo = Fixtures.repository();
        // analyze-file needs a model on disk: one of the example's shape (d = 8, C = 4).
        ModelConfig c = new ModelConfig(8, 4, 32, 2, 1, ModelConfig.Attention.SOFTMAX, ModelConfig.Keys.CONTEXT, "merged", 12,
                "float32", "classification");
        ModelFiles.write(new TransformerModel(c, new double[2][144], new double[2][144]), dir, Map.of());
        List<Path> examples;
        try (Stream<Path> s = Stream.concat(Files.walk(repo.resolve("examples")), Stream.of(repo.resolve("releng/bench/bench.layerwise")))) {
            // the plugin template's pipelines name its own contributions: examples/third-party-analyzer/ci-check runs them
            examples = s.filter(p -> p.toString().endsWith(".layerwise") && !p.startsWith(repo.resolve("examples/third-party-analyzer")))
                    .sorted().toList();
        }
        assertTrue(examples.size() >= 9, examples.toString());
        for (Path example : examples) {
            Outcome o = example.getFileName().toString().equals("analyze-file.layerwise")
                    ? CliHarness.run("validate", example.toString(), "--set", "backend.path=" + dir)
                    : CliHarness.run("validate", example.toString());
            assertEquals(0, o.exitCode(), example + ": " + o);
            assertTrue(o.out().contains("valid"), o.toString());
        }
    }
}
