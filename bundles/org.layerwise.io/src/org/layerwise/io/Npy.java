package org.layerwise.io;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.layerwise.core.AtomicFiles;
import org.layerwise.core.Tensor;

/**
 * numpy's {@code .npy} format (NEP 1): magic {@code \x93NUMPY}, version, header length, a
 * Python dict literal {@code {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }}
 * padded so the data starts at a multiple of 64 bytes, then the C-order little-endian data.
 *
 * <p>Writing produces exactly the bytes {@code numpy.save} produces (version 1.0, or 2.0
 * when the header would not fit). Reading accepts versions 1.0, 2.0 and 3.0 and the dtypes
 * {@code <f8 <f4 <i8 <i4} exactly, plus {@code |b1 |u1 |i1 <i2 <u2} widened to I32,
 * {@code <u4} widened to I64 and {@code <f2} widened to F32. Fortran order, big-endian data,
 * other dtypes and truncated data are rejected with a {@link TensorFormatException}.
 */
public final class Npy {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int ALIGN = 64;
    /** numpy leaves room in the header for the first axis to grow to this many digits. */
    private static final int GROWTH_AXIS_MAX_DIGITS = 21;
    /** Header lengths above this are not something numpy writes: refuse before allocating. */
    private static final long MAX_HEADER = 1L << 24;
    private static final java.util.regex.Pattern ASCII_INTEGER = java.util.regex.Pattern.compile("[+-]?[0-9]+");

    private Npy() {
    }

    /** Writes one array in npy format to the stream (which is neither flushed nor closed). */
    public static void write(OutputStream out, Tensor tensor) throws IOException {
        out.write(header(tensor));
        ElementType.write(tensor, out);
    }

    /** Writes one {@code .npy} file atomically. */
    public static void write(Path file, Tensor tensor) throws IOException {
        AtomicFiles.write(file, out -> write(out, tensor));
    }

    /** The npy bytes of one array. */
    public static byte[] toBytes(Tensor tensor) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out, tensor);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out.toByteArray();
    }

    /** Number of bytes {@link #write(OutputStream, Tensor)} writes for this tensor. */
    public static long byteLength(Tensor tensor) {
        return header(tensor).length + ElementType.byteLength(tensor);
    }

    /** The header dict as numpy writes it, without padding. */
    static String headerDict(String descr, long[] shape) {
        StringBuilder sb = new StringBuilder("{'descr': '").append(descr)
                .append("', 'fortran_order': False, 'shape': ").append(shapeTuple(shape)).append(", }");
        if (shape.length > 0) {
            sb.append(" ".repeat(Math.max(0, GROWTH_AXIS_MAX_DIGITS - Long.toString(shape[0]).length())));
        }
        return sb.toString();
    }

    /** A shape as a Python tuple: {@code ()}, {@code (5,)}, {@code (3, 4)}. */
    static String shapeTuple(long[] shape) {
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(shape[i]);
        }
        if (shape.length == 1) {
            sb.append(',');
        }
        return sb.append(')').toString();
    }

    private static byte[] header(Tensor tensor) {
        byte[] dict = headerDict(tensor.dtype().numpyDescr, tensor.shape()).getBytes(StandardCharsets.ISO_8859_1);
        int hlen = dict.length + 1;
        int major = 1;
        int prefix = MAGIC.length + 2 + 2;
        int pad = ALIGN - ((prefix + hlen) % ALIGN);
        if (hlen + pad > 0xffff) {
            major = 2;
            prefix = MAGIC.length + 2 + 4;
            pad = ALIGN - ((prefix + hlen) % ALIGN);
        }
        ByteBuffer bb = ByteBuffer.allocate(prefix + hlen + pad).order(ByteOrder.LITTLE_ENDIAN);
        bb.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            bb.putShort((short) (hlen + pad));
        } else {
            bb.putInt(hlen + pad);
        }
        bb.put(dict);
        for (int i = 0; i < pad; i++) {
            bb.put((byte) ' ');
        }
        bb.put((byte) '\n');
        return bb.array();
    }

    // ---------------------------------------------------------------- reading

    /** Reads one {@code .npy} file. */
    public static Tensor read(Path file) throws IOException {
        long size = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            return read(in, file.toString(), null, size, true);
        }
    }

    /** Reads one array from the stream, leaving the stream after its data. */
    public static Tensor read(InputStream in) throws IOException {
        return read(in, "npy stream", null, -1);
    }

    /**
     * Reads one array from the stream.
     *
     * @param source    the file name for messages
     * @param entry     the npz entry (or tensor) name for messages, or null
     * @param available bytes the stream holds if known (used to refuse absurd shapes before
     *                  allocating), or -1
     */
    public static Tensor read(InputStream in, String source, String entry, long available) throws IOException {
        return read(in, source, entry, available, false);
    }

    /**
     * @param bytesExist true when {@code available} bytes are known to exist (a file's size, a
     *                   stored ZIP entry checked against its archive), false when they are only
     *                   declared: then the array grows with the data that arrives
     */
    static Tensor read(InputStream in, String source, String entry, long available, boolean bytesExist) throws IOException {
        return readData(in, readHeader(in, source, entry, available, false), source, entry, bytesExist && available >= 0);
    }

    /** Reads the data an array's header announces, from the stream positioned after that header. */
    static Tensor readData(InputStream in, Header h, String source, String entry, boolean bytesExist) throws IOException {
        long elements = ElementType.elements(h.shape);
        try {
            return h.type.read(in::readNBytes, (int) elements, h.shape, bytesExist);
        } catch (ElementType.Truncated t) {
            throw new TensorFormatException(source, entry, "truncated data: shape " + shapeTuple(h.shape) + " of "
                    + h.descr + " needs " + elements * h.type.size + " bytes but only " + t.got + " follow the header");
        }
    }

    /**
     * Reads and checks an array's header, leaving the stream at its first data byte: the shape
     * and type must fit a Java array and, when {@code available} is known, the bytes that follow.
     */
    static Header readHeader(InputStream in, String source, String entry, long available) throws IOException {
        return readHeader(in, source, entry, available, false);
    }

    /**
     * @param exact true when the array must fill {@code available} exactly (an npz entry holds
     *              one array and nothing after it)
     */
    static Header readHeader(InputStream in, String source, String entry, long available, boolean exact) throws IOException {
        byte[] lead = in.readNBytes(MAGIC.length + 2);
        if (lead.length < MAGIC.length || !Arrays.equals(lead, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new TensorFormatException(source, entry, "not an npy array: expected the magic bytes \\x93NUMPY but found "
                    + printable(lead, Math.min(lead.length, MAGIC.length)));
        }
        if (lead.length < MAGIC.length + 2) {
            throw new TensorFormatException(source, entry, "truncated npy header: the file ends after the magic bytes");
        }
        int major = lead[6] & 0xff;
        int minor = lead[7] & 0xff;
        int lenBytes;
        if (major == 1 && minor == 0) {
            lenBytes = 2;
        } else if ((major == 2 || major == 3) && minor == 0) {
            lenBytes = 4;
        } else {
            throw new TensorFormatException(source, entry, "unsupported npy format version " + major + "." + minor
                    + " (supported: 1.0, 2.0, 3.0)");
        }
        byte[] lenField = in.readNBytes(lenBytes);
        if (lenField.length < lenBytes) {
            throw new TensorFormatException(source, entry, "truncated npy header: the header length field is incomplete");
        }
        ByteBuffer lb = ByteBuffer.wrap(lenField).order(ByteOrder.LITTLE_ENDIAN);
        long hlen = lenBytes == 2 ? lb.getShort() & 0xffffL : lb.getInt() & 0xffffffffL;
        long prefix = MAGIC.length + 2 + lenBytes;
        if (hlen > MAX_HEADER || (available >= 0 && prefix + hlen > available)) {
            throw new TensorFormatException(source, entry, "npy header length " + hlen + " is larger than "
                    + (hlen > MAX_HEADER ? "any numpy writes" : "the " + available + " bytes of the file"));
        }
        byte[] raw = in.readNBytes((int) hlen);
        if (raw.length < hlen) {
            throw new TensorFormatException(source, entry, "truncated npy header: expected " + hlen
                    + " header bytes but found " + raw.length);
        }
        String text;
        try {
            text = (major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1).newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new TensorFormatException(source, entry, "npy header is not valid UTF-8", e);
        }
        Header h = parseHeader(text, source, entry);
        long elements = ElementType.elements(h.shape);
        long bytes = elements < 0 ? -1 : (elements > Long.MAX_VALUE / h.type.size ? -1 : elements * h.type.size);
        if (elements < 0 || elements > ElementType.MAX_ELEMENTS) {
            throw new TensorFormatException(source, entry, "shape " + shapeTuple(h.shape) + " has more elements than a Java array holds");
        }
        if (available >= 0 && prefix + hlen + bytes > available) {
            throw new TensorFormatException(source, entry, "truncated data: shape " + shapeTuple(h.shape) + " of "
                    + h.descr + " needs " + bytes + " bytes but only " + (available - prefix - hlen) + " follow the header");
        }
        if (exact && available >= 0 && prefix + hlen + bytes != available) {
            throw new TensorFormatException(source, entry, "shape " + shapeTuple(h.shape) + " of " + h.descr + " needs "
                    + bytes + " bytes but " + (available - prefix - hlen) + " follow the header in the archive entry"
                    + " (an npz entry holds exactly one array)");
        }
        return h;
    }

    /** An array's numpy type string, element type and shape. */
    record Header(String descr, ElementType type, long[] shape) {
    }

    private static Header parseHeader(String text, String source, String entry) throws TensorFormatException {
        Object parsed;
        try {
            PyLiteral p = new PyLiteral(text);
            parsed = p.value();
            p.end();
        } catch (IllegalArgumentException e) {
            throw new TensorFormatException(source, entry, "npy header is not a Python literal (" + e.getMessage()
                    + "): " + abbreviate(text));
        }
        if (!(parsed instanceof Map<?, ?> dict)) {
            throw new TensorFormatException(source, entry, "npy header is not a dict: " + abbreviate(text));
        }
        for (String key : List.of("descr", "fortran_order", "shape")) {
            if (!dict.containsKey(key)) {
                throw new TensorFormatException(source, entry, "npy header lacks the key '" + key + "': " + abbreviate(text));
            }
        }
        if (dict.size() != 3) {
            List<Object> extra = new ArrayList<>(dict.keySet());
            extra.removeAll(List.of("descr", "fortran_order", "shape"));
            throw new TensorFormatException(source, entry, "npy header has keys " + extra
                    + " besides descr, fortran_order and shape");
        }
        Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean f)) {
            throw new TensorFormatException(source, entry, "npy header: fortran_order must be True or False but is " + fortran);
        }
        if (f) {
            throw new TensorFormatException(source, entry, "fortran_order True (column-major) arrays are not supported;"
                    + " save a C-contiguous array (numpy.ascontiguousarray)");
        }
        Object shapeObj = dict.get("shape");
        if (!(shapeObj instanceof List<?> dims)) {
            throw new TensorFormatException(source, entry, "npy header: shape must be a tuple of integers but is " + shapeObj);
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0) {
                throw new TensorFormatException(source, entry, "npy header: shape must be a tuple of non-negative integers but is "
                        + dims);
            }
            shape[i] = d;
        }
        Object descrObj = dict.get("descr");
        if (!(descrObj instanceof String descr)) {
            throw new TensorFormatException(source, entry, "unsupported dtype " + descrObj
                    + " (structured arrays are not supported; supported: " + ElementType.numpyDescrs() + ")");
        }
        ElementType type = descr.length() < 2 ? null : ElementType.forNumpyKind(descr.substring(1));
        char order = descr.isEmpty() ? '?' : descr.charAt(0);
        if (type == null || "<>|=".indexOf(order) < 0) {
            throw new TensorFormatException(source, entry, "unsupported dtype '" + descr + "' (supported: "
                    + ElementType.numpyDescrs() + ")");
        }
        if (type.size > 1 && order == '>') {
            throw new TensorFormatException(source, entry, "big-endian dtype '" + descr
                    + "' is not supported; expected little-endian '<" + descr.substring(1) + "'");
        }
        if (type.size > 1 && order != '<') {
            throw new TensorFormatException(source, entry, "dtype '" + descr
                    + "' has no explicit byte order; expected little-endian '<" + descr.substring(1) + "'");
        }
        return new Header(descr, type, shape);
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }

    private static String printable(byte[] b, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            if (c >= 0x20 && c < 0x7f) {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.isEmpty() ? "nothing (empty data)" : sb.toString();
    }

    /**
     * The small subset of Python literals npy headers use: dicts, tuples, lists, strings,
     * integers (with an optional Python 2 {@code L} suffix), True, False, None.
     */
    private static final class PyLiteral {
        /** numpy's headers nest two deep (a dict of a tuple); structured dtypes a few more. */
        static final int MAX_DEPTH = 32;
        private final String s;
        private int i;
        private int depth;

        PyLiteral(String s) {
            this.s = s;
        }

        Object value() {
            if (++depth > MAX_DEPTH) {
                throw new IllegalArgumentException("nested deeper than " + MAX_DEPTH + " levels at offset " + i);
            }
            try {
                return parseValue();
            } finally {
                depth--;
            }
        }

        private Object parseValue() {
            skip();
            if (i >= s.length()) {
                throw new IllegalArgumentException("unexpected end");
            }
            char c = s.charAt(i);
            switch (c) {
                case '{' -> {
                    i++;
                    Map<Object, Object> m = new LinkedHashMap<>();
                    while (true) {
                        skip();
                        if (peek('}')) {
                            i++;
                            return m;
                        }
                        Object k = value();
                        skip();
                        expect(':');
                        Object v = value();
                        if (m.put(k, v) != null) {
                            throw new IllegalArgumentException("duplicate key " + k);
                        }
                        skip();
                        if (peek(',')) {
                            i++;
                        } else {
                            skip();
                            expect('}');
                            return m;
                        }
                    }
                }
                case '(', '[' -> {
                    char close = c == '(' ? ')' : ']';
                    i++;
                    List<Object> l = new ArrayList<>();
                    while (true) {
                        skip();
                        if (peek(close)) {
                            i++;
                            return l;
                        }
                        l.add(value());
                        skip();
                        if (peek(',')) {
                            i++;
                        } else {
                            skip();
                            expect(close);
                            return l;
                        }
                    }
                }
                case '\'', '"' -> {
                    i++;
                    StringBuilder sb = new StringBuilder();
                    while (i < s.length() && s.charAt(i) != c) {
                        char ch = s.charAt(i++);
                        if (ch == '\\' && i < s.length()) {
                            ch = s.charAt(i++);
                        }
                        sb.append(ch);
                    }
                    expect(c);
                    return sb.toString();
                }
                default -> {
                    int start = i;
                    if (c == '-' || c == '+') {
                        i++;
                    }
                    while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == '.')) {
                        i++;
                    }
                    String tok = s.substring(start, i);
                    switch (tok) {
                        case "True":
                            return Boolean.TRUE;
                        case "False":
                            return Boolean.FALSE;
                        case "None":
                            return null;
                        default:
                            String digits = tok.endsWith("L") || tok.endsWith("l") ? tok.substring(0, tok.length() - 1) : tok;
                            // ASCII digits only: Long.parseLong would also take other scripts' digits
                            if (tok.isEmpty()) {
                                throw new IllegalArgumentException("unexpected '" + c + "' at offset " + start);
                            }
                            if (!ASCII_INTEGER.matcher(digits).matches()) {
                                throw new IllegalArgumentException("unexpected '" + abbreviate(tok) + "' at offset " + start);
                            }
                            try {
                                return Long.parseLong(digits);
                            } catch (NumberFormatException e) {
                                throw new IllegalArgumentException("integer " + abbreviate(tok) + " at offset " + start
                                        + " does not fit 64 bits");
                            }
                    }
                }
            }
        }

        void end() {
            skip();
            if (i < s.length()) {
                throw new IllegalArgumentException("unexpected text after the dict at offset " + i);
            }
        }

        private boolean peek(char c) {
            return i < s.length() && s.charAt(i) == c;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw new IllegalArgumentException("expected '" + c + "' at offset " + i);
            }
            i++;
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }
    }
}
