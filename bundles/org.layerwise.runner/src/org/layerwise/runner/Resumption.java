package org.layerwise.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.io.Json;

/**
 * What resuming a run needs, read back from its run.json: the pipeline exactly as it ran
 * (every setting, defaults included, so a changed pipeline file or a changed default cannot
 * alter it), the master seed, the evaluation prompts, when it started and was resumed before.
 * Only a run that is not running and did not end OK can be resumed.
 */
public record Resumption(Path directory, ValidatedPipeline pipeline, RunOptions options, Instant start,
        List<String> resumedBefore, RunStatus status, List<String> warnings) {

    public static Resumption of(Path dir, ContributionRegistry registry) throws PipelineException {
        Path runJson = dir.resolve("run.json");
        if (!Files.isRegularFile(runJson)) {
            throw new PipelineException(ExitCode.NOT_RESUMABLE, dir + ": not a run directory (it has no run.json)"
                    + (startedOnly(dir) ? "; its run was stopped before it wrote run.json, so nothing was computed: "
                            + "run the pipeline again" : ""));
        }
        RunDirectory run;
        try {
            run = RunDirectory.open(dir);
        } catch (IOException | RuntimeException e) {
            throw new PipelineException(ExitCode.BAD_INPUT_FILE, runJson + ": cannot be read: " + e.getMessage());
        }
        RunStatus status;
        try {
            status = run.status();
        } catch (IllegalArgumentException e) {
            throw new PipelineException(ExitCode.BAD_INPUT_FILE, runJson + ": 'status' is " + run.run().get("status")
                    + "; expected one of " + java.util.Arrays.toString(RunStatus.values()));
        }
        switch (status) {
            case OK -> throw new PipelineException(ExitCode.NOT_RESUMABLE, dir + ": the run completed (status OK); "
                    + "there is nothing to resume");
            case RUNNING -> throw new PipelineException(ExitCode.NOT_RESUMABLE, dir + ": the run is still running "
                    + process(run.run()) + "; cancel it first (Ctrl-C) or wait for it");
            default -> {
                // CANCELLED, INTERRUPTED, FAILED, PARTIAL, DIVERGED: resumed from the state saved last
            }
        }
        Map<String, Object> r = run.run();
        Map<?, ?> p = map(r.get("pipeline"), runJson, "pipeline");
        List<PipelineSpec.Stage> stages = new ArrayList<>();
        if (!(p.get("stages") instanceof List<?> list)) {
            throw new PipelineException(ExitCode.BAD_INPUT_FILE, runJson + ": 'pipeline.stages' is missing; expected the stages as run");
        }
        for (Object o : list) {
            Map<?, ?> st = map(o, runJson, "pipeline.stages[" + stages.size() + "]");
            Role role = Role.fromKey(String.valueOf(st.get("role")));
            if (role == null || !(st.get("id") instanceof String id)) {
                throw new PipelineException(ExitCode.BAD_INPUT_FILE, runJson + ": pipeline.stages[" + stages.size()
                        + "] has role " + st.get("role") + " and id " + st.get("id") + "; expected a role (task, backend, "
                        + "enforcer, analyzer) and a contribution id");
            }
            Map<String, String> settings = new LinkedHashMap<>();
            map(st.get("settings") == null ? Map.of() : st.get("settings"), runJson, "pipeline.stages[" + stages.size()
                    + "].settings").forEach((k, v) -> settings.put(String.valueOf(k), String.valueOf(v)));
            stages.add(new PipelineSpec.Stage(role, id, settings, 0));
        }
        if (!(p.get("seed") instanceof Number seed) || !(r.get("eval_prompts") instanceof Number prompts)) {
            throw new PipelineException(ExitCode.BAD_INPUT_FILE, runJson + ": 'pipeline.seed' and 'eval_prompts' must be integers");
        }
        Path file = p.get("file") instanceof String f ? Path.of(f) : null;
        List<String> overrides = p.get("overrides") instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
        PipelineSpec spec = new PipelineSpec(String.valueOf(p.get("name")), seed.longValue(), stages, file, overrides);
        ValidatedPipeline validated = new PipelineValidator(registry).validate(spec);

        List<String> warnings = new ArrayList<>();
        Map<?, ?> then = r.get("versions") instanceof Map<?, ?> v ? v : Map.of();
        Map<String, Object> now = RunRecord.versions();
        for (String key : List.of("layerwise", "java", "cpu", "cores")) {
            if (then.containsKey(key) && !String.valueOf(then.get(key)).equals(String.valueOf(now.get(key)))) {
                warnings.add("the run started with " + key + " " + then.get(key) + ", it resumes with " + now.get(key)
                        + ": the numbers may differ from an uninterrupted run's in the last bits");
            }
        }
        Map<?, ?> bundlesThen = then.get("bundles") instanceof Map<?, ?> b ? b : Map.of();
        RunRecord.bundles(validated).forEach((bundle, version) -> {
            Object was = bundlesThen.get(bundle);
            if (was != null && !String.valueOf(was).equals(version)) {
                warnings.add("the run started with bundle " + bundle + " " + was + ", it resumes with " + version
                        + ": its results may differ from an uninterrupted run's");
            }
        });
        Instant start;
        try {
            start = Instant.parse(String.valueOf(r.get("start")));
        } catch (java.time.format.DateTimeParseException e) {
            start = Instant.now();
        }
        List<String> resumed = r.get("resumed") instanceof List<?> l ? l.stream().map(String::valueOf).toList() : List.of();
        return new Resumption(dir, validated, new RunOptions(dir.getParent(), prompts.intValue()), start, resumed, status,
                warnings);
    }

    /** A folder holding only what a run leaves in its first milliseconds (its lock, an unfinished run.json). */
    private static boolean startedOnly(Path dir) {
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(f -> f.getFileName().toString()).toList();
            return !names.isEmpty() && names.stream().allMatch(n -> n.equals(RunRecord.LOCK) || n.startsWith(".run.json."));
        } catch (IOException e) {
            return false;
        }
    }

    private static Map<?, ?> map(Object o, Path file, String key) throws PipelineException {
        if (o instanceof Map<?, ?> m) {
            return m;
        }
        throw new PipelineException(ExitCode.BAD_INPUT_FILE, file + ": '" + key + "' is " + o + "; expected an object");
    }

    private static String process(Map<String, Object> run) {
        return run.get("process") instanceof Map<?, ?> p ? "(process " + p.get("pid") + " on " + p.get("host") + ")" : "";
    }
}
