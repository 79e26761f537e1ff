"""Issue 6's benchmark: workloads W1-W6 in deepbasics and every installed peer, one table.

Each (workload, framework) runs in its own process with its own virtual environment's python,
one process at a time (never two at once); with --repeat N the runs go round-robin so a slow
spell on the machine hits every framework alike, and every number is the median of the N runs.

    python bench/run.py                                  # everything, full size
    python bench/run.py --only W1,W3 --peers torch,jax --repeat 3
    python bench/run.py --quick                          # smoke test: tiny sizes, every workload
    python bench/run.py --quick --peers none --only W1   # deepbasics alone, seconds

Peers: torch, keras-tf, keras-jax, keras-torch, jax (W1), numpy (W1, W2 and W4 hand-written, W1 also
with one BLAS thread); default torch,keras-tf,keras-jax,jax,numpy. A peer whose python is missing is
skipped with the command that makes its venv. Columns: see bench/README.md.
"""
import argparse
import os
import shlex
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

import _sysinfo  # noqa: E402
import child  # noqa: E402
import peers  # noqa: E402
import table  # noqa: E402
import workloads  # noqa: E402

LAB_MAIN = "import sys; from deepbasics.cli import main; sys.exit(main())"


@dataclass
class Job:
    workload: str
    peer: str            # 'deepbasics' or a key of peers.PEERS
    label: str
    cmd: list
    env: dict = field(default_factory=dict)


def positive_int(text):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}")
    return value


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--only", default=",".join(workloads.ORDER), help="comma list of workloads (default all)")
    p.add_argument("--peers", default=",".join(peers.DEFAULT), help="comma list, 'all' or 'none'")
    p.add_argument("--no-deepbasics", "--only-peers", dest="no_deepbasics", action="store_true",
                   help="run the peers only")
    p.add_argument("--repeat", type=positive_int, default=1, help="runs per row, round-robin; medians")
    p.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test that takes seconds")
    p.add_argument("--epochs", type=positive_int, default=None, help="override every training workload's epochs")
    p.add_argument("--n-train", type=positive_int, default=None, help="first N training images")
    p.add_argument("--n-test", type=positive_int, default=None, help="first N test images")
    p.add_argument("--threads", type=positive_int, default=None, help="limit BLAS/intra-op threads everywhere")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--timeout", type=positive_int, default=3600, help="seconds per process")
    p.add_argument("--data-dir", default=None, help="MNIST IDX folder [$DEEPBASICS_DATA_DIR]")
    p.add_argument("--json", dest="json_out", default=None, help="also write every run and the rows here")
    p.add_argument("--deepbasics-python", default=os.environ.get("DEEPBASICS_BENCH_PYTHON", sys.executable))
    for peer in peers.PEERS.values():
        if peer.venv:
            p.add_argument(f"--{peer.name}-python", default=None, help=f"[${peers.env_var(peer)}]")
    args = p.parse_args(argv)
    try:
        args.only = workloads.parse_only(args.only)
        args.peers = peers.parse_peers(args.peers)
    except ValueError as e:
        p.error(str(e))
    for flag, value, most in (("--n-train", args.n_train, 60_000), ("--n-test", args.n_test, 10_000)):
        if value is not None and value > most:
            p.error(f"{flag} must be at most {most} (MNIST's size), received {value}")
    return args


def base_env(args):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    if args.data_dir:
        env["DEEPBASICS_DATA_DIR"] = str(Path(args.data_dir).resolve())
    if args.threads:
        env.update({k: str(args.threads) for k in peers.ONE_THREAD_ENV})
        if args.threads == 1:
            env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    return env


def worker_cmd(python, row, key, s, args, label):
    cmd = [python, str(BENCH / "workers" / row.worker), "--workload", key, "--label", label,
           "--epochs", str(s["epochs"]), "--batch-size", str(s["batch_size"]), "--seed", str(args.seed),
           "--passes", ",".join(map(str, s["passes"])), *row.args]
    for flag, value in (("--n-train", s["n_train"]), ("--n-test", s["n_test"]), ("--threads", args.threads)):
        if value is not None and flag not in row.args:
            cmd += [flag, str(value)]
    return cmd


def plan(args):
    """(jobs in table order, {peer: why skipped}, {peer: chosen workloads it has no worker for})."""
    env = base_env(args)
    jobs, skipped, unsupported = [], {}, {}
    pythons = {}
    for name in args.peers:
        peer = peers.PEERS[name]
        python = peers.python_for(peer, getattr(args, f"{name.replace('-', '_')}_python", None),
                                  args.deepbasics_python)
        if Path(python).exists():
            pythons[name] = python
        else:
            skipped[name] = peers.install_hint(peer, python)
    for key in args.only:
        s = workloads.settings(workloads.WORKLOADS[key], args.quick, args.epochs, args.n_train, args.n_test)
        if key == "W6":
            if not args.no_deepbasics:
                jobs.append(Job(key, "deepbasics", "deepbasics", lab_cmd(args, s), dict(env, MPLBACKEND="Agg")))
            continue
        if not args.no_deepbasics:
            row = peers.Row("deepbasics", "deepbasics_worker.py")
            jobs.append(Job(key, "deepbasics", row.label, worker_cmd(args.deepbasics_python, row, key, s, args,
                                                                     row.label), env))
        for name, python in pythons.items():
            peer = peers.PEERS[name]
            if key not in peer.workloads:
                unsupported.setdefault(name, []).append(key)
                continue
            for row in (r for r in peer.rows if not r.workloads or key in r.workloads):
                jobs.append(Job(key, name, row.label, worker_cmd(python, row, key, s, args, row.label),
                                dict(env, **row.env)))
    return jobs, skipped, unsupported


def lab_cmd(args, s):
    cmd = [args.deepbasics_python, "-c", LAB_MAIN, "lab", "report", "--quick", "--seed", str(args.seed)]
    return cmd + (["--only", s["lab_only"]] if s["lab_only"] else [])


def run_lab(job, timeout):
    """W6: the whole command's wall seconds, measured from here."""
    out = tempfile.mkdtemp(prefix="deepbasics-bench-lab-")
    try:
        o = child.run(job.cmd + ["--out", out], job.env, timeout, cwd=REPO)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    summary = next((ln.split(": ", 1)[-1] for ln in reversed(o.stdout.splitlines()) if "claims" in ln), None)
    if o.timed_out or summary is None:
        return o, None
    note = summary if o.returncode == 0 else f"exit {o.returncode}! {summary}"
    measure = {"measure": "lab report", "times": [o.wall_s], "median_s": o.wall_s, "first_s": None,
               "test_acc": None}
    return o, {"measures": [measure], "framework": "deepbasics", "version": None, "note": note}


def run_job(job, timeout):
    """(result dict or None, the process's outcome)."""
    if job.workload == "W6":
        outcome, result = run_lab(job, timeout)
    else:
        outcome = child.run(job.cmd, job.env, timeout, cwd=REPO)
        result = None if outcome.timed_out else outcome.result()
    if result is not None:
        result.update(peer=job.peer, label=job.label, workload=job.workload,
                      peak_rss_mb=round(outcome.peak_rss_mb, 1), wall_s=round(outcome.wall_s, 3))
    return result, outcome


def run_all(jobs, args):
    runs = {(j.workload, j.label): [] for j in jobs}
    failed = {}
    for rep in range(args.repeat):
        for i, job in enumerate(jobs, 1):
            key = (job.workload, job.label)
            if key in failed:
                continue
            print(f"[run {rep + 1}/{args.repeat}, {i}/{len(jobs)}] {job.workload} {job.label} ...", end=" ",
                  file=sys.stderr, flush=True)
            result, outcome = run_job(job, args.timeout)
            if result is None:
                why = f"timed out after {args.timeout} s" if outcome.timed_out else f"exit {outcome.returncode}"
                failed[key] = f"{why}, no result; last output:\n{outcome.tail()}"
                print(f"FAILED ({why})", file=sys.stderr)
                continue
            print(f"{outcome.wall_s:.1f} s", file=sys.stderr)
            runs[key].append(result)
    return runs, failed


def sizes(key, s):
    """What a workload ran at, in words."""
    if key == "W6":
        return f"lab report --only {s['lab_only']}" if s["lab_only"] else "the whole lab report"
    images = f"{s['n_train'] or 60000} train / {s['n_test'] or 10000} test images"
    if key == "W5":
        return f"{images}, {s['passes'][0]} passes at b=1024, {s['passes'][1]} at b=1"
    return f"{images}, {s['epochs']} epoch(s)"


def print_report(args, rows, machine, skipped, unsupported, failed):
    blas = ", ".join(f"{p['api']}={p['threads']}" for p in machine["blas_threads"])
    print(f"machine: {machine['cpu_count']} CPUs ({machine['cpu_usable']} usable), {machine['cpu_model']}; "
          f"python {machine['python']}, NumPy {machine['numpy']}, BLAS {machine['numpy_blas']} [{blas}]")
    print("command: " + " ".join(shlex.quote(a) for a in ["python", "bench/run.py", *args.argv]))
    for key in args.only:
        w = workloads.WORKLOADS[key]
        s = workloads.settings(w, args.quick, args.epochs, args.n_train, args.n_test)
        print(f"  {key} {w.title}\n     time: {w.unit}; {sizes(key, s)}")
    print()
    print(table.render(rows, args.only))
    print("  median s: median over repetitions 2..N (epochs or passes; the first is shown apart, it carries"
          "\n  start-up, tracing and compilation; with one repetition both are that one); deepbasics/peer:"
          "\n  deepbasics' median over this row's (below 1: deepbasics is faster); peak RSS: ru_maxrss of"
          "\n  the whole process; import s: importing the framework in that process.")
    for line in table.versions(rows):
        print(f"  {line}")
    for name, why in skipped.items():
        print(f"\nskipped {name}: {why}")
    for name, keys in unsupported.items():
        print(f"\n{name} has no worker for {', '.join(keys)} (only {', '.join(peers.PEERS[name].workloads)})")
    for (key, label), why in failed.items():
        print(f"\nFAILED {key} {label}: {why}")


def write_json(path, payload):
    from deepbasics.utils.files import write_json as atomic_json  # the parent runs with deepbasics

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    atomic_json(path, payload)
    print(f"\nwrote {path}")


def main(argv=None):
    args = parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    jobs, skipped, unsupported = plan(args)
    for name, why in skipped.items():
        print(f"skip {name}: {why}", file=sys.stderr)
    t0 = time.perf_counter()
    runs, failed = run_all(jobs, args)
    print(f"all runs: {time.perf_counter() - t0:.0f} s\n", file=sys.stderr)
    rows = table.summarise(runs)
    machine = _sysinfo.describe()
    print_report(args, rows, machine, skipped, unsupported, failed)
    if args.json_out:
        write_json(args.json_out, {"machine": machine, "argv": args.argv, "rows": rows,
                                   "runs": {f"{k} {label}": r for (k, label), r in runs.items()},
                                   "failed": {f"{k} {label}": why for (k, label), why in failed.items()},
                                   "skipped": skipped})
    return 1 if failed or not rows else 0


if __name__ == "__main__":
    sys.exit(main())
