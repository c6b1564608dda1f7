package org.layerwise.io.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.AtomicFiles;
import org.layerwise.core.Tensor;
import org.layerwise.io.Csv;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.io.Safetensors;

/** A failing write leaves the old file as it was and no temporary file behind. */
class AtomicWriteTest {

    @TempDir
    Path dir;

    /** Serialising it fails after some output has been produced. */
    public record Exploding(String first, String second) {
        @Override
        public String second() {
            throw new IllegalStateException("boom");
        }
    }

    private static final class ExplodingValue {
        @Override
        public String toString() {
            throw new IllegalStateException("boom");
        }
    }

    @Test
    void throwingWriterKeepsTheOldFile() throws IOException {
        Path f = dir.resolve("run.json");
        Files.writeString(f, "old");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(f, out -> {
            out.write(new byte[100_000]);
            throw new IOException("disk full (simulated)");
        }));
        assertEquals("disk full (simulated)", e.getMessage());
        assertEquals("old", Files.readString(f));
        Tensors.assertFiles(dir, "run.json");
    }

    @Test
    void failingJsonSerialisationKeepsTheOldFile() throws IOException {
        Path f = dir.resolve("metrics.json");
        Json.write(f, Map.of("v", 1));
        String before = Files.readString(f);
        assertThrows(IOException.class, () -> Json.write(f, new Exploding("x".repeat(100_000), "y")));
        assertThrows(IOException.class, () -> Json.write(f, new Object()));
        assertEquals(before, Files.readString(f));
        Tensors.assertFiles(dir, "metrics.json");
    }

    @Test
    void failingCsvRowKeepsTheOldFile() throws IOException {
        Path f = dir.resolve("abstraction.csv");
        Csv.write(f, List.of("a"), List.of(List.of(1)));
        String before = Files.readString(f);
        assertThrows(IllegalStateException.class, () -> Csv.write(f, List.of("a"),
                List.of(List.of(2), List.of(new ExplodingValue()))));
        assertEquals(before, Files.readString(f));
        Tensors.assertFiles(dir, "abstraction.csv");
    }

    @Test
    void failedWriteOfANewFileLeavesNothing() {
        Path f = dir.resolve("new.json");
        assertThrows(IOException.class, () -> Json.write(f, new Object()));
        assertEquals(false, Files.exists(f));
        try {
            Tensors.assertFiles(dir);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void tensorWritesReplaceAtomicallyAndLeaveNoTemporaries() throws IOException {
        Path npz = dir.resolve("eval.npz");
        Path st = dir.resolve("model.safetensors");
        Map<String, Tensor> a = Map.of("x", Tensor.of(new double[] {1}));
        Map<String, Tensor> b = Map.of("y", Tensor.of(new int[] {2, 3}, 2));
        Npz.write(npz, a);
        Npz.write(npz, b);
        Safetensors.write(st, a, null);
        Safetensors.write(st, b, null);
        Tensors.assertAllBitEquals(b, Npz.read(npz));
        Tensors.assertAllBitEquals(b, Safetensors.read(st).tensors());
        Tensors.assertFiles(dir, "eval.npz", "model.safetensors");
    }

    @Test
    void writesIntoMissingFolders() throws IOException {
        Path f = dir.resolve("run-1/figures/data.csv");
        Csv.write(f, List.of("x"), List.of(List.of(1.0)));
        assertEquals("x\n1.0\n", Files.readString(f));
    }
}
