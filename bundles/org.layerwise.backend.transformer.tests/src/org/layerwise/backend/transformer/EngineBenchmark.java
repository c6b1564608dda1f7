package org.layerwise.backend.transformer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.layerwise.core.TokenDataset;
import org.layerwise.core.model.NetworkConfig;

/**
 * Training steps per second of both engines (a harness, not a test): full-batch
 * lossAndGradient plus AdamW on modular addition. Arguments: [threads [steps]].
 * Run with --add-modules=jdk.incubator.vector on a classpath of the core and this bundle's classes.
 */
public final class EngineBenchmark {

    private EngineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        int steps = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        List<String> info = Files.readAllLines(Path.of("/proc/cpuinfo"));
        String cpu = String.join(", ", info.stream().filter(l -> l.startsWith("model name") || l.startsWith("cpu family")
                || l.startsWith("model\t")).limit(3).map(String::strip).toList());
        System.out.println(cpu + ", " + Runtime.getRuntime().availableProcessors() + " processors, threads " + threads + ", "
                + System.getProperty("java.version"));
        // the grokking default: p = 113, f = 0.3 (3,830 training pairs), d_model 128, 4 heads of 32, d_mlp 512
        TokenDataset big = Fixtures.modularAddition(113, 0.3, 1);
        NetworkConfig grokking = Fixtures.config(114, 113, 3, 128, 1, 4, 32, 512, false, false);
        BatchedEngine batched = new BatchedEngine(grokking, big, threads);
        System.out.println("batched engine: " + batched.description());
        time("batched, p 113, d_model 128", batched, grokking, big, steps, 6.4e9);
        time("reference, p 113, d_model 128", new ReferenceEngine(grokking, big, threads), grokking, big, 3, 14.6e9);
        // the quick study: p = 59 (1,044 training pairs), d_model 64, 4 heads of 16, d_mlp 256
        TokenDataset small = Fixtures.modularAddition(59, 0.3, 1);
        NetworkConfig quick = Fixtures.config(60, 59, 3, 64, 1, 4, 16, 256, false, false);
        time("batched, p 59, d_model 64", new BatchedEngine(quick, small, threads), quick, small, 5 * steps, 0);
        time("reference, p 59, d_model 64", new ReferenceEngine(quick, small, threads), quick, small, 10, 0);
    }

    private static void time(String what, Engine engine, NetworkConfig c, TokenDataset d, int steps, double flopsPerStep) {
        double[][] w = TransformerInit.initialize(c, 5, -1).values();
        double[][] g = Parameters.zerosLike(Parameters.sizes(c));
        AdamW adam = new AdamW(Parameters.sizes(c), 0.9, 0.98, 1e-8, 1.0);
        int warm = Math.max(2, steps / 5);
        for (int s = 0; s < warm; s++) {
            engine.lossAndGradient(w, d.train(), g);
            adam.step(w, g, 1e-3);
        }
        double best = Double.MAX_VALUE;
        Engine.Evaluation last = null;
        for (int round = 0; round < 3; round++) {
            long t0 = System.nanoTime();
            for (int s = 0; s < steps; s++) {
                last = engine.lossAndGradient(w, d.train(), g);
                adam.step(w, g, 1e-3);
            }
            best = Math.min(best, (System.nanoTime() - t0) / 1e9 / steps);
        }
        System.out.printf("%s: %.1f steps/s (%.1f ms/step, best of 3 x %d steps)%s, train loss %.4f%n", what, 1 / best, best * 1e3, steps,
                flopsPerStep > 0 ? String.format(", %.0f GFLOP/s", flopsPerStep / best / 1e9) : "", last.loss());
    }
}
