package org.layerwise.pipeline.internal;

import java.io.CharConversionException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.eclipse.emf.common.util.TreeIterator;
import org.eclipse.emf.common.util.URI;
import org.eclipse.emf.ecore.EClass;
import org.eclipse.emf.ecore.EDataType;
import org.eclipse.emf.ecore.EEnum;
import org.eclipse.emf.ecore.EEnumLiteral;
import org.eclipse.emf.ecore.ENamedElement;
import org.eclipse.emf.ecore.EObject;
import org.eclipse.emf.ecore.EStructuralFeature;
import org.eclipse.emf.ecore.resource.Resource;
import org.eclipse.emf.ecore.resource.ResourceSet;
import org.eclipse.emf.ecore.resource.impl.ResourceSetImpl;
import org.eclipse.emf.ecore.xmi.ClassNotFoundException;
import org.eclipse.emf.ecore.xmi.FeatureNotFoundException;
import org.eclipse.emf.ecore.xmi.IllegalValueException;
import org.eclipse.emf.ecore.xmi.PackageNotFoundException;
import org.layerwise.pipeline.PipelineFileException;
import org.layerwise.pipeline.model.Pipeline;
import org.layerwise.pipeline.model.PipelinePackage;
import org.layerwise.pipeline.model.Stage;
import org.layerwise.pipeline.model.Sweep;
import org.xml.sax.InputSource;
import org.xml.sax.SAXParseException;

/**
 * Reads one pipeline (or sweep) file and turns whatever EMF and the XML parser report into a
 * {@link PipelineFileException} that names the file, the line and the column.
 */
public final class PipelineReader {

    public static final String FILE_EXTENSION = "layerwise";
    public static final String SWEEP_FILE_EXTENSION = "sweep";

    private final Path path;
    private final String name;
    private final SourceText text;
    private final EClass rootClass;
    /** "pipeline" or "sweep", as messages name what the file should be. */
    private final String kind;
    private final String rootElement;

    private PipelineReader(Path path, String name, String text, EClass rootClass) {
        this.path = path;
        this.name = name;
        this.text = new SourceText(text);
        this.rootClass = rootClass;
        this.kind = rootClass == PipelinePackage.Literals.SWEEP ? "sweep" : "pipeline";
        this.rootElement = PipelinePackage.eNS_PREFIX + ":" + rootClass.getName();
    }

    /** A ResourceSet that knows the pipeline package and *.layerwise files, in or outside OSGi. */
    public static ResourceSet createResourceSet() {
        ResourceSet resourceSet = new ResourceSetImpl();
        resourceSet.getPackageRegistry().put(PipelinePackage.eNS_URI, PipelinePackage.eINSTANCE);
        resourceSet.getResourceFactoryRegistry().getExtensionToFactoryMap().put(FILE_EXTENSION, new PipelineResourceFactory());
        resourceSet.getResourceFactoryRegistry().getExtensionToFactoryMap().put(SWEEP_FILE_EXTENSION, new PipelineResourceFactory());
        return resourceSet;
    }

    /**
     * @param path  the file, or null
     * @param name  the name messages use
     * @param uri   the URI the resource gets
     * @param input the content to parse
     * @param text  the same content as text, to locate elements and attributes
     */
    public static Pipeline read(Path path, String name, URI uri, InputSource input, String text) throws PipelineFileException {
        PipelineReader reader = new PipelineReader(path, name, text, PipelinePackage.Literals.PIPELINE);
        Pipeline pipeline = (Pipeline) reader.read(uri, input);
        reader.checkSettings(pipeline);
        return pipeline;
    }

    /** As {@link #read}, for a *.sweep file. */
    public static Sweep readSweep(Path path, String name, URI uri, InputSource input, String text) throws PipelineFileException {
        return (Sweep) new PipelineReader(path, name, text, PipelinePackage.Literals.SWEEP).read(uri, input);
    }

    private EObject read(URI uri, InputSource input) throws PipelineFileException {
        ResourceSet resourceSet = createResourceSet();
        PipelineResource resource = PipelineResourceFactory.newResource(uri);
        resourceSet.getResources().add(resource);
        try {
            resource.load(input, resource.getDefaultLoadOptions());
        } catch (IOException | RuntimeException e) {
            throw translate(resource, e);
        }
        if (!resource.getErrors().isEmpty()) {
            throw translate(resource, null);
        }
        moveLocationsToTagStarts(resource);
        return root(resource);
    }

    private EObject root(Resource resource) throws PipelineFileException {
        List<EObject> roots = resource.getContents();
        if (roots.isEmpty()) {
            throw fail(-1, -1, "not a Layerwise " + kind + ": there is no <" + rootElement + "> element", null);
        }
        EObject first = roots.get(0);
        if (!rootClass.isInstance(first)) {
            throw fail(lineOf(first), columnOf(first), "not a Layerwise " + kind + ": the root element is <"
                    + PipelinePackage.eNS_PREFIX + ":" + first.eClass().getName() + ">, expected <" + rootElement + ">", null);
        }
        if (roots.size() > 1) {
            EObject second = roots.get(1);
            throw fail(lineOf(second), columnOf(second), "a " + kind + " file holds exactly one <" + rootElement
                    + ">; this one has " + roots.size() + " top-level elements", null);
        }
        return first;
    }

    private void checkSettings(Pipeline pipeline) throws PipelineFileException {
        int index = 0;
        for (Stage stage : pipeline.getStages()) {
            index++;
            Map<String, EObject> seen = new HashMap<>();
            for (Map.Entry<String, String> entry : stage.getSettings()) {
                EObject setting = (EObject) entry;
                if (entry.getKey() == null) {
                    throw fail(lineOf(setting), columnOf(setting), "a setting of " + describe(stage, index)
                            + " has no key (write <settings key=\"name\" value=\"...\"/>)", null);
                }
                EObject earlier = seen.putIfAbsent(entry.getKey(), setting);
                if (earlier != null) {
                    throw fail(lineOf(setting), columnOf(setting), "setting \"" + entry.getKey() + "\" of "
                            + describe(stage, index) + " is given twice"
                            + (lineOf(earlier) > 0 ? " (first on line " + lineOf(earlier) + ")" : ""), null);
                }
            }
        }
    }

    private static String describe(Stage stage, int index) {
        return "stage " + index + (stage.getContribution() != null ? " (" + stage.getContribution() + ")" : "");
    }

    private void moveLocationsToTagStarts(Resource resource) {
        for (TreeIterator<EObject> it = resource.getAllContents(); it.hasNext();) {
            SourceLocation location = SourceLocation.of(it.next());
            if (location != null) {
                SourceText.Tag tag = text.tagEndingAt(location.line(), location.column());
                if (tag != null) {
                    SourceText.Position start = text.startOf(tag);
                    location.moveTo(start.line(), start.column());
                }
            }
        }
    }

    private PipelineFileException translate(Resource resource, Exception thrown) {
        // EMF collects problems in getErrors() and throws the first; the parser's own fatal
        // errors arrive only as the thrown exception.
        Object problem = !resource.getErrors().isEmpty() ? resource.getErrors().get(0) : thrown;
        for (Throwable t = asThrowable(problem); t != null; t = t.getCause() == t ? null : t.getCause()) {
            PipelineFileException translated = translateOne(resource, t);
            if (translated != null) {
                return translated;
            }
        }
        Throwable cause = asThrowable(problem);
        String message = cause == null ? "unknown error" : cause.getMessage() != null ? cause.getMessage() : cause.toString();
        if (problem instanceof Resource.Diagnostic d) {
            return fail(d.getLine(), d.getColumn(), message, cause);
        }
        return fail(-1, -1, "could not read the pipeline: " + message, cause);
    }

    private static Throwable asThrowable(Object problem) {
        return problem instanceof Throwable t ? t : null;
    }

    private PipelineFileException translateOne(Resource resource, Throwable t) {
        if (t instanceof java.io.UnsupportedEncodingException e) {
            return fail(-1, -1, "the XML declaration names the encoding \"" + e.getMessage()
                    + "\", which is not one Java knows; pipeline files are UTF-8", e);
        }
        if (t instanceof CharConversionException e) {
            // the parser's decoder (a class of its own, named in its toString) reports no position
            return fail(-1, -1, "the file is not text in the encoding it declares: " + e.getMessage(), e);
        }
        if (t instanceof SAXParseException e) {
            return fail(e.getLineNumber(), e.getColumnNumber(), "XML error: " + e.getMessage(), e);
        }
        if (t instanceof FeatureNotFoundException e) {
            return unknownFeature(e);
        }
        if (t instanceof IllegalValueException e) {
            return illegalValue(e);
        }
        if (t instanceof PackageNotFoundException e) {
            SourceText.Tag tag = text.tagEndingAt(e.getLine(), e.getColumn());
            String element = tag != null ? "<" + tag.name() + ">" : "the root element";
            String uri = e.uri();
            String problem = uri == null || uri.isEmpty()
                    ? "not a Layerwise " + kind + ": " + element + " has no namespace"
                    : "not a Layerwise " + kind + ": " + element + " is in namespace \"" + uri + "\"";
            return failAt(tag, e, problem + "; a " + kind + " file starts with <" + rootElement + " xmlns:"
                    + PipelinePackage.eNS_PREFIX + "=\"" + PipelinePackage.eNS_URI + "\" ...>");
        }
        if (t instanceof ClassNotFoundException e) {
            SourceText.Tag tag = text.tagEndingAt(e.getLine(), e.getColumn());
            String problem = resource.getContents().isEmpty()
                    ? "not a Layerwise " + kind + ": the root element is <" + (tag != null ? tag.name() : e.getName())
                            + ">, expected <" + rootElement + ">"
                    : "unknown type \"" + e.getName() + "\" (known: " + names(PipelinePackage.eINSTANCE.getEClassifiers().stream()
                            .filter(EClass.class::isInstance).toList()) + ")";
            return failAt(tag, e, problem);
        }
        return null;
    }

    private PipelineFileException unknownFeature(FeatureNotFoundException e) {
        EObject object = e.getObject();
        String feature = e.getName();
        SourceText.Tag tag = text.tagEndingAt(e.getLine(), e.getColumn());
        if (tag != null && SourceText.localName(tag.name()).equals(feature)) {
            String known = object == null ? "" : " (known: " + names(object.eClass().getEAllContainments()) + ")";
            return failAt(tag, e, "unknown element <" + tag.name() + ">" + inside(object) + known);
        }
        String known = object == null ? "" : " (known: " + names(object.eClass().getEAllAttributes()) + ")";
        String problem = "unknown attribute \"" + feature + "\"" + on(object) + known;
        SourceText.Position at = tag != null ? text.attribute(tag, feature) : null;
        return at != null ? fail(at.line(), at.column(), problem, e) : failAt(tag, e, problem);
    }

    private PipelineFileException illegalValue(IllegalValueException e) {
        EStructuralFeature feature = e.getFeature();
        Object value = e.getValue();
        String problem;
        if (feature != null && feature.getEType() instanceof EEnum type) {
            String allowed = type.getELiterals().stream().map(EEnumLiteral::getLiteral).collect(Collectors.joining(", "));
            problem = feature == PipelinePackage.Literals.STAGE__ROLE
                    ? "unknown role \"" + value + "\" (allowed: " + allowed + ")"
                    : "unknown " + feature.getName() + " \"" + value + "\" (allowed: " + allowed + ")";
        } else if (feature != null) {
            problem = "invalid " + feature.getName() + " \"" + value + "\"" + on(e.getObject()) + ": expected "
                    + expectation(feature.getEType() instanceof EDataType d ? d : null);
        } else {
            problem = "invalid value \"" + value + "\"";
        }
        SourceText.Tag tag = text.tagEndingAt(e.getLine(), e.getColumn());
        SourceText.Position at = tag != null && feature != null ? text.attribute(tag, feature.getName()) : null;
        return at != null ? fail(at.line(), at.column(), problem, e) : failAt(tag, e, problem);
    }

    private static String expectation(EDataType type) {
        Class<?> c = type == null ? null : type.getInstanceClass();
        if (c == long.class || c == Long.class || c == int.class || c == Integer.class) {
            return "a whole number";
        }
        if (c == double.class || c == Double.class || c == float.class || c == Float.class) {
            return "a number";
        }
        if (c == boolean.class || c == Boolean.class) {
            return "true or false";
        }
        return "a value of type " + (type == null ? "?" : type.getName());
    }

    private static String inside(EObject object) {
        return object == null ? "" : " inside <" + elementName(object) + ">";
    }

    private static String on(EObject object) {
        return object == null ? "" : " on <" + elementName(object) + ">";
    }

    /** The element name an object is written with. */
    private static String elementName(EObject object) {
        EStructuralFeature containing = object.eContainingFeature();
        return containing != null ? containing.getName() : PipelinePackage.eNS_PREFIX + ":" + object.eClass().getName();
    }

    private static String names(List<? extends ENamedElement> elements) {
        return elements.isEmpty() ? "none" : elements.stream().map(ENamedElement::getName).collect(Collectors.joining(", "));
    }

    private PipelineFileException failAt(SourceText.Tag tag, org.eclipse.emf.ecore.xmi.XMIException e, String problem) {
        if (tag != null) {
            SourceText.Position start = text.startOf(tag);
            return fail(start.line(), start.column(), problem, e);
        }
        return fail(e.getLine(), e.getColumn(), problem, e);
    }

    private PipelineFileException fail(int line, int column, String problem, Throwable cause) {
        return new PipelineFileException(path, name, line, column, problem, cause);
    }

    private static int lineOf(EObject object) {
        SourceLocation location = SourceLocation.of(object);
        return location == null ? -1 : location.line();
    }

    private static int columnOf(EObject object) {
        SourceLocation location = SourceLocation.of(object);
        return location == null ? -1 : location.column();
    }
}
