package org.layerwise.runner;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.layerwise.core.Settings;
import org.layerwise.io.Json;
import org.layerwise.runner.ValidatedPipeline.Bound;
import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;

/**
 * run.json: the pipeline as run, every seed, versions, timings and the status.
 *
 * <p>It tells the truth about a run in every way a run can end. The terminal status is
 * written once (whoever writes it first, the run or a Ctrl-C that the run did not heed in
 * time, wins). A disk that fills up cannot keep it from being written: a reserve file is held
 * in the run directory and given back to the disk when the last write fails for space. A run
 * that cannot write it (killed, power lost) stays RUNNING in the file, but a reader tells it
 * from a live one by what the file records of its process: the run holds an OS lock on
 * {@value #LOCK} for as long as it lives, and rewrites run.json every {@value #HEARTBEAT_SECONDS}
 * seconds (see {@link RunDirectory#status(Path)}).
 */
final class RunRecord {

    /** The file whose OS lock says the run's process is alive; the lock goes with the process. */
    static final String LOCK = ".run.lock";
    /** Disk space held back for the terminal run.json; freed when that write fails for space. */
    static final String RESERVE = ".run.reserve";
    static final int RESERVE_BYTES = 256 * 1024;
    static final int HEARTBEAT_SECONDS = 30;

    /** Runs of this JVM, by directory: their lock must not be probed from here (closing any channel drops it). */
    private static final Map<Path, RunRecord> ACTIVE = new ConcurrentHashMap<>();

    private final ValidatedPipeline pipeline;
    private final RunOptions options;
    private final Path dir;
    private final Instant start;
    private final List<String> resumed;
    private final Map<String, Long> seeds = new LinkedHashMap<>();
    private final Map<String, Double> seconds = new LinkedHashMap<>();
    private final Map<String, Object> facts = new LinkedHashMap<>();
    /** Read once: run.json is rewritten at every stage and heartbeat, the machine does not change. */
    private final Map<String, Object> versions;
    private List<Map<String, Object>> failures = List.of();
    private volatile String stage = "starting";
    private List<Map<String, Object>> series = List.of();
    private RunStatus terminal;
    private FileChannel lockChannel;
    private ScheduledExecutorService heartbeat;

    RunRecord(ValidatedPipeline pipeline, RunOptions options, Path dir) {
        this(pipeline, options, dir, Instant.now(), List.of());
    }

    /** A record that continues an earlier one: its start and the times it was resumed are kept. */
    RunRecord(ValidatedPipeline pipeline, RunOptions options, Path dir, Instant start, List<String> resumed) {
        this.pipeline = pipeline;
        this.options = options;
        this.dir = dir.toAbsolutePath();
        this.start = start;
        this.resumed = new ArrayList<>(resumed);
        this.versions = versions();
        versions.put("bundles", bundles(pipeline));
    }

    RunRecord seed(String name, long value) {
        seeds.put(name, value);
        return this;
    }

    void time(String stage, long startNanos) {
        seconds.put(stage, (System.nanoTime() - startNanos) / 1e9);
    }

    void facts(String stage, Map<String, Object> f) {
        if (f != null && !f.isEmpty()) {
            facts.put(stage, f);
        }
    }

    /** The run's checkpoint series (step and file), listed in run.json as "checkpoints". */
    synchronized void series(List<Map<String, Object>> checkpoints) {
        series = List.copyOf(checkpoints);
    }

    /** The contributions that failed, each with its bundle, version and the first lines of its stack trace. */
    synchronized void failures(List<Map<String, Object>> f) {
        failures = List.copyOf(f);
    }

    /** What the run is doing now: written at once (a reader sees which stage a run was in when it died). */
    void stage(String what) {
        stage = what;
        beat();
    }

    String stage() {
        return stage;
    }

    /**
     * Starts the record: takes the run's lock and the disk reserve, writes RUNNING and keeps
     * rewriting it as a heartbeat until the terminal status is written.
     */
    void begin() throws IOException {
        Files.createDirectories(dir);
        lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (IOException noLocks) {
            // a file system without locks (some network mounts): pid and heartbeat tell instead
            lockChannel.close();
            lockChannel = null;
            Files.deleteIfExists(dir.resolve(LOCK));
            lock = null;
        }
        if (lock == null && lockChannel != null) {
            lockChannel.close();
            throw new IOException(dir + " is in use by another live run (its " + LOCK + " is locked)");
        }
        ACTIVE.put(dir, this);
        write(RunStatus.RUNNING, null); // first: a run killed before this has computed nothing
        reserve();
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "layerwise-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleWithFixedDelay(this::beat, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
    }

    private void beat() {
        try {
            write(RunStatus.RUNNING, null);
        } catch (IOException | RuntimeException e) {
            // the next beat or the terminal write tries again
        }
    }

    /**
     * Writes the terminal status unless one was written already; returns the status that
     * stands. A write that fails for want of space is retried once the reserve is released.
     */
    synchronized RunStatus end(RunStatus status, String cause) throws IOException {
        if (terminal != null) {
            return terminal;
        }
        if (status == RunStatus.RUNNING) {
            throw new IllegalArgumentException("RUNNING is not a terminal status");
        }
        try {
            writeLocked(status, cause);
        } catch (IOException first) {
            if (!release()) {
                throw first;
            }
            writeLocked(status, cause); // the reserve's space is free now
        } finally {
            terminal = status;
            close();
        }
        release();
        return status;
    }

    /** The terminal status written, or null while the run is RUNNING. */
    synchronized RunStatus terminal() {
        return terminal;
    }

    /** Rewrites run.json while RUNNING (after seeds or facts change); ignored once the run has ended. */
    synchronized void write(RunStatus status, String cause) throws IOException {
        if (terminal == null) {
            writeLocked(status, cause);
        }
    }

    private void writeLocked(RunStatus status, String cause) throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", "layerwise-run");
        m.put("version", 1);
        m.put("run_id", dir.getFileName().toString());
        m.put("status", status.name());
        if (cause != null) {
            m.put("cause", cause);
        }
        if (!failures.isEmpty()) {
            m.put("failures", failures);
        }
        m.put("complete", status != RunStatus.RUNNING);
        if (status == RunStatus.RUNNING) {
            m.put("stage", stage);
        }
        m.put("process", process());
        m.put("pipeline", pipeline());
        m.put("eval_prompts", options.evalPrompts());
        m.put("seeds", seeds);
        m.put("versions", versions);
        m.put("engine", facts);
        if (!series.isEmpty()) {
            m.put("checkpoints", series);
        }
        m.put("start", start.toString());
        if (!resumed.isEmpty()) {
            m.put("resumed", resumed);
        }
        Instant now = Instant.now();
        m.put(status == RunStatus.RUNNING ? "updated" : "end", now.toString());
        m.put("wall_seconds", (now.toEpochMilli() - start.toEpochMilli()) / 1000.0);
        m.put("stage_seconds", seconds);
        Json.write(dir.resolve("run.json"), m);
    }

    /** Who runs it: a reader on the same host checks the lock, elsewhere the heartbeat's age. */
    private Map<String, Object> process() {
        Map<String, Object> p = new LinkedHashMap<>();
        ProcessHandle self = ProcessHandle.current();
        p.put("pid", self.pid());
        p.put("host", RunDirectory.hostName());
        self.info().startInstant().ifPresent(t -> p.put("started", t.toString()));
        p.put("lock", lockChannel != null ? LOCK : null);
        p.put("heartbeat_seconds", HEARTBEAT_SECONDS);
        return p;
    }

    /** Takes RESERVE_BYTES of disk (written, not sparse) for the terminal write. */
    private void reserve() {
        Path f = dir.resolve(RESERVE);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            java.nio.ByteBuffer zeros = java.nio.ByteBuffer.allocate(RESERVE_BYTES);
            while (zeros.hasRemaining()) {
                ch.write(zeros);
            }
            ch.force(false);
        } catch (IOException e) {
            // no space even now: the run's first real write will fail and say so
            try {
                Files.deleteIfExists(f);
            } catch (IOException ignored) {
                // nothing held
            }
        }
    }

    /** Gives the reserve back to the disk; true when there was one. */
    private boolean release() {
        try {
            return Files.deleteIfExists(dir.resolve(RESERVE));
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the heartbeat and drops the lock (the lock file goes: the status in run.json is final). */
    private void close() {
        if (heartbeat != null) {
            heartbeat.shutdownNow();
        }
        ACTIVE.remove(dir, this);
        if (lockChannel != null) {
            try {
                lockChannel.close();
                Files.deleteIfExists(dir.resolve(LOCK));
            } catch (IOException ignored) {
                // a stale unlocked lock file reads as "not running", which is true
            }
        }
    }

    /** The live record of a run directory in this JVM, or null. */
    static RunRecord active(Path dir) {
        return ACTIVE.get(dir.toAbsolutePath());
    }

    private Map<String, Object> pipeline() {
        Map<String, Object> p = new LinkedHashMap<>();
        PipelineSpec spec = pipeline.spec();
        p.put("name", spec.name());
        p.put("file", spec.file() == null ? null : spec.file().toAbsolutePath().toString());
        p.put("seed", spec.seed());
        p.put("overrides", spec.overrides());
        List<Map<String, Object>> stages = new ArrayList<>();
        stage(stages, pipeline.task());
        stage(stages, pipeline.backend());
        if (pipeline.enforcer() != null) {
            stage(stages, pipeline.enforcer());
        }
        pipeline.analyzers().forEach(a -> stage(stages, a));
        p.put("stages", stages);
        return p;
    }

    private static void stage(List<Map<String, Object>> out, Bound<?> b) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("role", b.descriptor().role().key);
        s.put("id", b.descriptor().id());
        s.put("bundle", b.descriptor().bundle());
        s.put("bundle_version", b.descriptor().bundleVersion());
        Settings settings = b.settings();
        s.put("settings", settings.asMap());
        out.add(s);
    }

    /** Every contributing bundle of the pipeline with its version. */
    static Map<String, Object> bundles(ValidatedPipeline p) {
        Map<String, Object> b = new java.util.TreeMap<>();
        List<Bound<?>> stages = new ArrayList<>(List.of(p.task(), p.backend()));
        if (p.enforcer() != null) {
            stages.add(p.enforcer());
        }
        stages.addAll(p.analyzers());
        stages.forEach(s -> b.put(s.descriptor().bundle(), s.descriptor().bundleVersion()));
        return b;
    }

    static Map<String, Object> versions() {
        Map<String, Object> v = new LinkedHashMap<>();
        Bundle self = FrameworkUtil.getBundle(RunRecord.class);
        v.put("layerwise", self == null ? "unknown" : self.getVersion().toString());
        v.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")");
        v.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        v.put("cpu", cpu());
        v.put("cores", Runtime.getRuntime().availableProcessors());
        return v;
    }

    private static String cpu() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux
        }
        return System.getProperty("os.arch");
    }
}
