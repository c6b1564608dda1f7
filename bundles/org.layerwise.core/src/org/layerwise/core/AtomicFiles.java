package org.layerwise.core;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Every file Layerwise writes goes through here: the bytes go to a temporary file in the
 * target's folder, are forced to disk, and the temporary file is renamed over the target.
 * A reader therefore sees the old file or the complete new one, never a torn write.
 */
public final class AtomicFiles {

    /** Writes the content of one file; may throw to abandon the write. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes the target atomically. The temporary file is created like any new file (its mode
     * follows the umask) and named {@code .NAME.PID-RANDOM.partial}, so that what a killed
     * process leaves behind is recognisably not a result ({@link #isPartial}). A failure names
     * the target and why it could not be written.
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + ProcessHandle.current().pid() + "-"
                + Long.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 16) + PARTIAL);
        boolean done = false;
        try {
            Files.createDirectories(dir);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 OutputStream out = new java.io.BufferedOutputStream(new Named(target,
                         java.nio.channels.Channels.newOutputStream(channel)), 1 << 16)) {
                writer.write(out);
                out.flush();
                try {
                    channel.force(true);
                } catch (IOException e) {
                    throw failed(target, e);
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            done = true;
            forceDirectory(dir);
        } catch (java.nio.file.FileSystemException e) {
            // creating the folder or the temporary file, or the rename: say which target it was for
            throw e.getFile() != null && e.getFile().equals(target.toString()) ? e : failed(target, e);
        } finally {
            if (!done) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // the name says what it is
                }
            }
        }
    }

    /** An I/O failure of the target's own stream (a full disk, a device error), naming the target. */
    private static IOException failed(Path target, IOException e) {
        String why = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        return new java.nio.file.FileSystemException(target.toString(), null, "cannot be written: " + why);
    }

    /** Names the target in the failures of the stream itself; what the writer throws passes unchanged. */
    private static final class Named extends java.io.FilterOutputStream {
        private final Path target;

        Named(Path target, OutputStream out) {
            super(out);
            this.target = target;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw failed(target, e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw failed(target, e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw failed(target, e);
            }
        }
    }

    /** The suffix of temporary files: what a write that never finished leaves behind. */
    public static final String PARTIAL = ".partial";

    /** True for a file a write left behind unfinished (its process was killed). */
    public static boolean isPartial(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(PARTIAL);
    }

    /**
     * Deletes the unfinished writes in a folder (not its subfolders); call it only when no
     * live process writes there. Returns how many were deleted.
     */
    public static int deletePartials(Path dir) throws IOException {
        int n = 0;
        try (java.util.stream.Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (isPartial(f) && Files.isRegularFile(f) && Files.deleteIfExists(f)) {
                    n++;
                }
            }
        }
        return n;
    }

    public static void writeBytes(Path target, byte[] bytes) throws IOException {
        write(target, out -> out.write(bytes));
    }

    public static void writeString(Path target, String text) throws IOException {
        writeBytes(target, text.getBytes(StandardCharsets.UTF_8));
    }

    private static void forceDirectory(Path dir) {
        // Makes the rename durable; not every file system lets a directory be opened.
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // best effort
        }
    }
}
