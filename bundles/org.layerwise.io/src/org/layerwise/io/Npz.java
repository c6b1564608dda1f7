package org.layerwise.io;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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

    /**
     * Deflate cannot expand data more than about 1032 times (a 258-byte match costs at least
     * two bits); an entry that declares more than this many bytes per compressed byte is refused
     * before anything is inflated.
     */
    public static final long MAX_DEFLATE_RATIO = 1032;

    /** Reads every array of the archive, in the archive's order, keyed by entry name without {@code .npy}. */
    public static LinkedHashMap<String, Tensor> read(Path file) throws IOException {
        return read(file, key -> true);
    }

    /**
     * Reads the arrays whose key {@code wanted} accepts, in the archive's order; the others are
     * not read (a ZIP entry is reached through the archive's directory), only their names and
     * sizes in the directory checked. Each array read is checked against its entry: the npy
     * header's shape and dtype must fill exactly the size the directory declares, the data must
     * be that long and have the CRC-32 the directory records.
     */
    public static LinkedHashMap<String, Tensor> read(Path file, Predicate<String> wanted) throws IOException {
        LinkedHashMap<String, Tensor> out = new LinkedHashMap<>();
        String source = file.toString();
        visit(file, wanted, (key, in, entry) -> {
            Npy.Header h = Npy.readHeader(in, source, key, entry.getSize(), true);
            // a stored entry's bytes are in the file (checked); a deflated one's only declared
            out.put(key, Npy.readData(in, h, source, key, entry.getMethod() == ZipEntry.STORED));
            in.checkComplete();
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
        visit(file, key -> true, (key, in, entry) -> {
            Npy.Header h = Npy.readHeader(in, file.toString(), key, entry.getSize(), true);
            out.put(key, new ArrayHeader(h.shape(), h.type().target));
        });
        return out;
    }

    private interface EntryReader {
        void accept(String key, EntryStream in, ZipEntry entry) throws IOException;
    }

    /**
     * Opens the archive, checks its whole directory (names, and sizes against the bytes that
     * exist) before any entry is read, then hands each wanted array entry to {@code reader}.
     */
    private static void visit(Path file, Predicate<String> wanted, EntryReader reader) throws IOException {
        String source = file.toString();
        ZipFile zip;
        try {
            zip = new ZipFile(file.toFile());
        } catch (ZipException | java.io.EOFException | RuntimeException e) {
            throw new TensorFormatException(source, null, "not an npz (ZIP) archive: " + (e instanceof java.io.EOFException
                    ? "the file ends inside its directory" : e.getMessage()), e);
        }
        try (zip) {
            long archiveSize = Files.size(file);
            List<ZipEntry> arrays = new ArrayList<>();
            Set<String> seen = new HashSet<>();
            long compressed = 0;
            for (ZipEntry entry : entries(zip, source)) {
                compressed += checkSizes(entry, source, archiveSize);
                if (compressed > archiveSize) {
                    throw new TensorFormatException(source, null, "the archive's entries (up to '" + entry.getName()
                            + "') declare " + compressed + " compressed bytes but the file holds " + archiveSize
                            + " (entries that overlap: a ZIP bomb?)");
                }
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
                arrays.add(entry);
            }
            for (ZipEntry entry : arrays) {
                String key = entry.getName().substring(0, entry.getName().length() - 4);
                if (wanted.test(key)) {
                    try (EntryStream in = new EntryStream(zip, entry, source, key)) {
                        reader.accept(key, in, entry);
                    }
                }
            }
        }
    }

    private static List<ZipEntry> entries(ZipFile zip, String source) throws TensorFormatException {
        try {
            return new ArrayList<ZipEntry>(Collections.list(zip.entries()));
        } catch (RuntimeException e) {
            throw new TensorFormatException(source, null, "corrupt ZIP directory: " + e.getMessage(), e);
        }
    }

    /**
     * The entry's sizes as its directory record declares them, checked against what the file can
     * hold before anything is allocated from them; returns its compressed size.
     */
    private static long checkSizes(ZipEntry entry, String source, long archiveSize) throws TensorFormatException {
        String name = entry.getName();
        long size = entry.getSize();
        long csize = entry.getCompressedSize();
        String declares = "entry '" + name + "' declares ";
        if (size < 0 || csize < 0) {
            throw new TensorFormatException(source, null, declares + "no size in the archive's directory");
        }
        if (csize > archiveSize) {
            throw new TensorFormatException(source, null, declares + csize + " compressed bytes but the file holds "
                    + archiveSize);
        }
        if (entry.getMethod() == ZipEntry.STORED && size != csize) {
            throw new TensorFormatException(source, null, declares + size + " bytes stored in " + csize
                    + " (a stored entry's two sizes are equal)");
        }
        if (entry.getMethod() == ZipEntry.DEFLATED && size > csize * MAX_DEFLATE_RATIO) {
            throw new TensorFormatException(source, null, declares + size + " bytes deflated into " + csize
                    + ", more than the " + MAX_DEFLATE_RATIO + ":1 deflate can reach");
        }
        if (entry.getMethod() != ZipEntry.STORED && entry.getMethod() != ZipEntry.DEFLATED) {
            throw new TensorFormatException(source, null, "entry '" + name + "' uses ZIP method " + entry.getMethod()
                    + "; npz archives are stored (0) or deflated (8)");
        }
        return csize;
    }

    /**
     * One entry's data: never more than its declared size (reading stops with an error at the
     * first byte beyond it), CRC-32 checked once it is complete, and every failure of the ZIP
     * layer (corrupt deflate data, an early end) reported as a TensorFormatException.
     */
    private static final class EntryStream extends InputStream {
        private final InputStream in;
        private final ZipEntry entry;
        private final String source;
        private final String key;
        private final CRC32 crc = new CRC32();
        private long count;

        EntryStream(ZipFile zip, ZipEntry entry, String source, String key) throws TensorFormatException {
            this.entry = entry;
            this.source = source;
            this.key = key;
            try {
                this.in = new BufferedInputStream(zip.getInputStream(entry), (int) Math.clamp(entry.getSize(), 512, 1 << 16));
            } catch (IOException | RuntimeException e) {
                throw corrupt(e);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException | RuntimeException e) {
                throw corrupt(e);
            }
            if (n > 0) {
                count += n;
                if (count > entry.getSize()) {
                    throw new TensorFormatException(source, key, "the entry holds more than the " + entry.getSize()
                            + " bytes the archive's directory declares");
                }
                crc.update(b, off, n);
            }
            return n;
        }

        /** After the array: the entry must end here, and its bytes must have the recorded CRC-32. */
        void checkComplete() throws IOException {
            if (read() >= 0) {
                throw new TensorFormatException(source, key, "the entry holds more bytes than its array");
            }
            if (count != entry.getSize()) {
                throw new TensorFormatException(source, key, "the entry holds " + count + " bytes but the archive's"
                        + " directory declares " + entry.getSize());
            }
            if (crc.getValue() != entry.getCrc()) {
                throw new TensorFormatException(source, key, String.format(Locale.ROOT, "CRC-32 mismatch: the data has"
                        + " %08x, the archive records %08x (the file is corrupt)", crc.getValue(), entry.getCrc()));
            }
        }

        private TensorFormatException corrupt(Exception e) {
            if (e instanceof TensorFormatException t) {
                return t;
            }
            String detail = e instanceof java.io.EOFException ? "the archive ends before the entry does"
                    : e.getMessage() != null ? e.getMessage() : "unreadable data";
            return new TensorFormatException(source, key, "corrupt ZIP entry: " + detail, e);
        }

        @Override
        public void close() throws IOException {
            in.close();
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
