package org.layerwise.core.model;

/**
 * The shape of an attention-only transformer, as config.json records it (docs/file-formats.md):
 * d_x features, d_y classes, n_ctx context tokens, L layers of H heads.
 */
public record ModelConfig(int dX, int dY, int nCtx, int nLayers, int nHeads, Attention attention, Keys keys,
        String parameterization, int dHead, String dtype, String task) {

    public enum Attention {
        SOFTMAX, LINEAR;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** Which tokens are attended to: the N context tokens (default) or all N + 1. */
    public enum Keys {
        CONTEXT, ALL;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public int dModel() {
        return dX + dY;
    }

    public int tokens() {
        return nCtx + 1;
    }

    public int numKeys() {
        return keys == Keys.ALL ? nCtx + 1 : nCtx;
    }
}
