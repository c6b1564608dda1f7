package org.layerwise.io.tests;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.core.BadInputFileException;
import org.layerwise.core.Tensor;
import org.layerwise.io.Npy;
import org.layerwise.io.Npz;
import org.layerwise.io.Safetensors;
import org.layerwise.io.TensorFormatException;
import org.layerwise.io.model.ModelFileReader;
import org.layerwise.io.model.ModelFiles;
import org.layerwise.pipeline.PipelineFileException;
import org.layerwise.pipeline.PipelineFiles;

/**
 * Mutation fuzzing of the four readers of outside files: safetensors, npz, config.json (through
 * ModelFileReader with a valid model.safetensors beside it) and pipeline files. Every mutant must
 * be read or refused with the reader's documented exception naming the file; nothing else may
 * escape (no RuntimeException, no Error), no read may take longer than {@link #TIME_BOUND_MS},
 * and none may allocate more than {@link #allocationBound} of the bytes it was given.
 *
 * <p>Seeded and reproducible: LAYERWISE_FUZZ_SEED (or -Dlayerwise.fuzz.seed) sets the seed,
 * LAYERWISE_FUZZ_MUTATIONS the mutants per reader (10,000 by default, as in CI), and
 * LAYERWISE_FUZZ_ONLY=npz:1234 replays one mutant and prints what it did. releng/fuzz/run
 * runs a longer campaign.
 */
class ReaderFuzzTest {

    static final long SEED = setting("seed", 13L);
    static final int MUTATIONS = (int) setting("mutations", 10_000);
    static final String ONLY = System.getProperty("layerwise.fuzz.only", System.getenv().getOrDefault("LAYERWISE_FUZZ_ONLY", ""));
    static final long TIME_BOUND_MS = 2_000;
    /** A read stuck this long is a hang: the campaign stops and names it. */
    static final long HANG_MS = 20_000;

    /** The allocation a read of {@code bytes} input bytes may cost: 64 bytes per input byte plus 1 MB. */
    static long allocationBound(long bytes) {
        return 64 * bytes + (1 << 20);
    }

    @TempDir
    Path dir;

    private static long setting(String name, long fallback) {
        String v = System.getProperty("layerwise.fuzz." + name,
                System.getenv().getOrDefault("LAYERWISE_FUZZ_" + name.toUpperCase(Locale.ROOT), ""));
        return v.isBlank() ? fallback : Long.parseLong(v.trim());
    }

    /** A reader under test: its seeds, where a mutant goes, and how it is read. */
    private interface Reader {
        void read(Path file) throws Exception;
    }

    /** @param names what a refusal's message may name: the mutant's file, or another file the reader reads with it */
    private record Target(String name, String fileName, List<byte[]> seeds, long extraBytes, Reader reader,
            Class<? extends Exception> documented, List<String> names) {
    }

    private List<Target> targets() throws Exception {
        Path seeds = Files.createDirectories(dir.resolve("seeds"));
        List<Target> out = new ArrayList<>();

        Path st = seeds.resolve("a.safetensors");
        Safetensors.write(st, Tensors.samples(), Map.of("producer", "fuzz"));
        Path st2 = seeds.resolve("b.safetensors");
        Safetensors.write(st2, ModelFiles.tensors(ModelFileReaderTest.model("factored")));
        out.add(new Target("safetensors", "fuzz.safetensors", List.of(Files.readAllBytes(st), Files.readAllBytes(st2)), 0,
                Safetensors::read, TensorFormatException.class, List.of("fuzz.safetensors")));

        Path stored = seeds.resolve("s.npz");
        Npz.write(stored, Tensors.samples());
        Path deflated = seeds.resolve("d.npz");
        Npz.writeCompressed(deflated, Tensors.samples());
        byte[] hand = Zips.archive(List.of(Zips.stored("a.npy", Npy.toBytes(Tensor.of(new int[] {1, 2, 3}, 3))),
                Zips.deflated("b.npy", Npy.toBytes(Tensor.of(new double[] {0.5, -1}, 2))).asZip64()));
        out.add(new Target("npz", "fuzz.npz", List.of(Files.readAllBytes(stored), Files.readAllBytes(deflated), hand), 0,
                Npz::read, TensorFormatException.class, List.of("fuzz.npz")));

        Path model = ModelFileReaderTest.modelDir(dir.resolve("model"));
        byte[] config = Files.readAllBytes(model.resolve("config.json"));
        Path weights = model.resolve("model.safetensors");
        long weightBytes = Files.size(weights);
        out.add(new Target("config.json", "model/config.json", List.of(config), weightBytes,
                f -> ModelFileReader.read(f, weights, ModelFileReaderTest.TASK), BadInputFileException.class,
                List.of("config.json", "model.safetensors")));

        String quickstart = """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="quickstart" description="Linear in-context classification." seed="1">
                  <stages role="task" contribution="linear">
                    <settings key="d" value="8"/>
                    <settings key="C" value="4"/>
                  </stages>
                  <stages role="backend" contribution="softmax-attention">
                    <settings key="layers" value="4"/>
                  </stages>
                  <stages role="analyzer" contribution="weight-abstraction"/>
                </layerwise:Pipeline>
                """;
        String file = """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Pipeline xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="f">
                  <stages role="backend" contribution="file"><settings key="path" value="runs/x"/></stages>
                </layerwise:Pipeline>
                """;
        out.add(new Target("pipeline", "fuzz.layerwise", List.of(quickstart.getBytes(StandardCharsets.UTF_8),
                file.getBytes(StandardCharsets.UTF_8)), 0, PipelineFiles::load, PipelineFileException.class,
                List.of("fuzz.layerwise")));
        return out;
    }

    /** What one campaign saw for one reader. */
    private static final class Tally {
        final Map<String, Integer> outcomes = new TreeMap<>();
        final Map<String, String> examples = new TreeMap<>();
        final List<String> violations = new ArrayList<>();
        long maxAllocated;
        double maxAllocatedPerByte;
        long maxNanos;
        int done;

        void count(String outcome, String id) {
            outcomes.merge(outcome, 1, Integer::sum);
            examples.putIfAbsent(outcome, id);
        }
    }

    private volatile long currentStart;
    private volatile String current = "";

    @Test
    void everyReaderReadsOrRefusesEveryMutantWithinItsBounds() throws Exception {
        List<Target> targets = targets();
        System.out.printf(Locale.ROOT, "fuzz: seed %d, %d mutations per reader%s%n", SEED, MUTATIONS,
                ONLY.isEmpty() ? "" : ", replaying " + ONLY);
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "fuzz");
            t.setDaemon(true);
            return t;
        });
        try {
            Future<List<String>> run = worker.submit(() -> campaign(targets));
            List<String> violations = null;
            while (violations == null) {
                try {
                    violations = run.get(1, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    long started = currentStart; // read once: the worker resets it between reads
                    long stuck = (System.nanoTime() - started) / 1_000_000;
                    if (started != 0 && stuck > HANG_MS) {
                        run.cancel(true);
                        fail("fuzz: hang: " + current + " has run " + stuck + " ms (replay: LAYERWISE_FUZZ_SEED=" + SEED
                                + " LAYERWISE_FUZZ_ONLY=" + current + ")");
                    }
                }
            }
            assertTrue(violations.isEmpty(), violations.size() + " violations, e.g.\n" + String.join("\n",
                    violations.subList(0, Math.min(20, violations.size()))));
        } finally {
            worker.shutdownNow();
        }
    }

    private List<String> campaign(List<Target> targets) throws Exception {
        List<String> violations = new ArrayList<>();
        long campaignStart = System.nanoTime();
        for (Target target : targets) {
            Path file = dir.resolve(target.fileName);
            Files.createDirectories(file.getParent());
            Tally tally = new Tally();
            for (byte[] seed : target.seeds) { // warm-up, and every seed must be accepted
                Files.write(file, seed);
                target.reader.read(file);
            }
            long start = System.nanoTime();
            for (int i = 0; i < MUTATIONS; i++) {
                String id = target.name + ":" + i;
                if (!ONLY.isEmpty() && !ONLY.equals(id)) {
                    continue;
                }
                byte[] mutant = new Mutator(SEED * 0x9E3779B97F4A7C15L + target.name.hashCode() * 31L + i, target.seeds).next();
                Files.write(file, mutant);
                String violation = readOne(target, file, mutant.length + target.extraBytes, tally, id);
                if (violation != null) {
                    violations.add(target.name + " mutation " + i + " (replay: LAYERWISE_FUZZ_SEED=" + SEED
                            + " LAYERWISE_FUZZ_ONLY=" + id + "): " + violation);
                }
                tally.done++;
            }
            report(target, tally, (System.nanoTime() - start) / 1e9);
        }
        System.out.printf(Locale.ROOT, "fuzz: total %.1f s, %d violations%n", (System.nanoTime() - campaignStart) / 1e9,
                violations.size());
        return violations;
    }

    /** Reads one mutant; returns what was wrong with the outcome, or null. */
    private String readOne(Target target, Path file, long inputBytes, Tally tally, String id) {
        current = id;
        long allocatedBefore = Allocation.current();
        long start = System.nanoTime();
        currentStart = start;
        String violation = null;
        Throwable thrown = null;
        try {
            target.reader.read(file);
            tally.count("accepted", id);
        } catch (Throwable t) {
            thrown = t;
        }
        long nanos = System.nanoTime() - start;
        currentStart = 0;
        long allocated = allocatedBefore < 0 ? -1 : Allocation.current() - allocatedBefore;
        if (thrown != null) {
            String message = String.valueOf(thrown.getMessage());
            if (!target.documented.isInstance(thrown)) {
                violation = "threw " + thrown;
                tally.count("VIOLATION " + thrown.getClass().getSimpleName(), id);
            } else if (target.names.stream().noneMatch(message::contains)) {
                violation = "the message does not name the file: " + message;
                tally.count("VIOLATION message without the file", id);
            } else {
                tally.count("refused: " + thrown.getClass().getSimpleName() + ": " + firstWords(message, file), id);
            }
        }
        if (nanos > TIME_BOUND_MS * 1_000_000) {
            violation = (violation == null ? "" : violation + "; ") + "took " + nanos / 1_000_000 + " ms";
        }
        if (allocated > allocationBound(inputBytes)) {
            violation = (violation == null ? "" : violation + "; ") + "allocated " + allocated + " bytes for " + inputBytes
                    + " input bytes (bound " + allocationBound(inputBytes) + ")";
        }
        tally.maxAllocated = Math.max(tally.maxAllocated, allocated);
        tally.maxAllocatedPerByte = Math.max(tally.maxAllocatedPerByte, allocated / (double) Math.max(1, inputBytes));
        tally.maxNanos = Math.max(tally.maxNanos, nanos);
        if (!ONLY.isEmpty()) {
            System.out.printf(Locale.ROOT, "fuzz: %s: %d input bytes, %d allocated, %.1f ms: %s%n", id, inputBytes, allocated,
                    nanos / 1e6, thrown == null ? "accepted" : thrown);
            if (thrown != null) {
                thrown.printStackTrace(System.out);
            }
        }
        if (thrown instanceof VirtualMachineError e && !(thrown instanceof OutOfMemoryError)) {
            throw e;
        }
        return violation;
    }

    /** The message's first words after the file and tensor, digits folded, to group refusals. */
    private static String firstWords(String message, Path file) {
        String m = message;
        int at = m.indexOf(file.getFileName().toString());
        if (at >= 0) {
            m = m.substring(at + file.getFileName().toString().length());
        }
        m = m.replaceFirst("^[:0-9]*\\s*", "").replaceFirst("^tensor '[^']*': ", "").replaceAll("[0-9]+", "N")
                .replaceAll("'[^']*'", "'…'");
        String[] words = m.split("\\s+");
        return String.join(" ", List.of(words).subList(0, Math.min(5, words.length)));
    }

    private static void report(Target target, Tally tally, double seconds) {
        System.out.printf(Locale.ROOT, "fuzz: %s: %d mutations in %.1f s; max allocation %d bytes (%.1f per input byte),"
                + " slowest read %.1f ms%n", target.name, tally.done, seconds, tally.maxAllocated, tally.maxAllocatedPerByte,
                tally.maxNanos / 1e6);
        tally.outcomes.entrySet().stream().sorted((a, b) -> b.getValue() - a.getValue())
                .forEach(e -> System.out.printf(Locale.ROOT, "fuzz: %s: %7d %s (e.g. %s)%n", target.name, e.getValue(), e.getKey(),
                        tally.examples.get(e.getKey())));
    }

}
