"""Side-by-side timing of the course workload W1 in deepbasics and its peers.

W1: MNIST (x/255 float32, one-hot labels), 784-64 relu-10 softmax, categorical cross-entropy,
SGD lr 0.01, batch 32, 5 epochs, shuffled each epoch.

Each framework runs in its own subprocess, one at a time, with its own virtual environment's
python: deepbasics and the hand-written NumPy floor with this python (or --deepbasics-python),
the peers with the venvs under ../venvs/ (next to the repository) or the paths given by flag or
environment variable. A peer whose python is missing is skipped, with the command that makes it.

    python bench/course_mlp.py                         # everything available, 5 epochs
    python bench/course_mlp.py --only-peers --quick    # smoke test without deepbasics
    python bench/course_mlp.py --repeat 3 --json runs/w1.json
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORKERS = BENCH / "workers"
sys.path.insert(0, str(BENCH))

import _sysinfo  # noqa: E402

MARKER = "BENCH_RESULT "
ONE_THREAD_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@dataclass
class Peer:
    """A framework in its own venv: which worker it runs and how its venv is made."""
    worker: str
    env: dict
    install: str  # pip arguments that make the venv


PEERS = {
    "torch": Peer("torch_mlp.py", {}, "numpy torch==2.13.0"),
    "keras": Peer("keras_mlp.py", {"KERAS_BACKEND": "tensorflow"}, "keras tensorflow-cpu"),
    "keras-jax": Peer("keras_mlp.py", {"KERAS_BACKEND": "jax"}, "keras 'jax[cpu]'"),
    "keras-torch": Peer("keras_mlp.py", {"KERAS_BACKEND": "torch"}, "keras torch==2.13.0"),
}
ALL_PEERS = ["torch", "keras", "keras-jax", "keras-torch", "numpy"]


@dataclass
class Job:
    label: str
    python: str
    worker: str
    env: dict = field(default_factory=dict)
    extra_args: list = field(default_factory=list)


def venv_root():
    return Path(os.environ.get("DEEPBASICS_BENCH_VENVS", REPO.parent / "venvs"))


def env_name(peer):
    return f"DEEPBASICS_BENCH_{peer.upper().replace('-', '_')}_PYTHON"


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--epochs", type=int, default=None, help="epochs per run (default 5; 2 with --quick)")
    p.add_argument("--n-train", type=int, default=None, help="first N training images (default all)")
    p.add_argument("--quick", action="store_true", help="smoke test: 2 epochs on 10,000 images")
    p.add_argument("--repeat", type=int, default=1, help="runs per framework; the median is reported")
    p.add_argument("--peers", default=",".join(ALL_PEERS),
                   help=f"comma list from {','.join(ALL_PEERS)}, or 'none' (default: all)")
    p.add_argument("--only-peers", "--no-deepbasics", dest="only_peers", action="store_true",
                   help="skip deepbasics (e.g. while the library does not import yet)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--torch-threads", type=int, default=None, help="torch.set_num_threads(N)")
    p.add_argument("--deepbasics-python", default=os.environ.get("DEEPBASICS_BENCH_PYTHON", sys.executable),
                   help="python for deepbasics and the NumPy rows [$DEEPBASICS_BENCH_PYTHON]")
    for peer in PEERS:
        p.add_argument(f"--{peer}-python", default=os.environ.get(env_name(peer)),
                       help=f"default ${env_name(peer)}, else {venv_root() / peer}/bin/python")
    p.add_argument("--data-dir", default=None, help="MNIST IDX folder [$DEEPBASICS_DATA_DIR]")
    p.add_argument("--timeout", type=float, default=1800, help="seconds per worker run")
    p.add_argument("--json", dest="json_out", default=None, help="write every run and the summary here")
    args = p.parse_args(argv)
    if args.epochs is None:
        args.epochs = 2 if args.quick else 5
    if args.quick and args.n_train is None:
        args.n_train = 10_000
    return args


def plan(args):
    """The jobs to run, and {peer: why skipped} for peers whose python is missing."""
    peers = [] if args.peers in ("", "none") else [s.strip() for s in args.peers.split(",") if s.strip()]
    unknown = [s for s in peers if s not in ALL_PEERS]
    if unknown:
        sys.exit(f"unknown peer(s) {', '.join(unknown)}; expected some of {', '.join(ALL_PEERS)}")
    jobs, skipped = [], {}
    if not args.only_peers:
        pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        jobs.append(Job("deepbasics", args.deepbasics_python, "deepbasics_mlp.py",
                        {"PYTHONPATH": pythonpath}))
    for peer in peers:
        if peer == "numpy":
            jobs.append(Job("numpy (hand-written)", args.deepbasics_python, "numpy_mlp.py"))
            jobs.append(Job("numpy 1 BLAS thread", args.deepbasics_python, "numpy_mlp.py",
                            dict(ONE_THREAD_ENV), ["--threads", "1"]))
            continue
        spec = PEERS[peer]
        python = getattr(args, f"{peer.replace('-', '_')}_python") or str(venv_root() / peer / "bin/python")
        if not Path(python).exists():
            venv = venv_root() / peer
            skipped[peer] = (f"{python} not found. Make it with:\n    python3 -m venv {venv} && "
                             f"{venv}/bin/pip install {spec.install}\n  or point --{peer}-python / "
                             f"${env_name(peer)} at a python that has it")
            continue
        extra = ["--threads", str(args.torch_threads)] if peer == "torch" and args.torch_threads else []
        label = peer if peer == "torch" else f"keras/{spec.env['KERAS_BACKEND']}"
        jobs.append(Job(label, python, spec.worker, dict(spec.env, TF_CPP_MIN_LOG_LEVEL="2"), extra))
    return jobs, skipped


def run_job(job, args):
    """Run one worker to completion; its result dict, or an error string."""
    cmd = [job.python, str(WORKERS / job.worker), "--epochs", str(args.epochs),
           "--seed", str(args.seed), "--label", job.label, *job.extra_args]
    if args.n_train:
        cmd += ["--n-train", str(args.n_train)]
    env = dict(os.environ, **job.env)
    if args.data_dir:
        env["DEEPBASICS_DATA_DIR"] = str(Path(args.data_dir).resolve())
    try:
        proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return f"timed out after {args.timeout:.0f} s"
    for line in proc.stdout.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER):])
    tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-8:])
    return f"exit {proc.returncode}, no result line:\n{tail}"


def threads_short(r):
    t = r.get("threads") or {}
    if "torch.get_num_threads" in t:
        return f"torch {t['torch.get_num_threads']}"
    if "tf.intra_op" in t:
        return f"tf {t['tf.intra_op'] or 'default'}"
    if "jax.devices" in t:
        return "xla default"
    pools = t.get("blas_during_fit") or r.get("blas_threads") or []
    blas = [p["threads"] for p in pools if p.get("api") not in ("openmp",)]
    return f"blas {blas[0]}" if blas else "?"


def summarise(runs):
    """Median over repeats of each run's numbers."""
    med = lambda key: statistics.median(r[key] for r in runs)  # noqa: E731
    last = runs[-1]
    return {"label": last["label"], "framework": last["framework"], "version": last["version"],
            "backend_version": last.get("backend_version"), "threads": threads_short(last),
            "median_epoch_s": med("median_epoch_s"), "first_epoch_s": med("first_epoch_s"),
            "test_acc": med("test_acc"), "peak_rss_mb": med("peak_rss_mb"),
            "import_s": med("import_s"), "runs": len(runs), "timing": last.get("timing"),
            "epoch_range": (min(r["median_epoch_s"] for r in runs), max(r["median_epoch_s"] for r in runs))}


def print_table(rows, epochs):
    base = next((r["median_epoch_s"] for r in rows if r["framework"] == "deepbasics"), None)
    steady = f"epochs 2..{epochs}" if epochs > 1 else "epoch 1"
    head = ["framework", "threads", f"median epoch s ({steady})", "first epoch s",
            "deepbasics/peer", "test acc", "peak RSS MB", "import s"]
    lines = []
    for r in rows:
        ratio = f"{base / r['median_epoch_s']:.2f}" if base else "n/a"
        lines.append([r["label"], r["threads"], f"{r['median_epoch_s']:.3f}",
                      f"{r['first_epoch_s']:.3f}", ratio, f"{r['test_acc']:.4f}",
                      f"{r['peak_rss_mb']:.0f}", f"{r['import_s']:.2f}"])
    widths = [max(len(h), *(len(l[i]) for l in lines)) for i, h in enumerate(head)]
    fmt = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    print(fmt(head))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for l in lines:
        print(fmt(l))
    print("  deepbasics/peer: deepbasics' median epoch over the peer's; above 1 the peer is faster")
    for r in rows:
        extra = f", backend {r['backend_version']}" if r.get("backend_version") else ""
        timing = f", timed by {r['timing']}" if r.get("timing") else ""
        lo, hi = r["epoch_range"]
        spread = f" (run medians {lo:.3f}..{hi:.3f} s)" if r["runs"] > 1 else ""
        print(f"  {r['label']}: version {r['version']}{extra}{timing}, median of {r['runs']} run(s){spread}")


def print_machine(m, args):
    blas = ", ".join(f"{p['api']}={p['threads']}" for p in m["blas_threads"])
    print(f"machine: {m['cpu_count']} CPUs ({m['cpu_usable']} usable), {m['cpu_model']}")
    print(f"python {m['python']} ({sys.executable}), NumPy {m['numpy']}, "
          f"BLAS {m['numpy_blas']} [{blas}], threadpoolctl {'yes' if m['threadpoolctl'] else 'no'}")
    n = f"first {args.n_train}" if args.n_train else "all 60000"
    print(f"W1: {n} MNIST training images, 784-64-10, SGD 0.01, batch 32, {args.epochs} epochs, "
          f"seed {args.seed}, {args.repeat} run(s) per framework")
    print("command: " + " ".join(shlex.quote(a) for a in ["python", *sys.argv]))


def main(argv=None):
    args = parse_args(argv)
    jobs, skipped = plan(args)
    for peer, why in skipped.items():
        print(f"skip {peer}: {why}", file=sys.stderr)
    runs = {job.label: [] for job in jobs}
    failed = {}
    for rep in range(args.repeat):  # round-robin, so slow drift hits every framework alike
        for i, job in enumerate(jobs, 1):
            if job.label in failed:
                continue
            print(f"[run {rep + 1}/{args.repeat}, {i}/{len(jobs)}] {job.label} ...", end=" ",
                  file=sys.stderr, flush=True)
            t0 = time.perf_counter()
            result = run_job(job, args)
            if isinstance(result, str):
                print(f"FAILED ({result.splitlines()[-1].strip()})", file=sys.stderr)
                failed[job.label] = result
                continue
            print(f"{time.perf_counter() - t0:.1f} s", file=sys.stderr)
            runs[job.label].append(result)
    rows = [summarise(r) for r in runs.values() if r]
    machine = _sysinfo.describe()
    print()
    print_machine(machine, args)
    print()
    if rows:
        print_table(rows, args.epochs)
    for label, why in failed.items():
        print(f"\n{label} failed: {why}")
    if args.json_out:
        out = Path(args.json_out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"machine": machine, "argv": sys.argv, "config": vars(args),
                                   "summary": rows, "runs": runs, "failed": failed,
                                   "skipped": skipped}, indent=2))
        print(f"\nwrote {out}")
    return 1 if failed or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
