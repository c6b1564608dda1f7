"""PyTorch reference for the Layerwise training benchmark: the same attention-only model
(merged QK/OV, keys = context, random conjugation per step, layer and head), the same task
(linear, fresh class vectors per prompt), Adam, cross-entropy on the query's label block.
Prints one JSON line with steps per second, measured after warm-up steps."""
import json
import sys
import time

import torch


def main():
    d, C, N, L, batch, steps, threads = (int(a) for a in sys.argv[1:8])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    D = d + C
    qk = [(0.02 * torch.randn(D, D)).requires_grad_() for _ in range(L)]
    ov = [(0.02 * torch.randn(D, D)).requires_grad_() for _ in range(L)]
    opt = torch.optim.Adam(qk + ov, lr=0.01)
    mask = torch.zeros(N + 1)
    mask[N] = -1e9

    def prompts():
        w = torch.randn(batch, C, d)
        x = torch.randn(batch, N + 1, d)
        labels = torch.einsum("bcd,btd->btc", w, x).argmax(-1)
        y = torch.nn.functional.one_hot(labels, C).float()
        y[:, N] = 0
        return torch.cat([x, y], -1), labels[:, N]

    def step():
        z, target = prompts()
        h = z
        for l in range(L):
            p = torch.cat([torch.randperm(d), d + torch.randperm(C)])
            q = qk[l][p][:, p]
            v = ov[l][p][:, p]
            s = (h @ q) @ h.transpose(1, 2) + mask
            h = h + torch.softmax(s, -1) @ (h @ v)
        loss = torch.nn.functional.cross_entropy(h[:, N, d:], target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(5):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        loss = step()
    elapsed = time.perf_counter() - start
    print(json.dumps({"steps_per_second": steps / elapsed, "prompts_per_second": steps * batch / elapsed,
                      "loss": loss, "torch": torch.__version__, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
