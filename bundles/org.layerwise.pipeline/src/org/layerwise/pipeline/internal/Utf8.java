package org.layerwise.pipeline.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.layerwise.pipeline.PipelineFileException;

/**
 * Pipeline files are UTF-8. A file that says nothing else in its XML declaration and holds a
 * byte that is not UTF-8 gets a sentence with the line and column of that byte, instead of
 * what the XML parser reports (an exception class and no position).
 */
public final class Utf8 {

    private static final Pattern DECLARED = Pattern.compile("^(?:\\xEF\\xBB\\xBF)?<\\?xml[^>]*?encoding\\s*=\\s*[\"']([A-Za-z0-9._-]+)[\"']");

    private Utf8() {
    }

    /** Null when the bytes are UTF-8 or declare another encoding; otherwise the exception to throw. */
    public static PipelineFileException check(Path file, String source, byte[] bytes) {
        String head = new String(bytes, 0, Math.min(bytes.length, 200), StandardCharsets.ISO_8859_1);
        Matcher m = DECLARED.matcher(head);
        if (m.find() && !m.group(1).toUpperCase(Locale.ROOT).replace("_", "-").equals("UTF-8")) {
            return null;
        }
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            return null;
        }
        int bad = in.position();
        int line = 1;
        int column = 1;
        for (int i = 0; i < out.position(); i++) {
            char c = out.get(i);
            if (c == '\n') {
                line++;
                column = 1;
            } else if (!Character.isLowSurrogate(c)) {
                column++;
            }
        }
        return new PipelineFileException(file, source, line, column, String.format(Locale.ROOT,
                "the file is not UTF-8: byte 0x%02X here is not part of a UTF-8 character; pipeline files are UTF-8"
                        + " (save it as UTF-8, or declare its encoding in <?xml ... encoding=\"...\"?>)", bytes[bad] & 0xff), null);
    }
}
