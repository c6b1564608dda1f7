package org.layerwise.core.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.AtomicFiles;

class AtomicFilesTest {

    @TempDir
    Path dir;

    @Test
    void a_written_file_gets_the_mode_any_new_file_gets_under_the_umask() throws IOException {
        Path ours = dir.resolve("metrics.json");
        AtomicFiles.writeString(ours, "{}");
        Path plain = Files.writeString(dir.resolve("plain.txt"), "x");
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(ours),
                "not the 0600 of a temporary file");
    }

    @Test
    void the_unfinished_write_is_named_as_such_and_gone_after_a_failure() throws IOException {
        Path target = dir.resolve("eval.npz");
        AtomicReference<List<String>> during = new AtomicReference<>();
        assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
            out.write(1);
            out.flush();
            try (var files = Files.list(dir)) {
                during.set(files.map(f -> f.getFileName().toString()).toList());
            }
            throw new IOException("writer gives up");
        }));
        assertEquals(1, during.get().size());
        String partial = during.get().get(0);
        assertTrue(partial.startsWith(".eval.npz." + ProcessHandle.current().pid() + "-") && partial.endsWith(".partial"), partial);
        assertTrue(AtomicFiles.isPartial(dir.resolve(partial)));
        assertFalse(AtomicFiles.isPartial(target));
        try (var files = Files.list(dir)) {
            assertEquals(0, files.count(), "nothing is left of the failed write");
        }
    }

    @Test
    void partials_left_by_a_killed_process_are_deleted_and_nothing_else() throws IOException {
        Files.writeString(dir.resolve(".run.json.4242-1a2b.partial"), "{\"status\": ");
        Files.writeString(dir.resolve("run.json"), "{}");
        Files.writeString(dir.resolve("notes.partial"), "a user's file, not hidden");
        assertEquals(1, AtomicFiles.deletePartials(dir));
        try (var files = Files.list(dir)) {
            assertEquals(List.of("notes.partial", "run.json"), files.map(f -> f.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void a_write_into_a_path_that_cannot_hold_it_names_the_target() throws IOException {
        Path blocker = Files.writeString(dir.resolve("a-file"), "x");
        Path target = blocker.resolve("run.json");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "{}"));
        assertTrue(e.getMessage().contains(target.toString()), e.getMessage());
    }
}
