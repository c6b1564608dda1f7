package org.layerwise.runner;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionException;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.InvalidSettingException;
import org.layerwise.core.ModelBackend;
import org.layerwise.core.NetworkBackend;
import org.layerwise.core.ProvidedResult;
import org.layerwise.core.RecursionAnalyzer;
import org.layerwise.core.Role;
import org.layerwise.core.SafeCall;
import org.layerwise.core.SequenceTaskGenerator;
import org.layerwise.core.Settings;
import org.layerwise.core.SymmetryEnforcer;
import org.layerwise.core.TaskGenerator;
import org.layerwise.core.TaskSpec;
import org.layerwise.core.model.ModelConfig;
import org.layerwise.core.model.NetworkConfig;
import org.layerwise.runner.ValidatedPipeline.Bound;

/**
 * Validates a pipeline before anything is computed (the batch product's validate command
 * and the editor call this same code): contribution ids exist, settings are typed and in
 * range, there is one task and one backend, and each stage accepts what the previous one
 * declares. Every problem found is reported, not only the first.
 */
public final class PipelineValidator {

    private final ContributionRegistry registry;

    public PipelineValidator(ContributionRegistry registry) {
        this.registry = registry;
    }

    public ValidatedPipeline validate(PipelineSpec spec) throws PipelineException {
        List<PipelineProblem> problems = new ArrayList<>();
        List<Bound<TaskGenerator>> tasks = new ArrayList<>();
        List<Bound<ModelBackend>> backends = new ArrayList<>();
        List<Bound<SymmetryEnforcer>> enforcers = new ArrayList<>();
        List<Bound<RecursionAnalyzer>> analyzers = new ArrayList<>();
        List<Integer> taskIdx = new ArrayList<>();
        List<Integer> backendIdx = new ArrayList<>();
        List<Integer> analyzerIdx = new ArrayList<>();
        List<Integer> enforcerIdx = new ArrayList<>();
        List<PipelineSpec.Stage> stages = spec.stages();
        java.util.Set<String> analyzerIds = new java.util.HashSet<>();
        for (int i = 0; i < stages.size(); i++) {
            PipelineSpec.Stage st = stages.get(i);
            ContributionDescriptor d = registry.find(st.role(), st.id());
            if (d == null) {
                problems.add(problem(spec, i, ExitCode.UNKNOWN_CONTRIBUTION, null, "no " + st.role().label + " with id '"
                        + st.id() + "' is installed; known ids: " + String.join(", ", registry.ids(st.role()))));
                continue;
            }
            if (st.role() == Role.ANALYZER && !analyzerIds.add(st.id())) {
                problems.add(problem(spec, i, ExitCode.INCOMPATIBLE_STAGES, null, "analyzer '" + st.id()
                        + "' appears twice; its outputs would overwrite each other"));
                continue;
            }
            Settings settings;
            try {
                settings = d.resolve(st.settings());
            } catch (InvalidSettingException e) {
                problems.add(problem(spec, i, ExitCode.INVALID_SETTING, e.setting(), e.getMessage()));
                continue;
            }
            try {
                switch (st.role()) {
                    case TASK -> {
                        tasks.add(new Bound<>(d, settings, d.create(TaskGenerator.class)));
                        taskIdx.add(i);
                    }
                    case BACKEND -> {
                        backends.add(new Bound<>(d, settings, d.create(ModelBackend.class)));
                        backendIdx.add(i);
                    }
                    case ENFORCER -> {
                        enforcers.add(new Bound<>(d, settings, d.create(SymmetryEnforcer.class)));
                        enforcerIdx.add(i);
                    }
                    case ANALYZER -> {
                        analyzers.add(new Bound<>(d, settings, d.create(RecursionAnalyzer.class)));
                        analyzerIdx.add(i);
                    }
                }
            } catch (ContributionException e) {
                problems.add(problem(spec, i, ExitCode.UNKNOWN_CONTRIBUTION, null, e.getMessage()));
            }
        }
        structure(spec, problems, tasks.size(), backends.size(), enforcers.size());
        if (!problems.isEmpty()) {
            throw new PipelineException(problems);
        }
        Bound<TaskGenerator> task = tasks.get(0);
        Bound<ModelBackend> backend = backends.get(0);
        Bound<SymmetryEnforcer> enforcer = enforcers.isEmpty() ? noEnforcer(spec) : enforcers.get(0);
        TaskSpec taskSpec = configure(spec, taskIdx.get(0), task.descriptor(),
                () -> task.implementation().configure(task.settings(), TaskGenerator.taskSeed(task.settings(), spec.seed())));
        if (taskSpec.isSequence() != (task.implementation() instanceof SequenceTaskGenerator)) {
            throw new PipelineException(List.of(problem(spec, taskIdx.get(0), ExitCode.INCOMPATIBLE_STAGES, null, task.descriptor().origin()
                    + (taskSpec.isSequence() ? ": declares a task of kind '" + TaskSpec.SEQUENCE + "' but is no SequenceTaskGenerator"
                            : ": is a SequenceTaskGenerator but declares a task of kind '" + taskSpec.kind() + "'"))));
        }
        NetworkConfig network = backend.implementation() instanceof NetworkBackend nb
                ? configure(spec, backendIdx.get(0), backend.descriptor(), () -> nb.configureNetwork(backend.settings(), taskSpec))
                : null;
        ModelConfig config = network != null ? null : configure(spec, backendIdx.get(0), backend.descriptor(),
                () -> backend.implementation().configure(backend.settings(), taskSpec));
        String family = network != null ? network.family() : ContributionDescriptor.ATTENTION_ONLY;
        SymmetryEnforcer.Factors factors = SymmetryEnforcer.Factors.NONE;
        if (enforcer != null) {
            try {
                factors = SafeCall.call(enforcer.descriptor(), "factors", () -> enforcer.implementation().factors(enforcer.settings()));
            } catch (ContributionException e) {
                throw new PipelineException(List.of(problem(spec, -1, ExitCode.INCOMPATIBLE_STAGES, null, e.getMessage())));
            }
        }
        if (enforcer != null) {
            String why = configure(spec, backendIdx.get(0), backend.descriptor(),
                    () -> backend.implementation().enforcerProblem(enforcer.implementation(), enforcer.settings()));
            if (why != null) {
                problems.add(problem(spec, enforcerIdx.isEmpty() ? backendIdx.get(0) : enforcerIdx.get(0),
                        ExitCode.INCOMPATIBLE_STAGES, null, why));
            }
        }
        if (enforcer != null && config != null && "factored".equals(config.parameterization())
                && configure(spec, enforcerIdx.isEmpty() ? -1 : enforcerIdx.get(0), enforcer.descriptor(),
                        () -> enforcer.implementation().actsOnMergedWeights(enforcer.settings()))) {
            problems.add(problem(spec, enforcerIdx.isEmpty() ? -1 : enforcerIdx.get(0), ExitCode.INCOMPATIBLE_STAGES, null,
                    "enforcer '" + enforcer.descriptor().id() + "' constrains the merged QK and OV directly, which a factored "
                            + "model cannot follow; use the backend's parameterization = merged, or enforcer random-conjugation"));
        }
        for (int k = 0; k < analyzers.size(); k++) {
            Bound<RecursionAnalyzer> a = analyzers.get(k);
            if (!a.descriptor().reads(family)) {
                problems.add(problem(spec, analyzerIdx.get(k), ExitCode.INCOMPATIBLE_STAGES, null, familyRefusal(a.descriptor(),
                        backend.descriptor(), family)));
                continue;
            }
            try {
                configure(spec, analyzerIdx.get(k), a.descriptor(), () -> {
                    if (network != null) {
                        a.implementation().configureNetwork(a.settings(), network, taskSpec);
                    } else {
                        a.implementation().configure(a.settings(), config, taskSpec);
                    }
                    return null;
                });
            } catch (PipelineException e) {
                problems.addAll(e.problems());
            }
        }
        Map<String, ProvidedResult> providers = new LinkedHashMap<>();
        for (int k = 0; k < analyzers.size(); k++) {
            ContributionDescriptor d = analyzers.get(k).descriptor();
            String missing = providersOf(d.requires(), providers);
            if (missing != null) {
                problems.add(problem(spec, analyzerIdx.get(k), ExitCode.UNKNOWN_CONTRIBUTION, null, d.origin()
                        + ": requires shared result '" + missing + "', which no installed contribution provides"));
            }
        }
        if (!problems.isEmpty()) {
            throw new PipelineException(problems);
        }
        return new ValidatedPipeline(spec, task, backend, enforcer, analyzers, taskSpec, config, factors, providers, network);
    }

    /** Why an analyzer cannot read the backend's model, and which installed analyzers can. */
    private String familyRefusal(ContributionDescriptor analyzer, ContributionDescriptor backend, String family) {
        List<String> readers = registry.all(Role.ANALYZER).stream().filter(d -> d.reads(family)).map(ContributionDescriptor::id)
                .toList();
        return "analyzer '" + analyzer.id() + "' (bundle " + analyzer.bundle() + ") reads models of the famil"
                + (analyzer.families().size() == 1 ? "y " : "ies ") + String.join(", ", analyzer.families()) + "; backend '"
                + backend.id() + "' builds a model of the family " + family + ". Analyzers installed for " + family + ": "
                + (readers.isEmpty() ? "none" : String.join(", ", readers));
    }

    /**
     * Adds the provider of each result and, in turn, of what it requires; the first result no
     * contribution provides, or null. Whether an analyzer providing it is in the pipeline does
     * not matter: a provider runs by itself when first asked.
     */
    private String providersOf(List<String> results, Map<String, ProvidedResult> providers) {
        for (String r : results) {
            if (providers.containsKey(r)) {
                continue;
            }
            ProvidedResult p = registry.provider(r);
            if (p == null) {
                return r;
            }
            providers.put(r, p);
            String missing = providersOf(p.requires(), providers);
            if (missing != null) {
                return missing;
            }
        }
        return null;
    }

    private Bound<SymmetryEnforcer> noEnforcer(PipelineSpec spec) throws PipelineException {
        ContributionDescriptor none = registry.find(Role.ENFORCER, "none");
        if (none == null) {
            return null;
        }
        try {
            return new Bound<>(none, none.resolve(Map.of()), none.create(SymmetryEnforcer.class));
        } catch (InvalidSettingException | ContributionException e) {
            throw new PipelineException(ExitCode.INCOMPATIBLE_STAGES, e.getMessage());
        }
    }

    private static void structure(PipelineSpec spec, List<PipelineProblem> problems, int tasks, int backends, int enforcers) {
        if (tasks != 1 && problems.stream().noneMatch(p -> p.stageLabel() != null && p.stageLabel().startsWith("task"))) {
            problems.add(problem(spec, -1, ExitCode.INCOMPATIBLE_STAGES, null,
                    "a pipeline needs exactly one task stage, found " + tasks));
        }
        if (backends != 1 && problems.stream().noneMatch(p -> p.stageLabel() != null && p.stageLabel().startsWith("backend"))) {
            problems.add(problem(spec, -1, ExitCode.INCOMPATIBLE_STAGES, null,
                    "a pipeline needs exactly one backend stage, found " + backends));
        }
        if (enforcers > 1) {
            problems.add(problem(spec, -1, ExitCode.INCOMPATIBLE_STAGES, null,
                    "a pipeline takes at most one enforcer stage, found " + enforcers));
        }
    }

    @FunctionalInterface
    private interface Configure<T> {
        T call() throws Exception;
    }

    /** Runs a contribution's configure step; a refusal becomes a problem at that stage. */
    private static <T> T configure(PipelineSpec spec, int stage, ContributionDescriptor d, Configure<T> body)
            throws PipelineException {
        try {
            return SafeCall.call(d, "configure", body::call);
        } catch (ContributionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof org.layerwise.core.BadInputFileException bad) {
                throw new PipelineException(List.of(problem(spec, stage, ExitCode.BAD_INPUT_FILE, null, bad.getMessage())));
            }
            if (cause instanceof InvalidSettingException ise) {
                throw new PipelineException(List.of(problem(spec, stage,
                        ise.setting() == null ? ExitCode.INCOMPATIBLE_STAGES : ExitCode.INVALID_SETTING, ise.setting(),
                        ise.getMessage())));
            }
            throw new PipelineException(List.of(problem(spec, stage, ExitCode.INCOMPATIBLE_STAGES, null, e.getMessage())));
        }
    }

    private static PipelineProblem problem(PipelineSpec spec, int stage, ExitCode code, String setting, String message) {
        PipelineSpec.Stage st = stage >= 0 ? spec.stages().get(stage) : null;
        String option = st == null || setting == null ? null : st.overrides().get(setting);
        return new PipelineProblem(code, spec.file(), st == null ? 0 : st.line(), stage, st == null ? null : st.label(),
                setting, message, option);
    }
}
