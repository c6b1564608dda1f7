package org.layerwise.backend.transformer;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.layerwise.core.Tensor;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkModel;

/**
 * The weights of a {@link NetworkConfig} as float64 arrays, one per tensor in
 * {@link NetworkConfig#expectedShapes()} order (the layout every {@link Engine} and
 * {@link AdamW} uses). The arrays are held, not copied.
 */
public final class Parameters {

    private final NetworkConfig config;
    private final double[][] values;

    public Parameters(NetworkConfig config, double[][] values) {
        checkLayout(config, values, "weight");
        this.config = config;
        this.values = values;
    }

    /** Throws unless {@code arrays} has one array per tensor of the config, each of its size. */
    static void checkLayout(NetworkConfig config, double[][] arrays, String what) {
        int[] sizes = sizes(config);
        if (arrays.length != sizes.length) {
            throw new IllegalArgumentException(arrays.length + " " + what + " tensors; the config has " + sizes.length);
        }
        for (int i = 0; i < sizes.length; i++) {
            if (arrays[i].length != sizes[i]) {
                throw new IllegalArgumentException(what + " tensor '" + names(config).get(i) + "' has " + arrays[i].length
                        + " values; expected " + sizes[i]);
            }
        }
    }

    /** All weights zero. */
    public static Parameters zeros(NetworkConfig config) {
        return new Parameters(config, zerosLike(sizes(config)));
    }

    public NetworkConfig config() {
        return config;
    }

    /** The arrays themselves, in {@link #names(NetworkConfig)} order. */
    public double[][] values() {
        return values;
    }

    /** A deep copy. */
    public Parameters copy() {
        double[][] v = new double[values.length][];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i].clone();
        }
        return new Parameters(config, v);
    }

    /** The model under TransformerLens names, each value rounded to float32 when the config's dtype is float32. */
    public NetworkModel toModel() {
        boolean f32 = !"float64".equals(config.dtype());
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        int i = 0;
        for (var e : config.expectedShapes().entrySet()) {
            double[] v = values[i++];
            if (f32) {
                float[] f = new float[v.length];
                for (int k = 0; k < v.length; k++) {
                    f[k] = (float) v[k];
                }
                tensors.put(e.getKey(), Tensor.of(f, e.getValue()));
            } else {
                tensors.put(e.getKey(), Tensor.of(v.clone(), e.getValue()));
            }
        }
        return new NetworkModel(config, tensors);
    }

    /** The model's tensors widened to float64 (copies). */
    public static Parameters of(NetworkModel m) {
        List<String> names = names(m.config());
        double[][] v = new double[names.size()][];
        for (int i = 0; i < v.length; i++) {
            v[i] = m.tensor(names.get(i)).toDoubles().clone();
        }
        return new Parameters(m.config(), v);
    }

    /** The tensor names in layout order. */
    public static List<String> names(NetworkConfig config) {
        return new ArrayList<>(config.expectedShapes().keySet());
    }

    /** The number of values of each tensor in layout order. */
    public static int[] sizes(NetworkConfig config) {
        return config.expectedShapes().values().stream().mapToInt(s -> {
            long n = 1;
            for (long d : s) {
                n *= d;
            }
            return Math.toIntExact(n);
        }).toArray();
    }

    /** Zero arrays of these sizes (a gradient buffer, an optimizer moment). */
    public static double[][] zerosLike(int[] sizes) {
        double[][] v = new double[sizes.length][];
        for (int i = 0; i < sizes.length; i++) {
            v[i] = new double[sizes[i]];
        }
        return v;
    }
}
