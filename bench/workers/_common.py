"""What every benchmark worker shares: its command line, the data, and the JSON line it prints.

A worker runs in its framework's own virtual environment, which has NumPy but not deepbasics,
so this file imports nothing beyond NumPy and the two helpers in bench/.
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


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--n-train", type=int, default=None, help="first N training images (default all)")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=None, help="thread count (default: library's)")
    p.add_argument("--label", default=None, help="row name in the parent's table")
    return p.parse_args()


def load_mnist(args, loader=None):
    """(x, y, y_onehot) for train and test, prepared identically for every framework.
    `loader` is a keras-style load_data(); the bench's own IDX reader when None."""
    t0 = time.perf_counter()
    (xtr, ytr), (xte, yte) = (loader or _mnist_idx.load_data)()
    train = _mnist_idx.prepare(xtr, ytr, args.n_train)
    test = _mnist_idx.prepare(xte, yte)
    return train, test, time.perf_counter() - t0


def median_steady(epoch_s):
    """Median of epochs 2..N (epoch 1 carries warm-up: tracing, allocation); epoch 1 if N == 1."""
    steady = epoch_s[1:] or epoch_s
    return statistics.median(steady)


def peak_rss_mb():
    """Peak resident memory of this process (Linux reports ru_maxrss in KiB)."""
    kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kib / 1024.0 if sys.platform != "darwin" else kib / 2**20


def accuracy(probs_or_logits, y_int):
    return float(np.mean(np.argmax(np.asarray(probs_or_logits), axis=1) == y_int))


def emit(args, framework, version, import_s, data_s, epoch_s, test_acc, threads, **extra):
    result = {
        "label": args.label or framework,
        "framework": framework,
        "version": version,
        "epoch_s": [round(t, 4) for t in epoch_s],
        "median_epoch_s": round(median_steady(epoch_s), 4),
        "first_epoch_s": round(epoch_s[0], 4),
        "test_acc": round(test_acc, 4),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "import_s": round(import_s, 3),
        "data_s": round(data_s, 3),
        "threads": threads,
        "blas_threads": _sysinfo.blas_threads(),
        "numpy": np.__version__,
        "python": platform.python_version(),
        "python_exe": sys.executable,
        "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
        "seed": args.seed, "n_train": args.n_train,
    }
    result.update(extra)
    print(MARKER + json.dumps(result), flush=True)
