"""W3, the small MNIST convnet, timed in deepbasics and in PyTorch side by side.

W3: Conv2D(32, 3, relu) - MaxPool 2 - Conv2D(64, 3, relu) - MaxPool 2 - Flatten - Dense(128, relu) -
Dense(10, softmax); Adam (lr 0.001), batch 128, shuffled, the real MNIST (x/255 float32).
Each framework runs in its own subprocess, one after the other: deepbasics with this python
(``fit(verbose=0)``, a callback times each epoch), PyTorch with ../venvs/torch (randperm,
x[idx[i:i+128]], CrossEntropyLoss on logits, Adam with eps 1e-7 like Keras).

    python bench/cnn.py                    # 1 epoch each, the table
    python bench/cnn.py --epochs 2 --repeat 3
    python bench/cnn.py --n-train 12800    # a quicker look
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
MARKER = "BENCH_RESULT "


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--n-train", type=int, default=None, help="first N training images (default all)")
    p.add_argument("--repeat", type=int, default=1, help="runs per framework, round-robin; medians reported")
    p.add_argument("--peers", default="deepbasics,torch", help="comma list from deepbasics,torch")
    p.add_argument("--torch-python", default=os.environ.get("DEEPBASICS_BENCH_TORCH_PYTHON",
                                                            str(REPO.parent / "venvs" / "torch" / "bin" / "python")))
    p.add_argument("--worker", choices=["deepbasics", "torch"], help=argparse.SUPPRESS)
    return p.parse_args(argv)


# -- workers (run in a subprocess) ---------------------------------------------------------------
def load(n_train):
    sys.path.insert(0, str(BENCH))
    import _mnist_idx

    (xtr, ytr), (xte, yte) = _mnist_idx.load_data()
    xtr, ytr, _ = _mnist_idx.prepare(xtr, ytr, n_train)
    xte, yte, _ = _mnist_idx.prepare(xte, yte)
    return xtr.reshape(-1, 28, 28, 1), ytr, xte.reshape(-1, 28, 28, 1), yte


def run_deepbasics(args):
    sys.path.insert(0, str(REPO))
    from deepbasics.callbacks import Callback
    from deepbasics.layers import Dense, Flatten, Input
    from deepbasics.layers.convolutional import Conv2D
    from deepbasics.layers.pooling import MaxPooling2D
    from deepbasics.models import Sequential

    class Timer(Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.t0 = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds.append(time.perf_counter() - self.t0)

    xtr, ytr, xte, yte = load(args.n_train)
    model = Sequential([Input((28, 28, 1)), Conv2D(32, 3, activation="relu"), MaxPooling2D(),
                        Conv2D(64, 3, activation="relu"), MaxPooling2D(), Flatten(),
                        Dense(128, activation="relu"), Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    seconds = []
    model.fit(xtr, ytr, batch_size=128, epochs=args.epochs, verbose=0, callbacks=[Timer()])
    accuracy = model.evaluate(xte, yte, batch_size=500, verbose=0)[1]
    return seconds, accuracy


def run_torch(args):
    import torch
    from torch import nn

    torch.manual_seed(0)
    xtr, ytr, xte, yte = load(args.n_train)
    to_nchw = lambda a: torch.from_numpy(a).permute(0, 3, 1, 2).contiguous()  # noqa: E731
    x, y = to_nchw(xtr), torch.from_numpy(ytr)
    model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
                          nn.MaxPool2d(2), nn.Flatten(), nn.Linear(1600, 128), nn.ReLU(), nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=0.001, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    seconds = []
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        idx = torch.randperm(len(x))
        for i in range(0, len(x), 128):
            b = idx[i:i + 128]
            opt.zero_grad()
            loss_fn(model(x[b]), y[b]).backward()
            opt.step()
        seconds.append(time.perf_counter() - t0)
    with torch.no_grad():
        accuracy = (model(to_nchw(xte)).argmax(1).numpy() == yte).mean()
    return seconds, float(accuracy)


# -- the parent ----------------------------------------------------------------------------------
def run_peer(name, args):
    python = sys.executable if name == "deepbasics" else args.torch_python
    if not Path(python).exists():
        print(f"skipping {name}: no python at {python}", file=sys.stderr)
        return None
    cmd = [python, str(Path(__file__).resolve()), "--worker", name, "--epochs", str(args.epochs)]
    if args.n_train:
        cmd += ["--n-train", str(args.n_train)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith(MARKER)]
    if proc.returncode or not lines:
        print(f"{name} failed (exit {proc.returncode}):\n{proc.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(lines[-1][len(MARKER):])


def main(argv=None):
    args = parse_args(argv)
    if args.worker:
        seconds, accuracy = (run_deepbasics if args.worker == "deepbasics" else run_torch)(args)
        print(MARKER + json.dumps({"epoch_s": seconds, "test_acc": accuracy}), flush=True)
        return
    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    runs = {p: [] for p in peers}
    for _ in range(args.repeat):
        for peer in peers:
            result = run_peer(peer, args)
            if result:
                runs[peer].append(result)
    print(f"W3 MNIST convnet, batch 128, Adam, {args.epochs} epoch(s), n_train={args.n_train or 60000}, "
          f"{os.cpu_count()} CPUs, medians of {args.repeat} run(s)")
    print(f"{'framework':<12} {'epoch s':>8} {'test acc':>9} {'vs torch':>9}")
    torch_s = statistics.median(r["epoch_s"][-1] for r in runs["torch"]) if runs.get("torch") else None
    for peer, results in runs.items():
        if not results:
            print(f"{peer:<12} {'-':>8}")
            continue
        epoch = statistics.median(r["epoch_s"][-1] for r in results)
        acc = statistics.median(r["test_acc"] for r in results)
        ratio = f"{epoch / torch_s:.2f}x" if torch_s else "-"
        print(f"{peer:<12} {epoch:>8.2f} {acc:>9.4f} {ratio:>9}")


if __name__ == "__main__":
    main()
