"""PyTorch reference for releng/bench/linear: the linear-attention model of docs/mathematics.md section 9 as
the backend "linear-attention" trains it with parameterization = full, gradient = sampled. Per
layer f(Z) = Z + Z QK (Z'Z / N) OV (QK = W_Q', OV = W_P', both D x D, D = 2d, computed for every
token as the backend does), loss = batch mean of 1/2 ||y_hat - y||^2 on the query's y block, plain
SGD with step eta (torch.optim.SGD, no momentum), balanced init (QK's x-x block and OV's y-y block
init_scale * I). Prompts as the task "linear-regression" draws them with basis = identity: x ~
N(0, diag(s)), s_a = s1 r^a, task k uniform from a pool of P diagonal W_k = diag(N(0, 1)) drawn
once, y = W_k x, the query's y zeroed; a fresh batch every step, drawn inside the timed loop (the
backend's timed steps include its prompt batches too).
Prints one JSON line with steps and prompts per second, measured after warm-up steps.

rows = all computes every token's output in every layer, the model as written; rows = query
computes only the query row in the last layer (y_hat = h_q + h_q QK S OV, with S still over all
tokens), the shortcut the backend's engine takes: the fair opponent for the engine's algorithm.

Usage: torch_linear_reference.py d N L batch steps threads dtype [eta] [warmup] [rows]"""
import json
import sys
import time

import torch


def main():
    d, N, L, batch, steps, threads = (int(a) for a in sys.argv[1:7])
    dtype = {"float64": torch.float64, "float32": torch.float32}[sys.argv[7]]
    eta = float(sys.argv[8]) if len(sys.argv) > 8 else 0.01
    warmup = int(sys.argv[9]) if len(sys.argv) > 9 else 20
    query_only = (sys.argv[10] if len(sys.argv) > 10 else "all") == "query"
    P, s1, r, init_scale = 64, 1.0, 0.5, 0.01
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    D = 2 * d
    T = N + 1
    qk, ov = [], []
    for _ in range(L):
        q = torch.zeros(D, D, dtype=dtype)
        q[:d, :d] = init_scale * torch.eye(d, dtype=dtype)
        o = torch.zeros(D, D, dtype=dtype)
        o[d:, d:] = init_scale * torch.eye(d, dtype=dtype)
        qk.append(q.requires_grad_())
        ov.append(o.requires_grad_())
    opt = torch.optim.SGD(qk + ov, lr=eta)
    sd = torch.tensor([s1 * r ** a for a in range(d)], dtype=dtype).sqrt()
    pool = torch.randn(P, d, dtype=dtype)

    def prompts():
        x = torch.randn(batch, T, d, dtype=dtype) * sd
        w = pool[torch.randint(P, (batch,))]
        y = x * w[:, None, :]
        target = y[:, N].clone()
        y[:, N] = 0
        return torch.cat([x, y], -1), target

    def step():
        z, target = prompts()
        h = z
        for l in range(L - 1 if query_only else L):
            s = h.transpose(1, 2) @ h / N          # [batch, D, D]
            m = qk[l] @ s @ ov[l]                  # [batch, D, D]
            h = h + h @ m
        if query_only:
            hq = h[:, N:, :]                       # [batch, 1, D]
            a = hq @ qk[L - 1]                     # [batch, 1, D]
            b = (a @ h.transpose(1, 2)) @ h / N    # [batch, 1, D] = a S
            out = (hq + b @ ov[L - 1])[:, 0]
        else:
            out = h[:, N]
        e = out[:, d:] - target
        loss = 0.5 * (e * e).sum(-1).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        loss = step()
    elapsed = time.perf_counter() - start
    print(json.dumps({"steps_per_second": steps / elapsed, "prompts_per_second": steps * batch / elapsed,
                      "loss": loss, "torch": torch.__version__, "threads": torch.get_num_threads(),
                      "dtype": sys.argv[7], "rows": "query" if query_only else "all"}))


if __name__ == "__main__":
    main()
