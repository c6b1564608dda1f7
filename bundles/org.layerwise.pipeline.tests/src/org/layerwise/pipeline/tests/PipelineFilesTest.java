package org.layerwise.pipeline.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.eclipse.emf.common.util.URI;
import org.eclipse.emf.ecore.EObject;
import org.eclipse.emf.ecore.EPackage;
import org.eclipse.emf.ecore.resource.Resource;
import org.eclipse.emf.ecore.resource.impl.ResourceSetImpl;
import org.eclipse.emf.ecore.util.EcoreUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.pipeline.PipelineFiles;
import org.layerwise.pipeline.Pipelines;
import org.layerwise.pipeline.model.Pipeline;
import org.layerwise.pipeline.model.PipelinePackage;
import org.layerwise.pipeline.model.Stage;
import org.layerwise.pipeline.model.StageRole;

class PipelineFilesTest {

    /** The documented file format (PipelineFiles' Javadoc): what save writes, byte for byte. */
    static final String QUICKSTART = """
            <?xml version="1.0" encoding="UTF-8"?>
            <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="quickstart" seed="1">
              <stages role="task" contribution="linear">
                <settings key="d" value="8"/>
              </stages>
              <stages role="backend" contribution="softmax-attention"/>
            </layerwise:Pipeline>
            """;

    @TempDir
    Path dir;

    static Pipeline quickstart() {
        return Pipelines.pipeline("quickstart", 1,
                Pipelines.stage(StageRole.TASK, "linear", Map.of("d", "8")),
                Pipelines.stage(StageRole.BACKEND, "softmax-attention"));
    }

    static Pipeline rich() {
        Map<String, String> task = new LinkedHashMap<>();
        task.put("d", "8");
        task.put("C", "4");
        task.put("N", "32");
        task.put("note", "<quoted> & \"escaped\"\nsecond line, ünïcödé");
        Map<String, String> backend = new LinkedHashMap<>();
        backend.put("layers", "4");
        backend.put("init-std", "0.15");
        Pipeline p = Pipelines.pipeline("rich", -7_123_456_789L,
                Pipelines.stage(StageRole.TASK, "linear", task),
                Pipelines.stage(StageRole.BACKEND, "softmax-attention", backend),
                Pipelines.stage(StageRole.ENFORCER, "reynolds"),
                Pipelines.stage(StageRole.ANALYZER, "coupled-mean-shift", Map.of("empty", "")),
                Pipelines.stage(StageRole.TASK, "linear", Map.of("d", "16")));
        p.setDescription("Five stages; the same contribution twice.");
        return p;
    }

    @Test
    void saveWritesTheDocumentedFormat() throws Exception {
        Path file = dir.resolve("quickstart.layerwise");
        PipelineFiles.save(quickstart(), file);
        assertEquals(QUICKSTART, Files.readString(file, StandardCharsets.UTF_8));
        assertEquals(QUICKSTART, PipelineFiles.toXml(quickstart()));
    }

    @Test
    void defaultsAreWrittenExplicitly() {
        Pipeline p = Pipelines.pipeline("zero", 0, Pipelines.stage(StageRole.TASK, "linear"));
        String xml = PipelineFiles.toXml(p);
        assertTrue(xml.contains("seed=\"0\""), xml);
        assertTrue(xml.contains("role=\"task\""), xml);
    }

    @Test
    void roundTripThroughAFileIsExact() throws Exception {
        Pipeline original = rich();
        Path file = dir.resolve("rich.layerwise");
        PipelineFiles.save(original, file);
        Pipeline loaded = PipelineFiles.load(file);

        assertTrue(EcoreUtil.equals(original, loaded), () -> PipelineFiles.toXml(loaded));
        assertEquals(List.of("linear", "softmax-attention", "reynolds", "coupled-mean-shift", "linear"),
                loaded.getStages().stream().map(Stage::getContribution).toList());
        assertEquals(List.of(StageRole.TASK, StageRole.BACKEND, StageRole.ENFORCER, StageRole.ANALYZER, StageRole.TASK),
                loaded.getStages().stream().map(Stage::getRole).toList());
        Stage task = loaded.getStages().get(0);
        // the EMap's entry list keeps file order (its keySet() and map() views do not)
        assertEquals(List.of("d", "C", "N", "note"), task.getSettings().stream().map(Map.Entry::getKey).toList());
        assertEquals(rich().getStages().get(0).getSettings().get("note"), task.getSettings().get("note"));
        assertEquals("", loaded.getStages().get(3).getSettings().get("empty"));
        assertEquals("16", loaded.getStages().get(4).getSettings().get("d"));
        assertEquals(-7_123_456_789L, loaded.getSeed());
        // and saving what was loaded gives the same bytes again
        assertEquals(Files.readString(file), PipelineFiles.toXml(loaded));
    }

    @Test
    void roundTripThroughText() throws Exception {
        Pipeline original = rich();
        Pipeline back = PipelineFiles.fromXml(PipelineFiles.toXml(original), "rich.layerwise");
        assertTrue(EcoreUtil.equals(original, back));
    }

    @Test
    void readsTheCompactFormFromTheDesignNote() throws Exception {
        String compact = """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="quickstart" seed="1">
                  <stages role="task" contribution="linear"><settings key="d" value="8"/></stages>
                  <stages role="backend" contribution="softmax-attention"/>
                </layerwise:Pipeline>
                """;
        Pipeline p = PipelineFiles.fromXml(compact, "quickstart.layerwise");
        assertTrue(EcoreUtil.equals(quickstart(), p));
        assertEquals(3, PipelineFiles.lineOf(p.getStages().get(0)));
        assertEquals(3, PipelineFiles.lineOf((EObject) p.getStages().get(0).getSettings().get(0)));
        assertEquals(4, PipelineFiles.lineOf(p.getStages().get(1)));
    }

    @Test
    void saveReplacesAtomicallyAndLeavesNoTemporaryFiles() throws Exception {
        Path file = dir.resolve("p.layerwise");
        Files.writeString(file, "old content");
        PipelineFiles.save(rich(), file);
        PipelineFiles.save(quickstart(), file);

        assertEquals(List.of(file), listing());
        assertTrue(EcoreUtil.equals(quickstart(), PipelineFiles.load(file)));
    }

    @Test
    void aPipelineThatCannotBeSerialisedLeavesTheFileUntouched() throws Exception {
        Path file = dir.resolve("p.layerwise");
        PipelineFiles.save(quickstart(), file);
        byte[] before = Files.readAllBytes(file);

        Pipeline twice = rich();
        twice.getStages().get(1).getSettings().add(entry("layers", "8"));
        assertEquals(3, twice.getStages().get(1).getSettings().size());
        assertThrows(IllegalArgumentException.class, () -> PipelineFiles.save(twice, file));
        Pipeline keyless = rich();
        keyless.getStages().get(2).getSettings().add(entry(null, "8"));
        assertThrows(IllegalArgumentException.class, () -> PipelineFiles.save(keyless, file));

        assertEquals(new String(before, StandardCharsets.UTF_8), Files.readString(file));
        assertEquals(List.of(file), listing());
    }

    @Test
    void saveCreatesMissingFolders() throws Exception {
        Path file = dir.resolve("a/b/p.layerwise");
        PipelineFiles.save(quickstart(), file);
        assertTrue(EcoreUtil.equals(quickstart(), PipelineFiles.load(file)));
    }

    @Test
    void savingDoesNotMoveThePipelineOutOfItsResource() throws Exception {
        Path file = dir.resolve("p.layerwise");
        PipelineFiles.save(quickstart(), file);
        Pipeline loaded = PipelineFiles.load(file);
        Resource resource = loaded.eResource();
        PipelineFiles.save(loaded, dir.resolve("q.layerwise"));
        PipelineFiles.toXml(loaded);
        assertSame(resource, loaded.eResource());
        assertEquals(3, PipelineFiles.lineOf(loaded.getStages().get(0)));
    }

    @Test
    void lineOfGivesTheLineWhereEachElementStarts() throws Exception {
        String text = """
                <?xml version="1.0" encoding="UTF-8"?>
                <!-- a comment with <stages> in it -->
                <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI"
                    xmlns:layerwise="http://www.layerwise.org/pipeline/1.0"
                    name="lines" seed="3">

                  <stages role="task" contribution="linear">
                    <settings key="d" value="8"/>
                    <settings
                        key="N"
                        value="32"/>
                  </stages>
                  <stages
                      role="backend"
                      contribution="softmax-attention"
                  />
                  <stages role="analyzer" contribution="a"/><stages role="analyzer" contribution="b"/>
                </layerwise:Pipeline>
                """;
        Path file = dir.resolve("lines.layerwise");
        Files.writeString(file, text);
        Pipeline p = PipelineFiles.load(file);

        assertEquals(3, PipelineFiles.lineOf(p));
        assertEquals(List.of(7, 13, 17, 17), p.getStages().stream().map(PipelineFiles::lineOf).toList());
        assertEquals(List.of(8, 9), p.getStages().get(0).getSettings().stream()
                .map(e -> PipelineFiles.lineOf((EObject) e)).toList());
    }

    @Test
    void lineOfIsMinusOneWhenUnknown() throws Exception {
        assertEquals(-1, PipelineFiles.lineOf(null));
        assertEquals(-1, PipelineFiles.lineOf(quickstart().getStages().get(0)));
        Pipeline loaded = PipelineFiles.fromXml(QUICKSTART, "q.layerwise");
        assertEquals(3, PipelineFiles.lineOf(loaded.getStages().get(0)));
        assertEquals(-1, PipelineFiles.lineOf(Pipelines.copy(loaded).getStages().get(0)));
    }

    /** Inside OSGi, plugin.xml makes the model and the file extension known to any ResourceSet. */
    @Test
    void pluginXmlRegistersPackageAndParser() throws Exception {
        assertSame(PipelinePackage.eINSTANCE, EPackage.Registry.INSTANCE.getEPackage(PipelinePackage.eNS_URI));
        Path file = dir.resolve("registry.layerwise");
        PipelineFiles.save(quickstart(), file);
        Resource resource = new ResourceSetImpl().getResource(URI.createFileURI(file.toString()), true);
        assertInstanceOf(Pipeline.class, resource.getContents().get(0));
        assertTrue(EcoreUtil.equals(quickstart(), resource.getContents().get(0)));
        assertEquals("org.layerwise.pipeline.internal.PipelineResource", resource.getClass().getName());
    }

    @Test
    void createResourceSetLoadsWithLineNumbers() throws Exception {
        Path file = dir.resolve("rs.layerwise");
        PipelineFiles.save(quickstart(), file);
        Resource resource = PipelineFiles.createResourceSet().getResource(URI.createFileURI(file.toString()), true);
        Pipeline p = (Pipeline) resource.getContents().get(0);
        assertNotSame(quickstart(), p);
        // without the text, the line is where the start tag ends: the same for one-line tags
        assertEquals(3, PipelineFiles.lineOf(p.getStages().get(0)));
    }

    @SuppressWarnings("unchecked")
    private static Map.Entry<String, String> entry(String key, String value) {
        EObject entry = EcoreUtil.create(PipelinePackage.Literals.SETTING_ENTRY);
        entry.eSet(PipelinePackage.Literals.SETTING_ENTRY__KEY, key);
        entry.eSet(PipelinePackage.Literals.SETTING_ENTRY__VALUE, value);
        return (Map.Entry<String, String>) entry;
    }

    private List<Path> listing() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
