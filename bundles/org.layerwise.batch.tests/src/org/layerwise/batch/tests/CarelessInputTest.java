package org.layerwise.batch.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.batch.tests.CliHarness.Outcome;
import org.layerwise.runner.ExitCode;

/** What a careless or hostile command line gets: a precise refusal, before anything is computed or written. */
class CarelessInputTest {

    @TempDir
    Path dir;

    private Path tiny() throws Exception {
        return CliHarness.pipeline(dir, "tiny", CliHarness.TINY_TASK + CliHarness.TINY_BACKEND + CliHarness.ABSTRACTION);
    }

    @Test
    void numbers_in_other_scripts_or_with_java_suffixes_are_refused_at_the_option_that_gave_them() throws Exception {
        Path f = tiny();
        for (String set : List.of("backend.steps=\uff12\uff10", "task.d=\u0668", "backend.lr=1e-2d", "backend.lr=0x1p-4")) {
            Outcome o = CliHarness.run("validate", f.toString(), "--set", set);
            assertEquals(ExitCode.INVALID_SETTING.code, o.exitCode(), o.toString());
            assertTrue(o.err().startsWith("layerwise: --set " + set + ": stage "), "located at the option, not the file: " + o);
            assertFalse(o.err().contains("tiny.layerwise:"), o.toString());
        }
        Outcome inFile = CliHarness.run("validate", CliHarness.pipeline(dir, "wide", CliHarness.TINY_TASK.replace("value=\"4\"",
                "value=\"\u0664\"") + CliHarness.TINY_BACKEND).toString());
        assertEquals(ExitCode.INVALID_SETTING.code, inFile.exitCode(), inFile.toString());
        assertTrue(inFile.err().contains("wide.layerwise:3: stage 1 (task 'linear'), setting 'd'"), inFile.toString());
    }

    @Test
    void an_empty_out_is_a_usage_error_and_a_file_as_out_says_why() throws Exception {
        Path f = tiny();
        Outcome empty = CliHarness.run("run", f.toString(), "--out", "");
        assertEquals(ExitCode.USAGE.code, empty.exitCode(), empty.toString());
        assertTrue(empty.err().contains("--out is empty"), empty.toString());

        Path file = Files.writeString(dir.resolve("results.txt"), "mine");
        Outcome o = CliHarness.run("run", f.toString(), "--out", file.toString());
        assertEquals(ExitCode.OUTPUT_NOT_WRITABLE.code, o.exitCode(), o.toString());
        assertTrue(o.err().contains("it exists and is a file"), o.toString());
        assertEquals("mine", Files.readString(file), "the user's file is untouched");
    }

    @Test
    void evaluation_prompts_beyond_the_heap_are_refused_with_the_estimate_before_anything_is_written() throws Exception {
        Path f = tiny();
        Path out = dir.resolve("runs");
        long t0 = System.nanoTime();
        Outcome o = CliHarness.run("run", f.toString(), "--out", out.toString(), "--eval-prompts", "2000000000");
        assertEquals(ExitCode.INVALID_SETTING.code, o.exitCode(), o.toString());
        assertTrue(o.err().contains("2000000000 evaluation prompts") && o.err().contains("but the heap limit is"), o.toString());
        assertTrue(Files.notExists(out), "no run directory was created");
        assertTrue(System.nanoTime() - t0 < 20_000_000_000L, "refused at once, not after allocating");
    }

    @Test
    void the_largest_training_the_settings_allow_is_refused_with_the_backends_estimate() throws Exception {
        Outcome o = CliHarness.run("run", tiny().toString(), "--out", dir.resolve("runs").toString(), "--set", "backend.engine=nd4j",
                "--set", "backend.batch=65536", "--set", "backend.layers=64", "--set", "backend.heads=16");
        assertEquals(ExitCode.INVALID_SETTING.code, o.exitCode(), o.toString());
        assertTrue(o.err().contains("for softmax-attention to build the model") && o.err().contains("needs about"), o.toString());
        assertTrue(Files.notExists(dir.resolve("runs")));
    }
}
