package org.layerwise.pipeline.internal;

import org.eclipse.emf.common.util.URI;
import org.eclipse.emf.ecore.EObject;
import org.eclipse.emf.ecore.xmi.XMLLoad;
import org.eclipse.emf.ecore.xmi.impl.SAXXMIHandler;
import org.eclipse.emf.ecore.xmi.impl.XMILoadImpl;
import org.eclipse.emf.ecore.xmi.impl.XMIResourceImpl;
import org.xml.sax.helpers.DefaultHandler;

/**
 * The XMI resource of a *.layerwise file. While loading, it remembers where in the text each
 * object's start tag ended (see {@link SourceLocation}), so that later messages about a stage
 * can name its line.
 */
public final class PipelineResource extends XMIResourceImpl {

    public PipelineResource(URI uri) {
        super(uri);
    }

    @Override
    protected XMLLoad createXMLLoad() {
        return new XMILoadImpl(createXMLHelper()) {
            @Override
            protected DefaultHandler makeDefaultHandler() {
                return new SAXXMIHandler(resource, helper, options) {
                    @Override
                    protected void processObject(EObject object) {
                        if (object != null) {
                            // SAX reports the position just after the start tag's '>'.
                            SourceLocation.record(object, getLineNumber(), getColumnNumber());
                        }
                        super.processObject(object);
                    }
                };
            }
        };
    }
}
