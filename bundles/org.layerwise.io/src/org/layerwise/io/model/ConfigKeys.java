package org.layerwise.io.model;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;

import org.layerwise.core.BadInputFileException;
import org.layerwise.core.MemoryBudget;
import org.layerwise.core.Tensor;
import org.layerwise.io.Json;
import org.layerwise.io.Npz;
import org.layerwise.io.Safetensors;

/** What the readers of config.json + weights share: exact integers, texts, the weight read, SHA-256, array sizes. */
final class ConfigKeys {

    private ConfigKeys() {
    }

    /** Refuses any config but "format": "layerwise-transformer", "version": 1. */
    static void formatVersion(Map<String, Object> c, Path file) throws BadInputFileException {
        String format = text(c, file, "format");
        int version = integer(c, file, "version", 0, Integer.MAX_VALUE);
        if (!"layerwise-transformer".equals(format) || version != 1) {
            throw new BadInputFileException(file, "format '" + format + "' version " + version
                    + " is not supported; expected \"format\": \"layerwise-transformer\", \"version\": 1", null);
        }
    }

    /** The elements of all tensors of these shapes; refused if one would not fit a Java array. */
    static long fileElements(Path configFile, Map<String, long[]> expected) throws BadInputFileException {
        long fileElements = 0;
        for (var e : expected.entrySet()) {
            long n = MemoryBudget.product(e.getValue());
            if (n < 0 || n > Integer.MAX_VALUE - 8) {
                throw new BadInputFileException(configFile, "tensor '" + e.getKey() + "' would have shape "
                        + Arrays.toString(e.getValue()) + ", more elements than a Java array holds", null);
            }
            fileElements = MemoryBudget.sum(fileElements, n);
        }
        return fileElements;
    }

    static Map<String, Object> readConfig(Path file) throws BadInputFileException {
        try {
            return Json.readMap(file, ModelFileReader.MAX_CONFIG_BYTES);
        } catch (NoSuchFileException e) {
            throw new BadInputFileException(file, "file not found; a model directory needs config.json (docs/file-formats.md)", e);
        } catch (IOException | RuntimeException e) {
            throw new BadInputFileException(file, "not a valid config: " + e.getMessage(), e);
        }
    }

    static Map<String, Npz.ArrayHeader> readHeaders(Path file) throws BadInputFileException {
        return readWeights(file, () -> file.getFileName().toString().endsWith(".npz") ? Npz.headers(file) : Safetensors.headers(file));
    }

    static Map<String, Tensor> readTensors(Path file, Set<String> names) throws BadInputFileException {
        return readWeights(file, () -> file.getFileName().toString().endsWith(".npz") ? Npz.read(file, names::contains)
                : Safetensors.read(file).tensors());
    }

    interface WeightRead<T> {
        T read() throws IOException;
    }

    static <T> T readWeights(Path file, WeightRead<T> read) throws BadInputFileException {
        String name = file.getFileName().toString();
        if (!name.endsWith(".npz") && !name.endsWith(".safetensors")) {
            throw new BadInputFileException(file, "unknown weight file type; expected .safetensors or .npz", null);
        }
        try {
            return read.read();
        } catch (NoSuchFileException e) {
            throw new BadInputFileException(file, "file not found; expected model.safetensors or model.npz beside config.json", e);
        } catch (IOException e) {
            // the io layer's messages already name the file and tensor
            String msg = e.getMessage() == null ? e.toString() : e.getMessage();
            throw new BadInputFileException(file, msg.startsWith(file.toString()) || msg.contains(name)
                    ? msg.substring(msg.indexOf(':') + 1).trim() : msg, e);
        }
    }

    /**
     * An integer key read exactly: a JSON integer, or a number with no fractional part (4.0,
     * 4e0: what a writer of floats makes of 4), within [min, max]; never wrapped to 32 bits.
     */
    static int integer(Map<String, Object> c, Path file, String key, int min, int max) throws BadInputFileException {
        Object v = c.get(key);
        if (v == null) {
            throw new BadInputFileException(file, "key '" + key + "' is missing (docs/file-formats.md lists the keys of config.json)", null);
        }
        BigDecimal exact;
        try {
            exact = v instanceof Number n ? new BigDecimal(n.toString()) : null;
        } catch (NumberFormatException e) {
            exact = null; // NaN, Infinity
        }
        if (exact == null || exact.stripTrailingZeros().scale() > 0) {
            throw new BadInputFileException(file, "key '" + key + "' is " + abbreviate(v) + "; expected an integer", null);
        }
        if (exact.compareTo(BigDecimal.valueOf(min)) < 0 || exact.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw new BadInputFileException(file, "'" + key + "' is " + abbreviate(v) + "; expected "
                    + (max == Integer.MAX_VALUE ? "at least " + min : "an integer from " + min + " to " + max), null);
        }
        return exact.intValueExact();
    }

    private static String abbreviate(Object v) {
        String s = String.valueOf(v);
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    static String text(Map<String, Object> c, Path file, String key, String... allowed) throws BadInputFileException {
        Object v = c.get(key);
        if (v == null) {
            throw new BadInputFileException(file, "key '" + key + "' is missing (docs/file-formats.md lists the keys of config.json)", null);
        }
        if (!(v instanceof String s) || (allowed.length > 1 && !Arrays.asList(allowed).contains(s))) {
            throw new BadInputFileException(file, "key '" + key + "' is " + v + "; expected "
                    + (allowed.length > 1 ? "one of " + String.join(", ", allowed) : "a string"), null);
        }
        return s;
    }

    static String sha256(Path file) throws BadInputFileException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new BadInputFileException(file, "cannot be read: " + e.getMessage(), e);
                }
    }
}
