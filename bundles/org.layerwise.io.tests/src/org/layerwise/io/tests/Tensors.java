package org.layerwise.io.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.function.Executable;
import org.layerwise.core.Tensor;
import org.layerwise.io.TensorFormatException;

/** Test helpers: bit-exact tensor comparison (Tensor.equals folds NaN payloads) and sample tensors. */
final class Tensors {

    private Tensors() {
    }

    /** Quiet NaN with a payload, a signalling NaN, the canonical NaN and a negative NaN with payload. */
    static final long[] NAN_BITS = {0x7ff8000000000001L, 0x7ff0000000000123L, 0x7ff8000000000000L, 0xfff8000000000abcL};
    static final int[] NAN_BITS_F = {0x7fc00001, 0x7f800123, 0x7fc00000, 0xffc00abc};

    static double[] specialDoubles() {
        return new double[] {0.0, -0.0, 1.0, -1.5, 0.1, 1e-300, Double.MIN_VALUE, Double.MAX_VALUE, Double.MIN_NORMAL,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Math.PI,
                Double.longBitsToDouble(NAN_BITS[0]), Double.longBitsToDouble(NAN_BITS[1]),
                Double.longBitsToDouble(NAN_BITS[2]), Double.longBitsToDouble(NAN_BITS[3])};
    }

    static float[] specialFloats() {
        return new float[] {0.0f, -0.0f, 1.0f, -1.5f, 0.1f, 1e-38f, Float.MIN_VALUE, Float.MAX_VALUE,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, (float) Math.E, 3.0f,
                Float.intBitsToFloat(NAN_BITS_F[0]), Float.intBitsToFloat(NAN_BITS_F[1]),
                Float.intBitsToFloat(NAN_BITS_F[2]), Float.intBitsToFloat(NAN_BITS_F[3])};
    }

    /** Tensors of every dtype and several shapes, including scalars and empty ones. */
    static Map<String, Tensor> samples() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("f64", Tensor.of(specialDoubles(), 4, 4));
        m.put("f32", Tensor.of(specialFloats(), 2, 2, 4));
        m.put("i64", Tensor.of(new long[] {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE, 1L << 40}, 6));
        m.put("i32", Tensor.of(new int[] {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE, 7}, 3, 2));
        m.put("scalar_f64", Tensor.of(new double[] {-0.0}));
        m.put("scalar_i32", Tensor.of(new int[] {42}));
        m.put("empty_f32", Tensor.of(new float[0], 0));
        m.put("empty_i64", Tensor.of(new long[0], 2, 0, 3));
        m.put("blocks.0.attn.QK", Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 1, 2, 4));
        return m;
    }

    /** Same dtype, shape and bit-identical elements (NaN payloads and signed zeros included). */
    static void assertBitEquals(Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype(), "dtype");
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        switch (expected.dtype()) {
            case F64 -> {
                double[] e = (double[]) expected.data();
                double[] a = (double[]) actual.data();
                assertEquals(e.length, a.length);
                for (int i = 0; i < e.length; i++) {
                    assertEquals(Double.doubleToRawLongBits(e[i]), Double.doubleToRawLongBits(a[i]),
                            "bits of element " + i + " (" + e[i] + ")");
                }
            }
            case F32 -> {
                float[] e = (float[]) expected.data();
                float[] a = (float[]) actual.data();
                assertEquals(e.length, a.length);
                for (int i = 0; i < e.length; i++) {
                    assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]),
                            "bits of element " + i + " (" + e[i] + ")");
                }
            }
            case I64 -> assertArrayEquals((long[]) expected.data(), (long[]) actual.data());
            case I32 -> assertArrayEquals((int[]) expected.data(), (int[]) actual.data());
        }
    }

    static void assertAllBitEquals(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()), "names in order");
        for (String k : expected.keySet()) {
            assertBitEquals(expected.get(k), actual.get(k));
        }
    }

    static ByteBuffer le(int capacity) {
        return ByteBuffer.allocate(capacity).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Asserts a TensorFormatException whose message contains every fragment; returns the message. */
    static String assertFormatError(Executable call, String... fragments) {
        TensorFormatException e = assertThrows(TensorFormatException.class, call);
        String msg = e.getMessage();
        for (String f : fragments) {
            assertTrue(msg.contains(f), () -> "message lacks '" + f + "': " + msg);
        }
        return msg;
    }

    /** The folder holds exactly these file names (no temporary files left over). */
    static void assertFiles(Path dir, String... expected) throws IOException {
        try (var s = Files.list(dir)) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of(expected).stream().sorted().toList(), names, "files in " + dir);
        }
    }
}
