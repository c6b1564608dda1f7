package org.layerwise.pipeline;

import java.util.Map;
import java.util.Objects;

import org.eclipse.emf.ecore.util.EcoreUtil;
import org.layerwise.core.Role;
import org.layerwise.pipeline.model.Pipeline;
import org.layerwise.pipeline.model.PipelineFactory;
import org.layerwise.pipeline.model.Stage;
import org.layerwise.pipeline.model.StageRole;

/** Small helpers to build pipelines in code (tests, examples, the batch runner). */
public final class Pipelines {

    private Pipelines() {
    }

    /**
     * A new pipeline.
     *
     * @param name   shown in the editor and in run records
     * @param seed   the master seed
     * @param stages added in this order
     */
    public static Pipeline pipeline(String name, long seed, Stage... stages) {
        Pipeline pipeline = PipelineFactory.eINSTANCE.createPipeline();
        pipeline.setName(name);
        pipeline.setSeed(seed);
        for (Stage stage : stages) {
            pipeline.getStages().add(Objects.requireNonNull(stage, "stage"));
        }
        return pipeline;
    }

    /** A stage without settings. */
    public static Stage stage(StageRole role, String contribution) {
        return stage(role, contribution, Map.of());
    }

    /**
     * A stage. Settings are added in the map's iteration order (pass a LinkedHashMap to choose
     * the order they are written in).
     */
    public static Stage stage(StageRole role, String contribution, Map<String, String> settings) {
        Stage stage = PipelineFactory.eINSTANCE.createStage();
        stage.setRole(Objects.requireNonNull(role, "role"));
        stage.setContribution(Objects.requireNonNull(contribution, "contribution"));
        settings.forEach((key, value) -> stage.getSettings().put(Objects.requireNonNull(key, "setting key"), value));
        return stage;
    }

    /** The core contribution kind (extension point) a stage role names. */
    public static Role coreRole(StageRole role) {
        Role core = Role.fromKey(Objects.requireNonNull(role, "role").getLiteral());
        if (core == null) {
            throw new IllegalStateException("stage role " + role.getLiteral() + " has no org.layerwise.core.Role");
        }
        return core;
    }

    /**
     * A deep copy, not contained in any resource. Line numbers ({@link PipelineFiles#lineOf})
     * belong to the loaded original and are not copied.
     */
    public static Pipeline copy(Pipeline pipeline) {
        return EcoreUtil.copy(Objects.requireNonNull(pipeline, "pipeline"));
    }
}
