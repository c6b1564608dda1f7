package org.layerwise.core;

import java.util.Arrays;
import java.util.Objects;

/**
 * A dense, row-major (C order) n-dimensional array as it crosses a file boundary: the
 * element type is fixed by the backing Java array (double[], float[], long[] or int[]).
 * Tensors are values: the backing array is not copied, callers must not mutate it afterwards.
 */
public final class Tensor {

    /** Element types, named as numpy and safetensors name them. */
    public enum DType {
        F64("<f8", "F64", 8), F32("<f4", "F32", 4), I64("<i8", "I64", 8), I32("<i4", "I32", 4);

        public final String numpyDescr;
        public final String safetensorsName;
        public final int bytes;

        DType(String numpyDescr, String safetensorsName, int bytes) {
            this.numpyDescr = numpyDescr;
            this.safetensorsName = safetensorsName;
            this.bytes = bytes;
        }
    }

    private final DType dtype;
    private final long[] shape;
    private final Object data;

    private Tensor(DType dtype, long[] shape, Object data, int length) {
        long n = 1;
        for (long s : shape) {
            if (s < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, s);
        }
        if (n != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n
                    + " elements but the data has " + length);
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.data = data;
    }

    public static Tensor of(double[] data, long... shape) {
        return new Tensor(DType.F64, shape, data, data.length);
    }

    public static Tensor of(float[] data, long... shape) {
        return new Tensor(DType.F32, shape, data, data.length);
    }

    public static Tensor of(long[] data, long... shape) {
        return new Tensor(DType.I64, shape, data, data.length);
    }

    public static Tensor of(int[] data, long... shape) {
        return new Tensor(DType.I32, shape, data, data.length);
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int axis) {
        return shape[axis];
    }

    public int size() {
        return switch (dtype) {
            case F64 -> ((double[]) data).length;
            case F32 -> ((float[]) data).length;
            case I64 -> ((long[]) data).length;
            case I32 -> ((int[]) data).length;
        };
    }

    /** The backing array; its Java type matches {@link #dtype()}. */
    public Object data() {
        return data;
    }

    /** The elements widened to double (a copy unless already F64). */
    public double[] toDoubles() {
        return switch (dtype) {
            case F64 -> (double[]) data;
            case F32 -> {
                float[] f = (float[]) data;
                double[] out = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    out[i] = f[i];
                }
                yield out;
            }
            case I64 -> Arrays.stream((long[]) data).asDoubleStream().toArray();
            case I32 -> Arrays.stream((int[]) data).asDoubleStream().toArray();
        };
    }

    /** Elements [from, from + size) in row-major order, widened to double (always a copy). */
    public double[] doubles(int from, int size) {
        if (from < 0 || size < 0 || from + size > this.size()) {
            throw new IndexOutOfBoundsException("[" + from + ", " + (from + size) + ") of a tensor of " + this.size() + " values");
        }
        double[] out = new double[size];
        switch (data) {
            case float[] f -> {
                for (int i = 0; i < size; i++) {
                    out[i] = f[from + i];
                }
            }
            case double[] d -> System.arraycopy(d, from, out, 0, size);
            default -> System.arraycopy(toDoubles(), from, out, 0, size);
        }
        return out;
    }

    /** The elements as long (a copy unless already I64); floating values must be integral. */
    public long[] toLongs() {
        return switch (dtype) {
            case I64 -> (long[]) data;
            case I32 -> Arrays.stream((int[]) data).asLongStream().toArray();
            default -> throw new IllegalStateException("tensor of " + dtype + " is not an integer tensor");
        };
    }

    /** The same values narrowed to float32, e.g. for compact storage of hidden states. */
    public Tensor toFloat32() {
        if (dtype == DType.F32) {
            return this;
        }
        double[] d = toDoubles();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return new Tensor(DType.F32, shape, f, f.length);
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Tensor t) || t.dtype != dtype || !Arrays.equals(t.shape, shape)) {
            return false;
        }
        return switch (dtype) {
            case F64 -> Arrays.equals((double[]) data, (double[]) t.data);
            case F32 -> Arrays.equals((float[]) data, (float[]) t.data);
            case I64 -> Arrays.equals((long[]) data, (long[]) t.data);
            case I32 -> Arrays.equals((int[]) data, (int[]) t.data);
        };
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), size());
    }

    @Override
    public String toString() {
        return "Tensor[" + dtype + " " + shapeString() + "]";
    }
}
