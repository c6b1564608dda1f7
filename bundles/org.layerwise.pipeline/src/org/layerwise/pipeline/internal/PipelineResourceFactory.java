package org.layerwise.pipeline.internal;

import java.util.Map;

import org.eclipse.emf.common.util.URI;
import org.eclipse.emf.ecore.resource.Resource;
import org.eclipse.emf.ecore.resource.impl.ResourceFactoryImpl;
import org.eclipse.emf.ecore.xmi.XMLResource;

/**
 * Creates {@link PipelineResource}s with the load and save options every *.layerwise file is
 * read and written with, whichever way the resource is obtained (PipelineFiles, or a
 * ResourceSet that found this factory through the extension_parser in plugin.xml).
 */
public final class PipelineResourceFactory extends ResourceFactoryImpl {

    @Override
    public Resource createResource(URI uri) {
        return newResource(uri);
    }

    /** A resource configured with the pipeline load and save options. */
    public static PipelineResource newResource(URI uri) {
        PipelineResource resource = new PipelineResource(uri);
        configure(resource.getDefaultLoadOptions(), resource.getDefaultSaveOptions());
        return resource;
    }

    static void configure(Map<Object, Object> load, Map<Object, Object> save) {
        // An attribute or element the model does not know is an error with a line number,
        // not something to keep silently and write back later.
        load.put(XMLResource.OPTION_RECORD_UNKNOWN_FEATURE, Boolean.FALSE);
        // Pipelines are plain XML written by people and by Layerwise: no DTDs, no external entities.
        load.put(XMLResource.OPTION_PARSER_FEATURES, Map.of(
                "http://apache.org/xml/features/disallow-doctype-decl", Boolean.TRUE,
                "http://xml.org/sax/features/external-general-entities", Boolean.FALSE,
                "http://xml.org/sax/features/external-parameter-entities", Boolean.FALSE));

        save.put(XMLResource.OPTION_ENCODING, "UTF-8");
        save.put(XMLResource.OPTION_LINE_DELIMITER, "\n");
        save.put(XMLResource.OPTION_FORMATTED, Boolean.TRUE);
        // Write role="task" and seed="0" although they are the defaults: a reader of the file
        // should not need to know the model's defaults to see what runs.
        save.put(XMLResource.OPTION_KEEP_DEFAULT_CONTENT, Boolean.TRUE);
    }
}
