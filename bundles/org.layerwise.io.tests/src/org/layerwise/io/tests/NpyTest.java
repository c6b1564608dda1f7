package org.layerwise.io.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.layerwise.io.tests.Tensors.assertBitEquals;
import static org.layerwise.io.tests.Tensors.assertFormatError;
import static org.layerwise.io.tests.Tensors.le;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.layerwise.core.Tensor;
import org.layerwise.core.Tensor.DType;
import org.layerwise.io.Npy;

class NpyTest {

    @TempDir
    Path dir;

    /** An npy file built from the published format (NEP 1), not by the writer. */
    static byte[] npy(int major, String dict, byte[] data) {
        byte[] h = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        int prefix = major == 1 ? 10 : 12;
        int total = (prefix + h.length + 1 + 63) / 64 * 64;
        int hlen = total - prefix;
        ByteBuffer b = le(total + data.length);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) major).put((byte) 0);
        if (major == 1) {
            b.putShort((short) hlen);
        } else {
            b.putInt(hlen);
        }
        b.put(h);
        while (b.position() < total - 1) {
            b.put((byte) ' ');
        }
        b.put((byte) '\n').put(data);
        return b.array();
    }

    static byte[] doubles(double... v) {
        ByteBuffer b = le(v.length * 8);
        for (double d : v) {
            b.putDouble(d);
        }
        return b.array();
    }

    static Tensor read(byte[] bytes) throws IOException {
        return Npy.read(new ByteArrayInputStream(bytes), "hand.npy", null, bytes.length);
    }

    @Test
    void roundTripsEveryDtypeBitExactly() throws IOException {
        for (Map.Entry<String, Tensor> e : Tensors.samples().entrySet()) {
            Path f = dir.resolve(e.getKey() + ".npy");
            Npy.write(f, e.getValue());
            assertBitEquals(e.getValue(), Npy.read(f));
            assertBitEquals(e.getValue(), Npy.read(new ByteArrayInputStream(Npy.toBytes(e.getValue()))));
            assertEquals(Files.size(f), Npy.byteLength(e.getValue()));
        }
    }

    @Test
    void headerIsByteForByteWhatNumpyWrites() {
        // numpy 1.24 np.save(np.zeros((3, 4))): 128-byte header (room for the first axis to grow)
        byte[] b = Npy.toBytes(Tensor.of(new double[12], 3, 4));
        assertEquals(128 + 96, b.length);
        assertEquals((byte) 0x93, b[0]);
        assertEquals("NUMPY", new String(b, 1, 5, StandardCharsets.US_ASCII));
        assertEquals(1, b[6]);
        assertEquals(0, b[7]);
        assertEquals(118, (b[8] & 0xff) | (b[9] & 0xff) << 8);
        String header = new String(b, 10, 118, StandardCharsets.ISO_8859_1);
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }";
        assertEquals(dict + " ".repeat(117 - dict.length()) + "\n", header);
    }

    @Test
    void scalarAndRankOneShapesAreWrittenAsPythonTuples() {
        assertTrue(headerOf(Tensor.of(new double[] {2.5})).startsWith("{'descr': '<f8', 'fortran_order': False, 'shape': (), }"));
        assertTrue(headerOf(Tensor.of(new int[5], 5)).startsWith("{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }"));
        assertTrue(headerOf(Tensor.of(new float[0], 0)).startsWith("{'descr': '<f4', 'fortran_order': False, 'shape': (0,), }"));
        assertTrue(headerOf(Tensor.of(new long[24], 2, 3, 4)).startsWith("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3, 4), }"));
    }

    private static String headerOf(Tensor t) {
        byte[] b = Npy.toBytes(t);
        int hlen = (b[8] & 0xff) | (b[9] & 0xff) << 8;
        assertEquals(0, (10 + hlen) % 64, "data starts at a multiple of 64");
        assertEquals('\n', b[10 + hlen - 1]);
        assertEquals(10 + hlen + t.size() * t.dtype().bytes, b.length);
        return new String(b, 10, hlen, StandardCharsets.ISO_8859_1);
    }

    @Test
    void bigHeadersSwitchToVersion2() throws IOException {
        long[] shape = new long[25_000];
        Arrays.fill(shape, 1);
        Tensor t = Tensor.of(new double[] {7.0}, shape);
        byte[] b = Npy.toBytes(t);
        assertEquals(2, b[6]);
        assertEquals(0, b.length % 8);
        assertBitEquals(t, read(b));
    }

    @Test
    void readsHandBuiltVersion1() throws IOException {
        byte[] f = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", doubles(1.5, -0.0, Double.NaN, 4));
        Tensor t = read(f);
        assertEquals(DType.F64, t.dtype());
        assertArrayEquals(new long[] {2, 2}, t.shape());
        assertArrayEquals(new double[] {1.5, -0.0, Double.NaN, 4}, (double[]) t.data());
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(((double[]) t.data())[1]));
    }

    @Test
    void readsHandBuiltVersion2WithOtherKeyOrderAndQuotes() throws IOException {
        ByteBuffer data = le(12).putInt(-7).putInt(0).putInt(Integer.MAX_VALUE);
        byte[] f = npy(2, "{\"shape\": (3,), \"fortran_order\": False, \"descr\": \"<i4\"}", data.array());
        Tensor t = read(f);
        assertEquals(DType.I32, t.dtype());
        assertArrayEquals(new int[] {-7, 0, Integer.MAX_VALUE}, (int[]) t.data());
    }

    @Test
    void readsHandBuiltVersion3Utf8Header() throws IOException {
        ByteBuffer data = le(8).putFloat(0.25f).putFloat(-3f);
        Tensor t = read(npy(3, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2), }", data.array()));
        assertEquals(DType.F32, t.dtype());
        assertArrayEquals(new long[] {1, 2}, t.shape());
        assertArrayEquals(new float[] {0.25f, -3f}, (float[]) t.data());
        // version 3 headers are UTF-8: the non-ASCII character comes back decoded in the message
        byte[] g = npy(3, "{'descr': '<f4\u00e9', 'fortran_order': False, 'shape': (1, 2), }", data.array());
        assertFormatError(() -> read(g), "hand.npy", "unsupported dtype '<f4\u00e9'");
    }

    @Test
    void readsHandBuiltScalarAndPython2LongShapes() throws IOException {
        Tensor s = read(npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (), }", le(8).putLong(-5).array()));
        assertArrayEquals(new long[0], s.shape());
        assertArrayEquals(new long[] {-5}, (long[]) s.data());
        Tensor l = read(npy(1, "{'descr': '<i8', 'fortran_order': False, 'shape': (2L,), }", le(16).putLong(1).putLong(2).array()));
        assertArrayEquals(new long[] {1, 2}, (long[]) l.data());
    }

    @Test
    void widensBoolAndUint8ToI32() throws IOException {
        byte[] bytes = {0, 1, (byte) 255, 7};
        Tensor b = read(npy(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (4,), }", new byte[] {0, 1, 1, 0}));
        assertEquals(DType.I32, b.dtype());
        assertArrayEquals(new int[] {0, 1, 1, 0}, (int[]) b.data());
        Tensor u = read(npy(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2), }", bytes));
        assertArrayEquals(new int[] {0, 1, 255, 7}, (int[]) u.data());
        Tensor u2 = read(npy(1, "{'descr': '<u1', 'fortran_order': False, 'shape': (4,), }", bytes));
        assertArrayEquals(new int[] {0, 1, 255, 7}, (int[]) u2.data());
        Tensor i1 = read(npy(1, "{'descr': '|i1', 'fortran_order': False, 'shape': (4,), }", bytes));
        assertArrayEquals(new int[] {0, 1, -1, 7}, (int[]) i1.data());
        Tensor u4 = read(npy(1, "{'descr': '<u4', 'fortran_order': False, 'shape': (1,), }", le(4).putInt(-1).array()));
        assertEquals(DType.I64, u4.dtype());
        assertArrayEquals(new long[] {4294967295L}, (long[]) u4.data());
        Tensor f2 = read(npy(1, "{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }",
                le(4).putShort((short) 0x3c00).putShort((short) 0xc000).array()));
        assertEquals(DType.F32, f2.dtype());
        assertArrayEquals(new float[] {1f, -2f}, (float[]) f2.data());
    }

    @Test
    void rejectsFortranOrder() {
        byte[] f = npy(1, "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 2), }", doubles(1, 2, 3, 4));
        assertFormatError(() -> read(f), "hand.npy", "fortran_order True");
    }

    @Test
    void rejectsBigEndian() {
        byte[] f = npy(1, "{'descr': '>f8', 'fortran_order': False, 'shape': (1,), }", new byte[8]);
        assertFormatError(() -> read(f), "hand.npy", "big-endian", "'>f8'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"<c16", "|O", "<U3", "<m8", "<u8", "f8", "<f16"})
    void rejectsUnknownDtypes(String descr) {
        byte[] f = npy(1, "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (1,), }", new byte[16]);
        assertFormatError(() -> read(f), "hand.npy", "unsupported dtype '" + descr + "'");
    }

    @Test
    void rejectsStructuredDtype() {
        byte[] f = npy(1, "{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (1,), }", new byte[8]);
        assertFormatError(() -> read(f), "hand.npy", "unsupported dtype", "structured");
    }

    @Test
    void rejectsTruncatedData() {
        byte[] f = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (3,), }", doubles(1, 2));
        assertFormatError(() -> read(f), "hand.npy", "truncated", "needs 24 bytes", "only 16");
        // also when the stream length is not known in advance
        assertFormatError(() -> Npy.read(new ByteArrayInputStream(f), "s.npy", "x", -1), "s.npy", "'x'", "truncated",
                "only 16");
    }

    @Test
    void rejectsTruncatedHeaderBadMagicAndVersion() {
        byte[] good = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", doubles(1));
        assertFormatError(() -> read(Arrays.copyOf(good, 40)), "hand.npy", "header");
        byte[] bad = good.clone();
        bad[1] = 'X';
        assertFormatError(() -> read(bad), "hand.npy", "magic");
        byte[] v4 = good.clone();
        v4[6] = 4;
        assertFormatError(() -> read(v4), "hand.npy", "version 4.0");
        assertFormatError(() -> read(new byte[0]), "hand.npy", "not an npy");
    }

    @Test
    void rejectsMissingOrExtraKeysAndBadShapes() {
        assertFormatError(() -> read(npy(1, "{'descr': '<f8', 'shape': (1,), }", doubles(1))), "lacks the key 'fortran_order'");
        assertFormatError(() -> read(npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", doubles(1))),
                "[x]");
        assertFormatError(() -> read(npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", doubles(1))),
                "non-negative");
        assertFormatError(() -> read(npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,)", doubles(1))),
                "not a Python literal");
    }

    @Test
    void streamWritingLeavesTheStreamPositionedAfterTheData() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Tensor a = Tensor.of(new int[] {1, 2, 3}, 3);
        Tensor b = Tensor.of(new double[] {4.5});
        Npy.write(out, a);
        Npy.write(out, b);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertBitEquals(a, Npy.read(in));
        assertBitEquals(b, Npy.read(in));
        assertEquals(0, in.available());
    }

    @Test
    void deeplyNestedHeadersAreRefusedWithoutOverflowingTheStack() {
        // a million '(' would recurse a million frames deep without the cap
        String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': " + "(".repeat(1_000_000) + "}";
        assertFormatError(() -> read(npy(2, dict, doubles(1))), "hand.npy", "not a Python literal", "nested deeper than");
    }

    @Test
    void onlyAsciiDigitsAreIntegers() {
        // Long.parseLong reads ARABIC-INDIC DIGIT EIGHT as 8; Python's literal_eval does too, numpy never writes it
        byte[] f = npy(3, "{'descr': '<f8', 'fortran_order': False, 'shape': (\u0668,), }", doubles(1, 2, 3, 4, 5, 6, 7, 8));
        assertFormatError(() -> read(f), "hand.npy", "not a Python literal", "unexpected");
        byte[] big = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,), }", doubles(1));
        assertFormatError(() -> read(big), "hand.npy", "does not fit 64 bits");
    }

    @Test
    void aStreamOfUnknownLengthCostsTheBytesThatArriveNotTheShapeItDeclares() throws Exception {
        // 100 million doubles declared (800 MB), 16 bytes follow
        byte[] f = npy(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000,), }", doubles(1, 2));
        long allocated = Allocation.of(() -> assertFormatError(() -> Npy.read(new ByteArrayInputStream(f), "s.npy", "x", -1),
                "s.npy", "truncated", "only 16"));
        assertTrue(!Allocation.measured() || allocated < 4 << 20, "allocated " + allocated + " bytes");
    }
}
