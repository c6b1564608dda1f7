package org.layerwise.io.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.layerwise.io.Csv;
import org.layerwise.io.CsvFormatException;

class CsvTest {

    @TempDir
    Path dir;

    @Test
    void writesRfc4180WithNewlineSeparatorAndPandasNumbers() throws IOException {
        Path f = dir.resolve("abstraction.csv");
        List<List<?>> rows = List.of(
                List.of("plain", 1.0, 3),
                Arrays.asList("with,comma", Double.NaN, null),
                List.of("quote\"d", Double.POSITIVE_INFINITY, -5L),
                List.of("multi\nline", Double.NEGATIVE_INFINITY, 0),
                List.of("ünï", -0.0, 1e-300));
        Csv.write(f, List.of("name", "value", "count"), rows);
        String expected = "name,value,count\n"
                + "plain,1.0,3\n"
                + "\"with,comma\",NaN,\n"
                + "\"quote\"\"d\",inf,-5\n"
                + "\"multi\nline\",-inf,0\n"
                + "ünï,-0.0,1.0E-300\n";
        assertEquals(expected, Files.readString(f, StandardCharsets.UTF_8));

        Csv.Table t = Csv.read(f);
        assertEquals(List.of("name", "value", "count"), t.header());
        assertEquals(5, t.size());
        assertEquals(List.of("with,comma", "NaN", ""), t.rows().get(1));
        assertEquals("multi\nline", t.get(3, "name"));
        double[] v = t.doubles("value");
        assertEquals(1.0, v[0]);
        assertTrue(Double.isNaN(v[1]));
        assertEquals(Double.POSITIVE_INFINITY, v[2]);
        assertEquals(Double.NEGATIVE_INFINITY, v[3]);
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(v[4]));
        Tensors.assertFiles(dir, "abstraction.csv");
    }

    @Test
    void doublesRoundTripExactly() throws IOException {
        Random r = new Random(42);
        List<List<?>> rows = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        for (double d : Tensors.specialDoubles()) {
            values.add(d);
        }
        for (int i = 0; i < 500; i++) {
            values.add(r.nextGaussian() * Math.pow(10, r.nextInt(40) - 20));
            values.add(Double.longBitsToDouble(r.nextLong()));
        }
        values.add(0.1 + 0.2);
        for (double d : values) {
            rows.add(List.of(d, (float) d));
        }
        Path f = dir.resolve("d.csv");
        Csv.write(f, List.of("double", "float"), rows);
        Csv.Table t = Csv.read(f);
        double[] back = t.doubles("double");
        double[] backF = t.doubles("float");
        for (int i = 0; i < values.size(); i++) {
            double d = values.get(i);
            if (Double.isNaN(d)) {
                assertTrue(Double.isNaN(back[i]));
                assertTrue(Double.isNaN(backF[i]));
            } else {
                assertEquals(Double.doubleToRawLongBits(d), Double.doubleToRawLongBits(back[i]), "row " + i + ": " + d);
                assertEquals(Float.floatToRawIntBits((float) d), Float.floatToRawIntBits((float) backF[i]), "row " + i);
            }
        }
    }

    @Test
    void parsesPandasSpellings() {
        assertEquals(Double.POSITIVE_INFINITY, Csv.parseDouble("inf"));
        assertEquals(Double.POSITIVE_INFINITY, Csv.parseDouble("Infinity"));
        assertEquals(Double.NEGATIVE_INFINITY, Csv.parseDouble("-inf"));
        assertTrue(Double.isNaN(Csv.parseDouble("nan")));
        assertTrue(Double.isNaN(Csv.parseDouble("")));
        assertEquals(1.5e-7, Csv.parseDouble("1.5e-07"));
        assertThrows(NumberFormatException.class, () -> Csv.parseDouble("abc"));
        assertEquals("inf", Csv.formatDouble(Double.POSITIVE_INFINITY));
        assertEquals("-inf", Csv.formatDouble(Double.NEGATIVE_INFINITY));
        assertEquals("NaN", Csv.formatDouble(Double.NaN));
    }

    @Test
    void readsHandWrittenCrlfAndQuotedFields() throws IOException {
        Path f = dir.resolve("h.csv");
        Files.writeString(f, "layer,head,matrix\r\n0,\"1\",\"Q\"\r\n3,0,\"V, transposed\"\r\n", StandardCharsets.UTF_8);
        Csv.Table t = Csv.read(f);
        assertEquals(List.of("layer", "head", "matrix"), t.header());
        assertEquals(List.of(List.of("0", "1", "Q"), List.of("3", "0", "V, transposed")), t.rows());
        assertEquals(List.of("Q", "V, transposed"), t.column("matrix"));
    }

    @Test
    void rejectsRowsOfTheWrongWidth() throws IOException {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "a,b\n1,2\n3\n");
        CsvFormatException e = assertThrows(CsvFormatException.class, () -> Csv.read(f));
        assertTrue(e.getMessage().contains("bad.csv"), e.getMessage());
        assertTrue(e.getMessage().contains("1 fields but the header has 2"), e.getMessage());
    }

    @Test
    void rejectsBrokenQuoting() throws IOException {
        Path f = dir.resolve("quote.csv");
        Files.writeString(f, "a,b\n\"x\"y,2\n");
        CsvFormatException e = assertThrows(CsvFormatException.class, () -> Csv.read(f));
        assertTrue(e.getMessage().contains("quote.csv"), e.getMessage());
    }

    @Test
    void refusesRowsOfTheWrongWidthWithoutWriting() {
        Path f = dir.resolve("x.csv");
        assertThrows(IllegalArgumentException.class, () -> Csv.write(f, List.of("a", "b"), List.of(List.of(1))));
        assertTrue(!Files.exists(f));
    }

    @Test
    void emptyTable() throws IOException {
        Path f = dir.resolve("e.csv");
        Csv.write(f, List.of("a", "b"), List.of());
        assertEquals("a,b\n", Files.readString(f));
        Csv.Table t = Csv.read(f);
        assertEquals(List.of("a", "b"), t.header());
        assertEquals(0, t.size());
    }
}
