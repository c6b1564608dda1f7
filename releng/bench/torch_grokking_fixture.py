"""Writes the PyTorch fixtures of the backend "transformer"'s tests: a tiny grokking model (p = 5, so d_vocab 6
and d_vocab_out 5; n_ctx 3, d_model 8, 2 heads, d_head 4, d_mlp 16, 2 layers, ReLU, attn_scale sqrt(d_head) = 2,
causal attention), its loss on 12 examples and the float64 gradient of every weight, computed by autograd on
torch_grokking_reference.py's forward (every position computed, the answer read at position 2). Two files in
bundles/org.layerwise.backend.transformer.tests/data/:
  torch-ln.safetensors    normalization_type LN (TransformerLens's LayerNorm, eps 1e-5, before attention, MLP
                          and unembedding)
  torch-noln.safetensors  normalization_type null
Weights are TransformerLens's gpt2 init (W_* ~ N(0, (0.8 / sqrt(8))^2)) except that every bias is drawn
N(0, 0.5^2) and every LN weight 1 + N(0, 0.2^2), so no bias term can be dropped unnoticed. Seeded: rerunning the
script rewrites the same bytes.

Tensors (all F64 unless noted), each file:
  <TL name>         the weights under HookedTransformer's state_dict() names (docs/file-formats.md): embed.W_E [6, 8],
                    pos_embed.W_pos [3, 8], blocks.{l}.attn.W_Q/W_K/W_V [2, 8, 4], b_Q/b_K/b_V [2, 4],
                    W_O [2, 4, 8], b_O [8], blocks.{l}.mlp.W_in [8, 16], b_in [16], W_out [16, 8], b_out [8],
                    unembed.W_U [8, 5], b_U [5]; with LN also blocks.{l}.ln1.w/.b, blocks.{l}.ln2.w/.b,
                    ln_final.w/.b [8]; l = 0, 1
  grad.<TL name>    d loss / d weight, same shape
  tokens            I64 [12, 3], rows [a, b, 5] (5 is "=")
  labels            I64 [12], (a + b) mod 5
  logits            [12, 5], the answer logits (position 2)
  loss              [] (a scalar), the mean over the 12 rows of -log_softmax(logits)[label]
__metadata__ holds the config as strings: the TransformerLens cfg names d_vocab, d_vocab_out, n_ctx, d_model,
n_heads, d_head, d_mlp, n_layers, act_fn, normalization_type ("LN" or "None"), eps, attn_scale, plus seed.

Before writing, the script checks that the answer-pruned forward and an independent per-head evaluation give the
same logits, loss and gradients to 1e-12.

Usage: /usr/bin/python3 releng/bench/torch_grokking_fixture.py [output directory]"""
import json
import math
import os
import struct
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_grokking_reference import forward, init_weights, loss_and_accuracy, weight_shapes  # noqa: E402

P, D_MODEL, HEADS, D_HEAD, D_MLP, LAYERS, ROWS, SEED = 5, 8, 2, 4, 16, 2, 12, 16
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DATA = os.path.join(ROOT, "bundles", "org.layerwise.backend.transformer.tests", "data")


def model(ln):
    g = torch.Generator().manual_seed(SEED)
    params = init_weights(weight_shapes(P, D_MODEL, HEADS, D_HEAD, D_MLP, LAYERS, ln), D_MODEL, torch.float64, g)
    with torch.no_grad():
        for name, t in params.items():
            leaf = name.rsplit(".", 1)[1]
            if leaf == "w":
                t += 0.2 * torch.randn(t.shape, generator=g, dtype=torch.float64)
            elif not leaf.startswith("W_"):
                t.copy_(0.5 * torch.randn(t.shape, generator=g, dtype=torch.float64))
    pairs = torch.randperm(P * P, generator=g)[:ROWS]
    a, b = pairs // P, pairs % P
    return params, torch.stack([a, b, torch.full_like(a, P)], 1), (a + b) % P


def per_head(params, tokens, ln):
    """The same model evaluated head by head with explicit loops over queries: an independent check."""
    def norm(x, w, b):
        c = x - x.mean(-1, keepdim=True)
        return c / torch.sqrt((c * c).mean(-1, keepdim=True) + 1e-5) * w + b

    x = params["embed.W_E"][tokens] + params["pos_embed.W_pos"]
    T = tokens.shape[1]
    for l in range(LAYERS):
        at = f"blocks.{l}.attn."
        h = norm(x, params[f"blocks.{l}.ln1.w"], params[f"blocks.{l}.ln1.b"]) if ln else x
        out = params[at + "b_O"].expand_as(x).clone()
        for i in range(HEADS):
            q, k, v = (torch.einsum("btd,de->bte", h, params[at + "W_" + m][i]) + params[at + "b_" + m][i] for m in "QKV")
            rows = []
            for t in range(T):
                s = torch.einsum("be,bse->bs", q[:, t], k[:, :t + 1]) / math.sqrt(D_HEAD)
                w = torch.exp(s - s.max(-1, keepdim=True).values)
                rows.append(torch.einsum("bs,bse->be", w / w.sum(-1, keepdim=True), v[:, :t + 1]))
            out = out + torch.stack(rows, 1) @ params[at + "W_O"][i]
        x = x + out
        h = norm(x, params[f"blocks.{l}.ln2.w"], params[f"blocks.{l}.ln2.b"]) if ln else x
        mlp = f"blocks.{l}.mlp."
        x = x + torch.clamp(h @ params[mlp + "W_in"] + params[mlp + "b_in"], min=0) @ params[mlp + "W_out"] + params[mlp + "b_out"]
    if ln:
        x = norm(x, params["ln_final.w"], params["ln_final.b"])
    return x[:, 2] @ params["unembed.W_U"] + params["unembed.b_U"]


def evaluate(params, logits_of, labels):
    logits = logits_of()
    loss, _ = loss_and_accuracy(logits, labels)
    grads = torch.autograd.grad(loss, list(params.values()))
    return logits.detach(), loss.detach(), dict(zip(params, grads))


def check_agree(reference, other, what):
    (l0, s0, g0), (l1, s1, g1) = reference, other
    worst = max([(l0 - l1).abs().max().item(), (s0 - s1).abs().item()] + [(g0[n] - g1[n]).abs().max().item() for n in g0])
    if worst > 1e-12:
        sys.exit(f"{what} differs from the natural forward by {worst:.3g}")


def write_safetensors(path, tensors, metadata):
    """safetensors by hand: 8-byte little-endian header length, JSON header, raw little-endian data."""
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        arr = t.detach().numpy()
        arr = arr.astype("<i8" if arr.dtype.kind in "iu" else "<f8")
        blob = arr.tobytes(order="C")
        header[name] = {"dtype": "I64" if arr.dtype.kind == "i" else "F64", "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else DATA
    os.makedirs(out, exist_ok=True)
    for ln, file in ((True, "torch-ln.safetensors"), (False, "torch-noln.safetensors")):
        params, tokens, labels = model(ln)
        natural = evaluate(params, lambda: forward(params, tokens, LAYERS, HEADS, ln, False), labels)
        check_agree(natural, evaluate(params, lambda: forward(params, tokens, LAYERS, HEADS, ln, True), labels), "the pruned forward")
        check_agree(natural, evaluate(params, lambda: per_head(params, tokens, ln), labels), "the per-head evaluation")
        logits, loss, grads = natural
        tensors = {n: t for n, t in params.items()}
        tensors.update({"grad." + n: g for n, g in grads.items()})
        tensors.update({"tokens": tokens, "labels": labels, "logits": logits, "loss": loss})
        cfg = {"d_vocab": P + 1, "d_vocab_out": P, "n_ctx": 3, "d_model": D_MODEL, "n_heads": HEADS, "d_head": D_HEAD,
               "d_mlp": D_MLP, "n_layers": LAYERS, "act_fn": "relu", "normalization_type": "LN" if ln else None,
               "eps": 1e-5, "attn_scale": math.sqrt(D_HEAD), "seed": SEED}
        write_safetensors(os.path.join(out, file), tensors, {k: str(v) for k, v in cfg.items()})
        print(f"{file}: loss {loss.item():.17g}, {len(params)} weights, accuracy "
              f"{loss_and_accuracy(logits, labels)[1].item():.3f}")


if __name__ == "__main__":
    main()
