"""The course's LSTM workload in deepbasics and in PyTorch (nn.LSTM), side by side.

Workload: MNIST rows as 28 steps of 28 pixels, LSTM(128) - Dense(10), softmax cross-entropy,
Adam (lr 0.001), batch 128, shuffled. Each framework trains in its own subprocess with the same
BLAS/intra-op thread count; the runs alternate (deepbasics, torch, deepbasics, ...) so that a
busy machine slows both alike. Reported: seconds per full epoch (469 steps; scaled from
``--steps`` when fewer are timed), the median over ``--repeat`` runs, and the ratio.

    python bench/lstm.py                        # 1 thread, 120 timed steps, 3 runs each
    python bench/lstm.py --threads 2 --steps 469 --repeat 1
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
MARKER = "BENCH_RESULT "
STEPS_PER_EPOCH = 469  # ceil(60000 / 128)


def load(n):
    sys.path.insert(0, str(BENCH))
    import _mnist_idx

    (x, y), _ = _mnist_idx.load_data()
    x, y, onehot = _mnist_idx.prepare(x, y, n)
    return x.reshape(-1, 28, 28), y, onehot


def worker_deepbasics(steps, warmup):
    from deepbasics.callbacks import Callback
    from deepbasics.layers import Dense, Input
    from deepbasics.layers.recurrent import LSTM
    from deepbasics.models import Sequential

    x, _, onehot = load(128 * (steps + warmup))

    class StepTimer(Callback):
        def on_train_batch_begin(self, batch, logs=None):
            if batch == warmup:
                self.start = time.perf_counter()

    model = Sequential([Input(shape=(28, 28)), LSTM(128), Dense(10, activation="softmax")])
    model.compile(loss="categorical_crossentropy", optimizer="adam")
    timer = StepTimer()
    model.fit(x, onehot, batch_size=128, epochs=1, verbose=0, callbacks=[timer])
    return time.perf_counter() - timer.start


def worker_torch(steps, warmup, threads):
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    x, y, _ = load(128 * (steps + warmup))

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm, self.fc = torch.nn.LSTM(28, 128, batch_first=True), torch.nn.Linear(128, 10)

        def forward(self, xb):
            out, _ = self.lstm(xb)
            return self.fc(out[:, -1])

    model, loss_fn = Net(), torch.nn.CrossEntropyLoss()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.from_numpy(x), torch.from_numpy(y)
    idx = torch.randperm(len(x))
    for i in range(steps + warmup):
        if i == warmup:
            start = time.perf_counter()
        b = idx[i * 128:(i + 1) * 128]
        opt.zero_grad()
        loss_fn(model(x[b]), y[b]).backward()
        opt.step()
    return time.perf_counter() - start


def run(framework, python, args):
    env = {**os.environ, "OPENBLAS_NUM_THREADS": str(args.threads), "OMP_NUM_THREADS": str(args.threads),
           "MKL_NUM_THREADS": str(args.threads)}
    cmd = [python, __file__, "--worker", framework, "--steps", str(args.steps), "--threads", str(args.threads)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    seconds = json.loads(next(line for line in out.splitlines() if line.startswith(MARKER))[len(MARKER):])
    return seconds * STEPS_PER_EPOCH / args.steps


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=120, help="timed training steps per run (after 5 warm-up)")
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--torch-python", default=os.environ.get("DEEPBASICS_BENCH_TORCH_PYTHON",
                                                            str(BENCH.parents[1] / "venvs/torch/bin/python")))
    p.add_argument("--worker", choices=["deepbasics", "torch"], help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker == "deepbasics":
        print(MARKER + json.dumps(worker_deepbasics(args.steps, 5)))
        return
    if args.worker == "torch":
        print(MARKER + json.dumps(worker_torch(args.steps, 5, args.threads)))
        return
    pythons = {"deepbasics": sys.executable}
    if Path(args.torch_python).is_file():
        pythons["torch"] = args.torch_python
    else:
        print(f"torch skipped: no python at {args.torch_python} (--torch-python)")
    times = {name: [] for name in pythons}
    for _ in range(args.repeat):
        for name, python in pythons.items():
            times[name].append(run(name, python, args))
    print(f"LSTM(128)-Dense(10) on MNIST rows, batch 128, Adam; {args.threads} thread(s), "
          f"{args.steps} timed steps x {args.repeat} runs; seconds per 469-step epoch:")
    medians = {name: statistics.median(t) for name, t in times.items()}
    for name, t in times.items():
        print(f"  {name:<11} median {medians[name]:6.2f}   runs {', '.join(f'{s:.2f}' for s in t)}")
    if "torch" in medians:
        print(f"  deepbasics / torch = {medians['deepbasics'] / medians['torch']:.2f}")


if __name__ == "__main__":
    main()
