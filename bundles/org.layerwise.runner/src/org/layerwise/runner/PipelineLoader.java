package org.layerwise.runner;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.layerwise.pipeline.PipelineFileException;
import org.layerwise.pipeline.PipelineFiles;
import org.layerwise.pipeline.Pipelines;
import org.layerwise.pipeline.model.Pipeline;
import org.layerwise.pipeline.model.Stage;

/** Reads a *.layerwise file into a PipelineSpec; a malformed file is exit code 3. */
public final class PipelineLoader {

    private PipelineLoader() {
    }

    public static PipelineSpec load(Path file) throws PipelineException {
        Pipeline p;
        try {
            p = PipelineFiles.load(file);
        } catch (PipelineFileException e) {
            throw new PipelineException(ExitCode.MALFORMED_PIPELINE, e.getMessage());
        }
        return toSpec(p, file);
    }

    /** The EMF pipeline as plain values (the editor validates its model through this too). */
    public static PipelineSpec toSpec(Pipeline p, Path file) {
        List<PipelineSpec.Stage> stages = new ArrayList<>();
        for (Stage s : p.getStages()) {
            Map<String, String> settings = new LinkedHashMap<>();
            s.getSettings().forEach(e -> settings.put(e.getKey(), e.getValue()));
            stages.add(new PipelineSpec.Stage(Pipelines.coreRole(s.getRole()), s.getContribution(), settings,
                    Math.max(0, PipelineFiles.lineOf(s))));
        }
        String name = p.getName();
        if ((name == null || name.isBlank()) && file != null) {
            name = file.getFileName().toString().replaceFirst("\\.layerwise$", "");
        }
        return new PipelineSpec(name, p.getSeed(), stages, file);
    }
}
