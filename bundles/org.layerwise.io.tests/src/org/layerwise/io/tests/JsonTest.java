package org.layerwise.io.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.io.Json;
import org.layerwise.io.JsonFormatException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

class JsonTest {

    @TempDir
    Path dir;

    public record Stage(String name, double seconds, int[] sizes, List<String> tags) {
    }

    @Test
    void roundTripsMapsKeepingInsertionOrder() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("zeta", 1);
        m.put("alpha", List.of(1, 2.5, "x", true));
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("y", null);
        nested.put("b", 1L << 40);
        nested.put("a", "ünï \"q\"\n");
        m.put("middle", nested);
        m.put("double", 0.1 + 0.2);
        Path f = dir.resolve("run.json");
        Json.write(f, m);
        Map<String, Object> back = Json.readMap(f);
        assertEquals(List.of("zeta", "alpha", "middle", "double"), new ArrayList<>(back.keySet()));
        assertEquals(m, back);
        @SuppressWarnings("unchecked")
        Map<String, Object> n2 = (Map<String, Object>) back.get("middle");
        assertEquals(List.of("y", "b", "a"), new ArrayList<>(n2.keySet()));
        assertEquals(0.1 + 0.2, (Double) back.get("double"));
        Tensors.assertFiles(dir, "run.json");
    }

    @Test
    void prettyPrintsLikePython() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", 1);
        m.put("b", List.of(1, 2));
        m.put("c", Map.of());
        m.put("d", List.of());
        Path f = dir.resolve("p.json");
        Json.write(f, m);
        assertEquals("{\n  \"a\": 1,\n  \"b\": [\n    1,\n    2\n  ],\n  \"c\": {},\n  \"d\": []\n}\n", Files.readString(f));
    }

    @Test
    void writesRecordsInDeclarationOrderAndReadsThemBack() throws IOException {
        Stage s = new Stage("train", 12.5, new int[] {3, 4}, List.of("x"));
        Path f = dir.resolve("r.json");
        Json.write(f, s);
        JsonNode n = Json.read(f);
        List<String> keys = new ArrayList<>();
        n.fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("name", "seconds", "sizes", "tags"), keys);
        Stage back = Json.read(f, Stage.class);
        assertEquals("train", back.name());
        assertEquals(12.5, back.seconds());
        assertTrue(Arrays.equals(new int[] {3, 4}, back.sizes()));
    }

    @Test
    void writesNonFiniteNumbersAsNull() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nan", Double.NaN);
        m.put("inf", Double.POSITIVE_INFINITY);
        m.put("finf", Float.NEGATIVE_INFINITY);
        m.put("array", new double[] {1.5, Double.NaN, Double.NEGATIVE_INFINITY});
        m.put("farray", new float[] {Float.NaN, 2f});
        m.put("list", Arrays.asList(Double.NaN, 3.0));
        m.put("record", new Stage("s", Double.POSITIVE_INFINITY, new int[0], List.of()));
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("x", Double.NaN);
        node.put("y", 2.0);
        m.put("node", node);
        Path f = dir.resolve("m.json");
        Json.write(f, m);
        String text = Files.readString(f);
        assertTrue(!text.contains("NaN") && !text.contains("Infinity"), text);
        JsonNode n = Json.read(f);
        assertTrue(n.get("nan").isNull());
        assertTrue(n.get("inf").isNull());
        assertTrue(n.get("finf").isNull());
        assertEquals(1.5, n.get("array").get(0).doubleValue());
        assertTrue(n.get("array").get(1).isNull());
        assertTrue(n.get("array").get(2).isNull());
        assertTrue(n.get("farray").get(0).isNull());
        assertEquals(2.0, n.get("farray").get(1).doubleValue());
        assertTrue(n.get("list").get(0).isNull());
        assertTrue(n.get("record").get("seconds").isNull());
        assertTrue(n.get("node").get("x").isNull());
        assertEquals(2.0, n.get("node").get("y").doubleValue());
    }

    @Test
    void malformedJsonNamesFileLineAndColumn() throws IOException {
        Path f = dir.resolve("config.json");
        Files.writeString(f, "{\n  \"a\": 1,\n  \"b\": ]\n}\n");
        JsonFormatException e = assertThrows(JsonFormatException.class, () -> Json.read(f));
        assertEquals(3, e.line());
        assertEquals(8, e.column());
        assertTrue(e.getMessage().startsWith(f + ": line 3, column 8: "), e.getMessage());
        JsonFormatException e2 = assertThrows(JsonFormatException.class, () -> Json.readMap(f));
        assertEquals(3, e2.line());
    }

    @Test
    void truncatedAndTrailingAndDuplicateAreErrors() throws IOException {
        Path f = dir.resolve("t.json");
        Files.writeString(f, "{\"a\": [1, 2");
        assertTrue(assertThrows(JsonFormatException.class, () -> Json.read(f)).getMessage().contains("t.json: line 1"));
        Files.writeString(f, "{\"a\": 1} {\"b\": 2}");
        assertThrows(JsonFormatException.class, () -> Json.read(f));
        Files.writeString(f, "{\"a\": 1, \"a\": 2}");
        assertTrue(assertThrows(JsonFormatException.class, () -> Json.readMap(f)).getMessage().contains("Duplicate"));
        Files.writeString(f, "");
        assertTrue(assertThrows(JsonFormatException.class, () -> Json.read(f)).getMessage().contains("t.json"));
    }

    @Test
    void readMapRequiresAnObject() throws IOException {
        Path f = dir.resolve("a.json");
        Files.writeString(f, "[1, 2]");
        JsonFormatException e = assertThrows(JsonFormatException.class, () -> Json.readMap(f));
        assertTrue(e.getMessage().contains("a.json") && e.getMessage().contains("expected a JSON object"), e.getMessage());
        assertEquals(2, Json.read(f).size());
    }

    @Test
    void readsWhatPythonJsonDumpWrites() throws IOException {
        Path f = dir.resolve("py.json");
        Files.writeString(f, "{\"loss\": NaN, \"best\": Infinity, \"worst\": -Infinity}");
        Map<String, Object> m = Json.readMap(f);
        assertTrue(Double.isNaN((Double) m.get("loss")));
        assertEquals(Double.POSITIVE_INFINITY, m.get("best"));
        assertEquals(Double.NEGATIVE_INFINITY, m.get("worst"));
    }

    @Test
    void missingFileIsNoSuchFile() {
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Json.read(dir.resolve("none.json")));
    }
}
