package org.layerwise.backend.transformer;

import java.util.List;

import org.layerwise.core.model.NetworkConfig;

/** Where each tensor sits in the {@link Parameters} layout of a config; -1 for a tensor the config does not have. */
final class Layout {

    /** The tensors of block l. */
    record Block(int ln1w, int ln1b, int ln2w, int ln2b, int wQ, int wK, int wV, int wO, int bQ, int bK, int bV, int bO, int wIn,
            int bIn, int wOut, int bOut) {
    }

    final int wE;
    final int wPos;
    final Block[] blocks;
    final int lnFinalW;
    final int lnFinalB;
    final int wU;
    final int bU;

    Layout(NetworkConfig c) {
        List<String> names = Parameters.names(c);
        wE = names.indexOf("embed.W_E");
        wPos = names.indexOf("pos_embed.W_pos");
        blocks = new Block[c.nLayers()];
        for (int l = 0; l < blocks.length; l++) {
            String b = "blocks." + l + ".";
            blocks[l] = new Block(names.indexOf(b + "ln1.w"), names.indexOf(b + "ln1.b"), names.indexOf(b + "ln2.w"),
                    names.indexOf(b + "ln2.b"), names.indexOf(b + "attn.W_Q"), names.indexOf(b + "attn.W_K"),
                    names.indexOf(b + "attn.W_V"), names.indexOf(b + "attn.W_O"), names.indexOf(b + "attn.b_Q"),
                    names.indexOf(b + "attn.b_K"), names.indexOf(b + "attn.b_V"), names.indexOf(b + "attn.b_O"),
                    names.indexOf(b + "mlp.W_in"), names.indexOf(b + "mlp.b_in"), names.indexOf(b + "mlp.W_out"),
                    names.indexOf(b + "mlp.b_out"));
        }
        lnFinalW = names.indexOf("ln_final.w");
        lnFinalB = names.indexOf("ln_final.b");
        wU = names.indexOf("unembed.W_U");
        bU = names.indexOf("unembed.b_U");
    }
}
