package org.layerwise.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real, small file system (a tmpfs) for tests of what happens when the disk fills up. Only
 * root may mount one: {@link #mount} returns null where that is not allowed, and the test says
 * so with an assumption. Filling it makes every later write fail with "No space left on device".
 */
public final class SmallDisk implements AutoCloseable {

    private final Path root;

    private SmallDisk(Path root) {
        this.root = root;
    }

    /** Mounts a tmpfs of {@code kilobytes} at a new folder under {@code parent}, or returns null. */
    public static SmallDisk mount(Path parent, int kilobytes) throws IOException, InterruptedException {
        Path where = Files.createDirectories(parent.resolve("small-disk"));
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + kilobytes + "k", "tmpfs", where.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            return null;
        }
        return new SmallDisk(where);
    }

    public Path root() {
        return root;
    }

    /** Writes a filler file until the disk is full; returns its size. */
    public long fill() throws IOException {
        long n = 0;
        byte[] block = new byte[4096];
        try (OutputStream out = Files.newOutputStream(root.resolve("filler"))) {
            while (true) {
                out.write(block);
                n += block.length;
                out.flush();
            }
        } catch (IOException full) {
            return n;
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("umount", "-l", root.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        p.waitFor(30, TimeUnit.SECONDS);
    }
}
