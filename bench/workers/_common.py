"""What every benchmark worker shares: its command line, the data, and the JSON line it prints.

A worker runs in its framework's own virtual environment, which has NumPy but not deepbasics,
so this file imports nothing beyond NumPy and the two helpers in bench/.

The line a worker prints (``BENCH_RESULT {...}``) holds one or more *measures*: a name, the
seconds of each timed repetition (epochs for training, passes over the test set for
inference) and the test accuracy that went with them.
"""
import argparse
import json
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[1]
if str(BENCH_DIR) not in sys.path:
    sys.path.insert(0, str(BENCH_DIR))

import numpy as np  # noqa: E402

import _mnist_idx  # noqa: E402
import _sysinfo  # noqa: E402

MARKER = "BENCH_RESULT "  # the parent reads the one stdout line that starts with this
WORKLOADS = ("W1", "W2", "W3", "W4", "W5")
# the input each workload's model reads, after the batch axis
INPUT_SHAPES = {"W1": (784,), "W2": (784,), "W3": (28, 28, 1), "W4": (28, 28)}


def parse_args(description, workloads=WORKLOADS):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--workload", choices=workloads, default=workloads[0])
    p.add_argument("--epochs", type=int, default=1, help="training epochs (W5: warm-up training epochs)")
    p.add_argument("--n-train", type=int, default=None, help="first N training images (default all)")
    p.add_argument("--n-test", type=int, default=None, help="first N test images (default all)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--passes", default="6,2", help="W5: timed passes at batch 1024 and at batch 1")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="thread count (default: library's)")
    p.add_argument("--label", default=None, help="row name in the parent's table")
    p.add_argument("--variant", default=None, help="a worker's own variant (jax: step or scan)")
    args = p.parse_args()
    for name in ("epochs", "n_train", "n_test", "batch_size", "threads"):
        value = getattr(args, name)
        if value is not None and value < 1:
            p.error(f"--{name.replace('_', '-')} must be a positive integer, received {value}")
    args.passes = tuple(int(s) for s in args.passes.split(","))
    if len(args.passes) != 2 or min(args.passes) < 1:
        p.error(f"--passes must be two positive integers like 6,2, received {args.passes}")
    return args


def load_mnist(args):
    """(x, y, y_onehot) for train and test, prepared identically for every framework:
    x float32 (n, 784) in [0, 1], y int64, y_onehot float32."""
    t0 = time.perf_counter()
    (xtr, ytr), (xte, yte) = _mnist_idx.load_data()
    train = _mnist_idx.prepare(xtr, ytr, args.n_train)
    test = _mnist_idx.prepare(xte, yte, args.n_test)
    return train, test, time.perf_counter() - t0


def shaped(x, workload):
    """Flat (n, 784) images as the workload's model reads them (a view, no copy)."""
    return x.reshape(len(x), *INPUT_SHAPES[workload])


def median_steady(times):
    """Median of repetitions 2..N (the first carries warm-up: tracing, allocation); the first if N == 1."""
    return statistics.median(times[1:] or times)


def peak_rss_mb():
    """Peak resident memory of this process (Linux reports ru_maxrss in KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024.0 if sys.platform != "darwin" else kib / 2**20


def accuracy(probs_or_logits, y_int):
    return float(np.mean(np.argmax(np.asarray(probs_or_logits), axis=1) == y_int))


def measure(name, times, test_acc, **extra):
    """One measured thing: per-repetition seconds and the test accuracy that goes with them."""
    return {"measure": name, "times": [round(t, 5) for t in times],
            "median_s": round(median_steady(times), 5), "first_s": round(times[0], 5),
            "test_acc": round(float(test_acc), 4), **extra}


def timed_passes(predict, passes):
    """Run ``predict()`` ``passes`` times; (seconds of each pass, the last pass's output)."""
    times, out = [], None
    for _ in range(passes):
        t0 = time.perf_counter()
        out = predict()
        times.append(time.perf_counter() - t0)
    return times, out


def emit(args, framework, version, import_s, data_s, measures, threads, **extra):
    result = {
        "workload": args.workload,
        "label": args.label or framework,
        "framework": framework,
        "version": version,
        "measures": measures,
        "import_s": round(import_s, 3),
        "data_s": round(data_s, 3),
        "self_peak_rss_mb": round(peak_rss_mb(), 1),
        "threads": threads,
        "blas_threads": _sysinfo.blas_threads(),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "python_exe": sys.executable,
        "epochs": args.epochs, "batch_size": args.batch_size, "seed": args.seed,
        "n_train": args.n_train, "n_test": args.n_test,
    }
    result.update(extra)
    print(MARKER + json.dumps(result), flush=True)
