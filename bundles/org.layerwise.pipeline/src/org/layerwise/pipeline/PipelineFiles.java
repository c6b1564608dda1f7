package org.layerwise.pipeline;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import org.eclipse.emf.common.util.URI;
import org.eclipse.emf.ecore.EObject;
import org.eclipse.emf.ecore.resource.ResourceSet;
import org.eclipse.emf.ecore.util.EcoreUtil;
import org.layerwise.core.AtomicFiles;
import org.layerwise.pipeline.internal.PipelineReader;
import org.layerwise.pipeline.internal.PipelineResource;
import org.layerwise.pipeline.internal.PipelineResourceFactory;
import org.layerwise.pipeline.internal.SourceLocation;
import org.layerwise.pipeline.internal.Utf8;
import org.layerwise.pipeline.model.Pipeline;
import org.layerwise.pipeline.model.Stage;
import org.layerwise.pipeline.model.Sweep;
import org.xml.sax.InputSource;

/**
 * Reads and writes *.layerwise files (XMI, UTF-8). Works the same inside OSGi and in a plain
 * JVM: the model package and the resource factory are registered on a private ResourceSet,
 * not looked up in the global registries.
 *
 * <pre>{@code
 * <?xml version="1.0" encoding="UTF-8"?>
 * <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI"
 *     xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="quickstart" seed="1">
 *   <stages role="task" contribution="linear">
 *     <settings key="d" value="8"/>
 *   </stages>
 *   <stages role="backend" contribution="softmax-attention"/>
 * </layerwise:Pipeline>
 * }</pre>
 */
public final class PipelineFiles {

    /** A pipeline is a few kilobytes of XML; a larger file is refused before it is parsed. */
    public static final int MAX_FILE_BYTES = 1 << 20;

    /** The extension of pipeline files, without the dot. */
    public static final String FILE_EXTENSION = PipelineReader.FILE_EXTENSION;

    /** The extension of sweep files, without the dot. */
    public static final String SWEEP_FILE_EXTENSION = PipelineReader.SWEEP_FILE_EXTENSION;

    private PipelineFiles() {
    }

    /**
     * Reads a pipeline file. Every object of the result remembers the line its element starts
     * on ({@link #lineOf}).
     *
     * @throws PipelineFileException when the file is missing or unreadable, is not well-formed
     *         XML, is not a pipeline, or has an unknown element, attribute or value; the message
     *         names the file and, when known, the line and column
     */
    public static Pipeline load(Path file) throws PipelineFileException {
        return read(file, "pipeline", (source, uri, bytes) -> PipelineReader.read(file, source, uri,
                new InputSource(new ByteArrayInputStream(bytes)), new String(bytes, StandardCharsets.UTF_8)));
    }

    /**
     * Reads a *.sweep file (docs/sweeps.md) with the same checks and messages as {@link #load}.
     */
    public static Sweep loadSweep(Path file) throws PipelineFileException {
        return read(file, "sweep", (source, uri, bytes) -> PipelineReader.readSweep(file, source, uri,
                new InputSource(new ByteArrayInputStream(bytes)), new String(bytes, StandardCharsets.UTF_8)));
    }

    private interface Parser<T> {
        T parse(String source, URI uri, byte[] bytes) throws PipelineFileException;
    }

    private static <T> T read(Path file, String kind, Parser<T> parser) throws PipelineFileException {
        Objects.requireNonNull(file, "file");
        Path name = file.getFileName();
        String source = name != null ? name.toString() : file.toString();
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            // at most one byte past the limit: /dev/zero and FIFOs have no size to trust
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new PipelineFileException(file, source, -1, -1, "file not found: " + file, e);
        } catch (AccessDeniedException e) {
            throw new PipelineFileException(file, source, -1, -1, "cannot read " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new PipelineFileException(file, source, -1, -1, "cannot read " + file + ": " + e.getMessage(), e);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw new PipelineFileException(file, source, -1, -1, "not a Layerwise " + kind + ": the file holds more than "
                    + MAX_FILE_BYTES + " bytes (1 MB), the limit for a " + kind + " file" + sizeIfKnown(file), null);
        }
        PipelineFileException notUtf8 = Utf8.check(file, source, bytes);
        if (notUtf8 != null) {
            throw notUtf8;
        }
        URI uri = URI.createFileURI(file.toAbsolutePath().toString());
        // The parser decodes the bytes as their XML declaration says; the text is only used to
        // find where elements start, and pipeline files are UTF-8.
        return parser.parse(source, uri, bytes);
    }

    private static String sizeIfKnown(Path file) {
        try {
            return Files.isRegularFile(file) ? " (it holds " + Files.size(file) + ")" : "";
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Reads a pipeline from text, for example an editor's buffer.
     *
     * @param nameForMessages what messages call the text, e.g. its file name
     */
    public static Pipeline fromXml(String xml, String nameForMessages) throws PipelineFileException {
        Objects.requireNonNull(xml, "xml");
        String source = nameForMessages == null || nameForMessages.isBlank() ? "<pipeline>" : nameForMessages;
        return PipelineReader.read(null, source, URI.createFileURI(source), new InputSource(new StringReader(xml)), xml);
    }

    /**
     * Writes the pipeline to the file atomically: the complete XML is produced in memory first
     * and then handed to {@link AtomicFiles}, so the file holds either its old or its new
     * content, never a part. The pipeline itself is not modified or moved to another resource.
     *
     * @throws IllegalArgumentException when a setting has no key or a key is used twice in a stage
     */
    public static void save(Pipeline pipeline, Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        byte[] bytes = toBytes(pipeline);
        AtomicFiles.writeBytes(file, bytes);
    }

    /** The pipeline as the text {@link #save} would write. */
    public static String toXml(Pipeline pipeline) {
        return new String(toBytes(pipeline), StandardCharsets.UTF_8);
    }

    /** The pipeline as the bytes {@link #save} would write (UTF-8 XMI). */
    public static byte[] toBytes(Pipeline pipeline) {
        Objects.requireNonNull(pipeline, "pipeline");
        checkSettings(pipeline);
        // Serialise a copy: adding the caller's object to a new resource would take it out of
        // the resource (or container) it lives in.
        PipelineResource resource = PipelineResourceFactory.newResource(URI.createFileURI("pipeline." + FILE_EXTENSION));
        resource.getContents().add(EcoreUtil.copy(pipeline));
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try {
            resource.save(out, resource.getDefaultSaveOptions());
        } catch (IOException e) {
            throw new UncheckedIOException("serialising a pipeline in memory failed", e);
        }
        return out.toByteArray();
    }

    /**
     * The 1-based line on which the object's element starts in the file or text it was read
     * from, or -1 when unknown (objects created in code, copies, or null).
     */
    public static int lineOf(EObject object) {
        SourceLocation location = SourceLocation.of(object);
        return location == null ? -1 : location.line();
    }

    /**
     * A ResourceSet that can load and save *.layerwise files with the same options as this
     * class, for code that keeps pipelines in EMF resources of its own.
     */
    public static ResourceSet createResourceSet() {
        return PipelineReader.createResourceSet();
    }

    private static void checkSettings(Pipeline pipeline) {
        int index = 0;
        for (Stage stage : pipeline.getStages()) {
            index++;
            Set<String> keys = new HashSet<>();
            for (Map.Entry<String, String> entry : stage.getSettings()) {
                if (entry.getKey() == null) {
                    throw new IllegalArgumentException("stage " + index + " (" + stage.getContribution() + ") has a setting without a key");
                }
                if (!keys.add(entry.getKey())) {
                    throw new IllegalArgumentException("stage " + index + " (" + stage.getContribution() + ") has setting \""
                            + entry.getKey() + "\" twice");
                }
            }
        }
    }
}
