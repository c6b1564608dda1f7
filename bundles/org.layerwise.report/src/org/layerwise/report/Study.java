package org.layerwise.report;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.layerwise.runner.RunDirectory;

/**
 * A reproducible study: pipelines (files under the repository, each playing a named role),
 * the overrides that make its quick variant, and the reporter that turns the run
 * directories into claims, tables and figures.
 *
 * @param directory     the pipelines' folder relative to the repository (layerwise.home)
 * @param quickSettings --set assignments applied to every pipeline by --quick
 * @param quickEvalPrompts evaluation prompts of each run under --quick
 */
public record Study(String name, String description, String directory, List<Pipeline> pipelines, List<String> quickSettings,
        int quickEvalPrompts, Reporter reporter) {

    public Study {
        pipelines = List.copyOf(pipelines);
        quickSettings = List.copyOf(quickSettings);
    }

    /** One pipeline of the study and the role the report gives its run. */
    public record Pipeline(String role, String file) {
    }

    /** Writes report.html and figures/ into the study's output directory from the runs, by role. */
    @FunctionalInterface
    public interface Reporter {
        StudyReport write(Path out, Map<String, RunDirectory> runs, boolean quick) throws IOException;
    }
}
