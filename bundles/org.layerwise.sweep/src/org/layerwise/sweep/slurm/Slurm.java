package org.layerwise.sweep.slurm;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The SLURM commands a sweep needs, found on the PATH: {@code sbatch} to submit a job array,
 * {@code squeue} for the tasks still queued or running, {@code sacct} (where the cluster keeps
 * accounting) or the job-completion file (where it is a readable text file) for those that
 * ended, and {@code scancel}. Every call is bounded by a timeout, and a command that fails
 * throws a {@link SlurmException} carrying its stderr.
 */
public final class Slurm {

    /** What SLURM says of one array task (or of a job that is not an array: {@code task} -1). */
    public record TaskState(String jobId, int task, String state, String reason) {

        /** Still in the queue: pending, configuring, running, suspended, completing, requeued. */
        public boolean active() {
            return switch (state) {
                case "PENDING", "CONFIGURING", "RUNNING", "SUSPENDED", "COMPLETING", "REQUEUED", "REQUEUE_HOLD",
                     "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED" -> true;
                default -> false;
            };
        }
    }

    /** A SLURM command that could not run, failed or did not answer in time. */
    public static final class SlurmException extends IOException {
        private static final long serialVersionUID = 1L;

        SlurmException(String message) {
            super(message);
        }

        SlurmException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final List<String> COMMANDS = List.of("sbatch", "squeue", "sacct", "scancel", "scontrol");
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final Map<String, Path> commands;
    private final Map<String, String> environment;
    private final Duration timeout;
    /** The job-completion file when the cluster writes one we can read; looked up once. */
    private Optional<Path> jobCompletionFile;

    private Slurm(Map<String, Path> commands, Map<String, String> environment, Duration timeout) {
        this.commands = commands;
        this.environment = environment;
        this.timeout = timeout;
    }

    /** The commands on this process's PATH, in this process's environment (SLURM_CONF included). */
    public static Slurm fromEnvironment() {
        return on(System.getenv("PATH"), System.getenv(), DEFAULT_TIMEOUT);
    }

    /** The commands found on {@code path} (a PATH value), run with {@code environment}, each call bounded by {@code timeout}. */
    public static Slurm on(String path, Map<String, String> environment, Duration timeout) {
        Map<String, Path> found = new LinkedHashMap<>();
        for (String name : COMMANDS) {
            find(path, name).ifPresent(p -> found.put(name, p));
        }
        return new Slurm(found, Map.copyOf(environment), timeout);
    }

    private static Optional<Path> find(String path, String name) {
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Empty when sbatch, squeue and scancel are there and the controller answers; else why not. */
    public Optional<String> unavailableReason() {
        List<String> missing = Stream.of("sbatch", "squeue", "scancel").filter(c -> !commands.containsKey(c)).toList();
        if (!missing.isEmpty()) {
            return Optional.of("SLURM's " + String.join(", ", missing) + " not on the PATH (a SLURM client is needed; "
                    + "on one machine releng/slurm/local-cluster start runs a cluster)");
        }
        String conf = environment.get("SLURM_CONF");
        if (conf != null && !conf.isEmpty() && !Files.isRegularFile(Path.of(conf))) {
            return Optional.of("SLURM_CONF names " + conf + ", which does not exist");
        }
        try {
            // a short bound: with an unreachable controller squeue retries for a minute
            run(List.of("squeue", "-h", "-o", "%i", "--me"), Duration.ofSeconds(Math.min(15, timeout.toSeconds())));
            return Optional.empty();
        } catch (SlurmException e) {
            return Optional.of("the SLURM controller does not answer: " + e.getMessage());
        }
    }

    public boolean available() {
        return unavailableReason().isEmpty();
    }

    /** sbatch --parsable OPTIONS... SCRIPT: the job id. */
    public String submit(Path script, List<String> options) throws SlurmException {
        List<String> argv = new ArrayList<>(List.of("sbatch", "--parsable"));
        argv.addAll(options);
        argv.add(script.toString());
        String out = run(argv, timeout).strip();
        // --parsable prints "ID" or "ID;CLUSTER"
        String id = out.contains(";") ? out.substring(0, out.indexOf(';')) : out;
        if (!id.matches("\\d+")) {
            throw new SlurmException("sbatch printed no job id: '" + out + "' (" + String.join(" ", argv) + ")");
        }
        return id;
    }

    /**
     * squeue's view of a job: one entry per array task still queued or running (pending tasks
     * one by one). Empty when SLURM no longer knows the job (it ended more than MinJobAge ago).
     */
    public List<TaskState> queue(String jobId) throws SlurmException {
        String out;
        try {
            out = run(List.of("squeue", "-h", "-r", "-j", jobId, "-o", "%F|%K|%T|%r"), timeout);
        } catch (SlurmException e) {
            if (e.getMessage().contains("Invalid job id")) {
                return List.of();
            }
            throw e;
        }
        List<TaskState> tasks = new ArrayList<>();
        for (String line : out.split("\n")) {
            String[] f = line.strip().split("\\|", -1);
            if (f.length < 4) {
                continue;
            }
            for (int task : taskIds(f[1])) {
                tasks.add(new TaskState(f[0], task, f[2], f[3].equals("None") ? "" : f[3]));
            }
        }
        return tasks;
    }

    /**
     * What the cluster recorded of a job's tasks that ended (and of those still in the queue):
     * sacct where accounting is kept, else the job-completion file if the cluster writes a
     * readable one; empty when neither exists.
     */
    public List<TaskState> accounting(String jobId) throws SlurmException {
        if (commands.containsKey("sacct")) {
            try {
                String out = run(List.of("sacct", "-n", "-P", "-X", "-j", jobId, "-o", "JobID,State"), timeout);
                List<TaskState> tasks = new ArrayList<>();
                for (String line : out.split("\n")) {
                    String[] f = line.strip().split("\\|", -1);
                    if (f.length < 2 || f[0].isEmpty()) {
                        continue;
                    }
                    String id = f[0];
                    String job = id.contains("_") ? id.substring(0, id.indexOf('_')) : id;
                    String state = f[1].split(" ")[0]; // "CANCELLED by 0"
                    for (int task : id.contains("_") ? taskIds(id.substring(id.indexOf('_') + 1)) : List.of(-1)) {
                        tasks.add(new TaskState(job, task, state, ""));
                    }
                }
                return tasks;
            } catch (SlurmException e) {
                // "Slurm accounting storage is disabled": fall through to the completion file
                if (!e.getMessage().contains("accounting storage is disabled")) {
                    throw e;
                }
            }
        }
        Optional<Path> file = jobCompletionFile();
        return file.isPresent() ? fromJobCompletionFile(file.get(), jobId) : List.of();
    }

    /** scancel JOB (every task of an array). */
    public void cancel(String jobId) throws SlurmException {
        run(List.of("scancel", jobId), timeout);
    }

    /** scancel JOB_TASK: one task of an array. */
    public void cancel(String jobId, int task) throws SlurmException {
        run(List.of("scancel", jobId + "_" + task), timeout);
    }

    private static final Pattern FIELD = Pattern.compile("(\\w+)=(\\S*)");

    /** The last line the completion file holds for each task of the job (a requeued task has several). */
    static List<TaskState> fromJobCompletionFile(Path file, String jobId) throws SlurmException {
        Map<Integer, TaskState> tasks = new LinkedHashMap<>();
        try (Stream<String> lines = Files.lines(file, StandardCharsets.UTF_8)) {
            lines.filter(l -> l.contains("JobId=" + jobId + " ") || l.contains("ArrayJobId=" + jobId + " ")).forEach(l -> {
                Map<String, String> f = new LinkedHashMap<>();
                Matcher m = FIELD.matcher(l);
                while (m.find()) {
                    f.putIfAbsent(m.group(1), m.group(2));
                }
                boolean inArray = jobId.equals(f.get("ArrayJobId"));
                if (!inArray && !jobId.equals(f.get("JobId"))) {
                    return;
                }
                int task = inArray ? parseTask(f.get("ArrayTaskId")) : -1;
                tasks.put(task, new TaskState(jobId, task, f.getOrDefault("JobState", "UNKNOWN"), ""));
            });
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new SlurmException("cannot read SLURM's job completion file " + file + ": " + e.getMessage(), e);
        }
        return List.copyOf(tasks.values());
    }

    private static int parseTask(String s) {
        try {
            return s == null ? -1 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private synchronized Optional<Path> jobCompletionFile() {
        if (jobCompletionFile == null) {
            jobCompletionFile = Optional.empty();
            if (commands.containsKey("scontrol")) {
                try {
                    String type = null;
                    String loc = null;
                    for (String line : run(List.of("scontrol", "show", "config"), timeout).split("\n")) {
                        String[] kv = line.split("=", 2);
                        if (kv.length == 2 && kv[0].strip().equals("JobCompType")) {
                            type = kv[1].strip();
                        } else if (kv.length == 2 && kv[0].strip().equals("JobCompLoc")) {
                            loc = kv[1].strip();
                        }
                    }
                    if ("jobcomp/filetxt".equals(type) && loc != null && Files.isReadable(Path.of(loc))) {
                        jobCompletionFile = Optional.of(Path.of(loc));
                    }
                } catch (SlurmException e) {
                    // no completion file then: the run directories still say how each point ended
                }
            }
        }
        return jobCompletionFile;
    }

    /** "3", "1-3", "0-7%2", "[1-3,5%1]" or "N/A" (not an array): the task ids. */
    static List<Integer> taskIds(String spec) {
        String s = spec.strip();
        if (s.startsWith("[")) {
            s = s.substring(1, s.endsWith("]") ? s.length() - 1 : s.length());
        }
        if (s.contains("%")) {
            s = s.substring(0, s.indexOf('%'));
        }
        if (s.isEmpty() || s.equals("N/A") || s.equals("(null)")) {
            return List.of(-1);
        }
        List<Integer> ids = new ArrayList<>();
        for (String part : s.split(",")) {
            String[] range = part.split("-");
            int from = Integer.parseInt(range[0].strip());
            int to = range.length > 1 ? Integer.parseInt(range[1].split(":")[0].strip()) : from;
            int step = range.length > 1 && range[1].contains(":") ? Integer.parseInt(range[1].split(":")[1].strip()) : 1;
            for (int i = from; i <= to; i += step) {
                ids.add(i);
            }
        }
        return ids;
    }

    /** Runs a command; its stdout, or a SlurmException with its exit code and stderr. */
    private String run(List<String> argv, Duration timeout) throws SlurmException {
        Path exe = commands.get(argv.get(0));
        if (exe == null) {
            throw new SlurmException(argv.get(0) + " is not on the PATH");
        }
        List<String> cmd = new ArrayList<>(argv);
        cmd.set(0, exe.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(environment);
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new SlurmException(String.join(" ", argv) + " could not start: " + e.getMessage(), e);
        }
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new SlurmException(String.join(" ", argv) + " did not answer in " + timeout.toSeconds() + " s");
            }
            String stderr = err.get(5, TimeUnit.SECONDS).strip();
            if (p.exitValue() != 0) {
                throw new SlurmException(String.join(" ", argv) + " failed (exit " + p.exitValue() + ")"
                        + (stderr.isEmpty() ? "" : ": " + stderr));
            }
            return out.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new SlurmException(String.join(" ", argv) + " was interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new SlurmException(String.join(" ", argv) + ": its output could not be read: " + e, e);
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, r -> Thread.ofVirtual().start(r));
    }
}
