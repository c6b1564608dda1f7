package org.layerwise.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.layerwise.core.AtomicFiles;
import org.layerwise.core.Tensor;

/**
 * numpy's {@code .npz} archives: a ZIP file with one {@code <name>.npy} entry per array, as
 * {@code numpy.savez} (stored) and {@code numpy.savez_compressed} (deflated) write them.
 * {@code numpy.load(path)} reads what {@link #write} writes, keys in the map's order.
 */
public final class Npz {

    /** Fixed entry time so the same arrays give the same bytes. */
    private static final LocalDateTime ENTRY_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

    private Npz() {
    }

    /** Writes the arrays uncompressed (like {@code numpy.savez}), atomically, in the map's order. */
    public static void write(Path file, Map<String, Tensor> arrays) throws IOException {
        write(file, arrays, false);
    }

    /** Writes the arrays deflated (like {@code numpy.savez_compressed}), atomically. */
    public static void writeCompressed(Path file, Map<String, Tensor> arrays) throws IOException {
        write(file, arrays, true);
    }

    public static void write(Path file, Map<String, Tensor> arrays, boolean compress) throws IOException {
        for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
            if (e.getKey() == null || e.getKey().isEmpty()) {
                throw new IllegalArgumentException(file + ": an npz array needs a non-empty name");
            }
            if (e.getValue() == null) {
                throw new IllegalArgumentException(file + ": array '" + e.getKey() + "' is null");
            }
        }
        AtomicFiles.write(file, out -> {
            ZipOutputStream zip = new ZipOutputStream(new NonClosing(out));
            for (Map.Entry<String, Tensor> e : arrays.entrySet()) {
                Tensor t = e.getValue();
                ZipEntry entry = new ZipEntry(e.getKey() + ".npy");
                entry.setTimeLocal(ENTRY_TIME);
                if (compress) {
                    entry.setMethod(ZipEntry.DEFLATED);
                } else {
                    // Stored entries need size and CRC up front: one pass to compute them.
                    CrcCounter counter = new CrcCounter();
                    Npy.write(counter, t);
                    entry.setMethod(ZipEntry.STORED);
                    entry.setSize(counter.count);
                    entry.setCompressedSize(counter.count);
                    entry.setCrc(counter.crc.getValue());
                }
                zip.putNextEntry(entry);
                Npy.write(zip, t);
                zip.closeEntry();
            }
            zip.finish();
        });
    }

    /** Reads every array of the archive, in the archive's order, keyed by entry name without {@code .npy}. */
    public static LinkedHashMap<String, Tensor> read(Path file) throws IOException {
        return read(file, key -> true);
    }

    /**
     * Reads the arrays whose key {@code wanted} accepts, in the archive's order; the others are
     * not read (a ZIP entry is reached through the archive's directory), only their names checked.
     */
    public static LinkedHashMap<String, Tensor> read(Path file, Predicate<String> wanted) throws IOException {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        visit(file, (key, in, size) -> {
            if (wanted.test(key)) {
                out.put(key, Npy.read(in, file.toString(), key, size));
            }
        });
        return out;
    }

    /** Shape and dtype (as reading would give it) of one array of an archive. */
    public record ArrayHeader(long[] shape, Tensor.DType dtype) {
        public String shapeString() {
            return Arrays.toString(shape);
        }
    }

    /** Every array's shape and dtype from its npy header alone, in the archive's order; no data is read. */
    public static LinkedHashMap<String, ArrayHeader> headers(Path file) throws IOException {
        LinkedHashMap<String, ArrayHeader> out = new LinkedHashMap<>();
        visit(file, (key, in, size) -> {
            Npy.Header h = Npy.readHeader(in, file.toString(), key, size);
            out.put(key, new ArrayHeader(h.shape(), h.type().target));
        });
        return out;
    }

    private interface EntryReader {
        void accept(String key, InputStream in, long size) throws IOException;
    }

    /** Opens the archive and hands each array entry to {@code reader}, checking names on the way. */
    private static void visit(Path file, EntryReader reader) throws IOException {
        String source = file.toString();
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new TensorFormatException(source, null, "not an npz (ZIP) archive: " + e.getMessage(), e);
        }
        try (zip) {
            Set<String> seen = new HashSet<>();
            Enumeration<? extends ZipEntry> entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry entry = entries.nextElement();
                if (entry.isDirectory()) {
                    continue;
                }
                String name = entry.getName();
                if (!name.endsWith(".npy")) {
                    throw new TensorFormatException(source, null, "entry '" + name
                            + "' is not an npy array (npz entries are named <array>.npy)");
                }
                String key = name.substring(0, name.length() - 4);
                if (!seen.add(key)) {
                    throw new TensorFormatException(source, key, "the archive holds two entries named '" + name + "'");
                }
                try (InputStream in = new BufferedInputStream(zip.getInputStream(entry), 1 << 16)) {
                    reader.accept(key, in, entry.getSize());
                } catch (ZipException e) {
                    throw new TensorFormatException(source, key, "corrupt ZIP entry: " + e.getMessage(), e);
                }
            }
        }
    }

    /** Counts bytes and their CRC-32 without storing them. */
    private static final class CrcCounter extends OutputStream {
        final CRC32 crc = new CRC32();
        long count;

        @Override
        public void write(int b) {
            crc.update(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            crc.update(b, off, len);
            count += len;
        }
    }

    /** AtomicFiles owns the target stream: the ZIP stream must finish it, not close it. */
    private static final class NonClosing extends java.io.FilterOutputStream {
        NonClosing(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
