package org.layerwise.io.tests;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Seeded mutations of a file's bytes: generic ones (bit flips, bytes set, inserted, deleted,
 * duplicated, spliced from another seed, truncation, integers written over 1-8 bytes) and ones
 * aimed at the formats' length fields (ZIP directory and local header sizes, CRCs and offsets;
 * the 8-byte safetensors and 2/4-byte npy header lengths; integers and tokens written as text in
 * JSON, npy headers and XML). The same (seed, index) always gives the same mutant.
 */
final class Mutator {

    static final String[] KINDS = {"bit-flip", "byte-set", "insert", "delete", "duplicate", "splice", "truncate",
            "binary-int", "text-number", "zip-field", "text-token"};

    private static final long[] INTERESTING = {0, 1, 2, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
            0x7fffffffL, 0x80000000L, 0xffffffffL, 0x100000000L, 0x100000008L, 1L << 40, 1L << 53, Long.MAX_VALUE, -1, -2};
    private static final String[] NUMBERS = {"0", "-1", "1", "2", "4294967296", "4294967304", "2147483647", "2147483648",
            "9223372036854775807", "9223372036854775808", "18446744073709551616", "1e300", "1e309", "-0", "4.0", "2.5",
            "NaN", "Infinity", "99999999999999999999999999999", "1000000", "2000000000", "\u0668", "0x10", "1_0"};
    private static final String[] TOKENS = {"", "(", ")", "[", "]", "{", "}", "\"", "'", ",", ":", "null", "True", "None",
            "[[[[[[[[[[[[[[[[[[[[", "((((((((((((((((((((", "{\"a\":", "\\u0000", "\u00e9", "&amp;", "&e;", "<", ">", "</x>",
            "<!DOCTYPE x [<!ENTITY e \"eeeeeeeeee\">]>", "<![CDATA[", "<?xml version=\"1.0\"?>", "xmlns:a=\"b\"",
            "<stages role=\"task\" contribution=\"x\"/>", "\"dtype\": \"F64\"", "'shape': (", "\"data_offsets\": [0, 0]"};

    private final SplittableRandom rng;
    private final List<byte[]> seeds;

    Mutator(long seed, List<byte[]> seeds) {
        this.rng = new SplittableRandom(seed);
        this.seeds = seeds;
    }

    /** One mutant: a seed picked at random with one to three mutations stacked. */
    byte[] next() {
        byte[] b = seeds.get(rng.nextInt(seeds.size())).clone();
        int n = 1 + rng.nextInt(3);
        for (int i = 0; i < n; i++) {
            b = mutate(b, rng.nextInt(KINDS.length));
        }
        return b;
    }

    private byte[] mutate(byte[] b, int kind) {
        if (b.length == 0) {
            return new byte[] {(byte) rng.nextInt(256)};
        }
        int at = rng.nextInt(b.length);
        switch (kind) {
            case 0 -> b[at] ^= (byte) (1 << rng.nextInt(8));
            case 1 -> b[at] = (byte) new int[] {0, 0xff, 0x7f, 0x80, '(', '"', '<', '9', ' ', '\n'}[rng.nextInt(10)];
            case 2 -> {
                byte[] ins = new byte[1 + rng.nextInt(rng.nextBoolean() ? 16 : 512)];
                if (rng.nextBoolean()) {
                    Arrays.fill(ins, b[at]);
                } else {
                    rng.nextBytes(ins);
                }
                return insert(b, at, ins);
            }
            case 3 -> {
                int len = Math.min(b.length - at, 1 + rng.nextInt(64));
                return concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + len, b.length));
            }
            case 4 -> {
                int len = Math.min(b.length - at, 1 + rng.nextInt(256));
                return insert(b, rng.nextInt(b.length), Arrays.copyOfRange(b, at, at + len));
            }
            case 5 -> {
                byte[] other = seeds.get(rng.nextInt(seeds.size()));
                int from = rng.nextInt(Math.max(1, other.length));
                int len = Math.min(other.length - from, 1 + rng.nextInt(512));
                return concat(Arrays.copyOf(b, at), Arrays.copyOfRange(other, from, from + Math.max(0, len)),
                        Arrays.copyOfRange(b, Math.min(b.length, at + rng.nextInt(64)), b.length));
            }
            case 6 -> {
                return Arrays.copyOf(b, at);
            }
            case 7 -> {
                // length fields live near the start (safetensors' 8 bytes, npy's 2 or 4) more often than not
                int pos = rng.nextBoolean() ? rng.nextInt(Math.min(b.length, 16)) : at;
                putInt(b, pos, 1 << rng.nextInt(4), interesting(b.length));
            }
            case 8 -> {
                return replaceNumber(b);
            }
            case 9 -> zipField(b);
            case 10 -> {
                byte[] token = TOKENS[rng.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8);
                int len = Math.min(b.length - at, rng.nextInt(8));
                return concat(Arrays.copyOf(b, at), token, Arrays.copyOfRange(b, at + len, b.length));
            }
            default -> throw new AssertionError(kind);
        }
        return b;
    }

    private long interesting(int length) {
        return switch (rng.nextInt(4)) {
            case 0 -> length + rng.nextInt(17) - 8;
            case 1 -> (long) length * (1 + rng.nextInt(1100));
            default -> INTERESTING[rng.nextInt(INTERESTING.length)];
        };
    }

    /** A run of ASCII digits (a shape, a size, a JSON integer) replaced by another number. */
    private byte[] replaceNumber(byte[] b) {
        int start = rng.nextInt(b.length);
        for (int k = 0; k < b.length; k++) {
            int i = (start + k) % b.length;
            if (Character.isDigit(b[i]) && (i == 0 || !Character.isDigit(b[i - 1]))) {
                int end = i;
                while (end < b.length && Character.isDigit(b[end])) {
                    end++;
                }
                String number = rng.nextInt(3) == 0 ? Long.toString(interesting(b.length))
                        : NUMBERS[rng.nextInt(NUMBERS.length)];
                return concat(Arrays.copyOf(b, i), number.getBytes(StandardCharsets.UTF_8), Arrays.copyOfRange(b, end, b.length));
            }
        }
        return b;
    }

    /** A size, CRC, offset, method or count field of a ZIP directory record, local header or end record. */
    private void zipField(byte[] b) {
        List<Integer> cen = Zips.directory(b);
        if (cen.isEmpty()) {
            return;
        }
        int record = cen.get(rng.nextInt(cen.size()));
        int[] cenFields = {Zips.CEN_CRC, Zips.CEN_CSIZE, Zips.CEN_SIZE, Zips.CEN_LOC, Zips.CEN_METHOD, 28, 30};
        switch (rng.nextInt(3)) {
            case 0 -> {
                int field = cenFields[rng.nextInt(cenFields.length)];
                putInt(b, record + field, field >= 28 || field == Zips.CEN_METHOD ? 2 : 4, interesting(b.length));
            }
            case 1 -> {
                int loc = Zips.local(b, record);
                if (loc >= 0) {
                    int[] locFields = {Zips.LOC_CRC, Zips.LOC_CSIZE, Zips.LOC_SIZE, 26, 28};
                    int field = locFields[rng.nextInt(locFields.length)];
                    putInt(b, loc + field, field >= 26 ? 2 : 4, interesting(b.length));
                }
            }
            default -> {
                int end = Zips.lastIndexOf(b, Zips.END_SIG);
                int[] endFields = {8, 10, 12, 16, 20};
                int field = endFields[rng.nextInt(endFields.length)];
                putInt(b, end + field, field == 12 || field == 16 ? 4 : 2, interesting(b.length));
            }
        }
    }

    private static void putInt(byte[] b, int at, int width, long value) {
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < width && at + i < b.length; i++) {
            bb.put(at + i, (byte) (value >>> (8 * i)));
        }
    }

    private static byte[] insert(byte[] b, int at, byte[] ins) {
        return concat(Arrays.copyOf(b, at), ins, Arrays.copyOfRange(b, at, b.length));
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
