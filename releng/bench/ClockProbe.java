import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The FP32 peak of this machine for releng/bench/run: cores x flops per cycle x the core clock
 * under all-core load.
 *
 * <p>Clock: every core runs ONE chain of dependent scalar FMAs (each waits for the previous
 * one, so a chain advances one FMA per FMA latency, {@link #FMA_LATENCY} cycles; more chains
 * per core would overlap and measure throughput instead). Cycles = FMAs x latency, divided by
 * the thread's CPU time (not wall time: other processes on a shared machine then do not read as
 * a slower clock; the share of wall time the chains got is printed as "cpu_share"). Best of
 * several repetitions, mean over the cores within one.
 *
 * <p>Flops per cycle per core come from the documented table in {@link #flopsPerCycle}; the
 * vector FMA throughput measured with many independent chains is printed next to it as a check.
 *
 * <p>Run: java --add-modules jdk.incubator.vector releng/bench/ClockProbe.java. Prints
 * "key value" lines on stdout.
 */
public class ClockProbe {

    /** Cycles from one FMA's inputs to its result: 4 on AMD Zen 2-5 and Intel Skylake and later. */
    static final int FMA_LATENCY = 4;
    static final long CHAIN_ITERATIONS = 40_000_000L; // x 8 FMAs: about 0.35 s per core at 3.6 GHz
    static final int REPETITIONS = 5;
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static volatile double sink;
    // read at run time so that the JIT cannot fold the chains (constant inputs let it precompute them)
    static volatile double start = 1.0;
    static volatile double factor = 0.999999;
    static volatile double offset = 1e-6;

    /** 8 dependent FMAs per iteration (the loop counter runs beside the chain, off its critical path). */
    static double chain(long iterations) {
        double x = start;
        double a = factor;
        double b = offset;
        for (long i = 0; i < iterations; i++) {
            x = Math.fma(x, a, b);
            x = Math.fma(x, a, b);
            x = Math.fma(x, a, b);
            x = Math.fma(x, a, b);
            x = Math.fma(x, a, b);
            x = Math.fma(x, a, b);
            x = Math.fma(x, a, b);
            x = Math.fma(x, a, b);
        }
        return x;
    }

    /** 12 independent vector FMA chains: enough to fill two pipes of latency 4. */
    static float throughput(long iterations) {
        FloatVector a = FloatVector.broadcast(S, (float) factor);
        FloatVector b = FloatVector.broadcast(S, (float) offset);
        FloatVector x0 = b, x1 = b, x2 = b, x3 = b, x4 = b, x5 = b, x6 = b, x7 = b, x8 = b, x9 = b, x10 = b, x11 = b;
        for (long i = 0; i < iterations; i++) {
            x0 = x0.fma(a, b);
            x1 = x1.fma(a, b);
            x2 = x2.fma(a, b);
            x3 = x3.fma(a, b);
            x4 = x4.fma(a, b);
            x5 = x5.fma(a, b);
            x6 = x6.fma(a, b);
            x7 = x7.fma(a, b);
            x8 = x8.fma(a, b);
            x9 = x9.fma(a, b);
            x10 = x10.fma(a, b);
            x11 = x11.fma(a, b);
        }
        return x0.add(x1).add(x2).add(x3).add(x4).add(x5).add(x6).add(x7).add(x8).add(x9).add(x10).add(x11).lane(0);
    }

    /** {GHz, share of wall time on a core, vector GFLOP/s} of one core's run. */
    static double[] measureOneCore(ThreadMXBean mx) {
        long c0 = mx.getCurrentThreadCpuTime();
        long w0 = System.nanoTime();
        sink = chain(CHAIN_ITERATIONS);
        long cpu = mx.getCurrentThreadCpuTime() - c0;
        long wall = System.nanoTime() - w0;
        long vectorIterations = CHAIN_ITERATIONS / 4;
        long c1 = mx.getCurrentThreadCpuTime();
        sink += throughput(vectorIterations);
        long vcpu = mx.getCurrentThreadCpuTime() - c1;
        return new double[] {CHAIN_ITERATIONS * 8.0 * FMA_LATENCY / cpu, cpu / (double) wall,
                vectorIterations * 12.0 * S.length() * 2 / vcpu};
    }

    /**
     * FP32 flops per cycle per core (2 per FMA lane). AMD Zen 5 (family 0x1A) server and desktop
     * parts have two full 512-bit FMA pipes: 2 x 16 x 2 = 64; its mobile parts (models 0x20-0x2F
     * and 0x60-0x6F) and Zen 4 (family 0x19) run AVX-512 over two 256-bit pipes: 32, as AVX2 CPUs
     * with two FMA pipes do. Other AVX-512 CPUs: 64 (two 512-bit FMA units on most server parts).
     */
    static int[] flopsPerCycle(List<String> cpuinfo) {
        String flags = field(cpuinfo, "flags");
        boolean amd = "AuthenticAMD".equals(field(cpuinfo, "vendor_id"));
        int family = parse(field(cpuinfo, "cpu family"));
        int model = parse(field(cpuinfo, "model"));
        boolean avx512 = (" " + flags + " ").contains(" avx512f ");
        boolean fma = (" " + flags + " ").contains(" fma ");
        if (avx512 && amd) {
            boolean mobileZen5 = (model >= 0x20 && model <= 0x2F) || (model >= 0x60 && model <= 0x6F);
            return new int[] {family >= 0x1A && !mobileZen5 ? 64 : 32, family, model};
        }
        return new int[] {avx512 ? 64 : fma ? 32 : 8, family, model};
    }

    static String field(List<String> cpuinfo, String key) {
        for (String line : cpuinfo) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).trim().equals(key)) {
                return line.substring(colon + 1).trim();
            }
        }
        return "";
    }

    static int parse(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    public static void main(String[] args) throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        sink = chain(CHAIN_ITERATIONS / 10) + throughput(CHAIN_ITERATIONS / 40); // compile both loops first
        double bestGhz = 0;
        double shareOfBest = 0;
        double bestVector = 0;
        StringBuilder reps = new StringBuilder();
        for (int r = 0; r < REPETITIONS; r++) {
            double[][] perCore = new double[cores][];
            Thread[] threads = new Thread[cores];
            for (int c = 0; c < cores; c++) {
                int core = c;
                threads[c] = new Thread(() -> perCore[core] = measureOneCore(mx));
                threads[c].start();
            }
            double ghz = 0;
            double share = 0;
            double vector = 0;
            for (int c = 0; c < cores; c++) {
                threads[c].join();
                ghz += perCore[c][0] / cores;
                share += perCore[c][1] / cores;
                vector += perCore[c][2] / cores;
            }
            reps.append(String.format(Locale.ROOT, " %.2f", ghz));
            if (ghz > bestGhz) {
                bestGhz = ghz;
                shareOfBest = share;
            }
            bestVector = Math.max(bestVector, vector);
        }
        int[] fpc = flopsPerCycle(Files.readAllLines(Path.of("/proc/cpuinfo")));
        System.out.printf(Locale.ROOT, "cores %d%n", cores);
        System.out.printf(Locale.ROOT, "clock_ghz %.3f%n", bestGhz);
        System.out.printf(Locale.ROOT, "clock_repetitions_ghz%s%n", reps);
        System.out.printf(Locale.ROOT, "cpu_share %.2f%n", shareOfBest);
        System.out.printf(Locale.ROOT, "cpu_family 0x%X model 0x%X%n", fpc[1], fpc[2]);
        System.out.printf(Locale.ROOT, "flops_per_cycle %d%n", fpc[0]);
        System.out.printf(Locale.ROOT, "measured_flops_per_cycle %.1f%n", bestVector / bestGhz);
        System.out.printf(Locale.ROOT, "peak_gflops %.1f%n", cores * fpc[0] * bestGhz);
    }
}
