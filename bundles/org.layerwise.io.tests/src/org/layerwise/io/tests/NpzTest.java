package org.layerwise.io.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.layerwise.io.tests.Tensors.assertAllBitEquals;
import static org.layerwise.io.tests.Tensors.assertFormatError;
import static org.layerwise.io.tests.Tensors.le;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

    // ------------------------------------------------ corrupt and hostile archives (issue 13)

    private Path file(String name, byte[] bytes) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, bytes);
        return f;
    }

    /** An npy array of n doubles 0, 1, 2, ... */
    private static byte[] doublesNpy(int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return Npy.toBytes(Tensor.of(v, n));
    }

    @Test
    void aFlippedBitInStoredDataFailsTheCrc() throws IOException {
        byte[] npy = doublesNpy(16);
        byte[] zip = Zips.archive(List.of(Zips.stored("a.npy", npy), Zips.stored("x.npy", npy)));
        int data = Zips.directory(zip).get(0) - 8; // inside x's data, just before the directory
        zip[data] ^= 0x10;
        Path f = file("flipped.npz", zip);
        assertFormatError(() -> Npz.read(f), "flipped.npz", "tensor 'x'", "CRC-32 mismatch");
        assertEquals(List.of("a"), List.copyOf(Npz.read(f, "a"::equals).keySet()));
    }

    @Test
    void aFlippedBitInDeflatedDataFailsTheCrc() throws IOException {
        // level 0: the deflate stream is made of stored blocks, so the flip changes data, not format
        Zips.Entry e = Zips.deflated("x.npy", doublesNpy(16), 0);
        byte[] zip = Zips.archive(List.of(e));
        zip[Zips.directory(zip).get(0) - 8] ^= 0x01;
        Path f = file("flipped.npz", zip);
        assertFormatError(() -> Npz.read(f), "flipped.npz", "tensor 'x'", "CRC-32 mismatch");
        // and a CRC recorded wrong for intact data
        Path g = file("crc.npz", Zips.archive(List.of(Zips.deflated("x.npy", doublesNpy(16)).withCrc(12345))));
        assertFormatError(() -> Npz.read(g), "crc.npz", "tensor 'x'", "CRC-32 mismatch", "00003039");
    }

    /** An npy header declaring n doubles, followed by only 16 bytes of them. */
    private static byte[] headerClaiming(long n) {
        return NpyTest.npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (" + n + ",), }", new byte[16]);
    }

    @Test
    void aDeflatedEntryThatMisstatesItsSizeIsRefusedBeforeAllocating() throws Exception {
        long n = (0xffffffffL - 128) / 8; // 4.3 GB of doubles, the most a 32-bit size can declare
        Zips.Entry e = Zips.deflated("x.npy", headerClaiming(n));
        Path f = file("liar.npz", Zips.archive(List.of(e.withSize(128 + 8 * n))));
        long allocated = Allocation.of(() -> assertFormatError(() -> Npz.read(f), "liar.npz", "entry 'x.npy' declares 4294967288 bytes",
                "more than the 1032:1"));
        assertTrue(!Allocation.measured() || allocated < 4 << 20, "allocated " + allocated);
        assertFormatError(() -> Npz.headers(f), "liar.npz", "1032:1");
    }

    @Test
    void theZip64TwinIsRefusedToo() throws Exception {
        long n = 2_000_000_000L; // 16 GB of doubles
        Zips.Entry e = Zips.deflated("x.npy", headerClaiming(n)).asZip64();
        Path f = file("liar64.npz", Zips.archive(List.of(e.withSize(128 + 8 * n))));
        long allocated = Allocation.of(() -> assertFormatError(() -> Npz.read(f), "liar64.npz", "declares 16000000128 bytes",
                "1032:1"));
        assertTrue(!Allocation.measured() || allocated < 4 << 20, "allocated " + allocated);
    }

    @Test
    void aStoredEntryMustHoldWhatItDeclaresInsideTheFile() throws IOException {
        long n = (0xffffffffL - 128) / 8;
        Zips.Entry e = Zips.stored("x.npy", headerClaiming(n));
        Path both = file("stored.npz", Zips.archive(List.of(e.withSizes(128 + 8 * n, 128 + 8 * n))));
        assertFormatError(() -> Npz.read(both), "stored.npz", "declares 4294967288 compressed bytes but the file holds");
        Path differ = file("differ.npz", Zips.archive(List.of(e.withSize(128 + 8 * n))));
        assertFormatError(() -> Npz.read(differ), "differ.npz", "stored in 144", "two sizes are equal");
    }

    @Test
    void overlappingEntriesAreRefusedBeforeAnyIsInflated() throws Exception {
        byte[] zeros = Npy.toBytes(Tensor.of(new double[1 << 17], 1 << 17)); // 1 MB, deflates to about 1 KB
        Path f = file("bomb.npz", Zips.overlapping(Zips.deflated("x.npy", zeros), 2000));
        long allocated = Allocation.of(() -> assertFormatError(() -> Npz.read(f), "bomb.npz", "overlap", "ZIP bomb"));
        assertTrue(!Allocation.measured() || allocated < 4 << 20, "allocated " + allocated);
    }

    @Test
    void inflatingStopsAtTheDeclaredSize() throws Exception {
        byte[] npy = doublesNpy(4);
        byte[] content = Arrays.copyOf(npy, npy.length + (16 << 20)); // 16 MB of zeros after the array
        Path f = file("longer.npz", Zips.archive(List.of(Zips.deflated("x.npy", content).withSize(npy.length))));
        long allocated = Allocation.of(() -> assertFormatError(() -> Npz.read(f), "longer.npz", "tensor 'x'",
                "more than the " + npy.length + " bytes"));
        assertTrue(!Allocation.measured() || allocated < 4 << 20, "allocated " + allocated);
        // and a header whose shape does not fill the declared size exactly
        Path g = file("short.npz", Zips.archive(List.of(Zips.stored("x.npy", Arrays.copyOf(npy, npy.length + 8)))));
        assertFormatError(() -> Npz.read(g), "short.npz", "tensor 'x'", "needs 32 bytes but 40 follow", "exactly one array");
    }

    @Test
    void unwantedAndNonArrayEntriesAreNeverInflated() throws IOException {
        byte[] garbage = new byte[64];
        Arrays.fill(garbage, (byte) 0xff); // not a deflate stream
        Zips.Entry bad = new Zips.Entry("bad.npy", 8, garbage, 0, 1000, 64, false);
        Path f = file("mixed.npz", Zips.archive(List.of(Zips.stored("ok.npy", doublesNpy(2)), bad)));
        assertEquals(List.of("ok"), List.copyOf(Npz.read(f, "ok"::equals).keySet()));
        assertFormatError(() -> Npz.read(f), "mixed.npz", "tensor 'bad'", "corrupt ZIP entry");
        Zips.Entry notes = new Zips.Entry("notes.txt", 8, garbage, 0, 1000, 64, false);
        Path g = file("notes.npz", Zips.archive(List.of(Zips.stored("ok.npy", doublesNpy(2)), notes)));
        String msg = assertFormatError(() -> Npz.read(g, "ok"::equals), "notes.npz", "'notes.txt' is not an npy array");
        assertTrue(!msg.contains("corrupt"), msg);
    }

    @Test
    void handBuiltArchivesReadLikeWrittenOnes() throws IOException {
        Path f = file("hand.npz", Zips.archive(List.of(Zips.stored("a.npy", doublesNpy(3)),
                Zips.deflated("b.npy", doublesNpy(5)), Zips.deflated("c.npy", doublesNpy(7)).asZip64())));
        Map<String, Tensor> m = Npz.read(f);
        assertEquals(List.of("a", "b", "c"), List.copyOf(m.keySet()));
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5, 6}, (double[]) m.get("c").data());
    }
}
