"""PyTorch reference of the backend "transformer" (docs/design/grokking.md section 3): the grokking model
with TransformerLens semantics and weight names, written in plain PyTorch (TransformerLens itself is not
installable here). Token and position embeddings, L blocks of H causal attention heads (scores / sqrt(d_head))
and a ReLU MLP, optional LayerNorm (TransformerLens's LN, eps 1e-5), unembedding. Init as TransformerLens's
gpt2 init: every W_* ~ N(0, (0.8 / sqrt(d_model))^2), biases 0, LN weights 1. The task is modular addition:
tokens [a, b, p] ("=" is token p), the label (a + b) mod p read at position 2; d_vocab = p + 1, d_vocab_out =
p; the split is a permutation of the p^2 pairs (pair a p + b) seeded by --seed, its first int(f p^2) train;
the init is seeded by 1000 + --seed.
Full-batch AdamW (torch.optim.AdamW, decay on every parameter) with LambdaLR warm-up lr min(t / 10, 1);
cross-entropy with the log-softmax in float64 in both dtypes.

Modes:
  train  trains --steps steps. Train loss and accuracy come from each step's own full-batch forward (the
         weights after t updates); every --eval-every steps, and after the last, one evaluation row: step,
         train_loss, train_accuracy, test_loss, test_accuracy (CSV to --csv, or stdout with --print-evals).
         Ends with one JSON line: memorisation_step (first step with train accuracy >= --level),
         generalisation_step (first evaluated step with test accuracy >= --level; null if none),
         max_test_accuracy, seconds (also to --summary). --stop-at-generalisation ends the run at that
         evaluation.
  bench  times --steps training steps after --warmup-steps and prints one JSON line with steps per second.

--pruned computes the last block at the answer row only (its queries, attention output and MLP; keys and
values still at rows <= answer) and unembeds that row only: the shortcut of the Java engine. Without it
every position is computed and unembedded, as TransformerLens and PyTorch users compute the model.
Evaluation forwards are pruned in both modes (same values to rounding; it is not what is timed).

Threads: run with OMP_WAIT_POLICY=PASSIVE (see releng/bench/linear) and, for OpenBLAS,
LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread OPENBLAS_NUM_THREADS=1; --threads sets
torch.set_num_threads.

Usage: /usr/bin/python3 torch_grokking_reference.py {train,bench} [--p 113] [--d-model 128] [--heads 4]
       [--d-head 32] [--d-mlp 512] [--layers 1] [--ln] [--frac 0.3] [--seed 0] [--lr 1e-3] [--wd 1.0]
       [--steps 25000] [--eval-every 10] [--dtype float32] [--threads 1] [--pruned] [--csv FILE] ..."""
import argparse
import json
import math
import os
import sys
import time

import torch

LN_EPS = 1e-5


def weight_shapes(p, d_model, heads, d_head, d_mlp, layers, ln, n_ctx=3):
    """TL name -> shape, in the order HookedTransformer's state_dict() lists them (buffers left out)."""
    d_vocab, d_vocab_out = p + 1, p
    shapes = {"embed.W_E": (d_vocab, d_model), "pos_embed.W_pos": (n_ctx, d_model)}
    for l in range(layers):
        b = f"blocks.{l}."
        if ln:
            for n in ("ln1.w", "ln1.b", "ln2.w", "ln2.b"):
                shapes[b + n] = (d_model,)
        for m in "QKV":
            shapes[b + "attn.W_" + m] = (heads, d_model, d_head)
        shapes[b + "attn.W_O"] = (heads, d_head, d_model)
        for m in "QKV":
            shapes[b + "attn.b_" + m] = (heads, d_head)
        shapes[b + "attn.b_O"] = (d_model,)
        shapes[b + "mlp.W_in"] = (d_model, d_mlp)
        shapes[b + "mlp.b_in"] = (d_mlp,)
        shapes[b + "mlp.W_out"] = (d_mlp, d_model)
        shapes[b + "mlp.b_out"] = (d_model,)
    if ln:
        shapes["ln_final.w"] = (d_model,)
        shapes["ln_final.b"] = (d_model,)
    shapes["unembed.W_U"] = (d_model, d_vocab_out)
    shapes["unembed.b_U"] = (d_vocab_out,)
    return shapes


def init_weights(shapes, d_model, dtype, generator):
    """TransformerLens's gpt2 init (initializer_range 0.8 / sqrt(d_model)); LN weights 1, biases 0."""
    std = 0.8 / math.sqrt(d_model)
    params = {}
    for name, shape in shapes.items():
        leaf = name.rsplit(".", 1)[1]
        if leaf.startswith("W_"):
            t = torch.randn(shape, generator=generator, dtype=torch.float64) * std
        elif leaf == "w":
            t = torch.ones(shape, dtype=torch.float64)
        else:
            t = torch.zeros(shape, dtype=torch.float64)
        params[name] = t.to(dtype).requires_grad_()
    return params


def layer_norm(x, w, b):
    x = x - x.mean(-1, keepdim=True)
    scale = (x.pow(2).mean(-1, keepdim=True) + LN_EPS).sqrt()
    return x / scale * w + b


def forward(params, tokens, layers, heads, ln, pruned, answer=2):
    """Answer logits [B, d_vocab_out]; with pruned = False every position flows through every block and
    the unembedding, and the answer row is read at the end."""
    W_E = params["embed.W_E"]
    d_model = W_E.shape[1]
    T = tokens.shape[1]
    x = W_E[tokens] + params["pos_embed.W_pos"][:T]                      # [B, T, d]
    B = x.shape[0]
    for l in range(layers):
        b = f"blocks.{l}."
        at = b + "attn."
        d_head = params[at + "W_Q"].shape[2]
        only_answer = pruned and l == layers - 1
        h = layer_norm(x, params[b + "ln1.w"], params[b + "ln1.b"]) if ln else x
        if only_answer:
            h = h[:, :answer + 1]
        # one product for Q, K and V: [d, 3 H dh]; head h's columns are W_*[h]
        w_qkv = torch.cat([params[at + "W_" + m].permute(1, 0, 2).reshape(d_model, heads * d_head) for m in "QKV"], 1)
        b_qkv = torch.cat([params[at + "b_" + m].reshape(-1) for m in "QKV"])
        Tk = h.shape[1]
        qkv = (h.reshape(B * Tk, d_model) @ w_qkv + b_qkv).reshape(B, Tk, 3, heads, d_head)
        q, k, v = (qkv[:, :, i].transpose(1, 2) for i in range(3))              # [B, H, Tk, dh]
        if only_answer:
            q = q[:, :, answer:answer + 1]
        scores = q @ k.transpose(-1, -2) / math.sqrt(d_head)                     # [B, H, Tq, Tk]
        Tq = scores.shape[2]
        if Tq > 1:
            causal = torch.ones(Tq, Tk, dtype=torch.bool).tril()
            scores = scores.masked_fill(~causal, float("-inf"))
        z = scores.softmax(-1) @ v                                               # [B, H, Tq, dh]
        attn_out = z.transpose(1, 2).reshape(B * Tq, heads * d_head) @ params[at + "W_O"].reshape(heads * d_head, d_model)
        attn_out = attn_out.reshape(B, Tq, d_model) + params[at + "b_O"]
        x = (x[:, answer:answer + 1] if only_answer else x) + attn_out
        h = layer_norm(x, params[b + "ln2.w"], params[b + "ln2.b"]) if ln else x
        x = x + torch.relu(h @ params[b + "mlp.W_in"] + params[b + "mlp.b_in"]) @ params[b + "mlp.W_out"] + params[b + "mlp.b_out"]
    if ln:
        x = layer_norm(x, params["ln_final.w"], params["ln_final.b"])
    if not pruned:
        logits = x @ params["unembed.W_U"] + params["unembed.b_U"]              # [B, T, V] as TL computes it
        return logits[:, answer]
    return x[:, -1] @ params["unembed.W_U"] + params["unembed.b_U"]


def loss_and_accuracy(logits, labels):
    logp = logits.to(torch.float64).log_softmax(-1)
    loss = -logp.gather(1, labels[:, None]).mean()
    accuracy = (logits.argmax(-1) == labels).to(torch.float64).mean()
    return loss, accuracy


def modular_addition(p, frac, seed):
    """Tokens [p^2, 3] (pair i = a p + b), labels, train and test indices."""
    a = torch.arange(p).repeat_interleave(p)
    b = torch.arange(p).repeat(p)
    tokens = torch.stack([a, b, torch.full_like(a, p)], 1)
    labels = (a + b) % p
    perm = torch.randperm(p * p, generator=torch.Generator().manual_seed(seed))
    cut = int(frac * p * p)
    return tokens, labels, perm[:cut], perm[cut:]


def build(args):
    dtype = {"float32": torch.float32, "float64": torch.float64}[args.dtype]
    shapes = weight_shapes(args.p, args.d_model, args.heads, args.d_head, args.d_mlp, args.layers, args.ln)
    params = init_weights(shapes, args.d_model, dtype, torch.Generator().manual_seed(1000 + args.seed))
    opt = torch.optim.AdamW(list(params.values()), lr=args.lr, betas=(args.beta1, args.beta2), eps=args.eps,
                            weight_decay=args.wd)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda t: min(t / args.warmup, 1.0) if args.warmup > 0 else 1.0)
    tokens, labels, train, test = modular_addition(args.p, args.frac, args.seed)
    return params, opt, sched, (tokens[train], labels[train]), (tokens[test], labels[test])


def train(args):
    params, opt, sched, (x_tr, y_tr), (x_te, y_te) = build(args)
    fwd = lambda x, pruned: forward(params, x, args.layers, args.heads, args.ln, pruned)
    # the CSV grows as FILE.part and takes its name when the run ends
    out = open(args.csv + ".part", "w") if args.csv else (sys.stdout if args.print_evals else None)
    if out:
        out.write("step,train_loss,train_accuracy,test_loss,test_accuracy\n")
    memorised = generalised = None
    max_test = 0.0
    start = time.perf_counter()
    for t in range(args.steps + 1):
        if t < args.steps:
            loss, acc = loss_and_accuracy(fwd(x_tr, args.pruned), y_tr)
        else:
            with torch.no_grad():
                loss, acc = loss_and_accuracy(fwd(x_tr, True), y_tr)
        loss_v, acc_v = loss.item(), acc.item()
        if memorised is None and acc_v >= args.level:
            memorised = t
        if t % args.eval_every == 0 or t == args.steps:
            with torch.no_grad():
                test_loss, test_acc = (v.item() for v in loss_and_accuracy(fwd(x_te, True), y_te))
            max_test = max(max_test, test_acc)
            if out:
                out.write(f"{t},{loss_v!r},{acc_v!r},{test_loss!r},{test_acc!r}\n")
                out.flush()
            if generalised is None and test_acc >= args.level:
                generalised = t
                if args.stop_at_generalisation:
                    break
        if t < args.steps:
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
    seconds = time.perf_counter() - start
    if out and out is not sys.stdout:
        out.close()
        os.replace(args.csv + ".part", args.csv)
    summary = json.dumps({"memorisation_step": memorised, "generalisation_step": generalised, "last_step": t,
                          "max_test_accuracy": max_test, "final_train_accuracy": acc_v,
                          "final_test_accuracy": test_acc, "seconds": round(seconds, 2), **shape_of(args)})
    if args.summary:
        with open(args.summary + ".tmp", "w") as f:
            f.write(summary + "\n")
        os.replace(args.summary + ".tmp", args.summary)
    print(summary)


def bench(args):
    params, opt, sched, (x_tr, y_tr), _ = build(args)

    def step():
        loss, _ = loss_and_accuracy(forward(params, x_tr, args.layers, args.heads, args.ln, args.pruned), y_tr)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        return loss.item()

    for _ in range(args.warmup_steps):
        step()
    start = time.perf_counter()
    for _ in range(args.steps):
        loss = step()
    elapsed = time.perf_counter() - start
    print(json.dumps({"steps_per_second": args.steps / elapsed, "seconds": round(elapsed, 2), "loss": loss,
                      "torch": torch.__version__, **shape_of(args)}))


def shape_of(args):
    return {"p": args.p, "d_model": args.d_model, "heads": args.heads, "d_head": args.d_head, "d_mlp": args.d_mlp,
            "layers": args.layers, "ln": args.ln, "frac": args.frac, "train_examples": int(args.frac * args.p ** 2),
            "seed": args.seed, "lr": args.lr, "wd": args.wd, "steps": args.steps, "dtype": args.dtype,
            "threads": torch.get_num_threads(), "pruned": args.pruned}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["train", "bench"])
    ap.add_argument("--p", type=int, default=113)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--d-head", type=int, default=32)
    ap.add_argument("--d-mlp", type=int, default=512)
    ap.add_argument("--layers", type=int, default=1)
    ap.add_argument("--ln", action="store_true", help="LayerNorm before attention, MLP and unembedding")
    ap.add_argument("--frac", type=float, default=0.3, help="training fraction of the p^2 pairs")
    ap.add_argument("--seed", type=int, default=0, help="split seed; the init seed is 1000 + seed")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--wd", type=float, default=1.0)
    ap.add_argument("--beta1", type=float, default=0.9)
    ap.add_argument("--beta2", type=float, default=0.98)
    ap.add_argument("--eps", type=float, default=1e-8)
    ap.add_argument("--warmup", type=int, default=10, help="LambdaLR warm-up steps")
    ap.add_argument("--steps", type=int, default=25000)
    ap.add_argument("--eval-every", type=int, default=10)
    ap.add_argument("--level", type=float, default=0.99, help="accuracy that counts as memorised / generalised")
    ap.add_argument("--stop-at-generalisation", action="store_true")
    ap.add_argument("--warmup-steps", type=int, default=20, help="bench: untimed steps first")
    ap.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--pruned", action="store_true", help="last block at the answer row only")
    ap.add_argument("--csv", help="train: evaluation rows to this file")
    ap.add_argument("--print-evals", action="store_true", help="train: evaluation rows to stdout")
    ap.add_argument("--summary", help="train: the final JSON line also to this file")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    (train if args.mode == "train" else bench)(args)


if __name__ == "__main__":
    main()
