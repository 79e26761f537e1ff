"""W1 in PyTorch, written the way a PyTorch user writes it: tensors in memory, a randperm
index per epoch, x[idx[i:i+32]] slices, CrossEntropyLoss on logits, SGD zero_grad/backward/step.

Labels are integer class indices (what nn.CrossEntropyLoss expects); the loss is the same
categorical cross-entropy as softmax + one-hot in Keras.
"""
import time

_T0 = time.perf_counter()
import numpy  # noqa: E402,F401  (counted in import time, as for every framework)
import torch  # noqa: E402
from torch import nn  # noqa: E402

IMPORT_S = time.perf_counter() - _T0

import _common  # noqa: E402


def train(x, y, args):
    torch.manual_seed(args.seed)
    model = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 10))
    loss_fn = nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr)
    n, bs = len(x), args.batch_size
    epoch_s = []
    model.train()
    for _ in range(args.epochs):
        t0 = time.perf_counter()
        idx = torch.randperm(n)
        for i in range(0, n, bs):
            b = idx[i:i + bs]
            xb, yb = x[b], y[b]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
        epoch_s.append(time.perf_counter() - t0)
    return model, epoch_s


def main():
    args = _common.parse_args(__doc__)
    if args.threads:
        torch.set_num_threads(args.threads)
    (xtr, ytr, _), (xte, yte, _), data_s = _common.load_mnist(args)
    x, y = torch.from_numpy(xtr), torch.from_numpy(ytr)
    model, epoch_s = train(x, y, args)
    model.eval()
    with torch.no_grad():
        logits = model(torch.from_numpy(xte)).numpy()
    threads = {"torch.get_num_threads": torch.get_num_threads(),
               "torch.get_num_interop_threads": torch.get_num_interop_threads(),
               "mkldnn": torch.backends.mkldnn.is_available(), "mkl": torch.backends.mkl.is_available()}
    _common.emit(args, "torch", torch.__version__, IMPORT_S, data_s, epoch_s,
                 _common.accuracy(logits, yte), threads)


if __name__ == "__main__":
    main()
