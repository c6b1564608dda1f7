package org.layerwise.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.layerwise.core.AtomicFiles;
import org.layerwise.core.Tensor;

/**
 * The safetensors format: an 8-byte little-endian unsigned header length N, N bytes of UTF-8
 * JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}}
 * (offsets relative to the data section after the header) plus an optional
 * {@code "__metadata__"} map of strings, then the row-major little-endian data.
 *
 * <p>Reading validates as strictly as the reference implementation (and more verbosely):
 * every problem is a {@link TensorFormatException} naming the file, the tensor and what was
 * expected against what was found. Like the reference, the tensors must tile the data
 * section exactly: no overlaps, no gaps, no trailing bytes. F64, F32, I64 and I32 are read
 * exactly; BOOL, U8, I8, I16, U16 are widened to I32, U32 to I64, F16 and BF16 to F32.
 */
public final class Safetensors {

    /** The reference implementation's limit on the header size. */
    public static final long MAX_HEADER_BYTES = 100_000_000L;
    public static final String METADATA_KEY = "__metadata__";

    /** What a safetensors file holds: tensors in header order, and the metadata (empty if none). */
    public record Contents(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {
    }

    private Safetensors() {
    }

    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    /**
     * Writes the tensors atomically: the header lists them in the map's order; the data is
     * contiguous and every tensor naturally aligned. Metadata may be null or empty (then no
     * {@code __metadata__} is written).
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = JsonNodeFactory.instance.objectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject(METADATA_KEY);
            for (Map.Entry<String, String> e : metadata.entrySet()) {
                if (e.getKey() == null || e.getValue() == null) {
                    throw new IllegalArgumentException(file + ": metadata keys and values must not be null: " + e);
                }
                meta.put(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            if (e.getKey() == null || METADATA_KEY.equals(e.getKey())) {
                throw new IllegalArgumentException(file + ": invalid tensor name " + e.getKey());
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException(file + ": tensor '" + e.getKey() + "' is null");
            }
        }
        // Data in order of decreasing element size (stable), so every tensor is naturally
        // aligned (the data section starts at a multiple of 8), as the reference writer does;
        // the header keeps the map's order, which is the order read() returns.
        List<Map.Entry<String, Tensor>> dataOrder = new ArrayList<>(tensors.entrySet());
        dataOrder.sort(Comparator.comparingInt((Map.Entry<String, Tensor> e) -> -e.getValue().dtype().bytes));
        Map<String, long[]> offsets = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, Tensor> e : dataOrder) {
            long end = offset + ElementType.byteLength(e.getValue());
            offsets.put(e.getKey(), new long[] {offset, end});
            offset = end;
        }
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            Tensor t = e.getValue();
            ObjectNode info = header.putObject(e.getKey());
            info.put("dtype", t.dtype().safetensorsName);
            ArrayNode shape = info.putArray("shape");
            for (long d : t.shape()) {
                shape.add(d);
            }
            long[] o = offsets.get(e.getKey());
            info.putArray("data_offsets").add(o[0]).add(o[1]);
        }
        byte[] json = Json.compactString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = Arrays.copyOf(json, padded);
        Arrays.fill(headerBytes, json.length, padded, (byte) ' ');
        AtomicFiles.write(file, out -> {
            byte[] len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array();
            out.write(len);
            out.write(headerBytes);
            for (Map.Entry<String, Tensor> e : dataOrder) {
                ElementType.write(e.getValue(), out);
            }
        });
    }

    private record Entry(String name, ElementType type, long[] shape, long begin, long end) {
    }

    /** Reads and validates a whole safetensors file. */
    public static Contents read(Path file) throws IOException {
        String src = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            Layout layout = layout(ch, src);
            LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
            for (Entry e : layout.entries) {
                long[] pos = {layout.dataStart + e.begin};
                ElementType.ByteSource in = (buf, off, len) -> {
                    ByteBuffer bb = ByteBuffer.wrap(buf, off, len);
                    while (bb.hasRemaining()) {
                        int r = ch.read(bb, pos[0]);
                        if (r < 0) {
                            break;
                        }
                        pos[0] += r;
                    }
                    return bb.position() - off;
                };
                try {
                    tensors.put(e.name, e.type.read(in, (int) ((e.end - e.begin) / e.type.size), e.shape, true));
                } catch (ElementType.Truncated t) {
                    throw new TensorFormatException(src, e.name, "the file ended while reading its data (changed while reading?)");
                }
            }
            return new Contents(tensors, layout.metadata);
        }
    }

    /**
     * Every tensor's shape and dtype (as reading would give it), in header order, from the
     * header alone, validated as {@link #read} validates it (offsets, layout, file size); no
     * tensor data is read.
     */
    public static LinkedHashMap<String, Npz.ArrayHeader> headers(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            LinkedHashMap<String, Npz.ArrayHeader> out = new LinkedHashMap<>();
            for (Entry e : layout(ch, file.toString()).entries) {
                out.put(e.name, new Npz.ArrayHeader(e.shape, e.type.target));
            }
            return out;
        }
    }

    /**
     * Each tensor's element type as stored in the file (safetensors' names: "F16", "BF16", "F32",
     * ...), in header order, before any widening; validated as {@link #headers} validates it.
     */
    public static LinkedHashMap<String, String> storedTypes(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            LinkedHashMap<String, String> out = new LinkedHashMap<>();
            for (Entry e : layout(ch, file.toString()).entries) {
                out.put(e.name, e.type.safetensorsName);
            }
            return out;
        }
    }

    /** The header's tensors (checked to tile the data section) and metadata. */
    private record Layout(List<Entry> entries, Map<String, String> metadata, long dataStart) {
    }

    private static Layout layout(FileChannel ch, String src) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 8) {
            throw new TensorFormatException(src, null, "file holds " + fileSize
                    + " bytes, fewer than the 8-byte header length that starts a safetensors file");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, 0, src);
        long n = lenBuf.getLong(0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw new TensorFormatException(src, null, "header length " + Long.toUnsignedString(n)
                    + " is absurd (the limit is " + MAX_HEADER_BYTES + " bytes); is this a safetensors file?");
        }
        if (n > fileSize - 8) {
            throw new TensorFormatException(src, null, "header length " + n + " is larger than the "
                    + (fileSize - 8) + " bytes that follow it in the file");
        }
        ByteBuffer headerBuf = ByteBuffer.allocate((int) n);
        readFully(ch, headerBuf, 8, src);
        headerBuf.flip();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(headerBuf).toString();
        } catch (CharacterCodingException e) {
            throw new TensorFormatException(src, null, "header is not valid UTF-8", e);
        }
        JsonNode root;
        try {
            root = Json.STRICT.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation loc = e.getLocation();
            String where = loc == null ? "" : " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
            throw new TensorFormatException(src, null, "header is not valid JSON" + where + ": " + e.getOriginalMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new TensorFormatException(src, null, "header is empty: expected a JSON object");
        }
        if (!root.isObject()) {
            throw new TensorFormatException(src, null, "header is a JSON " + kind(root) + ", expected a JSON object");
        }
        long dataStart = 8 + n;
        long dataLen = fileSize - dataStart;
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> f = it.next();
            if (METADATA_KEY.equals(f.getKey())) {
                readMetadata(src, f.getValue(), metadata);
            } else {
                entries.add(entry(src, f.getKey(), f.getValue(), dataLen));
            }
        }
        checkLayout(src, entries, dataLen);
        return new Layout(entries, metadata, dataStart);
    }

    private static void readMetadata(String src, JsonNode node, Map<String, String> out) throws TensorFormatException {
        if (node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new TensorFormatException(src, null, "__metadata__ is a JSON " + kind(node)
                    + ", expected an object of strings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> m = it.next();
            if (!m.getValue().isTextual()) {
                throw new TensorFormatException(src, null, "__metadata__ value of '" + m.getKey() + "' is a JSON "
                        + kind(m.getValue()) + " (" + m.getValue() + "), expected a string");
            }
            out.put(m.getKey(), m.getValue().textValue());
        }
    }

    private static Entry entry(String src, String name, JsonNode info, long dataLen) throws TensorFormatException {
        if (!info.isObject()) {
            throw new TensorFormatException(src, name, "header entry is a JSON " + kind(info)
                    + ", expected an object with dtype, shape and data_offsets");
        }
        for (String key : List.of("dtype", "shape", "data_offsets")) {
            if (!info.has(key)) {
                throw new TensorFormatException(src, name, "header entry lacks '" + key + "' (found " + info + ")");
            }
        }
        JsonNode dtypeNode = info.get("dtype");
        if (!dtypeNode.isTextual()) {
            throw new TensorFormatException(src, name, "dtype is a JSON " + kind(dtypeNode) + " (" + dtypeNode
                    + "), expected a string such as \"F32\"");
        }
        String dtype = dtypeNode.textValue();
        ElementType type = ElementType.forSafetensors(dtype);
        if (type == null) {
            throw new TensorFormatException(src, name, "unsupported dtype '" + dtype + "' (supported: "
                    + ElementType.safetensorsNames() + ")");
        }
        long[] shape = integers(src, name, "shape", info.get("shape"), -1);
        long[] offsets = integers(src, name, "data_offsets", info.get("data_offsets"), 2);
        long begin = offsets[0];
        long end = offsets[1];
        String offs = "data_offsets [" + begin + ", " + end + "]";
        if (end < begin) {
            throw new TensorFormatException(src, name, offs + " end before they begin");
        }
        long elements = ElementType.elements(shape);
        if (elements < 0 || elements > Long.MAX_VALUE / type.size) {
            throw new TensorFormatException(src, name, "shape " + Arrays.toString(shape) + " of " + dtype
                    + " has too many elements to address");
        }
        long needed = elements * type.size;
        if (end - begin != needed) {
            throw new TensorFormatException(src, name, offs + " hold " + (end - begin) + " bytes but shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + needed);
        }
        if (end > dataLen) {
            throw new TensorFormatException(src, name, offs + " reach beyond the data section, which holds "
                    + dataLen + " bytes");
        }
        if (elements > ElementType.MAX_ELEMENTS) {
            throw new TensorFormatException(src, name, "shape " + Arrays.toString(shape)
                    + " has more elements than a Java array holds");
        }
        return new Entry(name, type, shape, begin, end);
    }

    /** A JSON array of non-negative integers (of the given length, if not -1). */
    private static long[] integers(String src, String name, String key, JsonNode node, int length)
            throws TensorFormatException {
        String expected = length < 0 ? "an array of non-negative integers" : "an array of " + length + " non-negative integers";
        if (!node.isArray()) {
            throw new TensorFormatException(src, name, key + " is " + node + ", expected " + expected);
        }
        if (length >= 0 && node.size() != length) {
            throw new TensorFormatException(src, name, key + " " + node + " has " + node.size() + " elements, expected "
                    + length);
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new TensorFormatException(src, name, key + " " + node + " holds " + v + ", expected " + expected);
            }
            out[i] = v.longValue();
            if (out[i] < 0) {
                throw new TensorFormatException(src, name, key + " " + node + " holds the negative value " + out[i]
                        + ", expected " + expected);
            }
        }
        return out;
    }

    /** The tensors must tile [0, dataLen) exactly, as the reference implementation requires. */
    private static void checkLayout(String src, List<Entry> entries, long dataLen) throws TensorFormatException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        Entry prev = null;
        for (Entry e : sorted) {
            if (e.begin < at) {
                throw new TensorFormatException(src, e.name, "data_offsets [" + e.begin + ", " + e.end
                        + "] overlap tensor '" + prev.name + "' at [" + prev.begin + ", " + prev.end + "]");
            }
            if (e.begin > at) {
                throw new TensorFormatException(src, e.name, "data_offsets [" + e.begin + ", " + e.end
                        + "] leave a gap: expected the tensor to begin at " + at
                        + (prev == null ? " (the start of the data section)" : " where tensor '" + prev.name + "' ends"));
            }
            at = e.end;
            prev = e;
        }
        if (at != dataLen) {
            throw new TensorFormatException(src, null, "the data section holds " + dataLen
                    + " bytes but the tensors cover only " + at);
        }
    }

    private static String kind(JsonNode node) {
        return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long position, String src) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new TensorFormatException(src, null, "the file ended while reading its header");
            }
            pos += r;
        }
    }
}
