package org.layerwise.backend.file;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.batch.Cli;
import org.layerwise.io.Json;
import org.layerwise.runner.ExitCode;

/** A checkpoint series trained elsewhere (or by another run) becomes the loading run's series, checked first. */
class FileSeriesTest {

    @TempDir
    Path dir;

    private static final String TASK = "<stages role=\"task\" contribution=\"linear\"><settings key=\"d\" value=\"4\"/>"
            + "<settings key=\"C\" value=\"3\"/><settings key=\"N\" value=\"6\"/></stages>";

    private Path pipeline(String name, String backend) throws Exception {
        return Files.writeString(dir.resolve(name + ".layerwise"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" \
                xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="%s" seed="2">
                  %s
                  %s
                </layerwise:Pipeline>
                """.formatted(name, TASK, backend));
    }

    /** Runs the command line; returns the run directory it made under out (or fails with what it printed). */
    private static Path run(Path out, int expected, String... args) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        String[] all = new String[args.length + 4];
        all[0] = "run";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--out";
        all[args.length + 2] = out.toString();
        all[args.length + 3] = "--eval-prompts=16";
        int code = Cli.execute(all, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(expected, code, err.toString(StandardCharsets.UTF_8));
        if (expected != 0) {
            return null;
        }
        try (Stream<Path> s = Files.list(out)) {
            return s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
    }

    private static List<String> ckpt(Path run) throws Exception {
        try (Stream<Path> s = Files.list(run.resolve("ckpt"))) {
            return s.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void a_runs_series_is_loaded_with_its_model_and_a_bare_series_uses_its_last_checkpoint() throws Exception {
        Path trained = run(dir.resolve("trained"), 0, pipeline("train",
                "<stages role=\"backend\" contribution=\"softmax-attention\"><settings key=\"layers\" value=\"2\"/>"
                        + "<settings key=\"steps\" value=\"30\"/><settings key=\"batch\" value=\"8\"/>"
                        + "<settings key=\"checkpoints\" value=\"every:10\"/></stages>").toString());
        assertEquals(List.of("step_00000000.safetensors", "step_00000010.safetensors", "step_00000020.safetensors",
                "step_00000030.safetensors"), ckpt(trained));

        Path analyze = pipeline("analyze", "<stages role=\"backend\" contribution=\"file\"/>");
        Path loaded = run(dir.resolve("loaded"), 0, analyze.toString(), "--set", "backend.path=" + trained);
        assertEquals(ckpt(trained), ckpt(loaded));
        for (String f : ckpt(trained)) {
            assertArrayEquals(Files.readAllBytes(trained.resolve("ckpt").resolve(f)), Files.readAllBytes(loaded.resolve("ckpt").resolve(f)), f);
        }
        assertEquals(4, ((List<?>) Json.readMap(loaded.resolve("run.json")).get("checkpoints")).size());

        // A series trained elsewhere: config.json and step_N.safetensors, no model file.
        Path bare = Files.createDirectories(dir.resolve("bare"));
        Files.copy(trained.resolve("config.json"), bare.resolve("config.json"));
        for (String f : ckpt(trained)) {
            Files.copy(trained.resolve("ckpt").resolve(f), bare.resolve(f.replace("step_000000", "step_")));
        }
        Path fromBare = run(dir.resolve("from-bare"), 0, analyze.toString(), "--set", "backend.path=" + bare);
        assertEquals(ckpt(trained), ckpt(fromBare), "steps are read from the names, whatever their digits");
        assertArrayEquals(org.layerwise.io.Safetensors.read(trained.resolve("model.safetensors")).tensors().get("blocks.1.attn.OV").toDoubles(),
                org.layerwise.io.Safetensors.read(fromBare.resolve("model.safetensors")).tensors().get("blocks.1.attn.OV").toDoubles(), 0.0,
                "the model of a bare series is its last checkpoint");

        // A broken checkpoint stops the run before anything is written, naming it.
        Files.write(bare.resolve("step_20.safetensors"), new byte[] {1, 2, 3});
        Path out = dir.resolve("refused");
        assertEquals(null, run(out, ExitCode.BAD_INPUT_FILE.code, analyze.toString(), "--set", "backend.path=" + bare));
        assertTrue(Files.notExists(out));
    }
}
