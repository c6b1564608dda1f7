package org.layerwise.ui.explorer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.eclipse.jface.viewers.ITreeContentProvider;
import org.layerwise.pipeline.PipelineFiles;
import org.layerwise.runner.RunDirectory;

/**
 * The tree under the chosen folder: sub-folders, *.layerwise pipelines and run directories
 * (folders holding a run.json, shown as leaves). A sweep directory (a folder holding sweep.json)
 * is a folder like any other here, so its points' run directories stay reachable. Build output
 * and hidden folders are left out.
 */
public final class ExplorerContent implements ITreeContentProvider {

    public static boolean isRun(Path p) {
        return RunDirectory.isRun(p);
    }

    /** True when the folder holds a sweep.json (docs/design/sweeps.md): a sweep directory. */
    public static boolean isSweep(Path p) {
        return Files.isRegularFile(p.resolve("sweep.json"));
    }

    public static boolean isPipeline(Path p) {
        return p.getFileName() != null && p.getFileName().toString().endsWith("." + PipelineFiles.FILE_EXTENSION)
                && Files.isRegularFile(p);
    }

    @Override
    public Object[] getElements(Object input) {
        return getChildren(input);
    }

    @Override
    public Object[] getChildren(Object parent) {
        if (!(parent instanceof Path dir) || !Files.isDirectory(dir) || isRun(dir)) {
            return new Object[0];
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> shown = s.filter(p -> {
                String n = p.getFileName().toString();
                if (n.startsWith(".") || n.equals("target") || n.equals("bin") || n.equals("node_modules")) {
                    return false;
                }
                return Files.isDirectory(p) || isPipeline(p);
            }).sorted(Comparator.comparing((Path p) -> !Files.isDirectory(p) || isRun(p))
                    .thenComparing(p -> p.getFileName().toString())).toList();
            return shown.toArray();
        } catch (IOException e) {
            return new Object[0];
        }
    }

    @Override
    public Object getParent(Object element) {
        return element instanceof Path p ? p.getParent() : null;
    }

    @Override
    public boolean hasChildren(Object element) {
        return element instanceof Path p && Files.isDirectory(p) && !isRun(p);
    }
}
