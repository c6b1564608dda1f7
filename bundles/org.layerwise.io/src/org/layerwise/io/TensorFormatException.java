package org.layerwise.io;

import java.io.IOException;

/**
 * A tensor file (npy, npz, safetensors) that does not follow its format. The message names
 * the file, the tensor or archive entry when there is one, and what was expected against
 * what was found, for example
 * {@code model.safetensors: tensor 'blocks.0.attn.QK': data_offsets [0, 100] hold 100 bytes but shape [1, 4, 4] of F32 needs 64}.
 */
public class TensorFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final String tensorName;

    /** @param source the file (or stream description); @param tensorName null when the problem is not about one tensor */
    public TensorFormatException(String source, String tensorName, String detail) {
        this(source, tensorName, detail, null);
    }

    public TensorFormatException(String source, String tensorName, String detail, Throwable cause) {
        super(format(source, tensorName, detail), cause);
        this.source = source;
        this.tensorName = tensorName;
    }

    /** The file or stream the problem was found in, as given to the reader. */
    public String source() {
        return source;
    }

    /** The tensor (or npz entry) the problem is about, or null. */
    public String tensorName() {
        return tensorName;
    }

    private static String format(String source, String tensorName, String detail) {
        StringBuilder sb = new StringBuilder();
        if (source != null) {
            sb.append(source).append(": ");
        }
        if (tensorName != null) {
            sb.append("tensor '").append(tensorName).append("': ");
        }
        return sb.append(detail).toString();
    }
}
