package org.layerwise.batch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.testing.Fixtures;

/**
 * The start script runs batch commands that train nothing with C1 only (`layerwise
 * jit-options` prints what it adds): a run whose every pipeline loads its model with the file
 * backend, validate and list; never a run that trains, and never over the user's own
 * LAYERWISE_JAVA_OPTS.
 */
class LauncherJitTest {

    static final String C1_ONLY = "-XX:TieredStopAtLevel=1";

    @TempDir
    Path dir;

    static String jitOptions(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path repo = Fixtures.repository();
        List<String> command = new ArrayList<>(List.of("bash", repo.resolve("layerwise").toString(), "jit-options"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(repo.toFile()).redirectErrorStream(true);
        pb.environment().remove("LAYERWISE_JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertEquals(0, p.waitFor(), "layerwise jit-options " + String.join(" ", args) + " printed: " + out);
        return out;
    }

    @Test
    void aRunThatOnlyLoadsModelsFromFilesGetsC1Only() throws Exception {
        assertEquals(C1_ONLY, jitOptions(Map.of(), "run", "examples/analyze-file.layerwise", "--set", "backend.path=x"));
        // the attributes in the other order, as another writer may put them
        Path swapped = dir.resolve("swapped.layerwise");
        Files.writeString(swapped, Files.readString(Fixtures.repository().resolve("examples/analyze-file.layerwise"))
                .replace("<stages role=\"backend\" contribution=\"file\"/>", "<stages contribution=\"file\" role=\"backend\"/>"));
        assertEquals(C1_ONLY, jitOptions(Map.of(), "run", swapped.toString(), "examples/analyze-file.layerwise"));
        assertEquals(C1_ONLY, jitOptions(Map.of(), "validate", "examples/quickstart.layerwise"));
        assertEquals(C1_ONLY, jitOptions(Map.of(), "list"));
    }

    @Test
    void anythingThatTrainsKeepsBothCompilers() throws Exception {
        assertEquals("", jitOptions(Map.of(), "run", "examples/quickstart.layerwise"));
        assertEquals("", jitOptions(Map.of(), "run", "examples/analyze-file.layerwise", "examples/quickstart.layerwise"));
        assertEquals("", jitOptions(Map.of(), "quickstart"));
        assertEquals("", jitOptions(Map.of(), "reproduce", "paper-a"));
        assertEquals("", jitOptions(Map.of(), "run"), "no pipeline file: nothing to judge by");
        assertEquals("", jitOptions(Map.of(), "run", "missing.layerwise"));
    }

    @Test
    void theUsersOwnJvmOptionsAreLeftAlone() throws Exception {
        assertEquals("", jitOptions(Map.of("LAYERWISE_JAVA_OPTS", "-Xmx1g"), "run", "examples/analyze-file.layerwise"));
    }
}
