"""W1-W5 in PyTorch, written the way a PyTorch user writes them: tensors in memory, a randperm
index per epoch, ``x[idx[i:i+bs]]`` batches, zero_grad/backward/step; inference in ``eval()``
mode under ``torch.no_grad()``, batch by batch. Models and Keras-matching defaults:
``torch_models.py``.
"""
import time

_T0 = time.perf_counter()
import numpy  # noqa: E402,F401  (counted in import time, as for every framework)
import torch  # noqa: E402
from torch import nn  # noqa: E402

IMPORT_S = time.perf_counter() - _T0

import _common  # noqa: E402
import torch_models  # noqa: E402

W5_MODELS = (("W1", 32), ("W3", 128))  # as in keras_api.py


def train(workload, x, y, epochs, batch_size, seed):
    """(model, per-epoch seconds)."""
    torch.manual_seed(seed)
    model, opt = torch_models.build(workload)
    loss_fn = nn.CrossEntropyLoss()
    n, epoch_s = len(x), []
    model.train()
    for _ in range(epochs):
        t0 = time.perf_counter()
        idx = torch.randperm(n)
        for i in range(0, n, batch_size):
            b = idx[i:i + batch_size]
            opt.zero_grad()
            loss_fn(model(x[b]), y[b]).backward()
            opt.step()
        epoch_s.append(time.perf_counter() - t0)
    return model, epoch_s


@torch.no_grad()
def predict(model, x, batch_size):
    model.eval()
    return torch.cat([model(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]).numpy()


def run_training(args, train_set, test_set):
    (x, y, _), (x_test, y_test, _) = train_set, test_set
    model, epoch_s = train(args.workload, torch_models.to_input(x, args.workload), torch.from_numpy(y),
                           args.epochs, args.batch_size, args.seed)
    logits = predict(model, torch_models.to_input(x_test, args.workload), 1024)
    return [_common.measure("train", epoch_s, _common.accuracy(logits, y_test))]


def run_inference(args, train_set, test_set):
    """W5: each model trained briefly, then passes over the test images at batch 1024 and 1."""
    (x, y, _), (x_test, y_test, _) = train_set, test_set
    measures = []
    for workload, train_batch in W5_MODELS:
        model, _ = train(workload, torch_models.to_input(x, workload), torch.from_numpy(y),
                         args.epochs, train_batch, args.seed)
        xt = torch_models.to_input(x_test, workload)
        for batch, passes in zip((1024, 1), args.passes):
            times, out = _common.timed_passes(lambda: predict(model, xt, batch), passes)
            measures.append(_common.measure(f"{workload} model, batch {batch}", times,
                                            _common.accuracy(out, y_test), batch=batch, n=len(xt)))
    return measures


def main():
    args = _common.parse_args(__doc__)
    if args.threads:
        torch.set_num_threads(args.threads)
    train_set, test_set, data_s = _common.load_mnist(args)
    run = run_inference if args.workload == "W5" else run_training
    measures = run(args, train_set, test_set)
    threads = {"torch.get_num_threads": torch.get_num_threads(),
               "torch.get_num_interop_threads": torch.get_num_interop_threads(),
               "mkldnn": torch.backends.mkldnn.is_available(), "mkl": torch.backends.mkl.is_available()}
    _common.emit(args, "torch", torch.__version__, IMPORT_S, data_s, measures, threads)


if __name__ == "__main__":
    main()
