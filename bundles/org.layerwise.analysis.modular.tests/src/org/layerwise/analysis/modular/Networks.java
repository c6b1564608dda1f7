package org.layerwise.analysis.modular;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntBinaryOperator;

import org.layerwise.core.AnalysisResult;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.core.SequenceTaskGenerator;
import org.layerwise.core.Settings;
import org.layerwise.core.TaskGenerator;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.TokenDataset;
import org.layerwise.core.Tensor;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.core.model.NetworkModel;

/** Hand-built networks and tasks of modular arithmetic for the analyzers' tests. */
final class Networks {

    private Networks() {
    }

    /** The installed modular-arithmetic task, configured as a pipeline would. */
    record Task(TaskSpec spec, TokenDataset dataset) {
        static Task of(int p, String op) throws Exception {
            ContributionRegistry registry = ContributionRegistry.load();
            ContributionDescriptor d = registry.find(Role.TASK, "modular-arithmetic");
            Settings s = d.resolve(Map.of("p", String.valueOf(p), "op", op));
            SequenceTaskGenerator g = (SequenceTaskGenerator) d.create(TaskGenerator.class);
            return new Task(g.configure(s), g.dataset(s, 11L));
        }
    }

    /** The installed analyzer of that id, which reads transformers only. */
    static ContributionDescriptor installed(String id) {
        ContributionRegistry registry = ContributionRegistry.load();
        ContributionDescriptor d = registry.find(Role.ANALYZER, id);
        assertTrue(d != null, id + " is registered; problems: " + registry.problems());
        assertEquals(List.of("transformer"), d.families());
        return d;
    }

    /**
     * What the runner checks before it writes an analyzer's result: a NaN scalar only where the
     * plugin.xml declares it undefined; and every headline and detail names a reported scalar.
     */
    static void assertDeclared(ContributionDescriptor d, AnalysisResult r) {
        for (var e : r.scalars().entrySet()) {
            assertTrue(!Double.isNaN(e.getValue()) || d.mayBeUndefined(e.getKey()), e.getKey() + " is NaN but not declared undefined");
        }
        for (var h : d.headlines()) {
            assertTrue(r.scalars().containsKey(h.scalar()), "headline " + h.scalar() + " is a scalar the analyzer reports");
            h.details().forEach(x -> assertTrue(r.scalars().containsKey(x.scalar()), "detail " + x.scalar() + " is reported"));
        }
    }

    /** Zero tensors of every name and shape the config expects. */
    static Map<String, Tensor> zeros(NetworkConfig c) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (var e : c.expectedShapes().entrySet()) {
            t.put(e.getKey(), Tensor.of(new double[size(e.getValue())], e.getValue()));
        }
        return t;
    }

    /** Gaussian weights of standard deviation {@code scale} in every tensor. */
    static NetworkModel random(NetworkConfig c, double scale, SplittableRandom rng) {
        Map<String, Tensor> t = new LinkedHashMap<>();
        for (var e : c.expectedShapes().entrySet()) {
            double[] v = new double[size(e.getValue())];
            for (int i = 0; i < v.length; i++) {
                v[i] = scale * rng.nextGaussian();
            }
            t.put(e.getKey(), Tensor.of(v, e.getValue()));
        }
        return new NetworkModel(c, t);
    }

    static int size(long[] shape) {
        int n = 1;
        for (long s : shape) {
            n *= (int) s;
        }
        return n;
    }

    /** A config for tokens 0..p (p is "="), p answers, sequences of 3. */
    static NetworkConfig config(int p, int dModel, int heads, int dHead, int dMlp) {
        return new NetworkConfig(NetworkConfig.TRANSFORMER, p + 1, p, 3, dModel, 1, heads, dHead, dMlp, false, "relu", null, 1e-5, 1,
                "float64", "modular-arithmetic");
    }

    /**
     * A one-block network that answers [a, b, =] with logits cos(2 pi k (g(a, b) - c) / p) exactly
     * (up to e^-50), so its argmax is g(a, b) mod p. Residual dims: [0, p) the token one-hot, [p, 2p)
     * a, [2p, 3p) b, 3p and 3p + 1 the answer's cos and sin, [3p + 2, 3p + 5) the position one-hot.
     * At "=", head 0 attends to position 0 and copies a's one-hot into the a block, head 1 position 1
     * into the b block; the MLP has a ReLU unit per pair (a, b), 1/2 for that pair and 0 for every
     * other, which writes (cos, sin)(2 pi k g(a, b) / p); W_U reads c off them.
     */
    static NetworkModel lookup(int p, int k, IntBinaryOperator g) {
        int d = 3 * p + 5;
        int out = 3 * p;
        int pos = 3 * p + 2;
        NetworkConfig c = config(p, d, 2, p, p * p);
        Map<String, Tensor> t = zeros(c);
        double[] wE = data(t, "embed.W_E");
        for (int a = 0; a < p; a++) {
            wE[a * d + a] = 1;
        }
        double[] wPos = data(t, "pos_embed.W_pos");
        for (int i = 0; i < 3; i++) {
            wPos[i * d + pos + i] = 1;
        }
        double[] wQ = data(t, "blocks.0.attn.W_Q");
        double[] wK = data(t, "blocks.0.attn.W_K");
        double[] wV = data(t, "blocks.0.attn.W_V");
        double[] wO = data(t, "blocks.0.attn.W_O");
        for (int h = 0; h < 2; h++) {
            wQ[h * d * p + (pos + 2) * p] = 1;
            wK[h * d * p + (pos + h) * p] = 50;
            for (int a = 0; a < p; a++) {
                wV[h * d * p + a * p + a] = 1;
                wO[h * p * d + a * d + (h + 1) * p + a] = 1;
            }
        }
        double[] wIn = data(t, "blocks.0.mlp.W_in");
        double[] bIn = data(t, "blocks.0.mlp.b_in");
        double[] wOut = data(t, "blocks.0.mlp.W_out");
        int units = p * p;
        for (int a = 0; a < p; a++) {
            for (int b = 0; b < p; b++) {
                int u = a * p + b;
                wIn[(p + a) * units + u] = 1;
                wIn[(2 * p + b) * units + u] = 1;
                bIn[u] = -1.5;
                double angle = 2 * Math.PI * k * Math.floorMod(g.applyAsInt(a, b), p) / p;
                wOut[u * d + out] = 2 * Math.cos(angle);
                wOut[u * d + out + 1] = 2 * Math.sin(angle);
            }
        }
        double[] wU = data(t, "unembed.W_U");
        for (int cc = 0; cc < p; cc++) {
            double angle = 2 * Math.PI * k * cc / p;
            wU[out * p + cc] = Math.cos(angle);
            wU[(out + 1) * p + cc] = Math.sin(angle);
        }
        return new NetworkModel(c, t);
    }

    private static double[] data(Map<String, Tensor> t, String name) {
        return (double[]) t.get(name).data();
    }
}
