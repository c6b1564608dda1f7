package org.layerwise.io.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.layerwise.io.tests.Tensors.assertAllBitEquals;
import static org.layerwise.io.tests.Tensors.assertFormatError;
import static org.layerwise.io.tests.Tensors.le;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.layerwise.core.Tensor;
import org.layerwise.core.Tensor.DType;
import org.layerwise.io.Json;
import org.layerwise.io.Safetensors;
import org.layerwise.io.TensorFormatException;

import com.fasterxml.jackson.databind.JsonNode;

class SafetensorsTest {

    @TempDir
    Path dir;

    /** A safetensors file built from the published layout, not by the writer. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return le(8 + h.length + data.length).putLong(h.length).put(h).put(data).array();
    }

    Path put(String header, byte[] data) throws IOException {
        Path p = dir.resolve("model.safetensors");
        Files.write(p, file(header, data));
        return p;
    }

    static String qk(String dtype, String shape, String offsets) {
        return "{\"blocks.0.attn.QK\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}}";
    }

    // ------------------------------------------------------------------ round trips and layout

    @Test
    void roundTripsEveryDtypeWithMetadata() throws IOException {
        Path f = dir.resolve("model.safetensors");
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("format", "layerwise");
        meta.put("note", "ünïcode, \"quotes\"\nand lines");
        Safetensors.write(f, Tensors.samples(), meta);
        Safetensors.Contents c = Safetensors.read(f);
        assertAllBitEquals(Tensors.samples(), c.tensors());
        assertEquals(meta, c.metadata());
        long n = ByteBuffer.wrap(Files.readAllBytes(f), 0, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode h = Json.mapper().readTree(new String(Files.readAllBytes(f), 8, (int) n, StandardCharsets.UTF_8));
        for (String name : Tensors.samples().keySet()) {
            long begin = h.get(name).get("data_offsets").get(0).longValue();
            assertEquals(0, (8 + n + begin) % Tensors.samples().get(name).dtype().bytes, name + " is aligned");
        }
        assertEquals(List.copyOf(meta.keySet()), List.copyOf(c.metadata().keySet()));
        Tensors.assertFiles(dir, "model.safetensors");
    }

    @Test
    void writesTheStandardLayout() throws IOException {
        Path f = dir.resolve("m.safetensors");
        Map<String, Tensor> t = new LinkedHashMap<>();
        t.put("b", Tensor.of(new float[] {1, 2, 3}, 3));
        t.put("a", Tensor.of(new double[] {4, 5}, 1, 2));
        Safetensors.write(f, t, Map.of("k", "v"));
        byte[] bytes = Files.readAllBytes(f);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong(0);
        assertEquals(0, n % 8, "header padded to a multiple of 8");
        assertEquals(8 + n + 12 + 16, bytes.length);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"k\":\"v\"},"), header);
        JsonNode h = Json.mapper().readTree(header);
        List<String> keys = new ArrayList<>();
        h.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("__metadata__", "b", "a"), keys);
        assertEquals("F32", h.get("b").get("dtype").asText());
        assertEquals("[3]", h.get("b").get("shape").toString());
        // data ordered by decreasing element size, so every tensor is naturally aligned
        assertEquals("[16,28]", h.get("b").get("data_offsets").toString());
        assertEquals("F64", h.get("a").get("dtype").asText());
        assertEquals("[1,2]", h.get("a").get("shape").toString());
        assertEquals("[0,16]", h.get("a").get("data_offsets").toString());
        int data = (int) (8 + n);
        assertEquals(4.0, bb.getDouble(data));
        assertEquals(5.0, bb.getDouble(data + 8));
        assertEquals(1f, bb.getFloat(data + 16));
        assertEquals(3f, bb.getFloat(data + 24));
    }

    @Test
    void writesNoMetadataWhenThereIsNone() throws IOException {
        Path f = dir.resolve("m.safetensors");
        Safetensors.write(f, Map.of("x", Tensor.of(new int[] {3})));
        String all = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
        assertTrue(!all.contains("__metadata__"));
        assertEquals(Map.of(), Safetensors.read(f).metadata());
    }

    @Test
    void readsAHandBuiltFileInHeaderOrder() throws IOException {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},"
                + "\"w\":{\"dtype\":\"F64\",\"shape\":[2,2],\"data_offsets\":[24,56]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"n\":{\"dtype\":\"I64\",\"shape\":[],\"data_offsets\":[8,16]},"
                + "\"i\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[16,24]},"
                + "\"e\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[56,56]}}   ";
        ByteBuffer data = le(56).putFloat(0.5f).putFloat(Float.intBitsToFloat(0x7fc00001))
                .putLong(-9).putInt(Integer.MIN_VALUE).putInt(3)
                .putDouble(1.25).putDouble(-0.0).putDouble(Double.longBitsToDouble(0x7ff0000000000001L)).putDouble(1e300);
        Safetensors.Contents c = Safetensors.read(put(header, data.array()));
        assertEquals(List.of("w", "b", "n", "i", "e"), List.copyOf(c.tensors().keySet()));
        assertEquals(Map.of("format", "pt"), c.metadata());
        Tensor w = c.tensors().get("w");
        assertEquals(DType.F64, w.dtype());
        assertArrayEquals(new long[] {2, 2}, w.shape());
        double[] wd = (double[]) w.data();
        assertEquals(1.25, wd[0]);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(wd[1]));
        assertEquals(0x7ff0000000000001L, Double.doubleToRawLongBits(wd[2]));
        assertEquals(1e300, wd[3]);
        float[] b = (float[]) c.tensors().get("b").data();
        assertEquals(0.5f, b[0]);
        assertEquals(0x7fc00001, Float.floatToRawIntBits(b[1]));
        assertArrayEquals(new long[0], c.tensors().get("n").shape());
        assertArrayEquals(new long[] {-9}, (long[]) c.tensors().get("n").data());
        assertArrayEquals(new int[] {Integer.MIN_VALUE, 3}, (int[]) c.tensors().get("i").data());
        assertArrayEquals(new long[] {0, 3}, c.tensors().get("e").shape());
        assertEquals(0, c.tensors().get("e").size());
    }

    @Test
    void widensNarrowTypes() throws IOException {
        String header = "{\"bf\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[4,8]},"
                + "\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[8,11]},"
                + "\"u\":{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[11,12]},"
                + "\"s\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[12,16]},"
                + "\"w\":{\"dtype\":\"U32\",\"shape\":[1],\"data_offsets\":[16,20]}}";
        ByteBuffer data = le(20).putShort((short) 0x3fc0).putShort((short) 0xc040) // bf16 1.5, -3
                .putShort((short) 0x3800).putShort((short) 0x7c00) // f16 0.5, +inf
                .put((byte) 1).put((byte) 0).put((byte) 2).put((byte) 200)
                .putShort((short) -2).putShort((short) 300).putInt(-1);
        Map<String, Tensor> t = Safetensors.read(put(header, data.array())).tensors();
        assertArrayEquals(new float[] {1.5f, -3f}, (float[]) t.get("bf").data());
        assertArrayEquals(new float[] {0.5f, Float.POSITIVE_INFINITY}, (float[]) t.get("h").data());
        assertArrayEquals(new int[] {1, 0, 1}, (int[]) t.get("m").data());
        assertArrayEquals(new int[] {200}, (int[]) t.get("u").data());
        assertArrayEquals(new int[] {-2, 300}, (int[]) t.get("s").data());
        assertEquals(DType.I64, t.get("w").dtype());
        assertArrayEquals(new long[] {4294967295L}, (long[]) t.get("w").data());
    }

    // ------------------------------------------------------------------ malformed files

    @Test
    void theDocumentedExampleMessage() throws IOException {
        Path p = put(qk("F32", "[1,4,4]", "[0,100]"), new byte[100]);
        TensorFormatException e = org.junit.jupiter.api.Assertions.assertThrows(TensorFormatException.class,
                () -> Safetensors.read(p));
        assertEquals(p + ": tensor 'blocks.0.attn.QK': data_offsets [0, 100] hold 100 bytes but shape [1, 4, 4] of F32 needs 64",
                e.getMessage());
        assertEquals("blocks.0.attn.QK", e.tensorName());
        assertEquals(p.toString(), e.source());
    }

    @Test
    void rejectsFilesShorterThan8Bytes() throws IOException {
        Path p = dir.resolve("tiny.safetensors");
        Files.write(p, new byte[] {1, 0, 0});
        assertFormatError(() -> Safetensors.read(p), "tiny.safetensors", "3 bytes", "8-byte");
        Files.write(p, new byte[0]);
        assertFormatError(() -> Safetensors.read(p), "tiny.safetensors", "0 bytes");
    }

    @Test
    void rejectsHeaderLongerThanTheFile() throws IOException {
        Path p = dir.resolve("model.safetensors");
        Files.write(p, le(8 + 10).putLong(64).put("{\"a\":1}   ".getBytes(StandardCharsets.UTF_8)).array());
        assertFormatError(() -> Safetensors.read(p), "model.safetensors", "header length 64", "10 bytes");
    }

    @Test
    void rejectsAbsurdHeaderLengths() throws IOException {
        Path p = dir.resolve("model.safetensors");
        Files.write(p, le(16).putLong(200_000_000L).putLong(0).array());
        assertFormatError(() -> Safetensors.read(p), "model.safetensors", "200000000", "absurd");
        Files.write(p, le(16).putLong(-1L).putLong(0).array());
        assertFormatError(() -> Safetensors.read(p), "model.safetensors", "18446744073709551615", "absurd");
    }

    @Test
    void rejectsInvalidJson() throws IOException {
        assertFormatError(() -> Safetensors.read(put("{\"a\": {\"dtype\": \"F32\",, }", new byte[0])), "model.safetensors",
                "not valid JSON", "line 1");
        assertFormatError(() -> Safetensors.read(put("{\"a\":{}} trailing", new byte[0])), "model.safetensors", "not valid JSON");
        assertFormatError(() -> Safetensors.read(put("", new byte[0])), "model.safetensors", "empty");
        byte[] badUtf8 = le(8 + 4).putLong(4).put(new byte[] {'{', (byte) 0xff, '}', ' '}).array();
        Path p = dir.resolve("utf.safetensors");
        Files.write(p, badUtf8);
        assertFormatError(() -> Safetensors.read(p), "utf.safetensors", "UTF-8");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1,2]", "\"text\"", "42", "null"})
    void rejectsHeadersThatAreNotObjects(String header) {
        assertFormatError(() -> Safetensors.read(put(header, new byte[0])), "model.safetensors", "expected a JSON object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"dtype", "shape", "data_offsets"})
    void rejectsEntriesMissingAKey(String key) throws IOException {
        Map<String, String> parts = new LinkedHashMap<>();
        parts.put("dtype", "\"dtype\":\"F32\"");
        parts.put("shape", "\"shape\":[2]");
        parts.put("data_offsets", "\"data_offsets\":[0,8]");
        parts.remove(key);
        String header = "{\"blocks.1.attn.OV\":{" + String.join(",", parts.values()) + "}}";
        assertFormatError(() -> Safetensors.read(put(header, new byte[8])), "model.safetensors", "tensor 'blocks.1.attn.OV'",
                "lacks '" + key + "'");
    }

    @Test
    void rejectsEntriesThatAreNotObjects() {
        assertFormatError(() -> Safetensors.read(put("{\"w\":[1,2]}", new byte[0])), "model.safetensors", "tensor 'w'",
                "expected an object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"U64", "F8_E4M3", "C64", "f32", "float32"})
    void rejectsUnsupportedDtypesNamingThem(String dtype) {
        assertFormatError(() -> Safetensors.read(put(qk(dtype, "[2]", "[0,8]"), new byte[8])), "model.safetensors",
                "tensor 'blocks.0.attn.QK'", "unsupported dtype '" + dtype + "'", "F32");
    }

    @Test
    void rejectsNonStringDtype() {
        assertFormatError(() -> Safetensors.read(put("{\"x\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4])),
                "model.safetensors", "tensor 'x'", "dtype", "expected a string");
    }

    @Test
    void rejectsNegativeShape() {
        assertFormatError(() -> Safetensors.read(put(qk("F32", "[2,-1]", "[0,8]"), new byte[8])), "model.safetensors",
                "tensor 'blocks.0.attn.QK'", "shape [2,-1]", "negative");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[2,1.5]", "[2,\"3\"]", "[2,null]", "3", "{}", "[1e2]", "[99999999999999999999999]"})
    void rejectsNonIntegerShapes(String shape) {
        assertFormatError(() -> Safetensors.read(put(qk("F32", shape, "[0,8]"), new byte[8])), "model.safetensors",
                "tensor 'blocks.0.attn.QK'", "shape", "non-negative integers");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[0]", "[0,4,8]", "[0,-4]", "[0.5,8]", "\"0,8\""})
    void rejectsMalformedOffsets(String offsets) {
        assertFormatError(() -> Safetensors.read(put(qk("F32", "[2]", offsets), new byte[8])), "model.safetensors",
                "tensor 'blocks.0.attn.QK'", "data_offsets");
    }

    @Test
    void rejectsOffsetsEndingBeforeTheyBegin() {
        assertFormatError(() -> Safetensors.read(put(qk("F32", "[0]", "[8,0]"), new byte[8])), "model.safetensors",
                "tensor 'blocks.0.attn.QK'", "data_offsets [8, 0] end before they begin");
    }

    @Test
    void rejectsByteLengthThatDoesNotMatchTheShape() {
        assertFormatError(() -> Safetensors.read(put(qk("F64", "[3]", "[0,16]"), new byte[16])), "model.safetensors",
                "tensor 'blocks.0.attn.QK'", "hold 16 bytes but shape [3] of F64 needs 24");
    }

    @Test
    void rejectsOffsetsBeyondTheDataSection() {
        assertFormatError(() -> Safetensors.read(put(qk("F32", "[4]", "[0,16]"), new byte[12])), "model.safetensors",
                "tensor 'blocks.0.attn.QK'", "data_offsets [0, 16] reach beyond the data section, which holds 12 bytes");
    }

    @Test
    void rejectsOverlappingTensors() {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}";
        assertFormatError(() -> Safetensors.read(put(header, new byte[12])), "model.safetensors", "tensor 'b'",
                "[4, 12] overlap tensor 'a' at [0, 8]");
        String same = "{\"a\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        assertFormatError(() -> Safetensors.read(put(same, new byte[8])), "model.safetensors", "overlap");
    }

    @Test
    void rejectsGapsAndTrailingBytesLikeTheReference() {
        String gap = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
        assertFormatError(() -> Safetensors.read(put(gap, new byte[12])), "model.safetensors", "tensor 'b'", "gap",
                "begin at 4");
        assertFormatError(() -> Safetensors.read(put(qk("F32", "[1]", "[0,4]"), new byte[8])), "model.safetensors",
                "holds 8 bytes but the tensors cover only 4");
    }

    @Test
    void rejectsBadMetadata() {
        assertFormatError(() -> Safetensors.read(put("{\"__metadata__\":{\"epoch\":3}}", new byte[0])), "model.safetensors",
                "__metadata__", "'epoch'", "expected a string");
        assertFormatError(() -> Safetensors.read(put("{\"__metadata__\":[1]}", new byte[0])), "model.safetensors",
                "__metadata__", "array");
    }

    @Test
    void rejectsDuplicateTensorNames() {
        String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}";
        assertFormatError(() -> Safetensors.read(put(header, new byte[8])), "model.safetensors", "Duplicate", "'a'");
    }

    @Test
    void acceptsAnEmptyFileWithOnlyAHeader() throws IOException {
        Safetensors.Contents c = Safetensors.read(put("{}      ", new byte[0]));
        assertEquals(0, c.tensors().size());
        Path f = dir.resolve("empty.safetensors");
        Safetensors.write(f, Map.of(), null);
        assertEquals(16, Files.size(f));
        assertEquals(0, Safetensors.read(f).tensors().size());
    }

    @Test
    void everyErrorNamesTheFile() throws IOException {
        // sanity: the message of a structural error has the path first
        Path p = put("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[2]);
        String msg = assertFormatError(() -> Safetensors.read(p), "tensor 'x'");
        assertTrue(msg.startsWith(p.toString() + ": "), msg);
    }

    @Test
    void headersGiveEveryShapeAndDtypeAsReadingWouldWithoutTheData() throws Exception {
        Path f = dir.resolve("h.safetensors");
        Map<String, Tensor> in = new LinkedHashMap<>(Tensors.samples());
        in.put("big", Tensor.of(new double[1 << 20], 1 << 20));
        Safetensors.write(f, in);
        Map<String, org.layerwise.io.Npz.ArrayHeader> headers = new LinkedHashMap<>();
        long allocated = Allocation.of(() -> headers.putAll(Safetensors.headers(f)));
        assertEquals(List.copyOf(in.keySet()), List.copyOf(headers.keySet()));
        in.forEach((k, t) -> {
            assertArrayEquals(t.shape(), headers.get(k).shape(), k);
            assertEquals(t.dtype(), headers.get(k).dtype(), k);
        });
        assertTrue(!Allocation.measured() || allocated < 1 << 20, "allocated " + allocated);
    }
}
