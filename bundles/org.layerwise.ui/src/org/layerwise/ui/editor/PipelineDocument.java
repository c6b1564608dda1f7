package org.layerwise.ui.editor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.eclipse.emf.common.command.BasicCommandStack;
import org.eclipse.emf.common.command.Command;
import org.eclipse.emf.common.command.CommandStack;
import org.eclipse.emf.ecore.EObject;
import org.eclipse.emf.ecore.util.EcoreUtil;
import org.eclipse.emf.edit.command.AddCommand;
import org.eclipse.emf.edit.command.MoveCommand;
import org.eclipse.emf.edit.command.RemoveCommand;
import org.eclipse.emf.edit.command.SetCommand;
import org.eclipse.emf.edit.domain.AdapterFactoryEditingDomain;
import org.eclipse.emf.edit.domain.EditingDomain;
import org.eclipse.emf.edit.provider.ReflectiveItemProviderAdapterFactory;
import org.layerwise.core.ContributionDescriptor;
import org.layerwise.core.ContributionRegistry;
import org.layerwise.core.Role;
import org.layerwise.pipeline.PipelineFileException;
import org.layerwise.pipeline.PipelineFiles;
import org.layerwise.pipeline.Pipelines;
import org.layerwise.pipeline.model.Pipeline;
import org.layerwise.pipeline.model.PipelinePackage;
import org.layerwise.pipeline.model.Stage;
import org.layerwise.pipeline.model.StageRole;
import org.layerwise.runner.ExitCode;
import org.layerwise.runner.PipelineException;
import org.layerwise.runner.PipelineLoader;
import org.layerwise.runner.PipelineProblem;
import org.layerwise.runner.PipelineSpec;
import org.layerwise.runner.PipelineValidator;

/**
 * A pipeline being edited: the EMF model, every change as a command on EMF's command stack
 * (undo, redo, dirty state), atomic save, and validation by the same validator as
 * {@code layerwise validate}. No SWT: the form and the editor part sit on top of it.
 */
public final class PipelineDocument {

    private static final PipelinePackage P = PipelinePackage.eINSTANCE;

    private final Pipeline pipeline;
    private final ContributionRegistry registry;
    private final BasicCommandStack stack = new BasicCommandStack();
    private final EditingDomain domain = new AdapterFactoryEditingDomain(new ReflectiveItemProviderAdapterFactory(), stack);
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private Path file;
    private List<PipelineProblem> problems = List.of();

    private PipelineDocument(Pipeline pipeline, Path file, ContributionRegistry registry) {
        this.pipeline = pipeline;
        this.file = file;
        this.registry = registry;
        stack.addCommandStackListener(e -> changed());
        problems = check();
    }

    public static PipelineDocument open(Path file, ContributionRegistry registry) throws PipelineFileException {
        return new PipelineDocument(PipelineFiles.load(file), file, registry);
    }

    /** A new, unsaved pipeline with the first registered task and backend. */
    public static PipelineDocument create(String name, ContributionRegistry registry) {
        Pipeline p = Pipelines.pipeline(name, 1);
        for (Role role : List.of(Role.TASK, Role.BACKEND)) {
            List<ContributionDescriptor> all = registry.all(role);
            if (!all.isEmpty()) {
                p.getStages().add(Pipelines.stage(StageRole.get(role.key), all.get(0).id()));
            }
        }
        return new PipelineDocument(p, null, registry);
    }

    public Pipeline pipeline() {
        return pipeline;
    }

    public ContributionRegistry registry() {
        return registry;
    }

    /** The file it was read from or last saved to; null while never saved. */
    public Path file() {
        return file;
    }

    public CommandStack commandStack() {
        return stack;
    }

    public boolean isDirty() {
        return stack.isSaveNeeded();
    }

    /** Called after every change, undo and redo (on the thread that made it). */
    public void addListener(Runnable listener) {
        listeners.add(listener);
    }

    public void removeListener(Runnable listener) {
        listeners.remove(listener);
    }

    private void changed() {
        problems = check();
        listeners.forEach(Runnable::run);
    }

    /** Saves atomically (the file holds the old or the new pipeline, never a part). */
    public void save(Path target) throws IOException {
        PipelineFiles.save(pipeline, target);
        file = target;
        stack.saveIsDone();
        changed();
    }

    /** The pipeline as the runner takes it (a snapshot: later edits do not change it). */
    public PipelineSpec spec() {
        return PipelineLoader.toSpec(pipeline, file);
    }

    /** Every problem the validator reports for the current model; empty when it is runnable. */
    public List<PipelineProblem> problems() {
        return problems;
    }

    private List<PipelineProblem> check() {
        try {
            new PipelineValidator(registry).validate(spec());
            return List.of();
        } catch (PipelineException e) {
            if (!e.problems().isEmpty()) {
                return e.problems();
            }
            return List.of(new PipelineProblem(e.exitCode(), file, 0, -1, null, null, e.getMessage()));
        } catch (RuntimeException e) {
            return List.of(new PipelineProblem(ExitCode.INCOMPATIBLE_STAGES, file, 0, -1, null, null, String.valueOf(e)));
        }
    }

    /** The problems at one setting of one stage (stage by position). */
    public List<PipelineProblem> problemsAt(int stage, String setting) {
        List<PipelineProblem> out = new ArrayList<>();
        for (PipelineProblem p : problems) {
            if (p.stage() == stage && java.util.Objects.equals(p.setting(), setting)) {
                out.add(p);
            }
        }
        return out;
    }

    public ContributionDescriptor descriptor(Stage stage) {
        return registry.find(Pipelines.coreRole(stage.getRole()), stage.getContribution());
    }

    /** The value written in the file for this setting, or null when the default applies. */
    public static String value(Stage stage, String key) {
        return stage.getSettings().get(key);
    }

    // ---- edits, each one command ----

    public void setName(String name) {
        execute(SetCommand.create(domain, pipeline, P.getPipeline_Name(), name));
    }

    public void setSeed(long seed) {
        execute(SetCommand.create(domain, pipeline, P.getPipeline_Seed(), seed));
    }

    /** Sets a setting; null or blank removes it so that the declared default applies. */
    public void setSetting(Stage stage, String key, String value) {
        EObject entry = entry(stage, key);
        boolean reset = value == null || value.isBlank();
        if (entry == null) {
            if (reset) {
                return;
            }
            EObject created = EcoreUtil.create(P.getSettingEntry());
            created.eSet(P.getSettingEntry_Key(), key);
            created.eSet(P.getSettingEntry_Value(), value);
            execute(AddCommand.create(domain, stage, P.getStage_Settings(), created));
        } else if (reset) {
            execute(RemoveCommand.create(domain, stage, P.getStage_Settings(), entry));
        } else if (!value.equals(entry.eGet(P.getSettingEntry_Value()))) {
            execute(SetCommand.create(domain, entry, P.getSettingEntry_Value(), value));
        }
    }

    private static EObject entry(Stage stage, String key) {
        for (Map.Entry<String, String> e : stage.getSettings()) {
            if (key.equals(e.getKey())) {
                return (EObject) e;
            }
        }
        return null;
    }

    /**
     * Adds a stage of a registered contribution, with no settings (all defaults), after the
     * last stage of the same or an earlier role: task, backend, enforcer, analyzers.
     */
    public Stage addStage(Role role, String contribution) {
        Stage stage = Pipelines.stage(StageRole.get(role.key), contribution);
        int index = 0;
        for (int i = 0; i < pipeline.getStages().size(); i++) {
            if (Pipelines.coreRole(pipeline.getStages().get(i).getRole()).ordinal() <= role.ordinal()) {
                index = i + 1;
            }
        }
        execute(AddCommand.create(domain, pipeline, P.getPipeline_Stages(), stage, index));
        return stage;
    }

    public void removeStage(Stage stage) {
        execute(RemoveCommand.create(domain, pipeline, P.getPipeline_Stages(), stage));
    }

    public void moveStage(Stage stage, int index) {
        if (index < 0 || index >= pipeline.getStages().size() || pipeline.getStages().indexOf(stage) == index) {
            return;
        }
        execute(MoveCommand.create(domain, pipeline, P.getPipeline_Stages(), stage, index));
    }

    private void execute(Command command) {
        if (!command.canExecute()) {
            throw new IllegalStateException("cannot execute " + command.getLabel());
        }
        stack.execute(command);
    }
}
