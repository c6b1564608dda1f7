package org.layerwise.io;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVPrinter;
import org.apache.commons.csv.CSVRecord;

import org.layerwise.core.AtomicFiles;

/**
 * CSV tables (RFC 4180, UTF-8, records ended by {@code \n}, a header row) as
 * {@code pandas.read_csv} reads them. Doubles are written so they read back exactly
 * ({@link Double#toString}), NaN as {@code NaN}, infinities as {@code inf} / {@code -inf};
 * null as an empty field.
 */
public final class Csv {

    static final CSVFormat WRITE_FORMAT = CSVFormat.RFC4180.builder().setRecordSeparator("\n").build();
    static final CSVFormat READ_FORMAT = CSVFormat.RFC4180;

    /** A parsed CSV file: the header and the rows, all as strings. */
    public record Table(List<String> header, List<List<String>> rows) {

        public Table {
            header = List.copyOf(header);
            rows = rows.stream().map(List::copyOf).toList();
        }

        public int size() {
            return rows.size();
        }

        /** Index of a column by name, or -1. */
        public int columnIndex(String name) {
            return header.indexOf(name);
        }

        /** The values of one column. */
        public List<String> column(String name) {
            int i = requireColumn(name);
            return rows.stream().map(r -> r.get(i)).toList();
        }

        /** The values of one column parsed with {@link Csv#parseDouble}. */
        public double[] doubles(String name) {
            int i = requireColumn(name);
            return rows.stream().mapToDouble(r -> parseDouble(r.get(i))).toArray();
        }

        /** One cell by row and column name. */
        public String get(int row, String column) {
            return rows.get(row).get(requireColumn(column));
        }

        private int requireColumn(String name) {
            int i = header.indexOf(name);
            if (i < 0) {
                throw new IllegalArgumentException("no column '" + name + "' in " + header);
            }
            return i;
        }
    }

    private Csv() {
    }

    /**
     * Writes a header and rows atomically. Every row must have as many values as the header
     * (an empty header writes no header row). Values: Double/Float as described above,
     * BigDecimal plain, other objects by {@code String.valueOf}, null as an empty field.
     */
    public static void write(Path file, List<String> header, List<? extends List<?>> rows) throws IOException {
        for (int r = 0; r < rows.size(); r++) {
            List<?> row = rows.get(r);
            if (!header.isEmpty() && row.size() != header.size()) {
                throw new IllegalArgumentException(file + ": row " + r + " has " + row.size()
                        + " values but the header has " + header.size() + " columns " + header);
            }
        }
        AtomicFiles.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            CSVPrinter printer = new CSVPrinter(w, WRITE_FORMAT);
            if (!header.isEmpty()) {
                printer.printRecord(header);
            }
            List<String> cells = new ArrayList<>();
            for (List<?> row : rows) {
                cells.clear();
                for (Object v : row) {
                    cells.add(format(v));
                }
                printer.printRecord(cells);
            }
            printer.flush();
            // The printer is not closed: AtomicFiles owns and closes the stream.
        });
    }

    /** The text of one value as {@link #write} writes it. */
    public static String format(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof Double d) {
            return formatDouble(d);
        }
        if (value instanceof Float f) {
            return Float.isFinite(f) ? Float.toString(f) : formatDouble(f);
        }
        if (value instanceof BigDecimal b) {
            return b.toPlainString();
        }
        return String.valueOf(value);
    }

    /** A double as text that {@link #parseDouble} and pandas read back exactly. */
    public static String formatDouble(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        return Double.toString(v);
    }

    /**
     * Parses a number as pandas would: accepts {@code NaN}/{@code nan}, {@code inf},
     * {@code -inf}, {@code Infinity}; an empty field is NaN.
     */
    public static double parseDouble(String text) {
        String t = text.strip();
        switch (t.toLowerCase(Locale.ROOT)) {
            case "", "nan", "-nan", "+nan":
                return Double.NaN;
            case "inf", "+inf", "infinity", "+infinity":
                return Double.POSITIVE_INFINITY;
            case "-inf", "-infinity":
                return Double.NEGATIVE_INFINITY;
            default:
                return Double.parseDouble(t);
        }
    }

    /** Reads a CSV file whose first record is the header; every row must match its width. */
    public static Table read(Path file) throws IOException {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
             CSVParser parser = READ_FORMAT.parse(reader)) {
            List<String> header = null;
            List<List<String>> rows = new ArrayList<>();
            for (CSVRecord rec : parser) {
                List<String> values = rec.toList();
                if (header == null) {
                    header = values;
                    continue;
                }
                if (values.size() != header.size()) {
                    throw new CsvFormatException(file + ": line " + rec.getParser().getCurrentLineNumber() + " (record "
                            + (rec.getRecordNumber()) + ") has " + values.size() + " fields but the header has "
                            + header.size() + " " + header, null);
                }
                rows.add(values);
            }
            return new Table(header == null ? Collections.emptyList() : header, rows);
        } catch (UncheckedIOException e) {
            throw new CsvFormatException(file + ": " + e.getCause().getMessage(), e.getCause());
        } catch (java.nio.charset.MalformedInputException e) {
            throw new CsvFormatException(file + ": not valid UTF-8 text", e);
        }
    }
}
