"""Crash-safety check of Layerwise runs: SIGKILL at many points, then parse, judge and resume.

Run through releng/crash/run (it installs numpy if missing and builds the product).
"""
import csv
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter

import numpy as np

ROOT, KILLS, SEED = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
LAYERWISE = os.path.join(ROOT, "layerwise")
PIPELINE = os.path.join(ROOT, "releng", "crash", "crash.layerwise")
ARGS = ["--seed", "7", "--eval-prompts", "512"]
# Files whose write a targeted kill waits for: the kill comes the moment the temporary file appears.
TARGETS = ["checkpoint.npz", "training.npz", "config.json", "model.safetensors", "eval.npz", "run.json",
           "abstraction.csv", "coupled-mean-shift.npz", "layer-dynamics.csv", "baselines.npz", "metrics.json"]
COMPARED = ["model.safetensors", "training.npz", "metrics.json"]


def start(out):
    return subprocess.Popen([LAYERWISE, "run", PIPELINE, "--out", out] + ARGS,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_dir(out):
    dirs = [d for d in os.listdir(out) if os.path.isdir(os.path.join(out, d))] if os.path.isdir(out) else []
    return os.path.join(out, dirs[0]) if dirs else None


def check_file(path):
    """Raises if the file does not parse completely."""
    name = os.path.basename(path)
    if name.endswith(".json"):
        with open(path) as f:
            json.load(f)
    elif name.endswith(".npz"):
        with np.load(path) as z:  # zipfile checks each member's CRC-32 as it is read
            for k in z.files:
                z[k]
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
            if bad:
                raise ValueError("bad CRC in " + bad)
    elif name.endswith(".safetensors"):
        with open(path, "rb") as f:
            data = f.read()
        n = struct.unpack("<Q", data[:8])[0]
        header = json.loads(data[8:8 + n])
        end = max(v["data_offsets"][1] for k, v in header.items() if k != "__metadata__")
        if 8 + n + end != len(data):
            raise ValueError("safetensors size %d, header says %d" % (len(data), 8 + n + end))
    elif name.endswith(".csv"):
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        if not rows or any(len(r) != len(rows[0]) for r in rows):
            raise ValueError("ragged csv")


def list_runs_status(out, run):
    r = subprocess.run([LAYERWISE, "list-runs", out], capture_output=True, text=True)
    for line in r.stdout.splitlines():
        if line.rstrip().endswith(os.path.basename(run)):
            return line.split()[0]
    return None


def stage_of(run):
    try:
        with open(os.path.join(run, "run.json")) as f:
            j = json.load(f)
        return j.get("stage", j.get("status"))
    except (OSError, ValueError):
        return "before run.json"


def main():
    rng = random.Random(SEED)
    work = tempfile.mkdtemp(prefix="layerwise-crash-")
    print("[crash] reference run (uninterrupted) in", work, flush=True)
    t0 = time.time()
    ref_out = os.path.join(work, "reference")
    if start(ref_out).wait() != 0:
        sys.exit("the reference run failed")
    wall = time.time() - t0
    ref = run_dir(ref_out)
    print("[crash] reference: %.1f s; killing %d runs (seed %d)" % (wall, KILLS, SEED), flush=True)

    where, failures, passed = Counter(), [], 0
    partials = 0
    for i in range(KILLS):
        out = os.path.join(work, "kill-%02d" % i)
        targeted = TARGETS[i % len(TARGETS)] if i % 5 < 2 else None
        p = start(out)
        if targeted:
            deadline = time.time() + 3 * wall
            hit = False
            while time.time() < deadline and p.poll() is None and not hit:
                run = run_dir(out)
                if run:
                    try:
                        hit = any(n.startswith("." + targeted + ".") and n.endswith(".partial") for n in os.listdir(run))
                    except FileNotFoundError:
                        pass
                time.sleep(0.0005)
            label = ("writing " + targeted) if hit else "targeted %s, missed" % targeted
        else:
            time.sleep(rng.uniform(0.3, 0.95 * wall))
            label = None
        run = run_dir(out)
        if p.poll() is None:
            os.kill(p.pid, signal.SIGKILL)
        p.wait()
        run = run or run_dir(out)
        if run is None:
            where["before the run directory"] += 1
            passed += 1
            continue
        label = label or stage_of(run)
        if not os.path.exists(os.path.join(run, "run.json")):
            # killed within the run's first write: only its lock and an unfinished run.json may be there
            names = os.listdir(run)
            ok = all(n == ".run.lock" or (n.startswith(".run.json.") and n.endswith(".partial")) for n in names)
            where["before run.json was first written"] += 1
            print("[crash] %2d killed at %-32s no run.json  %s" % (i + 1, label, "ok (nothing computed, nothing to resume)"
                  if ok else "FAILED: files without run.json: %s" % names), flush=True)
            if ok:
                passed += 1
            else:
                failures.append((i + 1, label, ["files without run.json: %s" % names]))
            continue
        where[label] += 1
        problems = []
        for n in sorted(os.listdir(run)):
            f = os.path.join(run, n)
            if n.endswith(".partial"):
                partials += 1
                continue
            if n.startswith(".") or not os.path.isfile(f):
                continue
            try:
                check_file(f)
            except Exception as e:  # noqa: BLE001 - any failure to parse is what we count
                problems.append("%s does not parse: %s" % (n, e))
        status = None
        try:
            with open(os.path.join(run, "run.json")) as f:
                status = json.load(f)["status"]
        except (OSError, ValueError, KeyError) as e:
            problems.append("run.json unreadable: %s" % e)
        if status == "RUNNING":
            seen = list_runs_status(out, run)
            if seen != "INTERRUPTED":
                problems.append("run.json says RUNNING and list-runs says %s, not INTERRUPTED" % seen)
        if status != "OK":
            r = subprocess.run([LAYERWISE, "resume", run], capture_output=True, text=True)
            if r.returncode != 0:
                problems.append("resume exited %d: %s" % (r.returncode, r.stderr.strip()[-300:]))
        for n in COMPARED:
            a, b = os.path.join(ref, n), os.path.join(run, n)
            if not os.path.exists(b) or open(a, "rb").read() != open(b, "rb").read():
                problems.append("%s differs from the uninterrupted run's" % n)
        verdict = "ok" if not problems else "FAILED: " + "; ".join(problems)
        print("[crash] %2d killed at %-32s run.json %-9s %s" % (i + 1, label, status, verdict), flush=True)
        if problems:
            failures.append((i + 1, label, problems))
        else:
            passed += 1
            shutil.rmtree(out, ignore_errors=True)

    print()
    print("where the kills landed:")
    for k, v in sorted(where.items()):
        print("  %-40s %d" % (k, v))
    print("unfinished writes left behind (.partial, cleaned by resume): %d" % partials)
    print("%d passed, %d failed" % (passed, len(failures)))
    if not failures:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
