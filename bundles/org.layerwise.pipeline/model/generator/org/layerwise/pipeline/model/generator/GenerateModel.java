package org.layerwise.pipeline.model.generator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.eclipse.emf.codegen.ecore.generator.Generator;
import org.eclipse.emf.codegen.ecore.generator.GeneratorAdapterFactory;
import org.eclipse.emf.codegen.ecore.genmodel.GenModel;
import org.eclipse.emf.codegen.ecore.genmodel.GenModelPackage;
import org.eclipse.emf.codegen.ecore.genmodel.generator.GenBaseGeneratorAdapter;
import org.eclipse.emf.codegen.ecore.genmodel.generator.GenModelGeneratorAdapterFactory;
import org.eclipse.emf.common.util.BasicMonitor;
import org.eclipse.emf.common.util.Diagnostic;
import org.eclipse.emf.common.util.URI;
import org.eclipse.emf.ecore.EcorePackage;
import org.eclipse.emf.ecore.plugin.EcorePlugin;
import org.eclipse.emf.ecore.resource.Resource;
import org.eclipse.emf.ecore.resource.ResourceSet;
import org.eclipse.emf.ecore.resource.impl.ResourceSetImpl;
import org.eclipse.emf.ecore.xmi.impl.EcoreResourceFactoryImpl;
import org.eclipse.emf.ecore.xmi.impl.XMIResourceFactoryImpl;

/**
 * Runs the EMF code generator outside Eclipse: {@code GenerateModel <bundle dir> <genmodel path>}.
 *
 * <p>The model code is generated into a scratch copy of the project and only its model
 * directory (src-gen/) replaces the bundle's, so the hand-written MANIFEST.MF, plugin.xml and
 * build.properties are never touched and classes removed from the model do not linger.
 * src-gen/ is therefore purely generated: never edit it by hand (no "@generated NOT").
 */
public final class GenerateModel {

    private GenerateModel() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: GenerateModel <bundle dir> <genmodel path relative to it>");
            System.exit(2);
        }
        Path bundle = Path.of(args[0]).toAbsolutePath().normalize();
        Path genModelFile = bundle.resolve(args[1]).normalize();

        // Standalone EMF: nothing is registered by plugin.xml files, so register by hand.
        EcorePackage.eINSTANCE.eClass();
        GenModelPackage.eINSTANCE.eClass();
        Resource.Factory.Registry factories = Resource.Factory.Registry.INSTANCE;
        factories.getExtensionToFactoryMap().put("ecore", new EcoreResourceFactoryImpl());
        factories.getExtensionToFactoryMap().put("genmodel", new XMIResourceFactoryImpl());
        factories.getExtensionToFactoryMap().put(Resource.Factory.Registry.DEFAULT_EXTENSION, new XMIResourceFactoryImpl());
        // Without this the generator finds no adapter for GenModel, writes nothing and reports OK.
        GeneratorAdapterFactory.Descriptor.Registry.INSTANCE.addDescriptor(
                GenModelPackage.eNS_URI, GenModelGeneratorAdapterFactory.DESCRIPTOR);

        ResourceSet resourceSet = new ResourceSetImpl();
        Resource resource = resourceSet.getResource(URI.createFileURI(genModelFile.toString()), true);
        GenModel genModel = (GenModel) resource.getContents().get(0);

        String projectName = projectName(genModel);
        Path scratch = Files.createTempDirectory("layerwise-genmodel-");
        try {
            // platform:/resource/<project>/... (the genmodel's modelDirectory) now means the scratch dir.
            EcorePlugin.getPlatformResourceMap().put(projectName, URI.createFileURI(scratch.toString() + "/"));

            genModel.reconcile();
            genModel.setCanGenerate(true);
            Diagnostic valid = genModel.diagnose();
            if (valid.getSeverity() == Diagnostic.ERROR) {
                fail("the genmodel is invalid: " + describe(valid));
            }

            Generator generator = new Generator();
            generator.setInput(genModel);
            Diagnostic result = generator.generate(genModel, GenBaseGeneratorAdapter.MODEL_PROJECT_TYPE,
                    new BasicMonitor.Printing(System.out));
            if (result.getSeverity() == Diagnostic.ERROR) {
                fail("generation failed: " + describe(result));
            }

            String modelDirectory = genModel.getModelDirectory(); // "/<project>/src-gen"
            Path generated = scratch.resolve(modelDirectory.substring(projectName.length() + 2));
            List<Path> javaFiles = javaFiles(generated);
            if (javaFiles.isEmpty()) {
                fail("the generator reported " + describe(result) + " but wrote no Java file under " + generated);
            }

            Path target = bundle.resolve(generated.getFileName().toString());
            deleteTree(target);
            copyTree(generated, target);
            System.out.println("Wrote " + javaFiles.size() + " files to " + target);
        } finally {
            deleteTree(scratch);
        }
    }

    private static String projectName(GenModel genModel) {
        String dir = genModel.getModelDirectory();
        if (dir == null || !dir.startsWith("/") || dir.indexOf('/', 1) < 0) {
            fail("modelDirectory must look like /<project>/<folder>, is " + dir);
        }
        return dir.substring(1, dir.indexOf('/', 1));
    }

    private static String describe(Diagnostic d) {
        StringBuilder sb = new StringBuilder(d.getMessage() == null ? String.valueOf(d.getSeverity()) : d.getMessage());
        for (Diagnostic child : d.getChildren()) {
            sb.append("\n  ").append(describe(child).replace("\n", "\n  "));
        }
        if (d.getException() != null) {
            sb.append("\n  caused by ").append(d.getException());
        }
        return sb.toString();
    }

    private static List<Path> javaFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).toList();
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    private static void fail(String message) {
        System.err.println("GenerateModel: " + message);
        System.exit(1);
    }
}
