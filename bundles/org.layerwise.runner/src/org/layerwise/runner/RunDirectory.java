package org.layerwise.runner;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.layerwise.io.Json;

/** Reads what a run wrote (FORMATS.md): its status from run.json, for explorers and views. */
public final class RunDirectory {

    private RunDirectory() {
    }

    /** True when the folder holds a run.json. */
    public static boolean isRun(Path dir) {
        return Files.isRegularFile(dir.resolve("run.json"));
    }

    /**
     * The status recorded in run.json; null when the file is missing or unreadable (a run
     * being written is RUNNING, never half a file: run.json is written atomically).
     */
    public static RunStatus status(Path dir) {
        try {
            Map<String, Object> run = Json.readMap(dir.resolve("run.json"));
            return RunStatus.valueOf(String.valueOf(run.get("status")));
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
