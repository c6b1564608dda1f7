package org.layerwise.core.model;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

import org.layerwise.core.Tensor;

/**
 * The weights of a {@link NetworkConfig} under their TransformerLens names, F32 or F64 as the
 * config says. Tokens are row vectors as in TransformerLens: q = x W_Q[h], so the score of
 * query x and key y is x qk(l, h) y^T and a head writes (attention-weighted y) ov(l, h).
 */
public final class NetworkModel {

    private final NetworkConfig config;
    private final Map<String, Tensor> tensors;

    /** Copies the tensors; their names, shapes and dtype must be exactly those of {@link NetworkConfig#expectedShapes()}. */
    public NetworkModel(NetworkConfig config, Map<String, Tensor> tensors) {
        Map<String, long[]> expected = config.expectedShapes();
        Tensor.DType dtype = "float64".equals(config.dtype()) ? Tensor.DType.F64 : Tensor.DType.F32;
        Map<String, Tensor> copy = new LinkedHashMap<>();
        for (var e : expected.entrySet()) {
            Tensor t = tensors.get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' is missing; expected shape " + Arrays.toString(e.getValue()));
            }
            if (!Arrays.equals(t.shape(), e.getValue()) || t.dtype() != dtype) {
                throw new IllegalArgumentException("tensor '" + e.getKey() + "' is " + t.dtype() + " " + t.shapeString()
                        + "; expected " + dtype + " " + Arrays.toString(e.getValue()));
            }
            copy.put(e.getKey(), dtype == Tensor.DType.F64 ? Tensor.of(((double[]) t.data()).clone(), t.shape())
                    : Tensor.of(((float[]) t.data()).clone(), t.shape()));
        }
        for (String name : tensors.keySet()) {
            if (!expected.containsKey(name)) {
                throw new IllegalArgumentException("unexpected tensor '" + name + "'");
            }
        }
        this.config = config;
        this.tensors = Collections.unmodifiableMap(copy);
    }

    public NetworkConfig config() {
        return config;
    }

    /** The tensor of that TransformerLens name; callers must not mutate its data. */
    public Tensor tensor(String name) {
        Tensor t = tensors.get(name);
        if (t == null) {
            throw new IllegalArgumentException("no tensor '" + name + "' in a " + config.family() + " with " + config.nLayers()
                    + " layers" + (config.attnOnly() ? " (attention only)" : "") + (config.layerNorm() ? "" : " (no LayerNorm)"));
        }
        return t;
    }

    /** All tensors by name, in state_dict order. */
    public Map<String, Tensor> tensors() {
        return tensors;
    }

    /** Head h of blocks.{layer}.attn.{name} ([H, a, b]: W_Q, W_K, W_V, W_O) as a row-major a x b matrix. */
    public double[] head(String name, int layer, int head) {
        Tensor t = tensor("blocks." + layer + ".attn." + name);
        if (t.rank() != 3 || head < 0 || head >= t.dim(0)) {
            throw new IllegalArgumentException("blocks." + layer + ".attn." + name + " " + t.shapeString() + " has no head " + head);
        }
        int size = (int) (t.dim(1) * t.dim(2));
        return t.doubles(head * size, size);
    }

    /** W_Q[h] W_K[h]^T, d_model x d_model. */
    public double[] qk(int layer, int head) {
        int d = config.dModel();
        int k = config.dHead();
        double[] q = head("W_Q", layer, head);
        double[] kk = head("W_K", layer, head);
        double[] out = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double s = 0;
                for (int a = 0; a < k; a++) {
                    s += q[i * k + a] * kk[j * k + a];
                }
                out[i * d + j] = s;
            }
        }
        return out;
    }

    /** W_V[h] W_O[h], d_model x d_model. */
    public double[] ov(int layer, int head) {
        int d = config.dModel();
        int k = config.dHead();
        double[] v = head("W_V", layer, head);
        double[] o = head("W_O", layer, head);
        double[] out = new double[d * d];
        for (int i = 0; i < d; i++) {
            for (int a = 0; a < k; a++) {
                double via = v[i * k + a];
                for (int j = 0; j < d; j++) {
                    out[i * d + j] += via * o[a * d + j];
                }
            }
        }
        return out;
    }

    /** Null when every weight is finite, else the first tensor and flat index that is not. */
    public String problem() {
        for (var e : tensors.entrySet()) {
            double[] v = e.getValue().toDoubles();
            for (int i = 0; i < v.length; i++) {
                if (!Double.isFinite(v[i])) {
                    return "tensor '" + e.getKey() + "' holds " + v[i] + " at flat index " + i + "; every weight must be finite";
                }
            }
        }
        return null;
    }

    /** Bit-for-bit equality of config and every tensor. */
    public boolean sameWeights(NetworkModel o) {
        if (!config.equals(o.config)) {
            return false;
        }
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue();
            Tensor u = o.tensors.get(e.getKey());
            if (!(t.dtype() == Tensor.DType.F64 ? rawEquals((double[]) t.data(), (double[]) u.data())
                    : rawEquals((float[]) t.data(), (float[]) u.data()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean rawEquals(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) {
            if (Double.doubleToRawLongBits(a[i]) != Double.doubleToRawLongBits(b[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean rawEquals(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) {
            if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                return false;
            }
        }
        return true;
    }
}
