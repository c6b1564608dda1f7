"""The quick-shape search of docs/design/grokking.md section 6 on torch_grokking_reference.py: for each
training fraction and seed, one run with weight decay (claim 1: memorisation, then generalisation at least
5 x later, within the budget) and the same run with weight_decay 0 (claim 2: it memorises, and test accuracy
stays below the level at every evaluated step within the budget). Every run writes its evaluation CSV and
its JSON summary under --out, so an interrupted search resumes where it stopped and `table` can judge the
claims again at any budget up to the steps run.

Runs with weight decay stop at generalisation (--runs decay runs only those, to probe a point first); runs without run the whole budget unless they generalise
(then claim 2 has failed). Each process gets one thread, --jobs processes at a time (2 cores here).

Usage:
  /usr/bin/python3 torch_grokking_search.py run --out DIR --p 59 --d-model 64 --d-head 16 --d-mlp 256 \\
      --fracs 0.3 0.4 0.5 [--seeds 0 1 2] [--steps 10000] [--lr 1e-3] [--jobs 2] [--runs both]
  /usr/bin/python3 torch_grokking_search.py table --out DIR [--budget 6000] [--markdown]"""
import argparse
import csv
import glob
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
RATIO = 5
LEVEL = 0.99


def run_name(a, frac, seed, wd):
    return f"p{a.p}-d{a.d_model}-h{a.heads}x{a.d_head}-mlp{a.d_mlp}-f{frac}-lr{a.lr:g}-wd{wd:g}-s{a.steps}-seed{seed}"


def run(a):
    os.makedirs(a.out, exist_ok=True)
    env = dict(os.environ, OMP_WAIT_POLICY="PASSIVE", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
               LD_LIBRARY_PATH="/usr/lib/x86_64-linux-gnu/openblas-pthread")
    decays = {"both": (a.wd, 0.0), "decay": (a.wd,), "no-decay": (0.0,)}[a.runs]
    queue = [(f, s, wd) for wd in decays for f in a.fracs for s in a.seeds]
    live = []
    while queue or live:
        while queue and len(live) < a.jobs:
            frac, seed, wd = queue.pop(0)
            name = run_name(a, frac, seed, wd)
            result = os.path.join(a.out, name + ".json")
            if os.path.exists(result) or os.path.exists(os.path.join(a.out, name + ".csv.part")):
                continue   # done, or running (a FILE.csv.part left by a crash must be deleted by hand)
            cmd = [sys.executable, os.path.join(HERE, "torch_grokking_reference.py"), "train", "--p", str(a.p),
                   "--d-model", str(a.d_model), "--heads", str(a.heads), "--d-head", str(a.d_head), "--d-mlp",
                   str(a.d_mlp), "--frac", str(frac), "--seed", str(seed), "--lr", str(a.lr), "--wd", str(wd),
                   "--steps", str(a.steps), "--eval-every", str(a.eval_every), "--threads", "1", "--pruned",
                   "--stop-at-generalisation", "--csv", os.path.join(a.out, name + ".csv"), "--summary", result]
            live.append((subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL), result, name))
        time.sleep(1)
        for job in [j for j in live if j[0].poll() is not None]:
            live.remove(job)
            proc, result, name = job
            if proc.returncode != 0:
                sys.exit(f"{name} failed with exit code {proc.returncode}")
            with open(result) as f:
                print(name, f.read().strip(), flush=True)


def gflop_per_step(p, d, heads, d_head, d_mlp, train, pruned=True, T=3):
    """6 x forward MACs x training examples (forward 2, backward 4), as docs/design/grokking.md section 3 counts."""
    hd = heads * d_head
    if pruned:
        macs = 2 * T * d * hd + 2 * d * hd + 2 * d * d_mlp + d * p + 2 * heads * T * d_head
    else:
        macs = T * (3 * d * hd + hd * d + 2 * d * d_mlp + d * p) + 2 * heads * T * T * d_head
    return 6 * macs * train / 1e9


def judge(summary, rows, budget):
    """(memorisation step, generalisation step, max test accuracy) within the budget."""
    mem = summary["memorisation_step"]
    mem = mem if mem is not None and mem <= budget else None
    within = [r for r in rows if r["step"] <= budget]
    gen = next((r["step"] for r in within if r["test_accuracy"] >= LEVEL), None)
    return mem, gen, max(r["test_accuracy"] for r in within)


def table(a):
    """One row per seed; a point is judged at --budget, else at the fewest steps any of its runs was given."""
    points = {}
    for path in sorted(glob.glob(os.path.join(a.out, "*.json"))):
        s = json.load(open(path))
        with open(path[:-5] + ".csv") as f:
            rows = [{k: int(v) if k == "step" else float(v) for k, v in r.items()} for r in csv.DictReader(f)]
        key = (s["p"], s["d_model"], s["heads"], s["d_head"], s["d_mlp"], s["frac"], s["lr"])
        points.setdefault(key, []).append((s, rows))
    for key, runs in list(points.items()):
        budget = min([s["steps"] for s, _ in runs] + ([a.budget] if a.budget else []))
        by_seed = {}
        for s, rows in runs:
            by_seed.setdefault(s["seed"], {})[s["wd"] > 0] = (s, judge(s, rows, budget))
        points[key] = (budget, by_seed)
    bar = "|" if a.markdown else ""
    head = ["p", "d_model", "H x d_head", "d_mlp", "f", "GFLOP/step", "lr", "budget", "seed", "mem (wd)", "gen (wd)",
            "gen/mem", "s (wd)", "claim 1", "mem (wd 0)", "max test acc (wd 0)", "s (wd 0)", "claim 2"]
    print(bar + bar.join(f" {h} " for h in head) + bar)
    if a.markdown:
        print("|" + "|".join("---" for _ in head) + "|")
    for key in sorted(points):
        p, d, h, dh, mlp, frac, lr = key
        budget, by_seed = points[key]
        verdicts = []
        for seed in sorted(by_seed):
            by = by_seed[seed]
            gflop = gflop_per_step(p, d, h, dh, mlp, int(frac * p * p))
            cells = [p, d, f"{h} x {dh}", mlp, frac, f"{gflop:.2f}", f"{lr:g}", budget, seed]
            c1 = c2 = None
            if True in by:
                s, (mem, gen, _) = by[True]
                c1 = mem is not None and gen is not None and gen >= RATIO * max(mem, 1)
                ratio = f"{gen / max(mem, 1):.1f}" if mem is not None and gen is not None else "-"
                cells += [mem, gen, ratio, f"{s['seconds']:.0f}", "held" if c1 else "failed"]
            else:
                cells += ["not run"] * 5
            if False in by:
                s, (mem, gen, top) = by[False]
                c2 = mem is not None and gen is None
                cells += [mem, f"{top:.3f}", f"{s['seconds']:.0f}", "held" if c2 else "failed"]
            else:
                cells += ["not run"] * 4
            verdicts.append(bool(c1) and bool(c2))
            print(bar + bar.join(f" {'none' if c is None else c} " for c in cells) + bar)
        if not a.markdown:
            print(f"  -> {'every seed holds both claims' if all(verdicts) and len(verdicts) >= 3 else 'not a quick shape'}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("mode", choices=["run", "table"])
    ap.add_argument("--out", required=True)
    ap.add_argument("--p", type=int, default=59)
    ap.add_argument("--d-model", type=int, default=64)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--d-head", type=int, default=16)
    ap.add_argument("--d-mlp", type=int, default=256)
    ap.add_argument("--fracs", type=float, nargs="+", default=[0.3, 0.4, 0.5])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--steps", type=int, default=10000)
    ap.add_argument("--eval-every", type=int, default=10)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--wd", type=float, default=1.0)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--runs", choices=["both", "decay", "no-decay"], default="both",
                    help="run: with weight decay, without, or both (decay runs first)")
    ap.add_argument("--budget", type=int, help="table: judge the claims within this many steps")
    ap.add_argument("--markdown", action="store_true")
    a = ap.parse_args()
    (run if a.mode == "run" else table)(a)


if __name__ == "__main__":
    main()
