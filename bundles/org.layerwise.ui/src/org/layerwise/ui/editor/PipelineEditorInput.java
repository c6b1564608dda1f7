package org.layerwise.ui.editor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

import org.eclipse.jface.resource.ImageDescriptor;
import org.eclipse.ui.IEditorInput;
import org.eclipse.ui.IPersistableElement;

/** A *.layerwise file on disk, or a new pipeline not yet saved (file null). */
public final class PipelineEditorInput implements IEditorInput {

    private final Path file;
    private final String newName;

    private PipelineEditorInput(Path file, String newName) {
        this.file = file;
        this.newName = newName;
    }

    public static PipelineEditorInput of(Path file) {
        return new PipelineEditorInput(file.toAbsolutePath().normalize(), null);
    }

    public static PipelineEditorInput untitled(String name) {
        return new PipelineEditorInput(null, name);
    }

    /** The file, or null for a pipeline never saved. */
    public Path file() {
        return file;
    }

    @Override
    public boolean exists() {
        return file != null && Files.exists(file);
    }

    @Override
    public ImageDescriptor getImageDescriptor() {
        return null;
    }

    @Override
    public String getName() {
        return file == null ? newName : file.getFileName().toString();
    }

    @Override
    public IPersistableElement getPersistable() {
        return null;
    }

    @Override
    public String getToolTipText() {
        return file == null ? newName + " (not saved yet)" : file.toString();
    }

    @Override
    public <T> T getAdapter(Class<T> adapter) {
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PipelineEditorInput other && Objects.equals(file, other.file) && (file != null || this == other);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(file);
    }
}
