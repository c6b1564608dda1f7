package org.layerwise.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.layerwise.core.Tensor;
import org.layerwise.core.Tensor.DType;

/**
 * The little-endian element types a file may hold, and how each becomes one of the four
 * {@link Tensor} types: the four native ones exactly, narrower ones widened losslessly
 * (bool/uint8/int8/int16/uint16 to I32, uint32 to I64, float16/bfloat16 to F32).
 */
enum ElementType {
    F64(8, DType.F64, "<f8", "F64"),
    F32(4, DType.F32, "<f4", "F32"),
    I64(8, DType.I64, "<i8", "I64"),
    I32(4, DType.I32, "<i4", "I32"),
    F16(2, DType.F32, "<f2", "F16"),
    BF16(2, DType.F32, null, "BF16"),
    U32(4, DType.I64, "<u4", "U32"),
    I16(2, DType.I32, "<i2", "I16"),
    U16(2, DType.I32, "<u2", "U16"),
    I8(1, DType.I32, "|i1", "I8"),
    U8(1, DType.I32, "|u1", "U8"),
    BOOL(1, DType.I32, "|b1", "BOOL");

    /** Chunk size for streaming; a multiple of every element size. */
    static final int CHUNK = 1 << 16;

    final int size;
    final DType target;
    final String numpyDescr;
    final String safetensorsName;

    ElementType(int size, DType target, String numpyDescr, String safetensorsName) {
        this.size = size;
        this.target = target;
        this.numpyDescr = numpyDescr;
        this.safetensorsName = safetensorsName;
    }

    static ElementType of(DType dtype) {
        return switch (dtype) {
            case F64 -> F64;
            case F32 -> F32;
            case I64 -> I64;
            case I32 -> I32;
        };
    }

    /** The type for a safetensors dtype name, or null. */
    static ElementType forSafetensors(String name) {
        for (ElementType t : values()) {
            if (t.safetensorsName.equals(name)) {
                return t;
            }
        }
        return null;
    }

    /** Safetensors dtype names this reader accepts, for messages. */
    static String safetensorsNames() {
        return Arrays.stream(values()).map(t -> t.safetensorsName).toList().toString();
    }

    /** numpy kind+size (e.g. "f8", "b1") for a descr without its byte-order character, or null. */
    static ElementType forNumpyKind(String kindAndSize) {
        for (ElementType t : values()) {
            if (t.numpyDescr != null && t.numpyDescr.substring(1).equals(kindAndSize)) {
                return t;
            }
        }
        return null;
    }

    static String numpyDescrs() {
        return Arrays.stream(values()).filter(t -> t.numpyDescr != null).map(t -> t.numpyDescr).toList().toString();
    }

    /** Reads up to len bytes, fewer only at the end of the data. */
    @FunctionalInterface
    interface ByteSource {
        int read(byte[] buffer, int offset, int length) throws IOException;
    }

    /** Thrown by {@link #read} when the source ends early. */
    static final class Truncated extends Exception {
        private static final long serialVersionUID = 1L;
        final long got;

        Truncated(long got) {
            super(null, null, false, false);
            this.got = got;
        }
    }

    /**
     * Reads count elements from the source into a new tensor of the widened type.
     *
     * @param bytesExist true when the caller has checked that the source holds the data (bytes
     *                   of a file of known size): the array is allocated at once. Otherwise the
     *                   size is only declared (a deflated stream, a stream of unknown length) and
     *                   the array grows as the data arrives, so a false size costs no more memory
     *                   than the bytes that really follow (at most three times them, widened).
     */
    Tensor read(ByteSource in, int count, long[] shape, boolean bytesExist) throws IOException, Truncated {
        int capacity = bytesExist ? count : Math.min(count, Math.max(1, CHUNK / size));
        Object dst = allocate(capacity);
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(size, (long) count * size))];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        int done = 0;
        while (done < count) {
            int n = Math.min(count - done, buf.length / size);
            int want = n * size;
            int got = in.read(buf, 0, want);
            if (got < want) {
                throw new Truncated((long) done * size + Math.max(got, 0));
            }
            if (done + n > capacity) {
                // grows only once the bytes are here: at most twice what arrived, and never past count
                capacity = (int) Math.min(count, Math.max(2L * capacity, done + n));
                dst = grow(dst, capacity);
            }
            bb.clear();
            decode(bb, dst, done, n);
            done += n;
        }
        return switch (target) {
            case F64 -> Tensor.of((double[]) dst, shape);
            case F32 -> Tensor.of((float[]) dst, shape);
            case I64 -> Tensor.of((long[]) dst, shape);
            case I32 -> Tensor.of((int[]) dst, shape);
        };
    }

    private Object allocate(int length) {
        return switch (target) {
            case F64 -> new double[length];
            case F32 -> new float[length];
            case I64 -> new long[length];
            case I32 -> new int[length];
        };
    }

    private Object grow(Object array, int length) {
        return switch (target) {
            case F64 -> Arrays.copyOf((double[]) array, length);
            case F32 -> Arrays.copyOf((float[]) array, length);
            case I64 -> Arrays.copyOf((long[]) array, length);
            case I32 -> Arrays.copyOf((int[]) array, length);
        };
    }

    private void decode(ByteBuffer bb, Object dst, int off, int n) {
        switch (this) {
            case F64 -> bb.asDoubleBuffer().get((double[]) dst, off, n);
            case F32 -> bb.asFloatBuffer().get((float[]) dst, off, n);
            case I64 -> bb.asLongBuffer().get((long[]) dst, off, n);
            case I32 -> bb.asIntBuffer().get((int[]) dst, off, n);
            case F16 -> {
                float[] f = (float[]) dst;
                for (int i = 0; i < n; i++) {
                    f[off + i] = Float.float16ToFloat(bb.getShort());
                }
            }
            case BF16 -> {
                float[] f = (float[]) dst;
                for (int i = 0; i < n; i++) {
                    f[off + i] = Float.intBitsToFloat((bb.getShort() & 0xffff) << 16);
                }
            }
            case U32 -> {
                long[] l = (long[]) dst;
                for (int i = 0; i < n; i++) {
                    l[off + i] = bb.getInt() & 0xffffffffL;
                }
            }
            case I16 -> {
                int[] a = (int[]) dst;
                for (int i = 0; i < n; i++) {
                    a[off + i] = bb.getShort();
                }
            }
            case U16 -> {
                int[] a = (int[]) dst;
                for (int i = 0; i < n; i++) {
                    a[off + i] = bb.getShort() & 0xffff;
                }
            }
            case I8 -> {
                int[] a = (int[]) dst;
                for (int i = 0; i < n; i++) {
                    a[off + i] = bb.get();
                }
            }
            case U8 -> {
                int[] a = (int[]) dst;
                for (int i = 0; i < n; i++) {
                    a[off + i] = bb.get() & 0xff;
                }
            }
            case BOOL -> {
                int[] a = (int[]) dst;
                for (int i = 0; i < n; i++) {
                    a[off + i] = bb.get() != 0 ? 1 : 0;
                }
            }
        }
    }

    /** Writes the tensor's elements little-endian, bit for bit (NaN payloads and -0.0 kept). */
    static void write(Tensor t, OutputStream out) throws IOException {
        ElementType type = of(t.dtype());
        int count = t.size();
        byte[] buf = new byte[(int) Math.min(CHUNK, Math.max(type.size, (long) count * type.size))];
        ByteBuffer bb = ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        Object src = t.data();
        int done = 0;
        while (done < count) {
            int n = Math.min(count - done, buf.length / type.size);
            bb.clear();
            switch (type) {
                case F64 -> bb.asDoubleBuffer().put((double[]) src, done, n);
                case F32 -> bb.asFloatBuffer().put((float[]) src, done, n);
                case I64 -> bb.asLongBuffer().put((long[]) src, done, n);
                case I32 -> bb.asIntBuffer().put((int[]) src, done, n);
                default -> throw new AssertionError(type);
            }
            out.write(buf, 0, n * type.size);
            done += n;
        }
    }

    /** Bytes of a tensor's data. */
    static long byteLength(Tensor t) {
        return (long) t.size() * t.dtype().bytes;
    }

    /** Elements of a shape, or -1 when the product overflows a long. */
    static long elements(long[] shape) {
        long n = 1;
        for (long s : shape) {
            try {
                n = Math.multiplyExact(n, s);
            } catch (ArithmeticException e) {
                return -1;
            }
        }
        return n;
    }

    /** Largest element count a Java array (and so a Tensor) can hold. */
    static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;
}
