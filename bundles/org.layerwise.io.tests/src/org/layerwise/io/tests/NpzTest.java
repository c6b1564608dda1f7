package org.layerwise.io.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.layerwise.io.tests.Tensors.assertAllBitEquals;
import static org.layerwise.io.tests.Tensors.assertFormatError;
import static org.layerwise.io.tests.Tensors.le;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.Tensor;
import org.layerwise.core.Tensor.DType;
import org.layerwise.io.Npy;
import org.layerwise.io.Npz;

class NpzTest {

    @TempDir
    Path dir;

    @Test
    void roundTripsEveryDtypeInOrderStored() throws IOException {
        Path f = dir.resolve("eval.npz");
        Map<String, Tensor> in = Tensors.samples();
        Npz.write(f, in);
        assertAllBitEquals(in, Npz.read(f));
        try (ZipFile zip = new ZipFile(f.toFile())) {
            List<String> names = new ArrayList<>();
            for (ZipEntry e : Collections.list(zip.entries())) {
                names.add(e.getName());
                assertEquals(ZipEntry.STORED, e.getMethod(), e.getName());
                assertEquals(Npy.byteLength(in.get(e.getName().replace(".npy", ""))), e.getSize());
            }
            assertEquals(in.keySet().stream().map(k -> k + ".npy").toList(), names);
        }
        Tensors.assertFiles(dir, "eval.npz");
    }

    @Test
    void roundTripsCompressed() throws IOException {
        Path f = dir.resolve("c.npz");
        Map<String, Tensor> in = new LinkedHashMap<>(Tensors.samples());
        in.put("zeros", Tensor.of(new double[10_000], 100, 100));
        Npz.writeCompressed(f, in);
        assertAllBitEquals(in, Npz.read(f));
        try (ZipFile zip = new ZipFile(f.toFile())) {
            assertEquals(ZipEntry.DEFLATED, zip.getEntry("zeros.npy").getMethod());
        }
        assertEquals(true, Files.size(f) < 10_000, "deflated");
    }

    @Test
    void sameArraysGiveTheSameBytes() throws IOException {
        Npz.write(dir.resolve("a.npz"), Tensors.samples());
        Npz.write(dir.resolve("b.npz"), Tensors.samples());
        assertArrayEquals(Files.readAllBytes(dir.resolve("a.npz")), Files.readAllBytes(dir.resolve("b.npz")));
    }

    @Test
    void readsAHandBuiltArchiveInItsOrder() throws IOException {
        Path f = dir.resolve("hand.npz");
        try (OutputStream os = Files.newOutputStream(f); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("labels.npy"));
            zip.write(NpyTest.npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }",
                    le(24).putLong(2).putLong(0).putLong(-1).array()));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("Z.npy"));
            zip.write(NpyTest.npy(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }",
                    le(8).putFloat(0.5f).putFloat(-0.0f).array()));
            zip.closeEntry();
        }
        LinkedHashMap<String, Tensor> m = Npz.read(f);
        assertEquals(List.of("labels", "Z"), List.copyOf(m.keySet()));
        assertEquals(DType.I64, m.get("labels").dtype());
        assertArrayEquals(new long[] {2, 0, -1}, (long[]) m.get("labels").data());
        assertArrayEquals(new long[] {1, 2}, m.get("Z").shape());
        assertArrayEquals(new float[] {0.5f, -0.0f}, (float[]) m.get("Z").data());
    }

    @Test
    void rejectsABrokenEntryNamingFileAndEntry() throws IOException {
        Path f = brokenArchive();
        assertFormatError(() -> Npz.read(f), "broken.npz", "tensor 'logits'", "truncated", "needs 32 bytes");
    }

    @Test
    void readsOnlyTheArraysAskedForInTheArchivesOrder() throws IOException {
        Path f = dir.resolve("eval.npz");
        Map<String, Tensor> in = Tensors.samples();
        Npz.write(f, in);
        Map<String, Tensor> some = Npz.read(f, k -> k.startsWith("f") || k.equals("blocks.0.attn.QK"));
        assertEquals(List.of("f64", "f32", "blocks.0.attn.QK"), List.copyOf(some.keySet()));
        Map<String, Tensor> want = new LinkedHashMap<>();
        some.keySet().forEach(k -> want.put(k, in.get(k)));
        assertAllBitEquals(want, some);
    }

    @Test
    void headersGiveEveryShapeAndDtypeAsReadingWould() throws IOException {
        Path f = dir.resolve("eval.npz");
        Map<String, Tensor> in = new LinkedHashMap<>(Tensors.samples());
        in.put("zeros", Tensor.of(new double[10_000], 100, 100));
        Npz.writeCompressed(f, in);
        Map<String, Tensor> read = Npz.read(f);
        Map<String, Npz.ArrayHeader> headers = Npz.headers(f);
        assertEquals(List.copyOf(read.keySet()), List.copyOf(headers.keySet()));
        read.forEach((k, t) -> {
            assertArrayEquals(t.shape(), headers.get(k).shape(), k);
            assertEquals(t.dtype(), headers.get(k).dtype(), k);
            assertEquals(t.shapeString(), headers.get(k).shapeString(), k);
        });
    }

    @Test
    void aBrokenArrayFailsItsHeaderButNotAReadThatSkipsIt() throws IOException {
        Path f = brokenArchive();
        assertFormatError(() -> Npz.headers(f), "broken.npz", "tensor 'logits'", "truncated", "needs 32 bytes");
        assertEquals(List.of("ok"), List.copyOf(Npz.read(f, "ok"::equals).keySet()));
        assertFormatError(() -> Npz.read(f, "logits"::equals), "broken.npz", "tensor 'logits'", "truncated");
    }

    /** broken.npz: a good array "ok", then "logits" whose header promises 32 bytes of data but holds 24. */
    private Path brokenArchive() throws IOException {
        Path f = dir.resolve("broken.npz");
        try (OutputStream os = Files.newOutputStream(f); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("ok.npy"));
            zip.write(Npy.toBytes(Tensor.of(new int[] {1})));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("logits.npy"));
            zip.write(NpyTest.npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (4,), }", new byte[24]));
            zip.closeEntry();
        }
        return f;
    }

    @Test
    void rejectsNonZipAndNonNpyEntries() throws IOException {
        Path notZip = dir.resolve("plain.npz");
        Files.writeString(notZip, "this is not a zip archive");
        assertFormatError(() -> Npz.read(notZip), "plain.npz", "not an npz");

        Path other = dir.resolve("other.npz");
        try (OutputStream os = Files.newOutputStream(other); ZipOutputStream zip = new ZipOutputStream(os)) {
            zip.putNextEntry(new ZipEntry("readme.txt"));
            zip.write("hello".getBytes());
            zip.closeEntry();
        }
        assertFormatError(() -> Npz.read(other), "other.npz", "readme.txt");
    }

    @Test
    void rejectsEmptyNamesBeforeWriting() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("", Tensor.of(new int[] {1}));
        assertThrows(IllegalArgumentException.class, () -> Npz.write(dir.resolve("x.npz"), m));
        assertEquals(false, Files.exists(dir.resolve("x.npz")));
    }
}
