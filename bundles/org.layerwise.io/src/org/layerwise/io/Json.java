package org.layerwise.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.JsonGeneratorDelegate;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * JSON as Layerwise writes and reads it: one shared, configured Jackson {@link ObjectMapper}.
 *
 * <ul>
 * <li>Output is pretty printed ({@code "key": value}, two-space indent, a final newline) and
 * keeps the insertion order of maps and the declaration order of records.</li>
 * <li>Non-finite doubles and floats (NaN, infinities) are written as {@code null}, so every
 * file is standard JSON that {@code json.load} and every other parser reads.</li>
 * <li>Reading is lenient where Python is: it accepts {@code NaN}, {@code Infinity} and
 * {@code -Infinity} (which {@code json.dump} writes by default). It rejects duplicate keys
 * and trailing content. Malformed input throws a {@link JsonFormatException} naming the file,
 * line and column.</li>
 * </ul>
 */
public final class Json {

    private static final ObjectMapper MAPPER = build(true, true);

    /** Strict parser (no NaN literals), compact output: for embedded headers such as safetensors'. */
    static final ObjectMapper STRICT = build(false, false);

    private Json() {
    }

    /** The shared mapper (thread-safe; do not reconfigure it: {@code copy()} it instead). */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static ObjectMapper build(boolean pretty, boolean lenientNumbers) {
        JsonFactory factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .configure(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS, lenientNumbers)
                .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
                .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
                .addDecorator((f, generator) -> new NonFiniteAsNull(generator))
                .build();
        JsonMapper.Builder b = JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        if (pretty) {
            DefaultPrettyPrinter printer = new DefaultPrettyPrinter(Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                    .withObjectEmptySeparator("")
                    .withArrayEmptySeparator(""));
            printer.indentArraysWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));
            printer.indentObjectsWith(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE.withLinefeed("\n"));
            b.enable(SerializationFeature.INDENT_OUTPUT).defaultPrettyPrinter(printer);
        }
        return b.build();
    }

    /** Writes the value (maps, lists, records, arrays, primitives, JsonNodes) atomically, with a final newline. */
    public static void write(Path file, Object value) throws IOException {
        org.layerwise.core.AtomicFiles.write(file, out -> write(out, value));
    }

    /** Writes the value to the stream (not closed), with a final newline. */
    public static void write(OutputStream out, Object value) throws IOException {
        MAPPER.writeValue(out, value);
        out.write('\n');
    }

    /** The pretty-printed JSON text of a value, without the final newline. */
    public static String toString(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
        }
    }

    static String compactString(Object value) {
        try {
            return STRICT.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("cannot write as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Reads a JSON file as a tree. An empty file is an error. */
    public static JsonNode read(Path file) throws IOException {
        JsonNode node = parse(file, JsonNode.class);
        if (node == null || node.isMissingNode()) {
            throw new JsonFormatException(file.toString(), -1, -1, "the file holds no JSON value", null);
        }
        return node;
    }

    /** Reads a JSON file that holds an object, as a map in the file's key order. */
    public static Map<String, Object> readMap(Path file) throws IOException {
        return readMap(file, Long.MAX_VALUE);
    }

    /**
     * Reads a JSON file that holds an object, refusing it once more than {@code maxBytes} have
     * been read (whatever the file claims to be: a FIFO or /dev/zero has no size).
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readMap(Path file, long maxBytes) throws IOException {
        JsonNode node = parse(file, JsonNode.class, maxBytes);
        if (node == null || node.isMissingNode()) {
            throw new JsonFormatException(file.toString(), -1, -1, "the file holds no JSON value", null);
        }
        if (!node.isObject()) {
            throw new JsonFormatException(file.toString(), -1, -1, "expected a JSON object but found a "
                    + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT), null);
        }
        return MAPPER.convertValue(node, Map.class);
    }

    /** Reads a JSON file into the given type (records, maps, lists...). */
    public static <T> T read(Path file, Class<T> type) throws IOException {
        T value = parse(file, type);
        if (value == null) {
            throw new JsonFormatException(file.toString(), -1, -1, "the file holds no JSON value (or null)", null);
        }
        return value;
    }

    private static <T> T parse(Path file, Class<T> type) throws IOException {
        return parse(file, type, Long.MAX_VALUE);
    }

    private static <T> T parse(Path file, Class<T> type, long maxBytes) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        try (InputStream in = limited(Files.newInputStream(file), file, maxBytes)) {
            return MAPPER.readValue(in, type);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            throw new JsonFormatException(file.toString(), loc == null ? -1 : loc.getLineNr(),
                    loc == null ? -1 : loc.getColumnNr(), e.getOriginalMessage(), e);
        }
    }

    /** The stream, failing with a JsonFormatException at its byte maxBytes + 1. */
    private static InputStream limited(InputStream in, Path file, long maxBytes) {
        if (maxBytes == Long.MAX_VALUE) {
            return in;
        }
        return new java.io.FilterInputStream(in) {
            private long count;

            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    counted(1);
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) {
                    counted(n);
                }
                return n;
            }

            private void counted(int n) throws JsonFormatException {
                count += n;
                if (count > maxBytes) {
                    throw new JsonFormatException(file.toString(), -1, -1, "the file holds more than " + maxBytes
                            + " bytes, the limit for this file", null);
                }
            }
        };
    }

    /** Writes NaN and infinities as null, whichever serializer produced them. */
    private static final class NonFiniteAsNull extends JsonGeneratorDelegate {
        NonFiniteAsNull(JsonGenerator d) {
            super(d, false);
        }

        @Override
        public void writeNumber(double v) throws IOException {
            if (Double.isFinite(v)) {
                delegate.writeNumber(v);
            } else {
                delegate.writeNull();
            }
        }

        @Override
        public void writeNumber(float v) throws IOException {
            if (Float.isFinite(v)) {
                delegate.writeNumber(v);
            } else {
                delegate.writeNull();
            }
        }

        @Override
        public void writeArray(double[] array, int offset, int length) throws IOException {
            writeStartArray(array, length);
            for (int i = offset, end = offset + length; i < end; i++) {
                writeNumber(array[i]);
            }
            writeEndArray();
        }
    }
}
