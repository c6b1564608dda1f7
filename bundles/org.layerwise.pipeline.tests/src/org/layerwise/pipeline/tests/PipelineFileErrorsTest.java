package org.layerwise.pipeline.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.pipeline.PipelineFileException;
import org.layerwise.pipeline.PipelineFiles;

/** Every way a file can be wrong ends in a message naming the file, the line and the column. */
class PipelineFileErrorsTest {

    private static final String HEAD = """
            <?xml version="1.0" encoding="UTF-8"?>
            <layerwise:Pipeline xmi:version="2.0" xmlns:xmi="http://www.omg.org/XMI" xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="q" seed="1">
            """;
    private static final String TAIL = "</layerwise:Pipeline>\n";

    @TempDir
    Path dir;

    private PipelineFileException loadFails(String name, String content) throws Exception {
        Path file = dir.resolve(name);
        Files.writeString(file, content);
        PipelineFileException e = assertThrows(PipelineFileException.class, () -> PipelineFiles.load(file));
        assertEquals(file, e.getPath());
        assertEquals(name, e.getSource());
        assertTrue(e.getMessage().startsWith(name + ":"), e.getMessage());
        return e;
    }

    private static void assertAt(PipelineFileException e, int line, int column) {
        assertEquals(line, e.getLine(), e.getMessage());
        assertEquals(column, e.getColumn(), e.getMessage());
        assertTrue(e.getMessage().startsWith(e.getSource() + ":" + line + ":" + column + ": "), e.getMessage());
    }

    @Test
    void malformedXmlNamesFileLineAndColumn() throws Exception {
        String text = HEAD + """
                  <stages role="task" contribution="linear">
                    <settings key="d" value="8"/>
                  </stages>
                  <stages role="backend" contribution="softmax-attention">
                    <settings key="layers" value="4"/>
                  </layerwise:Pipeline>
                """;
        PipelineFileException e = loadFails("quickstart.layerwise", text);
        assertEquals("quickstart.layerwise:8:5: XML error: The element type \"stages\" must be terminated by the"
                + " matching end-tag \"</stages>\".", e.getMessage());
        assertAt(e, 8, 5);
    }

    @Test
    void emptyFile() throws Exception {
        PipelineFileException e = loadFails("empty.layerwise", "");
        assertTrue(e.getProblem().startsWith("XML error: "), e.getMessage());
    }

    @Test
    void wrongNamespaceIsNotAPipeline() throws Exception {
        PipelineFileException e = loadFails("other.layerwise", """
                <?xml version="1.0" encoding="UTF-8"?>
                <x:Pipeline xmlns:x="http://example.org/not-layerwise" name="q"/>
                """);
        assertAt(e, 2, 1);
        assertTrue(e.getProblem().startsWith("not a Layerwise pipeline: <x:Pipeline> is in namespace \"http://example.org/not-layerwise\""),
                e.getMessage());
    }

    @Test
    void plainXmlIsNotAPipeline() throws Exception {
        PipelineFileException e = loadFails("page.layerwise", "<html>\n<body/>\n</html>\n");
        assertAt(e, 1, 1);
        assertTrue(e.getProblem().startsWith("not a Layerwise pipeline: <html> has no namespace"), e.getMessage());
    }

    @Test
    void wrongRootElementIsNotAPipeline() throws Exception {
        PipelineFileException stage = loadFails("stage.layerwise", """
                <?xml version="1.0" encoding="UTF-8"?>

                <layerwise:Stage xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" role="task" contribution="linear"/>
                """);
        assertAt(stage, 3, 1);
        assertEquals("not a Layerwise pipeline: the root element is <layerwise:Stage>, expected <layerwise:Pipeline>",
                stage.getProblem());

        PipelineFileException unknown = loadFails("thing.layerwise", """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Thing xmlns:layerwise="http://www.layerwise.org/pipeline/1.0"/>
                """);
        assertAt(unknown, 2, 1);
        assertEquals("not a Layerwise pipeline: the root element is <layerwise:Thing>, expected <layerwise:Pipeline>",
                unknown.getProblem());
    }

    @Test
    void unknownRoleNamesTheAllowedOnes() throws Exception {
        PipelineFileException e = loadFails("role.layerwise", HEAD + """
                  <stages role="task" contribution="linear"/>
                  <stages contribution="softmax-attention" role="bakend"/>
                """ + TAIL);
        assertAt(e, 4, 44);
        assertEquals("unknown role \"bakend\" (allowed: task, backend, enforcer, analyzer)", e.getProblem());
    }

    @Test
    void unknownAttributeIsAnErrorNotIgnored() throws Exception {
        PipelineFileException e = loadFails("attr.layerwise", HEAD + """
                  <stages role="task"
                      colour="red" contribution="linear"/>
                """ + TAIL);
        assertAt(e, 4, 7);
        assertEquals("unknown attribute \"colour\" on <stages> (known: role, contribution)", e.getProblem());
    }

    @Test
    void unknownElementIsAnError() throws Exception {
        PipelineFileException e = loadFails("element.layerwise", HEAD + """
                  <stages role="task" contribution="linear">
                    <setting key="d" value="8"/>
                  </stages>
                """ + TAIL);
        assertAt(e, 4, 5);
        assertEquals("unknown element <setting> inside <stages> (known: settings)", e.getProblem());

        PipelineFileException top = loadFails("stage.layerwise", HEAD + "  <stage role=\"task\" contribution=\"linear\"/>\n" + TAIL);
        assertAt(top, 3, 3);
        assertEquals("unknown element <stage> inside <layerwise:Pipeline> (known: stages)", top.getProblem());
    }

    @Test
    void invalidSeed() throws Exception {
        PipelineFileException e = loadFails("seed.layerwise", """
                <?xml version="1.0" encoding="UTF-8"?>
                <layerwise:Pipeline xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" seed="1.5"/>
                """);
        assertAt(e, 2, 77);
        assertEquals("invalid seed \"1.5\" on <layerwise:Pipeline>: expected a whole number", e.getProblem());
    }

    @Test
    void settingKeyTwiceOrMissing() throws Exception {
        PipelineFileException twice = loadFails("twice.layerwise", HEAD + """
                  <stages role="task" contribution="linear">
                    <settings key="d" value="8"/>
                    <settings key="d" value="16"/>
                  </stages>
                """ + TAIL);
        assertAt(twice, 5, 5);
        assertEquals("setting \"d\" of stage 1 (linear) is given twice (first on line 4)", twice.getProblem());

        PipelineFileException keyless = loadFails("keyless.layerwise", HEAD + """
                  <stages role="task" contribution="linear">
                    <settings value="8"/>
                  </stages>
                """ + TAIL);
        assertAt(keyless, 4, 5);
    }

    @Test
    void doctypesAreRefused() throws Exception {
        PipelineFileException e = loadFails("entity.layerwise", """
                <?xml version="1.0" encoding="UTF-8"?>
                <!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
                <layerwise:Pipeline xmlns:layerwise="http://www.layerwise.org/pipeline/1.0" name="&e;"/>
                """);
        assertEquals(2, e.getLine());
        assertTrue(e.getProblem().startsWith("XML error: DOCTYPE is disallowed"), e.getMessage());
    }

    @Test
    void missingFile() {
        Path file = dir.resolve("missing.layerwise");
        PipelineFileException e = assertThrows(PipelineFileException.class, () -> PipelineFiles.load(file));
        assertEquals(file, e.getPath());
        assertEquals(-1, e.getLine());
        assertEquals(-1, e.getColumn());
        assertEquals("missing.layerwise: file not found: " + file, e.getMessage());
    }

    @Test
    void fromXmlUsesTheGivenName() {
        PipelineFileException e = assertThrows(PipelineFileException.class,
                () -> PipelineFiles.fromXml(HEAD + "  <stages role=\"nope\"/>\n" + TAIL, "editor buffer"));
        assertNull(e.getPath());
        assertEquals("editor buffer:3:11: unknown role \"nope\" (allowed: task, backend, enforcer, analyzer)", e.getMessage());
    }

    @Test
    void devZeroIsRefusedQuicklyAsNotAPipeline() {
        Path zero = Path.of("/dev/zero");
        long start = System.nanoTime();
        PipelineFileException e = assertThrows(PipelineFileException.class, () -> PipelineFiles.load(zero));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals("zero: not a Layerwise pipeline: the file holds more than 1048576 bytes (1 MB), the limit for a pipeline file",
                e.getMessage());
        assertTrue(ms < 2000, ms + " ms");
    }

    @Test
    void aFileOverTheLimitIsRefusedWithItsSize() throws Exception {
        String text = HEAD + " ".repeat(PipelineFiles.MAX_FILE_BYTES) + TAIL;
        PipelineFileException e = loadFails("huge.layerwise", text);
        assertEquals(-1, e.getLine());
        assertTrue(e.getProblem().contains("more than 1048576 bytes") && e.getProblem().contains("(it holds " + text.length() + ")"),
                e.getMessage());
    }

    @Test
    void aFileThatIsNotUtf8NamesLineAndColumnInPlainWords() throws Exception {
        Path file = dir.resolve("latin1.layerwise");
        Files.write(file, (HEAD + "  <stages role=\"task\" contribution=\"lin\u00e9ar\"/>\n" + TAIL)
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        PipelineFileException e = assertThrows(PipelineFileException.class, () -> PipelineFiles.load(file));
        assertAt(e, 3, 40);
        assertTrue(e.getProblem().startsWith("the file is not UTF-8: byte 0xE9 here is not part of a UTF-8 character"),
                e.getMessage());
        assertTrue(!e.getMessage().contains("Exception") && !e.getMessage().contains("xerces"), e.getMessage());
    }

    @Test
    void aFileDeclaringAnotherEncodingIsReadInIt() throws Exception {
        Path file = dir.resolve("declared.layerwise");
        Files.write(file, (HEAD.replace("UTF-8", "ISO-8859-1") + "  <stages role=\"task\" contribution=\"lin\u00e9ar\"/>\n" + TAIL)
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        assertEquals("lin\u00e9ar", PipelineFiles.load(file).getStages().get(0).getContribution());
    }

    @Test
    void entityBombsAreRefusedLikeExternalEntities() throws Exception {
        StringBuilder dtd = new StringBuilder("<!DOCTYPE x [<!ENTITY a0 \"lol\">");
        for (int i = 1; i < 10; i++) {
            dtd.append("<!ENTITY a").append(i).append(" \"").append(("&a" + (i - 1) + ";").repeat(10)).append("\">");
        }
        dtd.append("]>\n");
        PipelineFileException e = loadFails("bomb.layerwise", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + dtd
                + "<layerwise:Pipeline xmlns:layerwise=\"http://www.layerwise.org/pipeline/1.0\" name=\"&a9;\"/>\n");
        assertEquals(2, e.getLine());
        assertTrue(e.getProblem().startsWith("XML error: DOCTYPE is disallowed"), e.getMessage());
        PipelineFileException parameter = loadFails("param.layerwise", "<?xml version=\"1.0\"?>\n"
                + "<!DOCTYPE x [<!ENTITY % p SYSTEM \"http://example.org/x.dtd\"> %p;]>\n<x/>\n");
        assertTrue(parameter.getProblem().startsWith("XML error: DOCTYPE is disallowed"), parameter.getMessage());
    }
}
