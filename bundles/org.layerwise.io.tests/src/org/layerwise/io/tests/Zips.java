package org.layerwise.io.tests;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * ZIP archives built byte by byte from the published format (APPNOTE), so that tests can
 * state sizes, CRCs and offsets that no ZIP writer would, and find those fields again.
 */
final class Zips {

    static final int LOC_SIG = 0x04034b50;
    static final int CEN_SIG = 0x02014b50;
    static final int END_SIG = 0x06054b50;
    /** Field offsets within a central directory record. */
    static final int CEN_METHOD = 10;
    static final int CEN_CRC = 16;
    static final int CEN_CSIZE = 20;
    static final int CEN_SIZE = 24;
    static final int CEN_LOC = 42;
    /** Field offsets within a local header. */
    static final int LOC_CRC = 14;
    static final int LOC_CSIZE = 18;
    static final int LOC_SIZE = 22;

    private Zips() {
    }

    /**
     * An entry as the archive records it. {@code data} is what the file holds (deflated or not);
     * {@code size}, {@code csize} and {@code crc} are what the headers declare. With
     * {@code zip64}, the 32-bit sizes say 0xffffffff and a zip64 extra field holds the real ones.
     */
    record Entry(String name, int method, byte[] data, long crc, long size, long csize, boolean zip64) {
        Entry withSize(long declared) {
            return new Entry(name, method, data, crc, declared, csize, zip64);
        }

        Entry withSizes(long declared, long declaredCompressed) {
            return new Entry(name, method, data, crc, declared, declaredCompressed, zip64);
        }

        Entry withCrc(long declared) {
            return new Entry(name, method, data, declared, size, csize, zip64);
        }

        Entry asZip64() {
            return new Entry(name, method, data, crc, size, csize, true);
        }
    }

    static Entry stored(String name, byte[] content) {
        return new Entry(name, 0, content, crc(content), content.length, content.length, false);
    }

    static Entry deflated(String name, byte[] content) {
        return deflated(name, content, Deflater.DEFAULT_COMPRESSION);
    }

    /** Level 0 gives a deflate stream of stored blocks: a bit flipped in it changes the data, not the format. */
    static Entry deflated(String name, byte[] content, int level) {
        Deflater d = new Deflater(level, true);
        d.setInput(content);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[1 << 16];
        while (!d.finished()) {
            out.write(buf, 0, d.deflate(buf));
        }
        d.end();
        byte[] data = out.toByteArray();
        return new Entry(name, 8, data, crc(content), content.length, data.length, false);
    }

    static long crc(byte[] b) {
        CRC32 c = new CRC32();
        c.update(b);
        return c.getValue();
    }

    /** The archive: each entry's local header and data, then the central directory and its end record. */
    static byte[] archive(List<Entry> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<Integer> offsets = new ArrayList<>();
        for (Entry e : entries) {
            offsets.add(out.size());
            out.writeBytes(local(e));
            out.writeBytes(e.data);
        }
        return withDirectory(out, entries, offsets);
    }

    /**
     * One entry's data in the file once, and {@code copies} directory records (named
     * a0.npy, a1.npy...) that all point at it: the overlapping-entry ZIP bomb.
     */
    static byte[] overlapping(Entry e, int copies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(local(e));
        out.writeBytes(e.data);
        List<Entry> records = new ArrayList<>();
        List<Integer> offsets = new ArrayList<>();
        for (int i = 0; i < copies; i++) {
            records.add(new Entry("a" + i + ".npy", e.method, e.data, e.crc, e.size, e.csize, e.zip64));
            offsets.add(0);
        }
        return withDirectory(out, records, offsets);
    }

    private static byte[] withDirectory(ByteArrayOutputStream out, List<Entry> entries, List<Integer> offsets) {
        int cenStart = out.size();
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
            byte[] extra = extra(e);
            ByteBuffer b = le(46 + name.length + extra.length);
            b.putInt(CEN_SIG).putShort((short) 45).putShort((short) 45).putShort((short) 0x800).putShort((short) e.method)
                    .putShort((short) 0).putShort((short) 0x21).putInt((int) e.crc).putInt(small(e, e.csize))
                    .putInt(small(e, e.size)).putShort((short) name.length).putShort((short) extra.length)
                    .putShort((short) 0).putShort((short) 0).putShort((short) 0).putInt(0).putInt(offsets.get(i))
                    .put(name).put(extra);
            out.writeBytes(b.array());
        }
        int cenSize = out.size() - cenStart;
        ByteBuffer end = le(22);
        end.putInt(END_SIG).putShort((short) 0).putShort((short) 0).putShort((short) entries.size())
                .putShort((short) entries.size()).putInt(cenSize).putInt(cenStart).putShort((short) 0);
        out.writeBytes(end.array());
        return out.toByteArray();
    }

    private static byte[] local(Entry e) {
        byte[] name = e.name.getBytes(StandardCharsets.UTF_8);
        byte[] extra = extra(e);
        ByteBuffer b = le(30 + name.length + extra.length);
        b.putInt(LOC_SIG).putShort((short) 45).putShort((short) 0x800).putShort((short) e.method).putShort((short) 0)
                .putShort((short) 0x21).putInt((int) e.crc).putInt(small(e, e.csize)).putInt(small(e, e.size))
                .putShort((short) name.length).putShort((short) extra.length).put(name).put(extra);
        return b.array();
    }

    private static byte[] extra(Entry e) {
        return e.zip64 ? le(20).putShort((short) 1).putShort((short) 16).putLong(e.size).putLong(e.csize).array() : new byte[0];
    }

    private static int small(Entry e, long v) {
        return e.zip64 ? -1 : (int) v;
    }

    /** Offsets of the central directory records, from the end record (no comment). */
    static List<Integer> directory(byte[] zip) {
        List<Integer> out = new ArrayList<>();
        int end = lastIndexOf(zip, END_SIG);
        if (end < 0 || end + 22 > zip.length) {
            return out;
        }
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int count = b.getShort(end + 10) & 0xffff;
        long at = b.getInt(end + 16) & 0xffffffffL;
        for (int i = 0; i < count && at + 46 <= zip.length && b.getInt((int) at) == CEN_SIG; i++) {
            out.add((int) at);
            at += 46 + (b.getShort((int) at + 28) & 0xffff) + (b.getShort((int) at + 30) & 0xffff)
                    + (b.getShort((int) at + 32) & 0xffff);
        }
        return out;
    }

    /** Offset of the local header a central record points at, or -1. */
    static int local(byte[] zip, int cen) {
        long at = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).getInt(cen + CEN_LOC) & 0xffffffffL;
        return at + 30 <= zip.length ? (int) at : -1;
    }

    static int lastIndexOf(byte[] zip, int signature) {
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = zip.length - 4; i >= 0; i--) {
            if (b.getInt(i) == signature) {
                return i;
            }
        }
        return -1;
    }

    static void putInt(byte[] zip, int at, long value) {
        ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN).putInt(at, (int) value);
    }

    private static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
